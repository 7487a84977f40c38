// Inputs no retrain could pass are refused by the describe stage, before any sampling: a positiveWhen every row
// satisfies (before: a warning, then a failure at the split naming the validation split), and fewer positives in the
// whole input, or in the test split's share of them, than the gates' minPositiveSupport asks of the test split alone
// (before: the whole pipeline ran and was rejected for insufficient evidence).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ModelSpec, SplitSpec } from '../../core/pipelineTypes.js';
import { seededRandom } from '../../core/random.js';
import { stratifiedSplit } from '../../core/sampling/stratifiedSplit.js';
import { describeStage } from '../../stages/describe.js';
import { fitModelArtifact } from '../../stages/train.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-unlearnable-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const path = join(dir, 'rows.csv');
writeFileSync(
  path,
  ['f0,f1,y', ...Array.from({ length: 400 }, (_, i) => `${i % 37},${(i * 7) % 101},${i % 20 === 0 ? 1 : 0}`), ''].join('\n'),
);

const run = (input: Record<string, unknown>, gates?: Record<string, unknown>, model?: ModelSpec, split?: SplitSpec) =>
  describeStage({
    input: { paths: [path], label: 'y', ...input },
    sampling: { targetSize: 300, params: 2 },
    ...(gates ? { gates } : {}),
    ...(model ? { model } : {}),
    ...(split ? { split } : {}),
  } as Parameters<typeof describeStage>[0]);

describe('inputs no retrain could pass', () => {
  it('refuses a positiveWhen that every row satisfies', async () => {
    await expect(run({ label: 'is_pos', positiveWhen: 'f0 >= 0', exclude: ['f0', 'y'] })).rejects.toThrow(
      `every row satisfies input.positiveWhen "f0 >= 0" in ${path} (400 rows): there are no negatives to learn from; expected both classes`,
    );
  });

  it('refuses a minPositiveSupport above every positive of the input, unless insufficient evidence may still promote', async () => {
    const gates = (extra: Record<string, unknown>) => ({ minPositiveSupport: 21, gates: [{ metric: 'gMean', min: 0.5 }], ...extra });
    await expect(run({ positive: '1' }, gates({}))).rejects.toThrow(
      `gates.minPositiveSupport 21: the test split must hold that many positives, but ${path} holds 20 in all, so every run would end with insufficient evidence and be rejected`,
    );
    for (const onInsufficientEvidence of ['promote', 'require-approval'])
      expect((await run({ positive: '1' }, gates({ onInsufficientEvidence }))).positives).toBe(20);
    expect((await run({ positive: '1' }, { ...gates({}), minPositiveSupport: 20 })).positives).toBe(20);
  });

  it("refuses a minPositiveSupport above the test split's share of the positives, which the stratified split never exceeds", async () => {
    const gates = { minPositiveSupport: 5, gates: [{ metric: 'gMean', min: 0.5 }] };
    const split = { train: 0.6, validation: 0.2, test: 0.2 };
    await expect(run({ positive: '1' }, gates, undefined, split)).rejects.toThrow(
      `gates.minPositiveSupport 5: the test split (split.test 0.2) holds its share of the positives, at most 4 of the 20 in ${path}, so every run would end with insufficient evidence and be rejected; expected at most 4, a larger split.test`,
    );
    expect((await run({ positive: '1' }, { ...gates, minPositiveSupport: 4 }, undefined, split)).positives).toBe(20);
    expect((await run({ positive: '1' }, gates, undefined, { ...split, validation: 0.15, test: 0.25 })).positives).toBe(20);
    // The bound holds for the split itself: its test positives never pass the share rounded up.
    for (let n = 3; n <= 60; n++)
      for (const test of [0.1, 0.15, 0.2, 0.25, 0.3, 1 / 3]) {
        const y = Uint8Array.from({ length: n + 40 }, (_, i) => (i < n ? 1 : 0));
        const parts = stratifiedSplit(y, { train: 1 - test - 0.1, validation: 0.1, test }, seededRandom(1));
        const positives = Array.from(parts.test).filter((i) => y[i] === 1).length;
        expect(positives).toBeLessThanOrEqual(Math.ceil(n * test - 1e-9));
      }
  });

  it('refuses a model.mtry above the features, by its key and with the count, before sampling and before any tree', async () => {
    await expect(run({ positive: '1' }, undefined, { kind: 'forest', mtry: 50, threshold: 'prevalence' })).rejects.toThrow(
      "model.mtry 50 is more than the model's 2 features (features drawn at each split); expected at most 2, or leave it out for the square root of the count",
    );
    // Within twice the count (a missing-value feature could join each), the fit itself judges it.
    expect((await run({ positive: '1' }, undefined, { kind: 'forest', mtry: 3, threshold: 'prevalence' })).positives).toBe(20);
    const y = Uint8Array.from({ length: 40 }, (_, i) => (i % 4 === 0 ? 1 : 0));
    const data = { x: { rows: 40, cols: 2, values: Float64Array.from({ length: 80 }, (_, i) => (i * 7) % 11) }, y };
    const options = {
      modelName: 'm',
      featureNames: ['f0', 'f1'],
      labelName: 'y',
      labels: { positive: '1', negative: '0' },
      seed: 1,
      datasetSha256: 'x',
      runId: 'local',
      model: { kind: 'forest', mtry: 3, threshold: 'prevalence' } as const,
    };
    await expect(fitModelArtifact(data, options)).rejects.toThrow("model.mtry 3 is more than the model's 2 features");
  });
});
