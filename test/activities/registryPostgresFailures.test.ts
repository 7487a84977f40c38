// Registry activities on PostgreSQL when the database turns the worker away: refused credentials fail the
// activity non-retryably (no retry can fix a password), a lost server fails it retryably, the URL's password masked.

import { ApplicationFailure } from '@temporalio/common';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRegistryActivities } from '../../activities/registry.js';
import { ArtifactStore } from '../../data/artifactStore.js';
import { Registry } from '../../data/registry.js';
import { NON_RETRYABLE_FAILURE_TYPES } from '../../workflows/contract.js';
import { postgresUnavailable, startPostgres, type PostgresServer } from '../support/postgresServer.js';

describe.skipIf(postgresUnavailable() !== undefined)('registry activities on PostgreSQL', () => {
  let server: PostgresServer;
  let dir: string;
  beforeAll(async () => {
    server = await startPostgres();
    dir = await mkdtemp(join(tmpdir(), 'rareflow-registry-pg-activities-'));
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('a password changed under a running worker fails the next registry activity non-retryably', async () => {
    const admin = new URL(await server.newDatabaseUrl());
    const database = admin.pathname.slice(1);
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    try {
      await client.query(`CREATE ROLE worker_${database} LOGIN PASSWORD 'first-pw'`);
      await client.query(`ALTER DATABASE ${database} OWNER TO worker_${database}`);
      const url = `postgres://worker_${database}:first-pw@127.0.0.1:${server.port}/${database}`;
      const registry = await Registry.open(url);
      try {
        const activities = createRegistryActivities({ registry, artifacts: new ArtifactStore(join(dir, 'a')), servingDir: join(dir, 's') });
        expect(await activities.registryChampion('fraud')).toBeNull();
        await client.query(`ALTER ROLE worker_${database} PASSWORD 'second-pw'`);
        // Its open sessions end (as at a failover); the next activity must log in again, with the old password.
        await client.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1`, [`worker_${database}`]);
        // A pooled session that had not yet seen its end fails the first attempt as a lost connection (retryable,
        // as Temporal would retry it); the attempt after must log in again and is refused for good.
        let failure: unknown;
        for (let attempt = 0; attempt < 3; attempt++) {
          failure = await activities.registryChampion('fraud').catch((e: unknown) => e);
          if (failure instanceof ApplicationFailure) break;
          expect((failure as Error).message).toMatch(/^cannot reach the registry database at postgres:\/\/worker_\w+:\*\*\*@/);
        }
        expect(failure).toBeInstanceOf(ApplicationFailure);
        if (!(failure instanceof ApplicationFailure)) return;
        expect(failure.nonRetryable).toBe(true);
        expect(NON_RETRYABLE_FAILURE_TYPES).toContain(failure.type);
        expect(failure.message).toMatch(
          /^cannot open the registry at postgres:\/\/worker_\w+:\*\*\*@127\.0\.0\.1:\d+\/\w+: the user or password was refused/,
        );
        expect(failure.message).not.toContain('first-pw');
      } finally {
        await registry.close();
      }
    } finally {
      await client.end();
    }
  });

  test('a server that went away fails the activity retryably, naming the masked URL', async () => {
    const other = await startPostgres();
    const url = await other.newDatabaseUrl();
    const registry = await Registry.open(url);
    try {
      const activities = createRegistryActivities({ registry, artifacts: new ArtifactStore(join(dir, 'b')), servingDir: join(dir, 't') });
      expect(await activities.registryChampion('fraud')).toBeNull();
      await other.stop();
      const failure = (await activities.registryChampion('fraud').catch((e: unknown) => e)) as Error;
      expect(failure).not.toBeInstanceOf(ApplicationFailure);
      expect(failure.message).toMatch(/^cannot reach the registry database at postgres:\/\/rareflow:\*\*\*@127\.0\.0\.1:\d+\/\w+: /);
      expect(failure.message).not.toContain('test-secret-pw');
    } finally {
      await registry.close();
      await other.stop();
    }
  }, 60_000);
});
