// The registry on both backends: schema versions recorded, migrated (version 1 to 2) and refused when newer, canary/approval writes that stay
// idempotent, two writers promoting at once without a lost or doubled row, and PostgreSQL's connection refusals.

import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Registry } from '../../data/registry.js';
import { openRegistryConnection } from '../../data/registryConnection.js';
import { REGISTRY_SCHEMA_VERSION } from '../../data/registrySchema.js';
import { registryBackends } from '../support/registryBackends.js';

const model = (sha: string) => ({
  modelSha256: sha,
  modelName: 'fraud',
  runId: `run-${sha}`,
  uri: `file:///models/${sha}.json`,
  kind: 'logreg',
  threshold: 0.5,
  createdAt: '2026-01-01T00:00:00.000Z',
});

describe.each(registryBackends())('registry schema and writers on $name', (backend) => {
  beforeAll(backend.setup, 60_000);
  afterAll(backend.teardown);
  const it = test.skipIf(backend.skip !== undefined);
  if (backend.skip) test.skipIf(true)(`skipped: ${backend.skip}`, () => {});

  it('records its schema version once, and refuses a registry a newer rareflow migrated', async () => {
    const location = await backend.newLocation();
    // PostgreSQL: several workers may open (and so migrate) a new database at once; DuckDB has one opener.
    const openers = await Promise.all((backend.name === 'postgres' ? [1, 2, 3] : [1]).map(() => Registry.open(location)));
    for (const opened of openers) await opened.close();
    const registry = await Registry.open(location);
    expect((await registry.tableRowCounts()).schema_version).toBe(REGISTRY_SCHEMA_VERSION);
    await registry.close();
    const db = await openRegistryConnection(location);
    await db.write((c) => c.run(`INSERT INTO schema_version VALUES ($1, $2)`, [REGISTRY_SCHEMA_VERSION + 1, 'x']));
    await db.close();
    const newer = new RegExp(`schema version ${REGISTRY_SCHEMA_VERSION + 1}, newer than this rareflow understands`);
    await expect(Registry.open(location)).rejects.toThrow(newer);
    await expect(Registry.open(location)).rejects.toMatchObject({ name: 'InvalidInputError' });
    await expect(Registry.open(location, { create: false })).rejects.toThrow(newer);
  });

  it('a version-1 registry adopts version 2 (stage timings, canary approval requests) at open; a reader that does not migrate sees none', async () => {
    const location = await backend.newLocation();
    const made = await Registry.open(location);
    await made.startRun({
      runId: 'r1',
      modelName: 'fraud',
      workflowId: 'r1',
      startedAt: 't0',
      seed: 1,
      params: {},
      inputHashes: {},
      codeVersion: 'c',
    });
    await made.close();
    // What version 1 left: no stage-timing table, one recorded version.
    const raw = await openRegistryConnection(location);
    await raw.write(async (c) => {
      await c.run(`DROP TABLE run_stage_timings`);
      await c.run(`DROP TABLE approval_requests`);
      await c.run(`DELETE FROM schema_version WHERE version > 1`);
    });
    await raw.close();
    const reader = await Registry.open(location, { create: false });
    try {
      expect(await reader.stageTimings('r1')).toEqual([]);
      expect(await reader.openApprovalRequests('r1')).toEqual([]);
      expect((await reader.runDetail('r1'))?.stageTimings).toEqual([]);
      expect(await reader.tableRowCounts()).not.toHaveProperty('run_stage_timings');
    } finally {
      await reader.close();
    }
    const registry = await Registry.open(location);
    try {
      expect((await registry.tableRowCounts()).schema_version).toBe(2);
      expect(await registry.stageTimings('r1')).toEqual([]);
      const timings = [
        { stage: 'describing input', startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:01.500Z', durationMs: 1500 },
        { stage: 'training', startedAt: '2026-01-01T00:00:01.500Z', finishedAt: '2026-01-01T00:01:01.500Z', durationMs: 60_000 },
      ];
      await registry.recordStageTimings('r1', timings);
      // A retried finish writes the same rows again, not twice.
      await registry.recordStageTimings('r1', timings);
      expect(await registry.stageTimings('r1')).toEqual(timings);
      expect((await registry.runDetail('r1'))?.stageTimings).toEqual(timings);
      expect((await registry.tableRowCounts()).run_stage_timings).toBe(2);
      // A canary's request is open until a decision for its stage is recorded; a retried request adds nothing.
      const request = { runId: 'r1', stage: 'full-traffic', rolloutId: 'r1-canary', requestedAt: 't1', windows: [{ step: 0 }] };
      await registry.recordApprovalRequest(request);
      await registry.recordApprovalRequest({ ...request, requestedAt: 't2' });
      expect(await registry.openApprovalRequests('r1')).toEqual([request]);
      expect(await registry.runDetail('r1')).toMatchObject({ awaitingApproval: true, canaryApproval: request });
      await registry.recordApproval({ runId: 'r1', stage: 'full-traffic', approved: true, decidedBy: 'ana', at: 't3', reason: null });
      expect(await registry.openApprovalRequests('r1')).toEqual([]);
      expect(await registry.runDetail('r1')).toMatchObject({ awaitingApproval: false, canaryApproval: null });
    } finally {
      await registry.close();
    }
  });

  it('canary steps, finishes, approvals and datasets are idempotent', async () => {
    const registry = await Registry.open(await backend.newLocation());
    try {
      const step = { rolloutId: 'c1', modelName: 'fraud', challengerSha256: 'm2', championSha256: 'm1', step: 0, sinceMs: 1, at: 't1' };
      await registry.setCanary({ ...step, weight: 0.1 });
      await registry.setCanary({ ...step, weight: 0.5, step: 1, at: 't2' });
      await expect(registry.setCanary({ ...step, rolloutId: 'c2', weight: 0.1 })).rejects.toThrow(/already has a running canary \(c1\)/);
      await registry.finishCanary('c1', 'rolled-back', 'worse recall', [{ w: 1 }], 't3');
      await registry.finishCanary('c1', 'rolled-back', 'worse recall', [{ w: 1 }], 't4');
      const [canary] = await registry.canaries('fraud');
      expect(canary).toMatchObject({ status: 'rolled-back', weight: 0, step: 1, sinceMs: 1, reason: 'worse recall', windows: [{ w: 1 }] });
      expect(await registry.archivedModels('fraud')).toEqual([{ modelSha256: 'm2', at: 't3', reason: 'worse recall' }]);
      const approval = { runId: 'r1', stage: 'promotion', approved: true, decidedBy: 'ana', at: 't1', reason: null };
      await registry.recordApproval(approval);
      await registry.recordApproval({ ...approval, approved: false, decidedBy: 'bob' });
      expect(await registry.approvals('r1')).toEqual([approval]);
      const dataset = { sha256: 'd1', uri: 'file:///d1', rows: 10, positives: 2, role: 'train', runId: 'r1' };
      await registry.recordDataset(dataset);
      await registry.recordDataset({ ...dataset, rows: 12 });
      await registry.recordGateVerdict('r1', 'm1', 'fail', { a: 1 });
      await registry.recordGateVerdict('r1', 'm1', 'pass', { a: 2 });
      const counts = await registry.tableRowCounts();
      expect(counts).toMatchObject({ datasets: 1, gate_verdicts: 1, approvals: 1, canary_rollouts: 1, archived_models: 1, aliases: 0 });
    } finally {
      await registry.close();
    }
  });

  it('a model archived by a rolled-back canary and promoted since is no longer listed as archived', async () => {
    const registry = await Registry.open(await backend.newLocation());
    try {
      const step = { rolloutId: 'c1', modelName: 'fraud', challengerSha256: 'm2', championSha256: 'm1', step: 0, sinceMs: 1, at: 't1' };
      await registry.setCanary({ ...step, weight: 1 });
      await registry.finishCanary('c1', 'rolled-back', '100% traffic rejected by frank', [], 't2');
      expect(await registry.archivedModels('fraud')).toHaveLength(1);
      // The same model (unchanged data retrain the same file) passes a later rollout.
      await registry.promote('fraud', 'm2', 'r7', 't3');
      expect(await registry.archivedModels('fraud')).toEqual([]);
    } finally {
      await registry.close();
    }
  });

  it('two writers promoting and rolling back at once leave one unbroken chain of promotions', async () => {
    const location = await backend.newLocation();
    const first = await Registry.open(location);
    // DuckDB has one writer process: its two writers share the one handle. PostgreSQL gets a second handle.
    const second = backend.name === 'postgres' ? await Registry.open(location) : first;
    try {
      for (const sha of ['m1', 'm2', 'm3']) await first.recordModel(model(sha));
      const moves = Array.from({ length: 24 }, (_, i) => ({ writer: i % 2 === 0 ? first : second, sha: `m${(i % 3) + 1}`, i }));
      await Promise.all(
        moves.map(({ writer, sha, i }) =>
          i % 4 === 3
            ? writer.rollback('fraud', sha, `run-${i}`, `2026-01-01T00:00:${String(i).padStart(2, '0')}.000Z`)
            : writer.promote('fraud', sha, `run-${i}`, `2026-01-01T00:00:${String(i).padStart(2, '0')}.000Z`),
        ),
      );
      const promotions = await first.promotions('fraud');
      // Each recorded move starts from the champion the move before it left, so the moves form one trail from no
      // champion to the current one: every model is left as often as it is reached, but for the trail's two ends.
      // Two writers that both moved away from the same champion (a lost update) would break the balance.
      const champion = (await second.champion('fraud'))?.modelSha256;
      const balance = new Map<string, number>();
      for (const p of promotions) {
        balance.set(p.fromSha256 ?? 'none', (balance.get(p.fromSha256 ?? 'none') ?? 0) + 1);
        balance.set(p.toSha256, (balance.get(p.toSha256) ?? 0) - 1);
      }
      const expected = new Map<string, number>([['none', 1]]);
      expected.set(champion!, (expected.get(champion!) ?? 0) - 1);
      for (const [sha, b] of balance) expect([sha, b]).toEqual([sha, expected.get(sha) ?? 0]);
      expect(promotions.filter((p) => p.fromSha256 === null)).toHaveLength(1);
      expect(promotions.every((p) => p.fromSha256 !== p.toSha256)).toBe(true);
      expect((await first.tableRowCounts()).aliases).toBe(1);
    } finally {
      await first.close();
      if (second !== first) await second.close();
    }
  });
});

describe.skipIf(registryBackends()[1]!.skip !== undefined)('registry on PostgreSQL: refusals', () => {
  const [, pgBackend] = registryBackends();
  beforeAll(pgBackend!.setup, 60_000);
  afterAll(pgBackend!.teardown);

  test('wrong credentials are an input error naming the URL without its password', async () => {
    const err = (await Registry.open(pgBackend!.server!.wrongPasswordUrl).catch((e: unknown) => e)) as Error;
    expect(err.name).toBe('InvalidInputError');
    expect(err.message).toMatch(
      /cannot open the registry at postgres:\/\/rareflow:\*\*\*@127\.0\.0\.1:\d+\/postgres: the user or password was refused/,
    );
    expect(err.message).not.toContain('not-the-password');
  });

  test('an unreachable server is a retryable failure naming the URL', async () => {
    const url = `postgres://rareflow:sekrit@127.0.0.1:1/nowhere`;
    const err = (await Registry.open(url).catch((e: unknown) => e)) as Error;
    expect(err.name).toBe('Error');
    expect(err.message).toMatch(
      /^cannot reach the registry database at postgres:\/\/rareflow:\*\*\*@127\.0\.0\.1:1\/nowhere: .*ECONNREFUSED/,
    );
    expect(err.message).not.toContain('sekrit');
  });
});

test('a DuckDB registry made before schema versions is brought to the current version and keeps its rows', async () => {
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = await mkdtemp(join(tmpdir(), 'rareflow-registry-old-'));
  try {
    const path = join(dir, 'registry.duckdb');
    const instance = await DuckDBInstance.create(path);
    const c = await instance.connect();
    await c.run(`CREATE TABLE models (model_sha256 VARCHAR PRIMARY KEY, model_name VARCHAR NOT NULL, run_id VARCHAR, uri VARCHAR NOT NULL,
      kind VARCHAR, threshold DOUBLE, created_at VARCHAR)`);
    await c.run(`INSERT INTO models VALUES ('m1', 'fraud', 'r1', 'file:///m1', 'logreg', 0.5, 't')`);
    c.closeSync();
    instance.closeSync();
    const registry = await Registry.open(path);
    try {
      expect((await registry.model('m1'))?.threshold).toBe(0.5);
      expect(await registry.tableRowCounts()).toMatchObject({
        schema_version: REGISTRY_SCHEMA_VERSION,
        models: 1,
        runs: 0,
        run_stage_timings: 0,
      });
    } finally {
      await registry.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
