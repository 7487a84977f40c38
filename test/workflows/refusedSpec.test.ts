// A run request's spec refused as bad input is not kept by the lifecycle (real dev server, real worker): before,
// `rareflow run --config` with a misspelt feature failed with exit 2 and still replaced the model's spec, so every
// later scheduled and drift retrain failed the same way.

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePipelineSpec } from '../../client/pipelineSpec.js';
import { RareflowClient } from '../../client/temporalClient.js';
import { generateSyntheticDataset } from '../../data/syntheticData.js';
import type { RunRecord } from '../../data/registryRuns.js';
import { WORKFLOWS_TASK_QUEUE, lifecycleWorkflowId, type LifecycleHistoryEntry, type PipelineSpec } from '../../workflows/contract.js';
import { createTestWorkers, startTemporalTestEnv, type TemporalTestEnv } from '../support/temporalServer.js';
import { recordWorkflowHistories } from '../support/workflowHistories.js';

let env: TemporalTestEnv;
let dataPath: string;

beforeAll(async () => {
  env = await startTemporalTestEnv();
  dataPath = join(env.dir, 'train.parquet');
  await generateSyntheticDataset({ rows: 8_000, positiveRate: 0.05, features: 4, seed: 21, out: dataPath });
});

afterAll(async () => {
  await env?.close();
});

function spec(modelName: string, input: Record<string, unknown> = {}): PipelineSpec {
  return resolvePipelineSpec(
    {
      modelName,
      input: { paths: [dataPath], label: 'label', ...input },
      sampling: { targetSize: 3000 },
      model: { kind: 'logreg', threshold: 'prevalence' },
      seed: 5,
    },
    'test spec',
  );
}

const noProgress = () => {};

describe('a run request whose spec is refused as bad input', () => {
  it('is not kept: the next retrain without a spec of its own uses the spec from before', async () => {
    const good = spec('wf-refused-spec');
    const bad = spec('wf-refused-spec', { features: ['f0', 'no_such_feature'] });
    const { refused, next, runs } = await (async () => {
      const workers = await createTestWorkers(env);
      const c = new RareflowClient(env.client);
      return (await workers.run(
        (async () => {
          await c.client.workflow.start('modelLifecycle', {
            workflowId: lifecycleWorkflowId(good.modelName),
            taskQueue: WORKFLOWS_TASK_QUEUE,
            args: [{ modelName: good.modelName, spec: good, retrainOnStart: true }],
          });
          await c.waitForRetrains(good.modelName, 1, noProgress);
          await c.retrain(bad, 'edited spec', {}, 'request-bad');
          const refused = await c.waitForRequest(good.modelName, 'request-bad', noProgress);
          // A scheduled retrain carries no spec: it runs with the lifecycle's.
          await c.client.workflow.execute('scheduledRetrain', {
            taskQueue: WORKFLOWS_TASK_QUEUE,
            workflowId: 'wf-refused-spec-schedule',
            args: [good.modelName],
          });
          const status = await c.waitForRetrains(good.modelName, 3, noProgress);
          const runs = await workers.registry!.listRuns(good.modelName);
          await recordWorkflowHistories(c.client);
          return { refused, next: status.history.at(-1)!, runs };
        })(),
      )) as { refused: LifecycleHistoryEntry; next: LifecycleHistoryEntry; runs: RunRecord[] };
    })();
    // Marked as refused input, so `run` can tell a lifecycle whose earlier specs never ran either.
    expect(refused).toMatchObject({ outcome: 'failed', specRequestId: 'request-bad', specNotKept: true, inputRefused: true });
    expect(refused.outcomeReason).toMatch(/^InvalidInput: .*no_such_feature/);
    expect(next).toMatchObject({ trigger: 'schedule' });
    expect(next.outcome).not.toBe('failed');
    expect(next.specNotKept).toBeUndefined();
    expect(next.inputRefused).toBeUndefined();
    // The refused retrain wrote nothing; the two that ran are recorded with the good spec.
    expect(runs).toHaveLength(2);
    for (const run of runs) expect((run.params as { spec: PipelineSpec }).spec.input.features).toBeUndefined();
  });
});
