import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ArtifactStore } from '../../data/artifactStore.js';
import { S3ArtifactStore } from '../../data/s3ArtifactStore.js';
import { openArtifactStore } from '../../data/storageLocations.js';
import { loadConfig } from '../../infra/rareflowConfig.js';

describe('storage locations from the environment', () => {
  test('s3:// stays a URI, a path or file:// URI becomes an absolute directory, the cache has its own defaults', () => {
    const c = loadConfig({
      RAREFLOW_HOME: '/srv/rf',
      RAREFLOW_ARTIFACTS: 's3://team-bucket/rareflow/',
      RAREFLOW_SERVING: 'file:///srv/serving',
    });
    expect(c.artifactRoot).toBe('s3://team-bucket/rareflow');
    expect(c.servingDir).toBe('/srv/serving');
    expect(c.cacheDir).toBe('/srv/rf/cache');
    expect(c.cacheBytes).toBe(4 * 1024 ** 3);
    const local = loadConfig({ RAREFLOW_HOME: 'state', RAREFLOW_CACHE: 'c', RAREFLOW_CACHE_BYTES: '512M' });
    expect(local.artifactRoot).toBe(resolve('state', 'artifacts'));
    expect(local.cacheDir).toBe(resolve('c'));
    expect(local.cacheBytes).toBe(512 * 1024 ** 2);
    expect(() => loadConfig({ RAREFLOW_CACHE_BYTES: 'lots' })).toThrow(
      'RAREFLOW_CACHE_BYTES is "lots": expected a positive size in bytes such as 4294967296 or 4G',
    );
  });

  test('the artifact store is chosen by its location', () => {
    expect(openArtifactStore('/tmp/rf-artifacts', { cacheDir: '/tmp/rf-cache' })).not.toBeInstanceOf(S3ArtifactStore);
    expect(openArtifactStore('/tmp/rf-artifacts', { cacheDir: '/tmp/rf-cache' })).toBeInstanceOf(ArtifactStore);
    const remote = openArtifactStore('s3://team-bucket/rareflow', { cacheDir: '/tmp/rf-cache' });
    expect(remote).toBeInstanceOf(S3ArtifactStore);
    expect(remote.root).toBe(join('/tmp/rf-cache', 'artifacts'));
  });
});
