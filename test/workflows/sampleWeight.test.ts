// retrainPipeline on a real Temporal dev server with an input that has a `sample_weight` column: the weights are
// no feature, training uses them and the run record says so; a negative weight fails the run as InvalidInput
// and leaves nothing in the registry.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePipelineSpec } from '../../client/pipelineSpec.js';
import { RareflowClient } from '../../client/temporalClient.js';
import type { ModelArtifact } from '../../core/models/modelArtifact.js';
import type { Registry } from '../../data/registry.js';
import { generateSyntheticDataset } from '../../data/syntheticData.js';
import type { PipelineSpec } from '../../workflows/contract.js';
import { runRetrainPipeline, startTemporalTestEnv, withTestWorkers, type TemporalTestEnv } from '../support/temporalServer.js';

let env: TemporalTestEnv;
let weightedPath: string;
let negativePath: string;

beforeAll(async () => {
  env = await startTemporalTestEnv();
  weightedPath = join(env.dir, 'weighted.parquet');
  await generateSyntheticDataset({ rows: 20_000, positiveRate: 0.03, features: 4, seed: 21, out: weightedPath, sampleWeight: true });
  negativePath = join(env.dir, 'negative-weight.csv');
  const lines = ['f0,f1,sample_weight,label'];
  // 100 positives: the test split's share of them (20) meets the default gates' minPositiveSupport, so the run gets
  // past its describe stage to the sampling that reads the weights.
  for (let r = 0; r < 400; r++) lines.push(`${(r % 17) / 4},${(r % 5) / 2},${r === 122 ? -1 : 1},${r % 4 === 0 ? 1 : 0}`);
  writeFileSync(negativePath, `${lines.join('\n')}\n`);
});

afterAll(async () => {
  await env?.close();
});

function spec(modelName: string, paths: string[]): PipelineSpec {
  return resolvePipelineSpec(
    {
      modelName,
      input: { paths, label: 'label' },
      sampling: { targetSize: 3000, positivesPerParameter: 20 },
      denoise: { method: 'enn' },
      adasyn: { enabled: true },
      model: { kind: 'logreg', threshold: 'prevalence' },
      seed: 4,
    },
    'test spec',
  );
}

const withWorker = <T>(work: (c: RareflowClient, registry: Registry) => Promise<T>) => withTestWorkers(env, work);

describe('retrainPipeline with a sample_weight column', () => {
  it('trains weighted on the features alone and records that the run used weights', async () => {
    const { result, runs, modelUri } = await withWorker(async (c, registry) => {
      const result = await runRetrainPipeline(c, spec('wf-weights', [weightedPath]), 'wf-weights-direct');
      const runs = await registry.listRuns('wf-weights');
      const modelUri = (await registry.model(result.modelSha256))?.uri;
      return { result, runs, modelUri };
    });
    expect(result.stages.map((st) => st.stage)).toEqual(['adaptiveSample', 'split', 'editedNearestNeighbours', 'adasyn', 'trainModel']);
    expect(result.stages[4]!.note).toContain('weighted by sample_weight');
    // M = 4 features + 1 (not 5 + 1): Nr = 20 · 5 positives.
    expect(result.stages[0]!.positivesOut).toBe(100);
    expect(runs).toHaveLength(1);
    expect((runs[0]!.params as { sampleWeight?: string }).sampleWeight).toBe('sample_weight');
    const model = JSON.parse(readFileSync(fileURLToPath(modelUri!), 'utf8')) as ModelArtifact;
    expect(model.featureNames).toEqual(['f0', 'f1', 'f2', 'f3']);
    expect(model.training.sampleWeight).toBe('sample_weight');
  });

  it('fails on a negative weight with a non-retryable InvalidInput naming file, column and row, and registers nothing', async () => {
    const { err, runs } = await withWorker(async (c, registry) => {
      const err = await runRetrainPipeline(c, spec('wf-weights-bad', [negativePath]), 'wf-weights-bad-direct').then(
        () => undefined,
        (e: unknown) => e,
      );
      return { err, runs: await registry.listRuns('wf-weights-bad') };
    });
    expect(err).toBeInstanceOf(WorkflowFailedError);
    // The failure surfaces through the sampling child workflow and its shard activity.
    let cause = (err as WorkflowFailedError).cause as { cause?: unknown; type?: string; message?: string } | undefined;
    while (cause && cause.type === undefined) cause = cause.cause as typeof cause;
    expect(cause?.type).toBe('InvalidInput');
    expect(cause?.message).toContain(`weight column "sample_weight" in ${negativePath} has -1 at data row 123`);
    expect(runs).toHaveLength(0);
  });
});
