// Chooses storage by location: a path or file:// URI is a local directory (today's code), s3://bucket/prefix an
// S3-compatible bucket reached through the standard AWS variables, read through a bounded local cache.

import { join } from 'node:path';
import { ArtifactStore } from './artifactStore.js';
import { isS3Uri } from './objectStore.js';
import { S3ArtifactStore } from './s3ArtifactStore.js';
import { S3ObjectStore, type S3ObjectStoreOptions } from './s3ObjectStore.js';

export interface CacheOptions {
  /** Where verified downloads are kept (RAREFLOW_CACHE, default <stateDir>/cache). */
  cacheDir: string;
  /** Bound on the cache's size in bytes (RAREFLOW_CACHE_BYTES). @default 4 GiB */
  cacheBytes?: number;
}

/** The artifact store at `location` (RAREFLOW_ARTIFACTS): a directory, or a bucket with a local cache. */
export function openArtifactStore(location: string, cache: CacheOptions, s3?: S3ObjectStoreOptions): ArtifactStore {
  if (!isS3Uri(location)) return new ArtifactStore(location);
  const remote = new S3ObjectStore(location, 'RAREFLOW_ARTIFACTS', s3);
  return new S3ArtifactStore(remote, join(cache.cacheDir, 'artifacts'), cache.cacheBytes);
}

/** Where the store keeps its artifacts, for log lines: the directory or the s3:// URI. */
export function artifactStoreLocation(store: ArtifactStore): string {
  return store instanceof S3ArtifactStore ? store.location : store.root;
}
