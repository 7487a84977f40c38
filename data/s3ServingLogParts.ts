// Serving logs on s3://: each replica uploads its Parquet parts under keys no other writer uses (host, process,
// start token, sequence) with If-None-Match, so nothing is overwritten; readers mirror the parts into a local folder.

import { createHash, randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { moveFile } from './artifactStore.js';
import { S3ObjectStore } from './s3ObjectStore.js';
import { downloadChecked } from './s3InputFiles.js';

/** Host (8 hex digits of its name's sha256), pid and a token per process start: unique among live replicas. */
const WRITER_TAG = `${createHash('sha256').update(hostname()).digest('hex').slice(0, 8)}-${process.pid}-${randomBytes(4).toString('hex')}`;

/** The name of a new part of this process; names sort by write time, as the local ones do. */
export function s3PartName(seq: number): string {
  return `part-${Date.now()}-${WRITER_TAG}-${seq}.parquet`;
}

/** A local folder for parts on their way up. */
export function partStagingDir(): string {
  return join(tmpdir(), `rareflow-parts-${process.pid}`);
}

/** Uploads the local part file `local` as `<dirUri>/<name>` (never over an existing key), then removes it. */
export async function uploadPart(dirUri: string, name: string, local: string): Promise<void> {
  const written = await new S3ObjectStore(dirUri, 'RAREFLOW_SERVING').put(name, { file: local }, { ifNoneMatch: true });
  if (written === 'precondition-failed') throw new Error(`serving log part ${dirUri}/${name} exists already; part names must be unique`);
  await rm(local, { force: true });
}

/**
 * Writes (and so checks) a small marker object under `dirUri` with the credentials the parts will use: a missing
 * bucket or refused credentials fail here, at a service's start, as input errors naming the URI, instead of every
 * log write failing later while the rows pile up in memory.
 */
export async function checkPartsWritable(dirUri: string): Promise<void> {
  await new S3ObjectStore(dirUri, 'RAREFLOW_SERVING').put('.rareflow-write-check', { bytes: `${WRITER_TAG}\n` });
}

/**
 * Local copies of every part under `dirUri` whose name `isPart` accepts, in key order (null when there is none).
 * Parts are never replaced, so a part already mirrored (at its listed size) is not downloaded again; downloads are checked against the
 * size and MD5 the server lists. The mirror lives under RAREFLOW_CACHE/serving.
 */
export async function mirrorParts(dirUri: string, isPart: (name: string) => boolean): Promise<string[] | null> {
  const store = new S3ObjectStore(dirUri, 'RAREFLOW_SERVING');
  const parts = (await store.list('')).filter((o) => !o.key.includes('/') && isPart(o.key));
  if (parts.length === 0) return null;
  const cacheRoot = process.env.RAREFLOW_CACHE ?? join(process.env.RAREFLOW_HOME ?? '.rareflow', 'cache');
  const mirror = join(cacheRoot, 'serving', createHash('sha256').update(dirUri).digest('hex').slice(0, 24));
  await mkdir(mirror, { recursive: true });
  const files: string[] = [];
  for (const part of parts) {
    const path = join(mirror, part.key);
    // A local copy of another size than the part (cut short on this disk) is fetched again.
    if (!existsSync(path) || statSync(path).size !== part.bytes) {
      const temp = join(mirror, `.${randomBytes(6).toString('hex')}.tmp`);
      try {
        await downloadChecked(store, part, store.uriOf(part.key), temp);
        await moveFile(temp, path);
      } finally {
        await rm(temp, { force: true });
      }
    }
    files.push(path);
  }
  return files;
}
