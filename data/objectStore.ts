// What rareflow needs from object storage (put with conditions, get, list, delete), the `s3://bucket/prefix` URI
// that selects it, and its typed failures. A path or file:// URI keeps today's directory code; s3:// gets S3.

import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { InvalidInputError } from '../core/invalidInputError.js';

/** A stored object's identity for conditional writes and change polling. */
export interface ObjectVersion {
  etag: string;
  bytes: number;
}

export interface ListedObject extends ObjectVersion {
  /** The key relative to the store's prefix. */
  key: string;
}

/** Objects under one prefix of one bucket; keys are relative to that prefix, `/`-separated. */
export interface ObjectStore {
  /** `s3://bucket/prefix` */
  readonly uri: string;
  /** The full URI of `key`, as error messages and artifact references name it. */
  uriOf(key: string): string;
  head(key: string): Promise<ObjectVersion | null>;
  /**
   * The whole object in memory (small objects: state, key records); null when absent. With `ifNoneMatch` (an ETag
   * read before), an unchanged object is 'not-modified' and is not sent again.
   */
  get(key: string, ifNoneMatch?: string): Promise<{ body: Buffer; etag: string } | 'not-modified' | null>;
  /** Streams the object to `localPath` (the caller verifies it); null when absent. */
  download(key: string, localPath: string): Promise<ObjectVersion | null>;
  /**
   * Writes `body` (a Buffer or a local file's path, sent in multipart parts above the part size). `ifNoneMatch`
   * writes only when the key is absent and `ifMatch` only over that ETag; a refused condition is 'precondition-failed'.
   */
  put(
    key: string,
    body: { bytes: Uint8Array | string } | { file: string },
    condition?: { ifNoneMatch: true } | { ifMatch: string },
  ): Promise<ObjectVersion | 'precondition-failed'>;
  /** Every object whose key starts with `prefix`, in key order. */
  list(prefix: string): Promise<ListedObject[]>;
  delete(key: string): Promise<void>;
}

/**
 * Storage that refuses the request as configured: the bucket does not exist, or the credentials are refused.
 * Retrying cannot help, so activities fail it at once (it is an InvalidInputError).
 */
export class StorageAccessError extends InvalidInputError {
  /**
   * The storage setting at fault when it is not an input the user named (RAREFLOW_ARTIFACTS, RAREFLOW_SERVING, the
   * AWS credentials): a retrain failed by it is not its spec's fault, and the spec is kept.
   */
  readonly setting: string | undefined;
  constructor(uri: string, message: string, setting?: string) {
    super(uri, message);
    this.setting = setting;
    Object.defineProperty(this, 'name', { value: 'StorageAccessError' });
  }
}

/** The storage endpoint did not answer (refused, timed out, DNS): retryable, since it may come back. */
export class StorageUnreachableError extends Error {
  override readonly name = 'StorageUnreachableError';
  readonly uri: string;
  constructor(uri: string, message: string) {
    super(message);
    this.uri = uri;
  }
}

export interface S3Location {
  bucket: string;
  /** No leading or trailing slash; '' for the bucket's root. */
  prefix: string;
}

export function isS3Uri(location: string): boolean {
  return location.startsWith('s3://');
}

/** Bucket and prefix of `s3://bucket/prefix`; `subject` names the setting it came from in the error. */
export function parseS3Uri(uri: string, subject: string): S3Location {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  const bucket = m?.[1] ?? '';
  if (!m || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new InvalidInputError(
      subject,
      `${subject} is ${uri}: expected s3://BUCKET/PREFIX with a bucket name of 3-63 lowercase letters, digits, "." or "-"`,
    );
  }
  return { bucket, prefix: m[2]!.replace(/^\/+|\/+$/g, '') };
}

/**
 * A storage location as configured: an s3:// URI stays as it is; a path or file:// URI becomes an absolute path.
 */
export function normaliseLocation(location: string): string {
  if (isS3Uri(location)) return location.replace(/\/+$/, '');
  if (location.startsWith('file://')) return fileURLToPath(location);
  return resolve(location);
}
