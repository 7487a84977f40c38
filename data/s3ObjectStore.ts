// ObjectStore on any S3-compatible server through @aws-sdk/client-s3: endpoint, region and credentials from the
// standard AWS variables, path-style addressing for local endpoints, multipart uploads above a part size.

import { InvalidInputError } from '../core/invalidInputError.js';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import {
  parseS3Uri,
  StorageAccessError,
  StorageUnreachableError,
  type ListedObject,
  type ObjectStore,
  type ObjectVersion,
} from './objectStore.js';

/** Bytes per multipart part; uploads of a file larger than this go up in parts. @default 16 MiB (S3's minimum, 5 MiB, is the floor). */
export const DEFAULT_PART_BYTES = 16 * 1024 * 1024;

const MIN_PART_BYTES = 5 * 1024 * 1024;

export interface S3ObjectStoreOptions {
  /** The variables to read (AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_S3_FORCE_PATH_STYLE). */
  env?: NodeJS.ProcessEnv;
  /** @default DEFAULT_PART_BYTES; tests set it low to exercise multipart. */
  partBytes?: number;
}

const clients = new Map<string, S3Client>();

/** The endpoint as a URL: http:// or https:// with a host, else an input error naming the variable. */
function endpointUrl(name: string, text: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '')
    throw new InvalidInputError(name, `${name}: expected a URL such as http://127.0.0.1:9000 or https://s3.example.com, got "${text}"`);
  return url;
}

/** Milliseconds from `name` (a whole number from 100 to ten minutes), else `fallback`. */
function timeoutMsOf(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const ms = Number(text);
  if (!Number.isInteger(ms) || ms < 100 || ms > 600_000)
    throw new InvalidInputError(name, `${name}: expected milliseconds, a whole number from 100 to 600000, got "${text}"`);
  return ms;
}

/** One client per endpoint, region, credentials and addressing style, shared by every store in the process. */
export function s3ClientFor(env: NodeJS.ProcessEnv): { client: S3Client; endpoint: string } {
  const endpointName = env.AWS_ENDPOINT_URL_S3 !== undefined ? 'AWS_ENDPOINT_URL_S3' : 'AWS_ENDPOINT_URL';
  const endpoint = env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL ?? '';
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const host = endpoint ? endpointUrl(endpointName, endpoint).hostname.replace(/^\[|\]$/g, '') : '';
  const pathStyle = env.AWS_S3_FORCE_PATH_STYLE?.trim().toLowerCase();
  if (pathStyle !== undefined && pathStyle !== '' && !['true', 'false', '1', '0'].includes(pathStyle))
    throw new InvalidInputError(
      'AWS_S3_FORCE_PATH_STYLE',
      `AWS_S3_FORCE_PATH_STYLE: expected true or false, got "${env.AWS_S3_FORCE_PATH_STYLE}"`,
    );
  const forcePathStyle =
    pathStyle !== undefined && pathStyle !== '' ? pathStyle === 'true' || pathStyle === '1' : host === 'localhost' || isIP(host) !== 0;
  const credentials =
    env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN }
      : undefined;
  const timeouts = [env.RAREFLOW_S3_CONNECT_TIMEOUT_MS, env.RAREFLOW_S3_IDLE_TIMEOUT_MS];
  const id = JSON.stringify([endpoint, region, forcePathStyle, credentials?.accessKeyId, credentials?.secretAccessKey, ...timeouts]);
  let client = clients.get(id);
  if (!client) {
    // The SDK warns on every Node below 22 about its releases from 2027; the installed release runs on Node 20, and the
    // warning would add lines to a CLI's stderr that must carry one.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    client = new S3Client({
      region,
      forcePathStyle,
      ...(endpoint ? { endpoint } : {}),
      ...(credentials ? { credentials } : {}),
      // S3-compatible servers do not all accept the CRC checksums newer SDKs add by default.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
      // An endpoint that takes the connection but never answers must fail (and be retried as unreachable), not hang:
      // 10 s to connect, 60 s without a byte on an open request.
      requestHandler: {
        connectionTimeout: timeoutMsOf(env, 'RAREFLOW_S3_CONNECT_TIMEOUT_MS', 10_000),
        requestTimeout: timeoutMsOf(env, 'RAREFLOW_S3_IDLE_TIMEOUT_MS', 60_000),
        throwOnRequestTimeout: true,
      },
    });
    clients.set(id, client);
  }
  return { client, endpoint: endpoint || `the AWS S3 endpoint of ${region}` };
}

export class S3ObjectStore implements ObjectStore {
  readonly uri: string;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly client: S3Client;
  private readonly endpoint: string;
  private readonly partBytes: number;

  /** `subject` names the setting the URI came from (RAREFLOW_ARTIFACTS, --input) in errors about its form. */
  constructor(
    uri: string,
    private readonly subject: string,
    o: S3ObjectStoreOptions = {},
  ) {
    const { bucket, prefix } = parseS3Uri(uri, subject);
    this.bucket = bucket;
    this.prefix = prefix;
    this.uri = `s3://${bucket}${prefix ? `/${prefix}` : ''}`;
    ({ client: this.client, endpoint: this.endpoint } = s3ClientFor(o.env ?? process.env));
    // lib-storage refuses parts below S3's 5 MiB minimum.
    this.partBytes = Math.max(MIN_PART_BYTES, o.partBytes ?? DEFAULT_PART_BYTES);
  }

  uriOf(key: string): string {
    return `${this.uri}/${key}`;
  }

  private objectKey(key: string): string {
    return this.prefix ? `${this.prefix}/${key}` : key;
  }

  async head(key: string): Promise<ObjectVersion | null> {
    return this.call(key, async () => {
      try {
        const r = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
        return { etag: r.ETag ?? '', bytes: r.ContentLength ?? 0 };
      } catch (err) {
        if (statusOf(err) !== 404 || isNoSuchBucket(err)) throw err;
      }
      // A HEAD answer has no body to say which is missing, the key or the bucket: ask about the bucket.
      try {
        await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
        return null;
      } catch (err) {
        if (statusOf(err) === 404) throw Object.assign(new Error('NoSuchBucket'), { name: 'NoSuchBucket' });
        throw err;
      }
    });
  }

  async get(key: string, ifNoneMatch?: string): Promise<{ body: Buffer; etag: string } | 'not-modified' | null> {
    return this.call(key, async () => {
      try {
        const r = await this.client.send(
          new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key), ...(ifNoneMatch ? { IfNoneMatch: ifNoneMatch } : {}) }),
        );
        return { body: Buffer.from(await r.Body!.transformToByteArray()), etag: r.ETag ?? '' };
      } catch (err) {
        if (statusOf(err) === 304) return 'not-modified';
        if (isNoSuchKey(err)) return null;
        throw err;
      }
    });
  }

  async download(key: string, localPath: string): Promise<ObjectVersion | null> {
    return this.call(key, async () => {
      try {
        const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
        await pipeline(r.Body as Readable, createWriteStream(localPath));
        return { etag: r.ETag ?? '', bytes: r.ContentLength ?? 0 };
      } catch (err) {
        if (isNoSuchKey(err)) return null;
        throw err;
      }
    });
  }

  async put(
    key: string,
    body: { bytes: Uint8Array | string } | { file: string },
    condition?: { ifNoneMatch: true } | { ifMatch: string },
  ): Promise<ObjectVersion | 'precondition-failed'> {
    const conditions = condition && 'ifMatch' in condition ? { IfMatch: condition.ifMatch } : condition ? { IfNoneMatch: '*' } : {};
    return this.call(key, async () => {
      try {
        if ('file' in body) {
          const bytes = (await stat(body.file)).size;
          if (bytes > this.partBytes) return await this.putMultipart(key, body.file, bytes, conditions);
          // Read whole (at most one part): a buffered request can be retried by the SDK, a stream cannot.
          body = { bytes: await readFile(body.file) };
        }
        const bytes = typeof body.bytes === 'string' ? Buffer.from(body.bytes) : body.bytes;
        const r = await this.client.send(
          new PutObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key), Body: bytes, ...conditions }),
        );
        return { etag: r.ETag ?? '', bytes: bytes.length };
      } catch (err) {
        if (statusOf(err) === 412 || errorName(err) === 'PreconditionFailed') return 'precondition-failed';
        throw err;
      }
    });
  }

  /**
   * A large file in parts. S3-compatible servers do not all honour conditions on CompleteMultipartUpload, so an
   * `If-None-Match` write checks for the key first: the stores that use it are content-addressed, and a writer that
   * races past the check writes the same bytes.
   */
  private async putMultipart(
    key: string,
    file: string,
    bytes: number,
    conditions: { IfMatch?: string; IfNoneMatch?: string },
  ): Promise<ObjectVersion | 'precondition-failed'> {
    if (conditions.IfNoneMatch && (await this.head(key))) return 'precondition-failed';
    if (conditions.IfMatch && (await this.head(key))?.etag !== conditions.IfMatch) return 'precondition-failed';
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: this.objectKey(key), Body: createReadStream(file, { highWaterMark: 1024 * 1024 }) },
      partSize: this.partBytes,
      queueSize: 2,
      leavePartsOnError: false,
    });
    const r = await upload.done();
    return { etag: r.ETag ?? '', bytes };
  }

  async list(prefix: string): Promise<ListedObject[]> {
    return this.call(prefix, async () => {
      const found: ListedObject[] = [];
      const base = this.prefix ? `${this.prefix}/` : '';
      let token: string | undefined;
      do {
        const r = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: base + prefix, ContinuationToken: token }),
        );
        for (const o of r.Contents ?? []) {
          if (o.Key) found.push({ key: o.Key.slice(base.length), etag: o.ETag ?? '', bytes: o.Size ?? 0 });
        }
        token = r.IsTruncated ? r.NextContinuationToken : undefined;
      } while (token);
      return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    });
  }

  async delete(key: string): Promise<void> {
    await this.call(key, () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) })));
  }

  /** Runs one request; a missing bucket or refused credentials become StorageAccessError, no answer StorageUnreachableError. */
  private async call<T>(key: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (err) {
      const uri = this.uriOf(key);
      // A RAREFLOW_* location is the deployment's setting; another subject (input.paths, --input) is the user's input.
      const setting = /^RAREFLOW_[A-Z_]+$/.test(this.subject) ? this.subject : undefined;
      if (isNoSuchBucket(err)) {
        throw new StorageAccessError(
          uri,
          `cannot reach ${uri}: bucket "${this.bucket}" does not exist at ${this.endpoint}; create it or point ${this.subject} at an existing bucket`,
          setting,
        );
      }
      const name = errorName(err);
      // No credentials at all (none in the environment, no profile): a setting to fix, never an outage to retry.
      if (name === 'CredentialsProviderError') {
        throw new StorageAccessError(
          uri,
          `cannot reach ${uri}: no S3 credentials were found; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) for ${this.endpoint}`,
          setting ?? 'AWS_ACCESS_KEY_ID',
        );
      }
      if (statusOf(err) === 403 || ['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied'].includes(name)) {
        throw new StorageAccessError(
          uri,
          `cannot reach ${uri}: ${this.endpoint} refused the credentials (${name || 'HTTP 403'}); check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`,
          setting ?? 'AWS_ACCESS_KEY_ID',
        );
      }
      if (!(err instanceof S3ServiceException) && isNetworkError(err)) {
        throw new StorageUnreachableError(
          uri,
          `cannot reach ${uri}: no answer from ${this.endpoint} (${(err as Error).message || errorName(err)}); check AWS_ENDPOINT_URL and that the server runs`,
        );
      }
      throw err;
    }
  }
}

function errorName(err: unknown): string {
  return (err as { name?: string; Code?: string })?.Code ?? (err as { name?: string })?.name ?? '';
}

function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

function isNoSuchBucket(err: unknown): boolean {
  return errorName(err) === 'NoSuchBucket';
}

function isNoSuchKey(err: unknown): boolean {
  return errorName(err) === 'NoSuchKey' || (statusOf(err) === 404 && !isNoSuchBucket(err));
}

function isNetworkError(err: unknown): boolean {
  const code = (err as { code?: string })?.code ?? '';
  const name = errorName(err);
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code) ||
    ['TimeoutError', 'RequestTimeout'].includes(name) ||
    /ECONNREFUSED|ENOTFOUND|socket hang up|EHOSTUNREACH/.test((err as Error)?.message ?? '')
  );
}
