import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Registry } from '../../data/registry.js';
import { registryBackends } from '../support/registryBackends.js';

const model = (sha: string, runId: string) => ({
  modelSha256: sha,
  modelName: 'fraud',
  runId,
  uri: `file:///models/${sha}.json`,
  kind: 'logreg',
  threshold: 0.25,
  createdAt: '2026-01-01T00:00:00.000Z',
});

describe.each(registryBackends())('Registry on $name', (backend) => {
  beforeAll(backend.setup, 60_000);
  afterAll(backend.teardown);
  // Where PostgreSQL is missing, its half is listed as skipped with the reason.
  const it = test.skipIf(backend.skip !== undefined);
  if (backend.skip) test.skipIf(true)(`skipped: ${backend.skip}`, () => {});

  it('promote moves the champion alias, records one promotion, and a retry changes nothing', async () => {
    const registry = await Registry.open(await backend.newLocation());
    try {
      await registry.recordModel(model('m1', 'r1'));
      await registry.recordModel(model('m2', 'r2'));
      expect(await registry.champion('fraud')).toBeUndefined();
      await registry.promote('fraud', 'm1', 'r1', '2026-01-01T01:00:00.000Z');
      await registry.setAlias('fraud', 'challenger', 'm2', '2026-01-02T00:00:00.000Z');
      await registry.promote('fraud', 'm2', 'r2', '2026-01-02T01:00:00.000Z');
      await registry.promote('fraud', 'm2', 'r2', '2026-01-02T02:00:00.000Z');
      const champion = await registry.champion('fraud');
      expect(champion?.modelSha256).toBe('m2');
      expect(champion?.updatedAt).toBe('2026-01-02T01:00:00.000Z');
      expect(champion?.threshold).toBe(0.25);
      expect(await registry.promotions('fraud')).toEqual([
        { fromSha256: null, toSha256: 'm1', runId: 'r1', at: '2026-01-01T01:00:00.000Z', kind: 'promote' },
        { fromSha256: 'm1', toSha256: 'm2', runId: 'r2', at: '2026-01-02T01:00:00.000Z', kind: 'promote' },
      ]);
      await registry.rollback('fraud', 'm1', 'r2', '2026-01-03T00:00:00.000Z');
      expect((await registry.champion('fraud'))?.modelSha256).toBe('m1');
      expect((await registry.promotions('fraud')).map((p) => p.kind)).toEqual(['promote', 'promote', 'rollback']);
    } finally {
      await registry.close();
    }
  });

  it('runs, metrics and verdicts are idempotent and survive reopening', async () => {
    const path = await backend.newLocation();
    const registry = await Registry.open(path);
    const start = {
      runId: 'r1',
      modelName: 'fraud',
      workflowId: 'wf-1',
      startedAt: '2026-01-01T00:00:00.000Z',
      seed: 42,
      params: { k: 5, nested: { beta: 1 } },
      inputHashes: { train: 'aa' },
      codeVersion: 'abc123',
    };
    await registry.startRun(start);
    await registry.startRun({ ...start, seed: 7 });
    await registry.recordMetrics('r1', 'm1', 'test', { 'recall.positive': 0.8, 'recall.negative': 0.95, g_mean: 0.87, brier: null });
    await registry.recordMetrics('r1', 'm1', 'test', { 'recall.positive': 0.8, 'recall.negative': 0.95, g_mean: 0.87, brier: null });
    await registry.recordGateVerdict('r1', 'm1', 'pass', [{ name: 'recall', ok: true }]);
    await registry.recordDriftEvent({ modelName: 'fraud', at: '2026-01-05T00:00:00.000Z', source: 'monitor', evidence: { psi: 0.3 } });
    await registry.recordDriftEvent({ modelName: 'fraud', at: '2026-01-05T00:00:00.000Z', source: 'monitor', evidence: { psi: 0.3 } });
    await registry.finishRun('r1', {
      finishedAt: '2026-01-01T00:10:00.000Z',
      status: 'succeeded',
      outcome: 'promoted',
      reportUri: 'file:///r.json',
    });
    await registry.close();

    const again = await Registry.open(path);
    try {
      const run = await again.getRun('r1');
      expect(run).toEqual({
        ...start,
        finishedAt: '2026-01-01T00:10:00.000Z',
        status: 'succeeded',
        outcome: 'promoted',
        reportUri: 'file:///r.json',
      });
      expect(await again.listRuns('fraud')).toHaveLength(1);
      expect(await again.getRun('nope')).toBeUndefined();
      expect(await again.metrics('r1', 'm1', 'test')).toEqual({
        'recall.positive': 0.8,
        'recall.negative': 0.95,
        g_mean: 0.87,
        brier: null,
      });
      await expect(again.finishRun('nope', { finishedAt: 'x', status: 'failed', outcome: 'x' })).rejects.toThrow(/no such run/);
    } finally {
      await again.close();
    }
  });

  it('lineage is bulk appended and a retry replaces rather than duplicates it', async () => {
    const registry = await Registry.open(await backend.newLocation());
    try {
      const n = 50_000;
      const parent = new Int32Array(n).map((_, i) => i % 977);
      const neighbour = new Int32Array(n).map((_, i) => (i * 7) % 977);
      const lambda = new Float64Array(n).map((_, i) => (i % 100) / 100);
      expect(await registry.recordLineage('r1', 'syn1', parent, neighbour, lambda)).toBe(n);
      expect(await registry.lineageCount('syn1')).toBe(n);
      await registry.recordLineage('r1', 'syn1', parent, neighbour, lambda);
      expect(await registry.lineageCount('syn1')).toBe(n);
      await registry.recordLineage('r1', 'syn2', parent.subarray(0, 10), neighbour.subarray(0, 10), lambda.subarray(0, 10));
      expect(await registry.lineageCount('syn2')).toBe(10);
      await expect(registry.recordLineage('r1', 'syn3', parent, neighbour.subarray(0, 3), lambda)).rejects.toThrow(
        /one entry per synthetic row/,
      );
    } finally {
      await registry.close();
    }
  });
});
