// retrainPipeline on a real Temporal dev server with gaps in a feature column: with `features.missing` declared,
// sampling keeps the gaps, the split fits the fill on its training rows, every stage sees filled values and the
// model carries the fills; without it the run fails as InvalidInput naming the cell and registers nothing.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePipelineSpec } from '../../client/pipelineSpec.js';
import { RareflowClient } from '../../client/temporalClient.js';
import { scoreModel, type ModelArtifact } from '../../core/models/modelArtifact.js';
import type { Registry } from '../../data/registry.js';
import type { PipelineSpec } from '../../workflows/contract.js';
import { runRetrainPipeline, startTemporalTestEnv, withTestWorkers, type TemporalTestEnv } from '../support/temporalServer.js';

let env: TemporalTestEnv;
let gapsPath: string;

beforeAll(async () => {
  env = await startTemporalTestEnv();
  gapsPath = join(env.dir, 'gaps.csv');
  // 3,000 rows, 1 in 12 positive (shifted in f0 and f1); f1 is empty on every 13th row.
  const lines = ['f0,f1,f2,label'];
  for (let r = 0; r < 3000; r++) {
    const positive = r % 12 === 0;
    const f0 = ((r * 37) % 101) / 25 + (positive ? 1.5 : 0);
    const f1 = r % 13 === 5 ? '' : String(((r * 53) % 89) / 20 + (positive ? 1 : 0));
    lines.push(`${f0},${f1},${((r * 7) % 31) / 10},${positive ? 1 : 0}`);
  }
  writeFileSync(gapsPath, `${lines.join('\n')}\n`);
});

afterAll(async () => {
  await env?.close();
});

function spec(modelName: string, features?: PipelineSpec['features']): PipelineSpec {
  return resolvePipelineSpec(
    {
      modelName,
      input: { paths: [gapsPath], label: 'label' },
      sampling: { targetSize: 2000, positivesPerParameter: 20 },
      denoise: { method: 'enn' },
      adasyn: { enabled: true },
      model: { kind: 'logreg', threshold: 'prevalence' },
      ...(features ? { features } : {}),
      seed: 6,
    },
    'test spec',
  );
}

const withWorker = <T>(work: (c: RareflowClient, registry: Registry) => Promise<T>) => withTestWorkers(env, work);

describe('retrainPipeline with missing feature values', () => {
  it('imputes by the declared policy, fitted on the training split, and the model carries the fills', async () => {
    const { result, runs, modelUri } = await withWorker(async (c, registry) => {
      const result = await runRetrainPipeline(c, spec('wf-gaps', { missing: 'median' }), 'wf-gaps-median');
      return { result, runs: await registry.listRuns('wf-gaps'), modelUri: (await registry.model(result.modelSha256))?.uri };
    });
    expect(result.stages.map((st) => st.stage)).toEqual(['adaptiveSample', 'split', 'editedNearestNeighbours', 'adasyn', 'trainModel']);
    expect(result.stages[1]!.note).toMatch(
      /missing values filled by the training split's median \(train [1-9]\d*, validation \d+, test \d+ values\)/,
    );
    expect((runs[0]!.params as { spec: PipelineSpec }).spec.features).toEqual({ missing: 'median' });
    const model = JSON.parse(readFileSync(fileURLToPath(modelUri!), 'utf8')) as ModelArtifact;
    expect(model.missingValues?.policy).toBe('median');
    expect(model.missingValues?.fillValues).toHaveLength(3);
    // A row with f1 missing scores as the row with the model's fill in its place.
    const fill = model.missingValues!.fillValues[1]!;
    const gap = scoreModel(model, { rows: 1, cols: 3, values: Float64Array.from([2, NaN, 1]) })[0];
    const filled = scoreModel(model, { rows: 1, cols: 3, values: Float64Array.from([2, fill, 1]) })[0];
    expect(gap).toBe(filled);
  });

  it('fails as InvalidInput naming the empty cell when no policy is declared, and registers nothing', async () => {
    const { err, runs } = await withWorker(async (c, registry) => {
      const err = await runRetrainPipeline(c, spec('wf-gaps-reject'), 'wf-gaps-reject').then(
        () => undefined,
        (e: unknown) => e,
      );
      return { err, runs: await registry.listRuns('wf-gaps-reject') };
    });
    expect(err).toBeInstanceOf(WorkflowFailedError);
    let cause = (err as WorkflowFailedError).cause as { cause?: unknown; type?: string; message?: string } | undefined;
    while (cause && cause.type === undefined) cause = cause.cause as typeof cause;
    expect(cause?.type).toBe('InvalidInput');
    expect(cause?.message).toMatch(/feature column "f1" in .*gaps\.csv has an empty or null value at data row \d+/);
    expect(runs).toHaveLength(0);
  });
});
