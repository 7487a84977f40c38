// `rareflow registry migrate`: a DuckDB registry copied into PostgreSQL with every table's rows and checksum equal,
// a re-run that changes nothing, and each refusal (wrong target, wrong password, unreachable, newer schema, a
// target holding other rows) said with the URL masked and nothing half-copied.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Registry } from '../../data/registry.js';
import { openRegistryConnection } from '../../data/registryConnection.js';
import { copyRegistryToPostgres } from '../../data/registryCopy.js';
import { runCli } from '../support/cliProcess.js';
import { postgresUnavailable, startPostgres, type PostgresServer } from '../support/postgresServer.js';

const masked = (url: string) => url.replace(/:[^:@/]*@/, ':***@');

async function filledDuckdbRegistry(path: string): Promise<Record<string, number>> {
  const registry = await Registry.open(path);
  try {
    for (const sha of ['m1', 'm2']) {
      await registry.recordModel({
        modelSha256: sha,
        modelName: 'fraud',
        runId: `r-${sha}`,
        uri: `file:///${sha}`,
        kind: 'forest',
        threshold: 0.3,
        createdAt: 't0',
      });
    }
    await registry.startRun({
      runId: 'r1',
      modelName: 'fraud',
      workflowId: 'wf',
      startedAt: 't1',
      seed: 2 ** 40,
      params: { k: 5 },
      inputHashes: { a: 'x' },
      codeVersion: 'c',
    });
    await registry.finishRun('r1', { finishedAt: 't2', status: 'succeeded', outcome: 'promoted' });
    await registry.recordMetrics('r1', 'm1', 'test', { 'recall.positive': 0.1 + 0.2, g_mean: null });
    await registry.promote('fraud', 'm1', 'r1', 't3');
    await registry.setCanary({
      rolloutId: 'c1',
      modelName: 'fraud',
      challengerSha256: 'm2',
      championSha256: 'm1',
      weight: 0.25,
      step: 1,
      sinceMs: 1_700_000_000_000,
      at: 't4',
    });
    await registry.recordApproval({ runId: 'r1', stage: 'promotion', approved: true, decidedBy: 'ana', at: 't5', reason: 'ok' });
    await registry.recordDriftEvent({ modelName: 'fraud', at: 't6', source: 'monitor', evidence: { psi: 0.31 } });
    const n = 5000;
    await registry.recordLineage(
      'r1',
      'syn',
      new Int32Array(n).map((_, i) => i),
      new Int32Array(n).map((_, i) => n - i),
      new Float64Array(n).map((_, i) => i / 7),
    );
    return await registry.tableRowCounts();
  } finally {
    await registry.close();
  }
}

describe.skipIf(postgresUnavailable() !== undefined)('registry migrate (DuckDB to PostgreSQL)', () => {
  let server: PostgresServer;
  let dir: string;
  let source: string;
  let counts: Record<string, number>;
  beforeAll(async () => {
    server = await startPostgres();
    dir = await mkdtemp(join(tmpdir(), 'rareflow-registry-copy-'));
    source = join(dir, 'registry.duckdb');
    counts = await filledDuckdbRegistry(source);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('copies every table with equal row counts and checksums, and a re-run changes nothing', async () => {
    const url = await server.newDatabaseUrl();
    const first = await copyRegistryToPostgres(source, url);
    expect(Object.fromEntries(first.map((t) => [t.table, t.rows]))).toEqual({ ...counts, schema_version: undefined });
    expect(first.find((t) => t.table === 'lineage')?.rows).toBe(5000);
    const again = await copyRegistryToPostgres(source, url);
    expect(again).toEqual(first);
    const registry = await Registry.open(url);
    try {
      expect(await registry.tableRowCounts()).toEqual(counts);
      expect((await registry.champion('fraud'))?.modelSha256).toBe('m1');
      expect((await registry.getRun('r1'))?.seed).toBe(2 ** 40);
      expect(await registry.metrics('r1', 'm1', 'test')).toEqual({ 'recall.positive': 0.1 + 0.2, g_mean: null });
      expect((await registry.canaries('fraud'))[0]).toMatchObject({ weight: 0.25, sinceMs: 1_700_000_000_000, windows: [] });
      expect((await registry.driftEvents('fraud'))[0]?.evidence).toEqual({ psi: 0.31 });
    } finally {
      await registry.close();
    }
  });

  test('a target holding rows the source does not is refused and left as it was', async () => {
    const url = await server.newDatabaseUrl();
    const other = await Registry.open(url);
    await other.recordModel({
      modelSha256: 'x9',
      modelName: 'fraud',
      runId: 'rx',
      uri: 'file:///x9',
      kind: 'logreg',
      threshold: 0.5,
      createdAt: 't',
    });
    await other.close();
    await expect(copyRegistryToPostgres(source, url)).rejects.toThrow(
      /registry table models: 2 rows in .* but 3 rows \(or different values\) in postgres:\/\/rareflow:\*\*\*@/,
    );
    const after = await Registry.open(url);
    expect(await after.tableRowCounts()).toMatchObject({ models: 1, runs: 0, lineage: 0 });
    await after.close();
  });

  test('a target at a newer schema version, a DuckDB file as target and a missing source are input errors', async () => {
    const url = await server.newDatabaseUrl();
    const db = await openRegistryConnection(url);
    await db.write((c) => c.run(`INSERT INTO schema_version VALUES (99, 'x')`));
    await db.close();
    await expect(copyRegistryToPostgres(source, url)).rejects.toThrow(
      new RegExp(`the registry at ${masked(url).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is at schema version 99, newer than`),
    );
    await expect(copyRegistryToPostgres(source, join(dir, 'other.duckdb'))).rejects.toThrow(
      /--to: expected a postgres:\/\/.* URL, got .*other\.duckdb/,
    );
    await expect(copyRegistryToPostgres(join(dir, 'none.duckdb'), url)).rejects.toThrow(
      /--from: expected a DuckDB registry file, got .*none\.duckdb: no such file/,
    );
  });

  test('the command: copies and reports; wrong credentials exit 2 and unreachable exit 3, the password masked', async () => {
    const url = await server.newDatabaseUrl();
    const ok = await runCli(['registry', 'migrate', '--from', source, '--to', url], { cwd: dir });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^lineage +5000 rows +sha256 [0-9a-f]{16}$/m);
    expect(ok.stdout).toContain(`to ${masked(url)}; every table's row count and checksum match`);
    expect(ok.stdout + ok.stderr).not.toContain('test-secret-pw');
    const refused = await runCli(['registry', 'migrate', '--from', source, '--to', server.wrongPasswordUrl], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /^rareflow registry: cannot open the registry at postgres:\/\/rareflow:\*\*\*@127\.0\.0\.1:\d+\/postgres: the user or password was refused/,
    );
    expect(refused.stderr).not.toContain('not-the-password');
    const down = await runCli(['registry', 'migrate', '--from', source, '--to', 'postgres://rareflow:pw9@127.0.0.1:1/x'], { cwd: dir });
    expect(down.code).toBe(3);
    expect(down.stderr).toMatch(
      /^rareflow registry: cannot reach the registry database at postgres:\/\/rareflow:\*\*\*@127\.0\.0\.1:1\/x: .*ECONNREFUSED/,
    );
    expect(down.stderr).not.toContain('pw9');
    const unknown = await runCli(['registry', 'copy', '--from', source, '--to', url], { cwd: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('rareflow registry: expected migrate, got "copy"; see rareflow registry --help');
  }, 60_000);
});
