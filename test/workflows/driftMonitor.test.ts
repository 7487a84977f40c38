// driftMonitor on a real Temporal dev server with a real worker: a lifecycle trains and promotes a model (which
// publishes it and builds its drift reference), then serving traffic is written to the service's log, scored by
// that champion, first from the training distribution and then drifted. The monitor must stay quiet, then signal
// the lifecycle, which retrains on the exported recent window.

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLoadRows, type MemoryRows } from '../../client/loadGenerator.js';
import { resolvePipelineSpec } from '../../client/pipelineSpec.js';
import { RareflowClient } from '../../client/temporalClient.js';
import { featureMatrix } from '../../core/dataset.js';
import { parseModelArtifact, scoreModel } from '../../core/models/modelArtifact.js';
import type { Registry } from '../../data/registry.js';
import { ServingLog } from '../../data/servingLog.js';
import { readServingState, servingStatePath } from '../../data/servingState.js';
import { generateSyntheticDataset } from '../../data/syntheticData.js';
import {
  WORKFLOWS_TASK_QUEUE,
  driftMonitorWorkflowId,
  monitorStatusQuery,
  stopMonitorSignal,
  type DriftMonitorStatus,
} from '../../workflows/contract.js';
import { createTestWorkers, startTemporalTestEnv, type TemporalTestEnv } from '../support/temporalServer.js';
import { recordWorkflowHistories } from '../support/workflowHistories.js';

let env: TemporalTestEnv;
let trainPath: string;
let live: MemoryRows;
let drifted: MemoryRows;

beforeAll(async () => {
  env = await startTemporalTestEnv();
  trainPath = join(env.dir, 'train.parquet');
  const livePath = join(env.dir, 'live.parquet');
  const driftPath = join(env.dir, 'drifted.parquet');
  await generateSyntheticDataset({ rows: 60_000, positiveRate: 0.02, features: 6, seed: 21, out: trainPath });
  await generateSyntheticDataset({ rows: 30_000, positiveRate: 0.02, features: 6, seed: 22, out: livePath });
  await generateSyntheticDataset({ rows: 30_000, positiveRate: 0.02, features: 6, seed: 23, drift: -0.6, out: driftPath });
  [live, drifted] = await Promise.all([
    readLoadRows({ path: livePath, label: 'label', limit: 30_000 }),
    readLoadRows({ path: driftPath, label: 'label', limit: 30_000 }),
  ]);
});

afterAll(async () => {
  await env?.close();
});

/** Plays the scoring service for the champion it finds published: `perTick` rows every 100 ms, labels at once. */
async function simulateTraffic(modelName: string, source: () => MemoryRows, perTick = 150) {
  const state = await readServingState(env.servingDir, modelName);
  const path = new URL(state!.champion!.uri).pathname;
  const model = parseModelArtifact(JSON.parse(await readFile(path, 'utf8')), path);
  const log = await ServingLog.open({ servingDir: env.servingDir, modelName, flushMs: 100 });
  let running = true;
  let n = 0;
  /** Each tick's time and rows, as logged. */
  const ticks: Array<{ atMs: number; rows: number }> = [];
  const loop = (async () => {
    while (running) {
      const rows = source();
      const now = Date.now();
      ticks.push({ atMs: now, rows: perTick });
      const x = featureMatrix(perTick, model.featureNames.length);
      const picked: number[] = [];
      for (let i = 0; i < perTick; i++) {
        const r = (n + i) % rows.rows.length;
        picked.push(r);
        model.featureNames.forEach((f, j) => (x.values[i * model.featureNames.length + j] = Number(rows.rows[r]![f])));
      }
      const scores = scoreModel(model, x);
      picked.forEach((r, i) => {
        const id = `${modelName}-${n + i}`;
        const positive = String(rows.labels[r]) === model.positiveLabel;
        log.logPrediction(
          id,
          now,
          'champion',
          state!.champion!.sha256,
          scores[i]!,
          scores[i]! >= model.threshold,
          'ok',
          500,
          JSON.stringify(rows.rows[r]),
        );
        log.logFeedback(id, now, String(rows.labels[r]), positive);
      });
      n += perTick;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    /** Rows logged with a time in [fromMs, toMs). */
    rowsBetween: (fromMs: number, toMs: number) => ticks.filter((t) => t.atMs >= fromMs && t.atMs < toMs).reduce((a, t) => a + t.rows, 0),
    async stop() {
      running = false;
      await loop;
      await log.close();
    },
  };
}

const noProgress = () => {};

describe('driftMonitor on a real Temporal server', () => {
  it('stays quiet on stationary traffic, then signals the lifecycle on drift, which retrains on the recent window', async () => {
    const modelName = 'wf-monitor';
    const spec = resolvePipelineSpec(
      {
        modelName,
        input: { paths: [trainPath], label: 'label' },
        sampling: { targetSize: 6000 },
        model: { kind: 'logreg', threshold: 'prevalence' },
        // Seed 5 once drew a lucky validation figure (positive recall 0.957 on the 70 positives left at the raw prior,
        // against about 0.77 on live rows), and stationary windows were flagged; the reference now reads recall on
        // every test positive and the check weighs its interval, so this seed must stay quiet.
        seed: 5,
      },
      'test spec',
    );
    const workers = await createTestWorkers(env);
    const c = new RareflowClient(env.client);
    const outcome = await workers.run(
      (async () => {
        await c.retrain(spec, 'first');
        const first = await c.waitForRetrains(modelName, 1, noProgress);
        expect(first.history[0]!.outcome).toBe('promoted');
        let current = live;
        const traffic = await simulateTraffic(modelName, () => current);
        const monitor = await env.client.workflow.start('driftMonitor', {
          taskQueue: WORKFLOWS_TASK_QUEUE,
          workflowId: driftMonitorWorkflowId(modelName),
          args: [{ modelName, windowMs: 1500, holdWindows: 2, coolDownMs: 600_000, minRetrainPositives: 60 }],
        });
        const status = () => monitor.query(monitorStatusQuery) as Promise<DriftMonitorStatus>;
        try {
          while ((await status()).windowsChecked < 4) await new Promise((r) => setTimeout(r, 200));
          const calm = await status();
          // Every row logged in the windows' span is in one of them: a window ends before its check, so rows the
          // log has not flushed yet at the check are in the next window, not in none.
          const span = calm.windows.filter((w) => w.status === 'checked');
          expect(span.every((w, i) => i === 0 || w.fromMs === span[i - 1]!.toMs)).toBe(true);
          expect(span.reduce((a, w) => a + w.rows, 0)).toBe(traffic.rowsBetween(span[0]!.fromMs, span.at(-1)!.toMs));
          current = drifted;
          let signalled: DriftMonitorStatus;
          for (;;) {
            signalled = await status();
            if (signalled.windows.some((w) => w.signalled)) break;
            if (signalled.windowsChecked > calm.windowsChecked + 15)
              throw new Error(`no drift signal after 15 windows: ${JSON.stringify(signalled.windows)}`);
            await new Promise((r) => setTimeout(r, 200));
          }
          const after = await c.waitForRetrains(modelName, 2, noProgress);
          const retrain = await c.retrainResult(after.history[1]!.runId);
          await monitor.signal(stopMonitorSignal, 'test');
          await monitor.result();
          await recordWorkflowHistories(env.client, (type) => type === 'driftMonitor');
          return { calm, signalled, retrain, events: await workers.registry!.driftEvents(modelName) };
        } finally {
          await traffic.stop();
        }
      })(),
    );
    const { calm, signalled, retrain, events } = outcome as {
      calm: DriftMonitorStatus;
      signalled: DriftMonitorStatus;
      retrain: Awaited<ReturnType<RareflowClient['retrainResult']>>;
      events: Awaited<ReturnType<Registry['driftEvents']>>;
    };
    expect(calm.windows.filter((w) => w.status === 'checked').length).toBeGreaterThanOrEqual(3);
    // A single window may be flagged by chance (about 3% of stationary windows are); hysteresis must not fire.
    expect(calm.windows.filter((w) => w.drifted).length).toBeLessThanOrEqual(1);
    expect(calm.windows.filter((w) => w.fired)).toEqual([]);
    const firedAt = signalled.windows.findIndex((w) => w.fired);
    expect(firedAt).toBeGreaterThanOrEqual(0);
    // Drift must hold for two windows after the switch; one window may straddle it.
    expect(signalled.windowsChecked - calm.windowsChecked - (signalled.windows.length - 1 - firedAt)).toBeLessThanOrEqual(4);
    expect(retrain.trigger.kind).toBe('drift');
    expect(retrain.trigger.reason).toMatch(/^drift from driftMonitor: drift held for 2 window\(s\): /);
    expect(signalled.signalsSent).toBe(1);
    expect(signalled.lastSignalAtMs).toBe(signalled.windows.find((w) => w.signalled)!.toMs);
    expect(retrain.trigger.dataPaths).toHaveLength(1);
    expect(retrain.trigger.dataPaths![0]).toMatch(/\.parquet$/);
    // The retrain sampled from the recent window: every row it scanned came from the exported labelled traffic.
    expect(retrain.stages[0]!.rowsIn).toBeLessThan(60_000);
    // Every drifted window is in the registry with its evidence; the drift retrain recorded its own event too.
    const monitorEvents = events.filter((e) => e.source === 'driftMonitor');
    expect(monitorEvents.length).toBeGreaterThanOrEqual(2);
    expect((monitorEvents[0]!.evidence as { reason: string }).reason).toMatch(/shifted|prior|predicted/);
    expect(events.some((e) => e.source === 'lifecycle' && e.runId === retrain.runId)).toBe(true);
  });
  it('drops a signal that waits for labelled positives when a new champion takes over, instead of retraining over it', async () => {
    const modelName = 'wf-monitor-drop';
    const spec = (seed: number) =>
      resolvePipelineSpec(
        {
          modelName,
          input: { paths: [trainPath], label: 'label' },
          sampling: { targetSize: 6000 },
          model: { kind: 'logreg', threshold: 'prevalence' },
          seed,
        },
        'test spec',
      );
    const workers = await createTestWorkers(env);
    const c = new RareflowClient(env.client);
    const outcome = await workers.run(
      (async () => {
        await c.retrain(spec(5), 'first');
        await c.waitForRetrains(modelName, 1, noProgress);
        const traffic = await simulateTraffic(modelName, () => drifted);
        const monitor = await env.client.workflow.start('driftMonitor', {
          taskQueue: WORKFLOWS_TASK_QUEUE,
          workflowId: driftMonitorWorkflowId(modelName),
          // Never enough labelled positives: the signal waits until something else happens.
          args: [{ modelName, windowMs: 1500, holdWindows: 2, coolDownMs: 600_000, minRetrainPositives: 1_000_000, maxWaitWindows: 1000 }],
        });
        const status = () => monitor.query(monitorStatusQuery) as Promise<DriftMonitorStatus>;
        try {
          let st = await status();
          for (let i = 0; !st.pendingSignal; i++) {
            if (i > 150) throw new Error(`no drift held in 30 s: ${JSON.stringify(st.windows)}`);
            await new Promise((r) => setTimeout(r, 200));
            st = await status();
          }
          // The operator retrains by hand meanwhile, and promotes a new champion.
          await c.retrain(spec(6), 'operator');
          const after = await c.waitForRetrains(modelName, 2, noProgress);
          const checkedBefore = (await status()).windowsChecked;
          while ((await status()).windowsChecked < checkedBefore + 3) await new Promise((r) => setTimeout(r, 200));
          const last = await status();
          await monitor.signal(stopMonitorSignal, 'test');
          await monitor.result();
          return { promoted: after.history[1]!.outcome, last, runs: (await c.status(modelName)).history.length };
        } finally {
          await traffic.stop();
        }
      })(),
    );
    const { promoted, last, runs } = outcome as { promoted: string; last: DriftMonitorStatus; runs: number };
    expect(promoted).toBe('promoted');
    expect(last.windows.some((w) => w.reasons[0]?.startsWith('signal dropped: a new champion'))).toBe(true);
    expect(last.pendingSignal).toBeNull();
    // No drift retrain of the old champion's drift replaced the operator's champion.
    expect(runs).toBe(2);
    expect(last.signalsSent ?? 0).toBe(0);
    expect(last.lastSignalAtMs ?? null).toBeNull();
  });

  it('reports a damaged serving state in its status and goes on checking, without failing or stalling', async () => {
    const modelName = 'wf-monitor-damaged';
    const statePath = servingStatePath(env.servingDir, modelName);
    await mkdir(dirname(statePath), { recursive: true });
    await writeFile(statePath, '{"format": "rareflow-serving-st');
    const workers = await createTestWorkers(env);
    const status = await workers.run(
      (async () => {
        const monitor = await env.client.workflow.start('driftMonitor', {
          taskQueue: WORKFLOWS_TASK_QUEUE,
          workflowId: driftMonitorWorkflowId(modelName),
          args: [{ modelName, windowMs: 300, labelDelayMs: 5000 }],
        });
        let st = (await monitor.query(monitorStatusQuery)) as DriftMonitorStatus;
        while ((st.errorCount ?? 0) < 2) {
          await new Promise((r) => setTimeout(r, 100));
          st = (await monitor.query(monitorStatusQuery)) as DriftMonitorStatus;
        }
        const running = (await monitor.describe()).status.name;
        await monitor.signal(stopMonitorSignal, 'test');
        await monitor.result();
        // What the workflow asked of its checks: the label delay goes with each.
        const checks = ((await monitor.fetchHistory()).events ?? [])
          .map((e) => e.activityTaskScheduledEventAttributes)
          .filter((a) => a?.activityType?.name === 'checkDrift')
          .map((a) => JSON.parse(Buffer.from(a!.input!.payloads![0]!.data!).toString('utf8')) as { labelDelayMs?: number });
        return { st, running, checks };
      })(),
    );
    expect(status.running).toBe('RUNNING');
    expect(status.st.labelDelayMs).toBe(5000);
    expect(status.checks.length).toBeGreaterThanOrEqual(2);
    expect(status.checks.every((c) => c.labelDelayMs === 5000)).toBe(true);
    expect(status.st.lastError).toMatchObject({
      step: 'checkDrift',
      message: expect.stringContaining('is not valid JSON: expected a rareflow serving state'),
    });
    expect(status.st.lastError!.message).toMatch(/^InvalidInput: /);
    // A failed check moves no window: the traffic since the last good window is checked once the state is fixed.
    expect(status.st.windowsChecked).toBe(0);
    expect(status.st.lastError!.fromMs).toBe(status.st.lastWindowEndMs);
  });
});
