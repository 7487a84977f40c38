// retrainPipeline on a real Temporal dev server with a file sorted by class (as public files are distributed): the
// sampling stage says it read seeded random row blocks and why, and the run record keeps the order used.

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePipelineSpec } from '../../client/pipelineSpec.js';
import { sqlString, withDuckDB } from '../../data/duckdbConnection.js';
import { generateSyntheticDataset } from '../../data/syntheticData.js';
import { runRetrainPipeline, startTemporalTestEnv, withTestWorkers, type TemporalTestEnv } from '../support/temporalServer.js';

let env: TemporalTestEnv;
let sortedPath: string;

beforeAll(async () => {
  env = await startTemporalTestEnv();
  const source = join(env.dir, 'unsorted.parquet');
  sortedPath = join(env.dir, 'sorted-by-class.parquet');
  await generateSyntheticDataset({ rows: 30_000, positiveRate: 0.03, features: 4, seed: 12, out: source });
  await withDuckDB((c) =>
    c.run(`COPY (SELECT * FROM read_parquet(${sqlString(source)}) ORDER BY label, f0) TO ${sqlString(sortedPath)} (FORMAT parquet)`),
  );
});

afterAll(async () => {
  await env?.close();
});

/** One retrain of the sorted file under `modelName`, with `order` when given: its result and its run record. */
async function retrainSorted(modelName: string, order?: 'sequential') {
  const spec = resolvePipelineSpec(
    {
      modelName,
      input: { paths: [sortedPath], label: 'label' },
      sampling: { targetSize: 3000, positivesPerParameter: 20, ...(order ? { order } : {}) },
      denoise: { method: 'none' },
      adasyn: { enabled: false },
      model: { kind: 'logreg', threshold: 'prevalence' },
      seed: 6,
    },
    'test spec',
  );
  const { result, runs } = await withTestWorkers(env, async (c, registry) => {
    const result = await runRetrainPipeline(c, spec, `${modelName}-direct`);
    return { result, runs: await registry.listRuns(modelName) };
  });
  const recorded = (runs[0]!.params as { samplingOrder?: Array<{ mode: string }> }).samplingOrder;
  return { sampling: result.stages[0]!, orderModes: recorded?.map((o) => o.mode) };
}

describe('retrainPipeline on a file sorted by class', () => {
  it('samples random row blocks, says so in the stage note and records the order with the run', async () => {
    const { sampling, orderModes } = await retrainSorted('wf-ordered');
    expect(sampling.stage).toBe('adaptiveSample');
    expect(sampling.note).toMatch(/rows read in a seeded random order: rows are not in random order: positives \(p = [^)]+\)/);
    expect(orderModes).toEqual(['random-blocks']);
  });

  it('reads file order when the spec says sampling.order "sequential", and says so', async () => {
    const { sampling, orderModes } = await retrainSorted('wf-ordered-seq', 'sequential');
    expect(sampling.note).toMatch(/rows read in file order: /);
    expect(orderModes).toEqual(['sequential']);
  });
});
