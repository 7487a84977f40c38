// canaryRollout on a real Temporal dev server with a real worker and registry. Live traffic is simulated by
// writing the scoring service's own log (data/servingLog.ts) at the published weight, so each test controls how
// good the challenger is; the HTTP service itself is tested in test/serve and exercised by the demo.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePipelineSpec } from '../../client/pipelineSpec.js';
import { canaryApprovalEvidence } from '../../client/canaryApprovalEvidence.js';
import { formatCanaryApprovalEvidence } from '../../client/stateTables.js';
import { RareflowClient } from '../../client/temporalClient.js';
import { approvalsPage } from '../../infra/ui/approvalPages.js';
import { generateSyntheticDataset } from '../../data/syntheticData.js';
import { canaryArm } from '../../core/canary/trafficSplit.js';
import { seededRandom } from '../../core/random.js';
import type { Registry } from '../../data/registry.js';
import { ServingLog } from '../../data/servingLog.js';
import { predictionLogDir, readServingState } from '../../data/servingState.js';
import {
  WORKFLOWS_TASK_QUEUE,
  canaryAbortSignal,
  canaryPauseSignal,
  canaryResumeSignal,
  canaryStatusQuery,
  type CanaryRolloutInput,
  type CanaryRolloutResult,
  type CanarySpec,
} from '../../workflows/contract.js';
import { createTestWorkers, startTemporalTestEnv, type TemporalTestEnv } from '../support/temporalServer.js';
import { recordWorkflowHistories } from '../support/workflowHistories.js';

let env: TemporalTestEnv;
let dataPath: string;

beforeAll(async () => {
  env = await startTemporalTestEnv();
  dataPath = join(env.dir, 'train.parquet');
  await generateSyntheticDataset({ rows: 30_000, positiveRate: 0.03, features: 5, seed: 31, out: dataPath });
});

afterAll(async () => {
  await env?.close();
});

const CHAMPION = 'c'.repeat(64);

/** Model records for a champion and a challenger (the rollout needs their registry rows, not their files). */
async function seedModels(registry: Registry, modelName: string, challengerSha256: string) {
  for (const sha of [CHAMPION, challengerSha256]) {
    await registry.recordModel({
      modelSha256: sha,
      modelName,
      runId: `run-${sha.slice(0, 4)}`,
      uri: `file:///models/${sha}.json`,
      kind: 'logreg',
      threshold: 0.3,
      createdAt: '2026-01-01T00:00:00Z',
    });
  }
  await registry.promote(modelName, CHAMPION, 'run-cccc', '2026-01-01T00:00:00Z');
}

interface ArmQuality {
  recall: number;
  specificity: number;
  errorRate?: number;
}

/**
 * Plays the scoring service: every 100 ms, `perTick` requests split at the published weight, each scored by its
 * arm's simulated quality, with its true label fed back at once. Stops when `stop()` is called.
 */
async function simulateTraffic(
  modelName: string,
  challengerSha256: string,
  quality: Record<'champion' | 'challenger', ArmQuality>,
  perTick = 300,
) {
  const log = await ServingLog.open({ servingDir: env.servingDir, modelName, flushMs: 100 });
  const rng = seededRandom(5);
  let running = true;
  let n = 0;
  const loop = (async () => {
    while (running) {
      const state = await readServingState(env.servingDir, modelName).catch(() => null);
      const weight = state?.canary?.weight ?? 0;
      const now = Date.now();
      for (let i = 0; i < perTick; i++) {
        const id = `${modelName}-${n++}`;
        const arm = canaryArm(id, weight);
        const q = quality[arm];
        const sha = arm === 'champion' ? CHAMPION : challengerSha256;
        if (q.errorRate && rng.next() < q.errorRate) {
          log.logPrediction(id, now, arm, sha, null, null, 'error', 900, '{}');
          continue;
        }
        const positive = rng.next() < 0.3;
        const predicted = positive ? rng.next() < q.recall : rng.next() >= q.specificity;
        log.logPrediction(id, now, arm, sha, predicted ? 0.9 : 0.1, predicted, 'ok', 800, '{}');
        log.logFeedback(id, now, positive ? '1' : '0', positive);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await log.close();
    },
  };
}

async function withWorker<T>(work: (registry: Registry) => Promise<T>): Promise<T> {
  const workers = await createTestWorkers(env);
  const result = await workers.run(
    (async () => {
      const r = await work(workers.registry!);
      await recordWorkflowHistories(env.client, (type) => type === 'canaryRollout');
      return r;
    })(),
  );
  return result as T;
}

function rolloutInput(modelName: string, challengerSha256: string, canary: CanarySpec): CanaryRolloutInput {
  return { modelName, runId: `run-${challengerSha256.slice(0, 4)}`, challengerSha256, championSha256: CHAMPION, canary };
}

const good: ArmQuality = { recall: 0.9, specificity: 0.95 };

describe('canaryRollout on a real Temporal server', () => {
  it('promotes a challenger as good as the champion through every step; the alias moves and the old champion stays on record', async () => {
    const model = 'canary-good';
    const challenger = 'a'.repeat(64);
    const { result, registryView, servingState } = await withWorker(async (registry) => {
      await seedModels(registry, model, challenger);
      const traffic = await simulateTraffic(model, challenger, { champion: good, challenger: good });
      try {
        const result = (await env.client.workflow.execute('canaryRollout', {
          taskQueue: WORKFLOWS_TASK_QUEUE,
          workflowId: `wf-${model}`,
          args: [
            rolloutInput(model, challenger, {
              steps: [0.25, 0.5, 1],
              windowMs: 1500,
              maxExtensions: 4,
              criteria: { maxRecallDrop: 0.1, maxSpecificityDrop: 0.05 },
            }),
          ],
        })) as CanaryRolloutResult;
        return {
          result,
          registryView: {
            champion: await registry.champion(model),
            promotions: await registry.promotions(model),
            canaries: await registry.canaries(model),
          },
          servingState: await readServingState(env.servingDir, model),
        };
      } finally {
        await traffic.stop();
      }
    });
    expect(result.outcome).toBe('promoted');
    expect(result.windows.map((w) => w.weight)).toEqual(expect.arrayContaining([0.25, 0.5, 1]));
    expect(result.windows.filter((w) => w.decision === 'promote').map((w) => w.weight)).toEqual([0.25, 0.5, 1]);
    expect(result.windows.at(-1)!.arms.challenger.requests).toBeGreaterThan(0);
    expect(registryView.champion!.modelSha256).toBe(challenger);
    expect(registryView.promotions.at(-1)).toMatchObject({ fromSha256: CHAMPION, toSha256: challenger, kind: 'promote' });
    expect(registryView.canaries[0]).toMatchObject({ status: 'promoted', weight: 1 });
    expect(servingState!.champion!.sha256).toBe(challenger);
    expect(servingState!.canary).toBeNull();
  });

  it('rolls back a challenger that misses the minority class: weight 0, archived with the reason, champion kept', async () => {
    const model = 'canary-bad';
    const challenger = 'b'.repeat(64);
    const { result, champion, archived, servingState } = await withWorker(async (registry) => {
      await seedModels(registry, model, challenger);
      const traffic = await simulateTraffic(model, challenger, { champion: good, challenger: { recall: 0.3, specificity: 0.99 } });
      try {
        const result = (await env.client.workflow.execute('canaryRollout', {
          taskQueue: WORKFLOWS_TASK_QUEUE,
          workflowId: `wf-${model}`,
          args: [rolloutInput(model, challenger, { steps: [0.25, 1], windowMs: 1500, maxExtensions: 4 })],
        })) as CanaryRolloutResult;
        return {
          result,
          champion: await registry.champion(model),
          archived: await registry.archivedModels(model),
          servingState: await readServingState(env.servingDir, model),
        };
      } finally {
        await traffic.stop();
      }
    });
    expect(result.outcome).toBe('rolled-back');
    expect(result.reason).toMatch(/step 1 at 25%: .*positive recall/);
    expect(result.windows.at(-1)!.weight).toBe(0.25);
    expect(champion!.modelSha256).toBe(CHAMPION);
    expect(archived).toEqual([expect.objectContaining({ modelSha256: challenger, reason: result.reason })]);
    expect(servingState!.canary).toBeNull();
    expect(servingState!.champion!.sha256).toBe(CHAMPION);
  });

  it("rolls back on a spike in the challenger's error rate, before any label arrives", async () => {
    const model = 'canary-errors';
    const challenger = 'e'.repeat(64);
    const result = await withWorker(async (registry) => {
      await seedModels(registry, model, challenger);
      const traffic = await simulateTraffic(model, challenger, { champion: good, challenger: { ...good, errorRate: 0.2 } });
      try {
        return (await env.client.workflow.execute('canaryRollout', {
          taskQueue: WORKFLOWS_TASK_QUEUE,
          workflowId: `wf-${model}`,
          args: [rolloutInput(model, challenger, { steps: [0.25, 1], windowMs: 1500 })],
        })) as CanaryRolloutResult;
      } finally {
        await traffic.stop();
      }
    });
    expect(result.outcome).toBe('rolled-back');
    expect(result.reason).toMatch(/error rate/);
  });

  it('extends a window without evidence, then does what the spec says: rollback by default', async () => {
    const model = 'canary-quiet';
    const challenger = 'd'.repeat(64);
    const result = await withWorker(async (registry) => {
      await seedModels(registry, model, challenger);
      return (await env.client.workflow.execute('canaryRollout', {
        taskQueue: WORKFLOWS_TASK_QUEUE,
        workflowId: `wf-${model}`,
        args: [rolloutInput(model, challenger, { steps: [0.5, 1], windowMs: 800, maxExtensions: 2 })],
      })) as CanaryRolloutResult;
    });
    expect(result.outcome).toBe('rolled-back');
    expect(result.windows.map((w) => [w.extension, w.decision])).toEqual([
      [0, 'insufficient-evidence'],
      [1, 'insufficient-evidence'],
      [2, 'insufficient-evidence'],
    ]);
    expect(result.reason).toMatch(/^insufficient evidence at 50% after 3 window\(s\)/);
  });

  it('shows its state through a query; pause holds the step; abort rolls back and names who', async () => {
    const model = 'canary-abort';
    const challenger = 'f'.repeat(64);
    const { paused, result } = await withWorker(async (registry) => {
      await seedModels(registry, model, challenger);
      const handle = await env.client.workflow.start('canaryRollout', {
        taskQueue: WORKFLOWS_TASK_QUEUE,
        workflowId: `wf-${model}`,
        args: [rolloutInput(model, challenger, { steps: [0.05, 1], windowMs: 600_000 })],
      });
      for (;;) {
        const s = await handle.query(canaryStatusQuery);
        if (s.weight === 0.05) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await handle.signal(canaryPauseSignal, 'oncall');
      const paused = await handle.query(canaryStatusQuery);
      await handle.signal(canaryAbortSignal, 'oncall', 'pager fired');
      return { paused, result: (await handle.result()) as CanaryRolloutResult };
    });
    expect(paused).toMatchObject({ phase: 'paused', pausedBy: 'oncall', step: 0, weight: 0.05, steps: [0.05, 1] });
    expect(result).toMatchObject({ outcome: 'rolled-back', reason: 'aborted by oncall: pager fired', decidedBy: 'oncall' });
  });

  it('a paused rollout holds its weight and its clock: no analysis while paused, the window runs on after resume', async () => {
    const model = 'canary-pause';
    const challenger = '9'.repeat(64);
    const { whilePaused, pausedMs, result } = await withWorker(async (registry) => {
      await seedModels(registry, model, challenger);
      const traffic = await simulateTraffic(model, challenger, { champion: good, challenger: good });
      try {
        const handle = await env.client.workflow.start('canaryRollout', {
          taskQueue: WORKFLOWS_TASK_QUEUE,
          workflowId: `wf-${model}`,
          args: [rolloutInput(model, challenger, { steps: [0.25, 1], windowMs: 1500, maxExtensions: 4, criteria: { maxRecallDrop: 0.1 } })],
        });
        for (;;) {
          const st = await handle.query(canaryStatusQuery);
          if (st.weight === 0.25) break;
          await new Promise((r) => setTimeout(r, 50));
        }
        await handle.signal(canaryPauseSignal, 'oncall');
        const pausedAt = Date.now();
        // Twice the window: without the clock stopped, the step would have been judged and the weight raised.
        await new Promise((r) => setTimeout(r, 3000));
        const whilePaused = await handle.query(canaryStatusQuery);
        await handle.signal(canaryResumeSignal, 'oncall');
        const pausedMs = Date.now() - pausedAt;
        return { whilePaused, pausedMs, result: (await handle.result()) as CanaryRolloutResult };
      } finally {
        await traffic.stop();
      }
    });
    expect(whilePaused).toMatchObject({ phase: 'paused', weight: 0.25, step: 0, windows: [] });
    expect(result.outcome).toBe('promoted');
    const first = result.windows[0]!;
    // The first window spans the paused time and still its whole 1.5 s of unpaused clock.
    expect(first.toMs - first.fromMs).toBeGreaterThanOrEqual(pausedMs + 1000);
  });

  it('a failed analysis rolls back: weight 0 and the rollout finished in the registry, not the challenger left serving', async () => {
    const model = 'canary-broken';
    const challenger = '8'.repeat(64);
    const { result, servingState, canaries } = await withWorker(async (registry) => {
      await seedModels(registry, model, challenger);
      const handle = await env.client.workflow.start('canaryRollout', {
        taskQueue: WORKFLOWS_TASK_QUEUE,
        workflowId: `wf-${model}`,
        args: [rolloutInput(model, challenger, { steps: [0.5, 1], windowMs: 1000 })],
      });
      for (;;) {
        const st = await handle.query(canaryStatusQuery);
        if (st.weight === 0.5) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      // A log part written over by hand: every read of the window fails, and retrying cannot mend it.
      const dir = predictionLogDir(env.servingDir, model);
      mkdirSync(dir, { recursive: true });
      const damaged = join(dir, `part-${Date.now()}-1-1.parquet`);
      writeFileSync(damaged, 'this is not parquet');
      try {
        const result = (await handle.result()) as CanaryRolloutResult;
        return { result, servingState: await readServingState(env.servingDir, model), canaries: await registry.canaries(model) };
      } finally {
        rmSync(damaged, { force: true });
      }
    });
    expect(result.outcome).toBe('rolled-back');
    expect(result.reason).toMatch(
      /^step 1 at 50%: the canary analysis failed: .*holds a part that is not a readable Parquet file: .*part-\d+-1-1\.parquet/,
    );
    expect(servingState!.canary).toBeNull();
    expect(servingState!.champion!.sha256).toBe(CHAMPION);
    expect(canaries[0]).toMatchObject({ status: 'rolled-back' });
  });

  it('waits for a human before 100%: listed with its windows by status, the registry and the UI; approve acts on it', async () => {
    const modelName = 'canary-approval';
    const spec = resolvePipelineSpec(
      {
        modelName,
        input: { paths: [dataPath], label: 'label' },
        sampling: { targetSize: 5000 },
        model: { kind: 'logreg', threshold: 'prevalence' },
        canary: { steps: [0.5, 1], windowMs: 300, maxExtensions: 0, onInsufficientEvidence: 'promote', approveBeforeFull: true },
        seed: 4,
      },
      'test spec',
    );
    const c = new RareflowClient(env.client);
    const { second, approvals, awaiting, listed, page, after } = await withWorker(async (registry) => {
      await c.retrain(spec, 'first');
      await c.waitForRetrains(modelName, 1, () => {});
      await c.retrain({ ...spec, seed: 5 }, 'second');
      let status = await c.status(modelName);
      while (status.phase !== 'awaiting-approval') {
        await new Promise((r) => setTimeout(r, 100));
        status = await c.status(modelName);
      }
      const awaiting = { runId: status.currentRunId!, canary: await c.canary(modelName) };
      const listed = (await registry.runsAwaitingApproval()).filter((d) => d.modelName === modelName);
      const page = approvalsPage(listed, () => false).toString();
      await c.decide(modelName, awaiting.runId, true, 'release-manager');
      const done = await c.waitForRetrains(modelName, 2, () => {});
      const second = await c.retrainResult(done.history[1]!.runId);
      return {
        second,
        approvals: await registry.approvals(second.runId),
        awaiting,
        listed,
        page,
        after: await registry.runDetail(second.runId),
      };
    });
    // status and approve read the canary's query: what it asks, and its one window at 50% with both arms per class.
    expect(awaiting.canary).toMatchObject({ phase: 'awaiting-approval', steps: [0.5, 1], step: 1 });
    const evidence = canaryApprovalEvidence(awaiting.runId, awaiting.canary!)!;
    expect(evidence).toMatchObject({ stage: 'full-traffic', weight: 0.5, nextWeight: 1, rolloutId: `${awaiting.runId}-canary` });
    expect(evidence.windows).toHaveLength(1);
    expect(Object.keys(evidence.windows[0]!.challenger.recall)).toEqual(['positive', 'negative']);
    expect(formatCanaryApprovalEvidence(evidence)).toMatch(
      new RegExp(`^run ${awaiting.runId}: canary ${awaiting.runId}-canary asks to go from 50% to 100% traffic`),
    );
    // The registry (and so the UI) lists the run as waiting, with the canary's request and its windows.
    expect(listed.map((d) => d.runId)).toEqual([awaiting.runId]);
    expect(listed[0]!.canaryApproval).toMatchObject({ stage: 'full-traffic', rolloutId: `${awaiting.runId}-canary` });
    expect(listed[0]!.canaryApproval!.windows).toHaveLength(1);
    expect(page).toContain('the canary asks for 100% traffic');
    expect(page).toContain(`rareflow approve --model ${modelName} --run ${awaiting.runId}`);
    expect(second.outcome).toBe('promoted');
    expect(second.canary?.outcome).toBe('promoted');
    expect(second.canary?.windows.map((w) => w.weight)).toEqual([0.5, 1]);
    expect(approvals.map((a) => [a.stage, a.approved, a.decidedBy])).toEqual([['full-traffic', true, 'release-manager']]);
    expect(after).toMatchObject({ awaitingApproval: false, canaryApproval: null });
  });
});
