// Cancelling a running retrain (`rareflow cancel`, or Temporal's UI) on a real dev server: a retrain cancelled during
// its canary rolls the canary back (the champion alone is served again), the registry records the run as cancelled
// (not 'running' forever), the lifecycle records it and runs the request that waited; a cancel with no retrain
// running is refused, and so is one that comes after the retrain ended.

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePipelineSpec } from '../../client/pipelineSpec.js';
import { generateSyntheticDataset } from '../../data/syntheticData.js';
import { readServingState } from '../../data/servingState.js';
import { InvalidInputError } from '../../core/invalidInputError.js';
import type { RareflowClient } from '../../client/temporalClient.js';
import { startTemporalTestEnv, withTestWorkers, type TemporalTestEnv } from '../support/temporalServer.js';
import { recordWorkflowHistories } from '../support/workflowHistories.js';
import { canaryWorkflowId } from '../../workflows/contract.js';

let env: TemporalTestEnv;
let data: string;

beforeAll(async () => {
  env = await startTemporalTestEnv();
  data = join(env.dir, 'data.parquet');
  await generateSyntheticDataset({ rows: 8_000, positiveRate: 0.05, features: 4, seed: 23, out: data });
}, 120_000);

afterAll(async () => {
  await env?.close();
});

const MODEL = 'cancel-me';

/** A logistic retrain; `windowMs` long keeps its canary running until cancelled, short ends it for want of traffic. */
const specOf = (seed: number, windowMs: number, extra: Record<string, unknown> = {}) =>
  resolvePipelineSpec(
    {
      modelName: MODEL,
      input: { paths: [data], label: 'label' },
      sampling: { targetSize: 3_000 },
      model: { kind: 'logreg', threshold: 'prevalence' },
      canary: { steps: [0.5, 1], windowMs, maxExtensions: 0 },
      seed,
      ...extra,
    },
    'cancel test spec',
  );

async function until<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The serving state once it serves the challenger at 50% (what the scoring service reads). */
const servedAtHalf = () =>
  until('the canary served at 50%', async () => {
    const state = await readServingState(env.servingDir, MODEL);
    return state?.canary?.weight === 0.5 ? state : undefined;
  });

const refusal = async (c: RareflowClient): Promise<string> => {
  const err = await c.cancelRetrain(MODEL).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InvalidInputError);
  return (err as Error).message;
};

describe('cancelling a running retrain', () => {
  it('rolls back its canary, records the run as cancelled and lets the lifecycle run the next request', async () => {
    await withTestWorkers(env, async (c, registry) => {
      await c.retrain(specOf(1, 300), 'first');
      const first = await c.waitForRetrains(MODEL, 1, () => undefined);
      expect(first.history[0]!.outcome).toBe('promoted');
      const champion = first.championSha256!;
      expect(await refusal(c)).toBe(`--model: no retrain of model "${MODEL}" is running (idle); see rareflow status --model ${MODEL}`);

      // The second retrain's canary serves its challenger at 50% for ten minutes, unless cancelled.
      await c.retrain(specOf(2, 600_000), 'second');
      // The published weight is what the scoring service reads (the rollout's status shows a step as it starts it).
      const canary = (await servedAtHalf()).canary!;
      const running = (await c.status(MODEL)).currentRunId!;
      // A request that arrives meanwhile waits; after the cancel it runs (its short windows end its canary at once).
      await c.retrain(specOf(3, 300), 'third');

      const cancelled = await c.cancelRetrain(MODEL);
      expect(cancelled).toEqual({
        model: MODEL,
        run: running,
        outcome: 'cancelled',
        stage: 'canary',
        canaryRolledBack: true,
        pending: 'third',
      });

      const run = await registry.getRun(running);
      expect([run?.status, run?.outcome, run?.finishedAt !== null]).toEqual(['cancelled', 'cancelled', true]);
      const rollout = (await registry.canaries(MODEL)).find((r) => r.rolloutId === canary.rolloutId);
      expect([rollout?.status, rollout?.weight]).toEqual(['rolled-back', 0]);
      expect(rollout?.reason).toBe('cancelled before the rollout ended; the challenger is rolled back');
      const afterCancel = await readServingState(env.servingDir, MODEL);
      expect([afterCancel?.champion?.sha256, afterCancel?.canary ?? null]).toEqual([champion, null]);
      expect((await registry.archivedModels(MODEL)).map((m) => m.modelSha256)).toContain(canary.challenger.sha256);

      const done = await c.waitForRetrains(MODEL, 3, () => undefined);
      expect(done.history.map((h) => [h.runId === running, h.outcome])).toEqual([
        [false, 'promoted'],
        [true, 'cancelled'],
        [false, 'rolled-back'],
      ]);
      expect(done.championSha256).toBe(champion);
      expect((await readServingState(env.servingDir, MODEL))?.champion?.sha256).toBe(champion);
    });
    await recordWorkflowHistories(env.client, (type) => type === 'canaryRollout' || type === 'retrainPipeline');
  }, 240_000);

  it('records a retrain cancelled while it awaits approval as cancelled, and refuses a cancel once nothing runs', async () => {
    await withTestWorkers(env, async (c, registry) => {
      await c.retrain(specOf(4, 300, { requireApproval: true }), 'held for approval');
      const waiting = await until('the run awaiting approval', async () => {
        const s = await c.status(MODEL);
        return s.phase === 'awaiting-approval' ? s.currentRunId : undefined;
      });
      // --run names the run to stop: another is refused, so a cancel sent twice never stops the next request.
      // Another model's retrain is named as such, not as "not running" here.
      await expect(c.cancelRetrain(MODEL, { run: 'rareflow-retrain-demo-fraud-2-0123abcd' })).rejects.toThrow(
        '--run: rareflow-retrain-demo-fraud-2-0123abcd is not a retrain of model "cancel-me" (its retrains are named rareflow-retrain-cancel-me-N-…); pass the --model it belongs to',
      );
      await expect(c.cancelRetrain(MODEL, { run: 'rareflow-retrain-cancel-me-1-x' })).rejects.toThrow(
        `--run: retrain rareflow-retrain-cancel-me-1-x of model "cancel-me" is not running (the running one is ${waiting})`,
      );
      expect(await c.cancelRetrain(MODEL, { run: waiting })).toEqual({
        model: MODEL,
        run: waiting,
        outcome: 'cancelled',
        stage: 'awaiting-approval',
      });
      expect((await registry.getRun(waiting))?.status).toBe('cancelled');
      const idle = await c.waitForRetrains(MODEL, 4, () => undefined);
      expect(idle.history.at(-1)).toMatchObject({ runId: waiting, outcome: 'cancelled' });
      // Ended: nothing to cancel, and the lifecycle still takes requests.
      expect(await refusal(c)).toMatch(/^--model: no retrain of model "cancel-me" is running \(idle\)/);
    });
  }, 180_000);

  it('ends a retrain rolled back when only its canary is cancelled (from Temporal), not failed', async () => {
    await withTestWorkers(env, async (c, registry) => {
      await c.retrain(specOf(5, 600_000), 'canary cancelled alone');
      const served = await servedAtHalf();
      const runId = (await c.status(MODEL)).currentRunId!;
      await env.client.workflow.getHandle(canaryWorkflowId(runId)).cancel();
      const done = await c.waitForRetrains(MODEL, 5, () => undefined);
      expect(done.history.at(-1)).toMatchObject({
        runId,
        outcome: 'rolled-back',
        outcomeReason: 'the canary rollout was cancelled before it ended; its challenger was rolled back',
      });
      expect((await registry.getRun(runId))?.outcome).toBe('rolled-back');
      const after = await readServingState(env.servingDir, MODEL);
      expect([after?.champion?.sha256, after?.canary ?? null]).toEqual([served.champion?.sha256, null]);
    });
    await recordWorkflowHistories(env.client, (type) => type === 'canaryRollout' || type === 'retrainPipeline');
  }, 180_000);

  it('closes the records of a retrain terminated during its canary (no cleanup of its own ran): run failed, canary rolled back', async () => {
    await withTestWorkers(env, async (c, registry) => {
      await c.retrain(specOf(6, 600_000), 'terminated');
      const served = await servedAtHalf();
      const runId = (await c.status(MODEL)).currentRunId!;
      await env.client.workflow.getHandle(runId).terminate('stopped by hand');
      const done = await c.waitForRetrains(MODEL, 6, () => undefined);
      expect(done.history.at(-1)).toMatchObject({ runId, outcome: 'failed' });
      expect(done.history.at(-1)!.outcomeReason).toMatch(/; its canary was rolled back$/);
      const run = await registry.getRun(runId);
      expect([run?.status, run?.outcome]).toEqual(['failed', 'failed']);
      const rollout = (await registry.canaries(MODEL)).find((r) => r.rolloutId === canaryWorkflowId(runId));
      expect([rollout?.status, rollout?.weight]).toEqual(['rolled-back', 0]);
      expect(rollout?.reason).toMatch(/^the retrain ended without closing its records \(/);
      const after = await readServingState(env.servingDir, MODEL);
      expect([after?.champion?.sha256, after?.canary ?? null]).toEqual([served.champion?.sha256, null]);
    });
    await recordWorkflowHistories(env.client, (type) => type === 'modelLifecycle');
  }, 180_000);
});
