// retrainPipeline with the default model on a real Temporal dev server: the model is chosen by inner folds of the
// training split, the model file carries the evidence, and the registry records which candidate won.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePipelineSpec } from '../../client/pipelineSpec.js';
import type { ModelArtifact } from '../../core/models/modelArtifact.js';
import { generateSyntheticDataset } from '../../data/syntheticData.js';
import { runRetrainPipeline, startTemporalTestEnv, withTestWorkers, type TemporalTestEnv } from '../support/temporalServer.js';

let env: TemporalTestEnv;
let inputPath: string;

beforeAll(async () => {
  env = await startTemporalTestEnv();
  inputPath = join(env.dir, 'events.parquet');
  await generateSyntheticDataset({ rows: 8_000, positiveRate: 0.04, features: 4, seed: 5, out: inputPath });
});

afterAll(async () => {
  await env?.close();
});

describe('retrainPipeline with the default model', () => {
  it('chooses the model on the training split and records the chosen candidate in the registry', async () => {
    const spec = resolvePipelineSpec(
      { modelName: 'wf-auto', input: { paths: [inputPath], label: 'label' }, model: { budgetSeconds: 30 }, seed: 3 },
      'test spec',
    );
    expect(spec.model.kind).toBe('auto');
    const { result, recorded } = await withTestWorkers(env, async (c, registry) => {
      const result = await runRetrainPipeline(c, spec, 'wf-auto-direct');
      return { result, recorded: await registry.model(result.modelSha256) };
    });
    const model = JSON.parse(readFileSync(fileURLToPath(recorded!.uri), 'utf8')) as ModelArtifact;
    expect(model.selection?.candidates.length).toBeGreaterThan(1);
    // The choice's seconds stay out of the model file (they ride in the train stage's summary to the run report).
    expect(model.selection!.seconds).toBeUndefined();
    expect(model.selection!.candidates.every((c) => c.seconds === undefined)).toBe(true);
    const html = readFileSync(fileURLToPath(result.reportHtmlUri!), 'utf8');
    const chosenRow = html.split('<tr').find((row) => row.includes(`<td>${model.selection!.chosen}</td>`))!;
    // The report's seconds column holds the chosen candidate's seconds (a number), not the dash of a missing value.
    expect(chosenRow).toMatch(/<td>\d+(\.\d+)?<\/td><td>chosen<\/td>/);
    expect(recorded!.kind).toBe(`auto:${model.selection!.chosen}`);
    expect(result.outcome).toBe('promoted');
  });
});
