// A registry file the worker cannot write (made immutable here, as a read-only or forbidden file would be) fails the
// registry step at once as a non-retryable storage setting naming RAREFLOW_REGISTRY. Before, the step was retried
// for ten minutes (registryStartRun reached its 20th attempt) while `run --wait` showed the stage before it.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRegistryActivities } from '../../activities/registry.js';
import { ArtifactStore } from '../../data/artifactStore.js';
import { Registry } from '../../data/registry.js';
import { registryWriteRefusal } from '../../data/registryWriteRefusal.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-registry-refused-'));
const file = join(dir, 'registry.duckdb');
const immutable: string[] = [];
const chattr = (flag: '+i' | '-i', path: string) => execFileSync('chattr', [flag, path], { stdio: 'ignore' });
const canChattr = (() => {
  try {
    const probe = join(dir, 'probe');
    execFileSync('touch', [probe]);
    chattr('+i', probe);
    chattr('-i', probe);
    rmSync(probe);
    return true;
  } catch {
    return false;
  }
})();
afterAll(() => {
  for (const p of immutable) chattr('-i', p);
  rmSync(dir, { recursive: true, force: true });
});

describe('a registry the worker cannot write', () => {
  it('reads DuckDB and Postgres refusals as the setting, and leaves other errors alone', () => {
    const duck = registryWriteRefusal(
      new Error('TransactionContext Error: Failed to commit: Could not write file "/x/registry.duckdb.wal": Operation not permitted'),
    );
    expect(duck?.setting).toBe('RAREFLOW_REGISTRY');
    expect(duck?.message).toBe(
      'RAREFLOW_REGISTRY: cannot write the registry file /x/registry.duckdb.wal (operation not permitted); expected a registry file (and its .wal beside it) rareflow can write: mend its permissions or point RAREFLOW_REGISTRY at one',
    );
    expect(registryWriteRefusal(new Error('permission denied for table runs'))?.setting).toBe('RAREFLOW_REGISTRY');
    expect(registryWriteRefusal(new Error('Connection Error: connection refused'))).toBeUndefined();
    expect(registryWriteRefusal('Operation not permitted')).toBeUndefined();
  });

  it.skipIf(!canChattr)('fails a registry step at once, non-retryable, naming RAREFLOW_REGISTRY (needs chattr, as root)', async () => {
    const registry = await Registry.open(file);
    try {
      const activities = createRegistryActivities({
        registry,
        artifacts: new ArtifactStore(join(dir, 'artifacts')),
        servingDir: join(dir, 'serving'),
      });
      for (const p of [file, `${file}.wal`]) {
        if (!existsSync(p)) execFileSync('touch', [p]);
        chattr('+i', p);
        immutable.push(p);
      }
      const failed = await activities
        .registryStartRun({
          runId: 'r1',
          modelName: 'fraud',
          workflowId: 'r1',
          startedAt: '2026-01-01T00:00:00Z',
          seed: 1,
          params: {},
          inputHashes: {},
        })
        .then(
          () => undefined,
          (err: unknown) => err,
        );
      expect(failed).toMatchObject({ nonRetryable: true, type: 'StorageSettings', details: ['RAREFLOW_REGISTRY'] });
      expect((failed as Error).message).toMatch(
        /^RAREFLOW_REGISTRY: cannot write the registry file .*registry\.duckdb(\.wal)? \(operation not permitted\)/,
      );
    } finally {
      for (const p of immutable.splice(0)) chattr('-i', p);
      await registry.close();
    }
  });
});
