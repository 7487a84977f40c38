// A local RAREFLOW_SERVING or RAREFLOW_ARTIFACTS that cannot be a writable directory (a path through a regular file)
// is a storage setting refused at once, naming the setting: by a step that makes its directory (no longer retried
// for ten minutes on ENOTDIR) and by a worker before it takes any task.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { failingOnBadInput } from '../../activities/activityRuntime.js';
import { StorageAccessError } from '../../data/objectStore.js';
import { prepareServingDir } from '../../data/servingState.js';
import { createRareflowWorkers } from '../../worker/rareflowWorkers.js';
import { mountReadOnly, unmountReadOnly } from '../support/readOnlyMount.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-storage-dirs-'));
// A read-only directory that exists (skipped where mounting fails).
const readOnly = join(dir, 'ro');
const mounted = mountReadOnly(readOnly);
afterAll(() => {
  if (mounted) unmountReadOnly(readOnly);
  rmSync(dir, { recursive: true, force: true });
});
const aFile = join(dir, 'serving-is-a-file');
writeFileSync(aFile, 'not a directory');

describe('a local storage location that cannot be a directory', () => {
  it('fails a promotion step at once as a storage setting, naming RAREFLOW_SERVING and the path', async () => {
    const failed = await prepareServingDir(aFile, 'fraud').then(
      () => new Error('made'),
      (err: unknown) => err as Error,
    );
    expect(failed).toBeInstanceOf(StorageAccessError);
    expect(failed.message).toBe(
      `RAREFLOW_SERVING is ${aFile}: cannot make the directory ${join(aFile, 'fraud')} (a part of that path is a file, not a directory); expected a directory rareflow can write: point RAREFLOW_SERVING at one`,
    );
    // In an activity: non-retryable, and not the spec's fault.
    const asFailure = await failingOnBadInput(() => Promise.reject(failed)).catch((f: unknown) => f);
    expect(asFailure).toMatchObject({ nonRetryable: true, type: 'StorageSettings', details: ['RAREFLOW_SERVING'] });
  });

  it('stops a worker before it connects or takes a task, for either setting', async () => {
    const target = { address: '127.0.0.1:1', namespace: 'default' } as Parameters<typeof createRareflowWorkers>[0]['target'];
    const start = (artifactRoot: string, servingDir: string) =>
      createRareflowWorkers({ target, artifactRoot, servingDir, registryPath: join(dir, 'registry.duckdb'), queues: ['compute'] });
    await expect(start(join(dir, 'artifacts'), join(aFile, 'serving'))).rejects.toThrow(
      `RAREFLOW_SERVING is ${join(aFile, 'serving')}: cannot make the directory`,
    );
    await expect(start(join(aFile, 'artifacts'), join(dir, 'serving'))).rejects.toThrow(
      `RAREFLOW_ARTIFACTS is ${join(aFile, 'artifacts')}: cannot make the directory`,
    );
  });

  it.skipIf(!mounted)('stops a worker whose storage directory exists but cannot be written (needs mount, as root)', async () => {
    // Making it succeeds there; each stage's first write failed and was retried for minutes, naming a temporary file.
    const target = { address: '127.0.0.1:1', namespace: 'default' } as Parameters<typeof createRareflowWorkers>[0]['target'];
    const start = (artifactRoot: string, servingDir: string) =>
      createRareflowWorkers({ target, artifactRoot, servingDir, registryPath: join(dir, 'registry.duckdb'), queues: ['compute'] });
    await expect(start(readOnly, join(dir, 'serving'))).rejects.toThrow(
      `RAREFLOW_ARTIFACTS is ${readOnly}: cannot write in the directory ${readOnly} (the filesystem is read-only); expected a directory rareflow can write`,
    );
    await expect(start(join(dir, 'artifacts'), readOnly)).rejects.toThrow(`RAREFLOW_SERVING is ${readOnly}: cannot write in the directory`);
  });
});
