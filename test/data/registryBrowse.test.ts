// The registry's read-only views over a registry filled through the Registry API: versions by creation order,
// aliases, runs across models, one run's evidence, runs waiting for approval and the drift timeline.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from '../../data/registry.js';
import { CHURN_V1, fillRegistry, MODEL_V1, MODEL_V2, MODEL_V3, sha, WAITING_RUN } from '../support/filledRegistry.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-browse-'));
let registry: Registry;

beforeAll(async () => {
  await fillRegistry(join(dir, 'registry.duckdb'));
  registry = await Registry.open(join(dir, 'registry.duckdb'));
});
afterAll(async () => {
  await registry?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('models', () => {
  it('lists every model with its champion, challenger, versions and last run', async () => {
    const models = await registry.modelSummaries();
    expect(models.map((m) => m.modelName)).toEqual(['card-fraud', 'churn']);
    const [fraud, churn] = models;
    expect(fraud).toMatchObject({
      versions: 3,
      champion: { modelSha256: MODEL_V2, version: 2, updatedAt: '2026-11-03T10:40:00.000Z' },
      challenger: null,
      lastRun: { runId: 'run-3', outcome: 'rolled-back' },
    });
    expect(churn).toMatchObject({ versions: 1, champion: null, lastRun: { runId: WAITING_RUN, status: 'running', outcome: null } });
  });

  it('numbers versions by creation order and shows aliases, archive reasons, promotions and lineage', async () => {
    const d = (await registry.modelDetail('card-fraud'))!;
    expect(d.versions.map((v) => [v.version, v.modelSha256, v.aliases, v.archivedReason])).toEqual([
      [1, MODEL_V1, [], null],
      [2, MODEL_V2, ['champion'], null],
      [3, MODEL_V3, [], 'positive recall fell 0.12 below the champion'],
    ]);
    expect(d.promotions.map((p) => [p.kind, p.toVersion, p.runId])).toEqual([
      ['promote', 1, 'run-1'],
      ['promote', 2, 'run-2'],
    ]);
    expect(d.canaries.map((c) => [c.rolloutId, c.status])).toEqual([
      ['run-3-canary', 'rolled-back'],
      ['run-2-canary', 'promoted'],
    ]);
    expect(d.lineage[0]).toEqual({ version: 1, modelSha256: MODEL_V1, runId: 'run-1', datasets: 3, datasetRows: 21500, syntheticRows: 3 });
  });

  it('gives the drift timeline oldest first, with the run each event started', async () => {
    const d = (await registry.modelDetail('card-fraud'))!;
    expect(d.driftEvents.map((e) => [e.at, e.source, e.runId])).toEqual([
      ['2026-11-03T10:00:00.000Z', 'driftMonitor', null],
      ['2026-11-03T10:01:00.000Z', 'lifecycle', 'run-2'],
    ]);
  });

  it('says undefined for a model it does not know', async () => {
    expect(await registry.modelDetail('no-such-model')).toBeUndefined();
  });
});

describe('runs', () => {
  it('lists runs across models newest first, with trigger and reason from the recorded params', async () => {
    const runs = await registry.runSummaries();
    expect(runs.map((r) => [r.runId, r.trigger, r.status, r.outcome])).toEqual([
      [WAITING_RUN, 'manual', 'running', null],
      ['run-3', 'schedule', 'succeeded', 'rolled-back'],
      ['run-2', 'drift', 'succeeded', 'promoted'],
      ['run-1', 'initial', 'succeeded', 'promoted'],
    ]);
    expect((await registry.runSummaries({ modelName: 'card-fraud', limit: 2 })).map((r) => r.runId)).toEqual(['run-3', 'run-2']);
  });

  it("gives one run's per-class metrics for challenger and champion, gate checks, datasets and lineage", async () => {
    const d = (await registry.runDetail('run-2'))!;
    expect(d.models.map((m) => [m.role, m.version])).toEqual([
      ['challenger', 2],
      ['champion', 1],
    ]);
    expect(d.models[0]!.perClass.map((c) => c.cls)).toEqual(['positive', 'negative']);
    expect(d.models[0]!.perClass[0]).toMatchObject({ support: 120, recall: 0.81 });
    expect(d.gateVerdicts[0]).toMatchObject({ modelSha256: MODEL_V2, verdict: 'pass', checks: [{ metric: 'recall', passed: true }] });
    expect(d.datasets.map((x) => x.role)).toEqual(['test', 'train', 'train-augmented']);
    expect(d.syntheticLineageRows).toBe(3);
    expect(d.awaitingApproval).toBe(false);
    expect(await registry.runDetail('nope')).toBeUndefined();
  });

  it('finds the run waiting for approval, and only that one; a recorded decision ends the wait', async () => {
    const waiting = await registry.runsAwaitingApproval();
    expect(waiting.map((w) => [w.runId, w.models[0]?.modelSha256])).toEqual([[WAITING_RUN, CHURN_V1]]);
    const other = mkdtempSync(join(tmpdir(), 'rareflow-browse-decided-'));
    try {
      await fillRegistry(join(other, 'r.duckdb'));
      const r = await Registry.open(join(other, 'r.duckdb'));
      await r.recordApproval({
        runId: WAITING_RUN,
        stage: 'promotion',
        approved: true,
        decidedBy: 'ops',
        at: '2026-11-06T13:00:00.000Z',
        reason: null,
      });
      expect(await r.runsAwaitingApproval()).toEqual([]);
      expect((await r.runDetail(WAITING_RUN))!.approvals).toMatchObject([{ approved: true, decidedBy: 'ops' }]);
      await r.close();
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});

describe('a model file trained again, byte for byte, by a later run', () => {
  it("is shown with the run that trained it last and that run's outcome, and as that run's own model", async () => {
    const r = await Registry.open(join(dir, 'again.duckdb'));
    try {
      const again = sha('model trained twice');
      const other = sha('the champion before');
      const run = async (runId: string, at: string, outcome: string) => {
        await r.startRun({
          runId,
          modelName: 'twice',
          workflowId: runId,
          startedAt: at,
          seed: 7,
          params: {},
          inputHashes: {},
          codeVersion: 'x',
        });
        await r.recordModel({
          modelSha256: again,
          modelName: 'twice',
          runId,
          uri: `file:///m/${again}.json`,
          kind: 'logreg',
          threshold: 0.3,
          createdAt: at,
        });
        await r.recordMetrics(runId, again, 'test', { gMean: 0.8 });
        await r.recordMetrics(runId, other, 'test', { gMean: 0.7 });
        await r.recordGateVerdict(runId, again, 'pass', []);
        await r.finishRun(runId, { finishedAt: at, status: 'succeeded', outcome });
      };
      await run('first', '2026-11-01T09:00:00.000Z', 'rolled-back');
      await run('second', '2026-11-02T09:00:00.000Z', 'promoted');
      await r.promote('twice', again, 'second', '2026-11-02T09:05:00.000Z');
      const [version] = (await r.modelDetail('twice'))!.versions;
      expect([version!.runId, version!.runOutcome, version!.aliases]).toEqual(['second', 'promoted', ['champion']]);
      const detail = (await r.runDetail('second'))!;
      expect(detail.models.map((m) => [m.modelSha256, m.role])).toEqual([
        [again, 'challenger'],
        [other, 'champion'],
      ]);
    } finally {
      await r.close();
    }
  });
});
