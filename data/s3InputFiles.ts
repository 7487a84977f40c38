// Input files on s3://: `s3://bucket/key` and globs (`s3://b/p/*.parquet`, expanded by listing) are downloaded,
// checked against the size and ETag the server lists, into the bounded local cache; DuckDB then reads local files.

import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { IntegrityError } from '../core/integrityError.js';
import { globPattern } from '../core/globPattern.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import { moveFile } from './artifactStore.js';
import { BoundedFileCache, cacheBytesOf } from './boundedFileCache.js';
import { isS3Uri, parseS3Uri, type ListedObject } from './objectStore.js';
import { S3ObjectStore } from './s3ObjectStore.js';

/** An input as the spec names it and the local file DuckDB reads. */
export interface LocatedInput {
  /** The s3:// URI of one object (globs expanded), or the local path as given. */
  source: string;
  local: string;
}

const caches = new Map<string, BoundedFileCache>();

/** The cache of input downloads: RAREFLOW_CACHE (default .rareflow/cache) /inputs, bounded by RAREFLOW_CACHE_BYTES. */
function inputCache(env: NodeJS.ProcessEnv): BoundedFileCache {
  // Absolute: readers resolve the paths they are given, and messages map each copy back to its URI by this path.
  const dir = resolve(env.RAREFLOW_CACHE ?? join(env.RAREFLOW_HOME ?? '.rareflow', 'cache'), 'inputs');
  let cache = caches.get(dir);
  if (!cache) {
    cache = new BoundedFileCache(dir, cacheBytesOf(env.RAREFLOW_CACHE_BYTES), ['tmp']);
    caches.set(dir, cache);
  }
  return cache;
}

/**
 * Each s3:// entry of `paths` (a key or a glob over keys) as cached local files; local paths pass through as given
 * (their globs stay for DuckDB). `subject` names the setting in errors (`--input`, `input.paths`).
 */
export async function locateInputs(
  paths: string[],
  subject: string,
  env: NodeJS.ProcessEnv = process.env,
  /** Download again even when a cached copy is there (a reader found the cached copy damaged). */
  refresh = false,
): Promise<LocatedInput[]> {
  const located: LocatedInput[] = [];
  const objects: Array<InputObject | string> = [];
  for (const path of paths) {
    if (!isS3Uri(path)) objects.push(path);
    else objects.push(...(await expandS3Input(path, subject, env)));
  }
  // DuckDB reads local copies, all of them at once: a cache smaller than the inputs would evict one to fit the next.
  const cache = inputCache(env);
  const bytes = objects.reduce((sum, o) => sum + (typeof o === 'string' ? 0 : o.bytes), 0);
  if (bytes > cache.maxBytes)
    throw new InvalidInputError(
      'RAREFLOW_CACHE_BYTES',
      `${subject}: the s3:// inputs hold ${bytes} bytes, more than the local cache keeps (RAREFLOW_CACHE_BYTES = ${cache.maxBytes}); they are read from local copies, so raise RAREFLOW_CACHE_BYTES (with RAREFLOW_CACHE on a disk that has the room)`,
    );
  const pinned = new Set<string>();
  for (const object of objects) {
    if (typeof object === 'string') {
      located.push({ source: object, local: object });
      continue;
    }
    const local = await cachedInputFile(object, env, refresh, pinned);
    pinned.add(local);
    located.push({ source: object.uri, local });
  }
  return located;
}

/**
 * Text with each local copy's path put back as the s3:// URI it was read from: messages and results name the object
 * the user gave, not a cache file that lives on one machine.
 */
export function sourceNamer(located: readonly LocatedInput[]): (text: string) => string {
  const copies = located.filter((l) => l.local !== l.source).sort((a, b) => b.local.length - a.local.length);
  return (text) => copies.reduce((t, l) => t.replaceAll(l.local, l.source), text);
}

/** `err` with the local copies named by their URIs (an input error stays one, with the same subject renamed). */
export function withSourceNames(err: unknown, name: (text: string) => string): unknown {
  if (err instanceof InvalidInputError) return new InvalidInputError(name(err.subject), name(err.message));
  if (err instanceof Error && name(err.message) !== err.message) {
    const renamed = new Error(name(err.message), { cause: err });
    renamed.name = err.name;
    return Object.assign(renamed, { code: (err as NodeJS.ErrnoException).code });
  }
  return err;
}

/** Local files for `paths`, for a reader that does not need the s3:// names back. */
export async function localInputPaths(paths: string[], subject: string, refresh = false): Promise<string[]> {
  return (await locateInputs(paths, subject, process.env, refresh)).map((l) => l.local);
}

interface InputObject extends ListedObject {
  store: S3ObjectStore;
  uri: string;
}

/** The objects an s3:// input names: one key, or every key a glob matches (`*` and `?` within a path segment, `**` across). */
async function expandS3Input(uri: string, subject: string, env: NodeJS.ProcessEnv): Promise<InputObject[]> {
  const { bucket, prefix: key } = parseS3Uri(uri, subject);
  if (key === '')
    throw new InvalidInputError(
      `${subject} ${uri}`,
      `${subject} ${uri} names a bucket, not an object: give a key or a glob, such as s3://${bucket}/data/*.parquet`,
    );
  const store = new S3ObjectStore(`s3://${bucket}`, subject, { env });
  const globAt = key.search(/[*?[]/);
  if (globAt < 0) {
    const head = await store.head(key);
    if (!head) throw new InvalidInputError(`${subject} ${uri}`, `input object ${uri} does not exist; check the bucket and key`);
    return [{ ...head, key, store, uri }];
  }
  const listPrefix = key.slice(0, globAt);
  const pattern = globPattern(key);
  // A key ending in "/" is a folder marker some tools write, not a file.
  const matched = (await store.list(listPrefix)).filter((o) => !o.key.endsWith('/') && pattern.test(o.key));
  if (matched.length === 0) throw new InvalidInputError(`${subject} ${uri}`, `no object matches ${uri}; check the bucket, prefix and glob`);
  return matched.map((o) => ({ ...o, store, uri: `s3://${bucket}/${o.key}` }));
}

/**
 * The cached copy of `object`, named by its URI and ETag (a replaced object is fetched again) and ending in the
 * key's own name, so the reader tells the format from the extension. A cached copy whose size is not the listed
 * one (cut short on the local disk) is fetched again, as is any copy with `refresh`.
 */
async function cachedInputFile(
  object: InputObject,
  env: NodeJS.ProcessEnv,
  refresh = false,
  pinned: ReadonlySet<string> = new Set(),
): Promise<string> {
  const cache = inputCache(env);
  const id = createHash('sha256').update(`${object.uri}\n${object.etag}`).digest('hex');
  const name = object.key.slice(object.key.lastIndexOf('/') + 1);
  const path = join(cache.dir, id.slice(0, 2), `${id.slice(0, 24)}-${name}`);
  if (!refresh && existsSync(path) && (await stat(path)).size === object.bytes && (await cache.touch(path))) return path;
  await mkdir(join(cache.dir, 'tmp'), { recursive: true });
  const temp = join(cache.dir, 'tmp', `${randomBytes(8).toString('hex')}-${name}`);
  try {
    await downloadChecked(object.store, object, object.uri, temp);
    await mkdir(join(cache.dir, id.slice(0, 2)), { recursive: true });
    await moveFile(temp, path);
    await cache.admit(path, pinned);
    return path;
  } finally {
    await rm(temp, { force: true });
  }
}

/**
 * Downloads `object` to `temp`; a download whose size or (single-part) MD5 differs from what the server listed is
 * refused with an IntegrityError naming the URI.
 */
export async function downloadChecked(store: S3ObjectStore, object: ListedObject, uri: string, temp: string): Promise<void> {
  const got = await store.download(object.key, temp);
  if (!got) throw new InvalidInputError(`input ${uri}`, `input object ${uri} was deleted while it was being read`);
  const bytes = (await stat(temp)).size;
  const md5 = /^"?([0-9a-f]{32})"?$/.exec(object.etag)?.[1];
  const actualMd5 = md5 ? await fileMd5(temp) : undefined;
  if (bytes !== object.bytes || (md5 && actualMd5 !== md5)) {
    throw new IntegrityError(
      uri,
      md5 ?? `${object.bytes} bytes`,
      actualMd5 ?? `${bytes} bytes`,
      'input',
      `input ${uri} arrived damaged: ${bytes} bytes${actualMd5 ? ` with MD5 ${actualMd5}` : ''}, the server listed ${object.bytes} bytes${md5 ? ` with MD5 ${md5}` : ''}; read it again`,
    );
  }
}

async function fileMd5(path: string): Promise<string> {
  const hash = createHash('md5');
  for await (const piece of createReadStream(path)) hash.update(piece as Buffer);
  return hash.digest('hex');
}
