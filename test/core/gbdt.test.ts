// Histogram gradient-boosted trees: a hand-computed golden model, balanced class weights, sample weights as row
// multiplicity, early stopping, determinism by seed, scoring paths, and refusal of bad options.

import { beforeAll, describe, expect, it } from 'vitest';
import type { LabelledData } from '../../core/dataset.js';
import { InvalidInputError } from '../../core/invalidInputError.js';
import { featureCutPoints } from '../../core/models/gbdtBinning.js';
import { trainGradientBoosting } from '../../core/models/gbdtBoosting.js';
import { parseGbdtModel, predictProbaGbdt, type GbdtModel } from '../../core/models/gbdtModel.js';
import { sigmoid } from '../../core/models/logisticRegression.js';
import { compileRowScorer, predictProbaModel } from '../../core/models/predictModel.js';
import { generatedGbdtData as generated } from '../support/gbdtTrainingData.js';
import { gMeanAt } from '../support/thresholdGMean.js';

const oneColumn = (xs: number[], ys: number[]): LabelledData => ({
  x: { rows: xs.length, cols: 1, values: Float64Array.from(xs) },
  y: Uint8Array.from(ys),
});

describe('gbdt binning', () => {
  it('cuts between distinct values when there are few, at midpoint quantiles when there are many', () => {
    expect(featureCutPoints(Float64Array.from([3, 1, 2, 2, 1]), 255)).toEqual([1.5, 2.5]);
    // 5 values into 2 bins: the median by the midpoint rule.
    expect(featureCutPoints(Float64Array.from([5, 1, 4, 2, 3]), 2)).toEqual([3]);
    expect(featureCutPoints(Float64Array.from([7, 7, 7]), 255)).toEqual([]);
  });
});

describe('gbdt golden model', () => {
  // x = 1, 2, 3, missing; y = 0, 0, 1, 1; no class weights, learning rate 1, leaves of 1 row allowed.
  // Baseline logit(1/2) = 0, so every row starts at p = 1/2: gradients p − y = ±1/2, hessians 1/4. Cuts 1.5, 2.5.
  // Best split: x ≤ 2.5 with the missing row on the right (gain 1²/½ + 1²/½ − 0 = 4; the others give ≤ 4/3).
  // Leaves: −G/H = −1/½ = −2 and +2. Tree 2 has the same split; its gradients are ±σ(−2), hessians σ(2)σ(−2),
  // so its leaves are ∓1/σ(2). Children of 2 same-class rows cannot improve the loss and stay leaves.
  const data = oneColumn([1, 2, 3, NaN], [0, 0, 1, 1]);
  let model: GbdtModel;
  beforeAll(async () => {
    model = await trainGradientBoosting(data, { classWeight: 'none', learningRate: 1, maxIterations: 2, minSamplesLeaf: 1 });
  });
  const second = 1 / sigmoid(2);

  it('holds the expected bins, baseline and trees', () => {
    expect(model.binEdges).toEqual([[1.5, 2.5]]);
    expect(model.baseline).toBe(0);
    expect(model.roots).toEqual([0, 3]);
    expect(model.feature).toEqual([0, -1, -1, 0, -1, -1]);
    expect(model.threshold).toEqual([2.5, 0, 0, 2.5, 0, 0]);
    expect(model.missingLeft).toEqual([0, 0, 0, 0, 0, 0]);
    expect(model.left).toEqual([1, -1, -1, 4, -1, -1]);
    expect(model.right).toEqual([2, -1, -1, 5, -1, -1]);
    expect(model.value.slice(0, 3)).toEqual([0, -2, 2]);
    expect(model.value[3]).toBe(0);
    expect(model.value[4]).toBeCloseTo(-second, 12);
    expect(model.value[5]).toBeCloseTo(second, 12);
    expect(model).toMatchObject({ iterations: 2, earlyStopped: false, trainingPrevalence: 0.5, fitPrevalence: 0.5, featureCount: 1 });
  });

  it('scores raw rows through the trees, the missing value by its learned direction', () => {
    const p = predictProbaGbdt(model, { rows: 4, cols: 1, values: Float64Array.from([0, 2.5, 2.6, NaN]) });
    const low = sigmoid(-2 - second);
    const high = sigmoid(2 + second);
    expect(Array.from(p).map((v) => Number(v.toFixed(12)))).toEqual([low, low, high, high].map((v) => Number(v.toFixed(12))));
  });
});

describe('gbdt training', () => {
  it('weighs the classes to a 1:1 mix by default: baseline 0 and fitPrevalence 1/2', async () => {
    const data = oneColumn([1, 2, 3, 4, 5, 6, 7, 8], [0, 0, 0, 0, 0, 0, 1, 1]);
    const model = await trainGradientBoosting(data, { minSamplesLeaf: 1, maxIterations: 3 });
    expect(model.baseline).toBe(0);
    expect(model.fitPrevalence).toBe(0.5);
    expect(model.trainingPrevalence).toBe(0.25);
    const unweighted = await trainGradientBoosting(data, { minSamplesLeaf: 1, maxIterations: 3, classWeight: 'none' });
    expect(unweighted.baseline).toBeCloseTo(Math.log(1 / 3), 12);
    expect(unweighted.fitPrevalence).toBe(0.25);
  });

  it('treats a sample weight of 2 as the row given twice', async () => {
    // Values on a 0.1 grid (fewer than 255 distinct: the same cut points either way), none missing.
    const quantised = (d: LabelledData): LabelledData => ({
      x: { ...d.x, values: d.x.values.map((v) => (Number.isNaN(v) ? 0 : Math.round(v * 10) / 10)) },
      y: d.y,
    });
    const data = quantised(generated(3, 300));
    const weights = Float64Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? 2 : 1));
    const repeated: number[] = [];
    for (let i = 0; i < 300; i++) for (let k = 0; k < weights[i]!; k++) repeated.push(i);
    const cols = data.x.cols;
    const values = new Float64Array(repeated.length * cols);
    repeated.forEach((r, i) => values.set(data.x.values.subarray(r * cols, r * cols + cols), i * cols));
    const dup: LabelledData = { x: { rows: repeated.length, cols, values }, y: Uint8Array.from(repeated, (r) => data.y[r]!) };
    // Few leaves and trees: deep nodes of a handful of rows have exact ties whose order rounding could flip.
    const opts = { minSamplesLeaf: 1, maxIterations: 5, maxLeafNodes: 4 } as const;
    const weighted = await trainGradientBoosting(data, { ...opts, sampleWeights: weights });
    const duplicated = await trainGradientBoosting(dup, opts);
    const test = quantised(generated(4, 200)).x;
    const a = predictProbaGbdt(weighted, test);
    const b = predictProbaGbdt(duplicated, test);
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i]!, 9);
  });

  it('learns a rare class: G-mean above 0.85 at its prevalence threshold on held-out rows', async () => {
    const model = await trainGradientBoosting(generated(1, 3000), { seed: 5 });
    const test = generated(2, 3000);
    expect(gMeanAt(test.y, predictProbaGbdt(model, test.x), model.fitPrevalence)).toBeGreaterThan(0.85);
  });

  it('stops early on 10,000 rows or more, and gives the same model for the same seed', async () => {
    const data = generated(6, 10_000);
    const opts = { learningRate: 1, maxIterations: 200, seed: 11 };
    const a = await trainGradientBoosting(data, opts);
    expect(a.earlyStopped).toBe(true);
    expect(a.iterations).toBeLessThan(200);
    expect(a.iterations).toBeGreaterThan(10);
    expect(await trainGradientBoosting(data, opts)).toEqual(a);
    // Another seed holds out another validation split.
    expect((await trainGradientBoosting(data, { ...opts, seed: 12 })).value).not.toEqual(a.value);
    // Without early stopping all iterations run.
    expect((await trainGradientBoosting(generated(6, 500), { maxIterations: 7 })).iterations).toBe(7);
  });

  it('scores one row at a time exactly as the batch path', async () => {
    const model = await trainGradientBoosting(generated(7, 800), { maxIterations: 20 });
    const test = generated(8, 50).x;
    const batch = predictProbaModel(model, test);
    const row = compileRowScorer(model);
    for (let r = 0; r < test.rows; r++) expect(row(test.values.subarray(r * test.cols, (r + 1) * test.cols))).toBe(batch[r]);
  });

  it('refuses bad options with an InvalidInputError naming the option', async () => {
    const data = generated(9, 100);
    const cases: Array<[object, string]> = [
      [{ learningRate: 0 }, 'learningRate: expected a number in (0, 1], got 0'],
      [{ maxIterations: 0 }, 'maxIterations: expected an integer ≥ 1, got 0'],
      [{ maxLeafNodes: 1 }, 'maxLeafNodes: expected an integer ≥ 2, got 1'],
      [{ maxBins: 256 }, 'maxBins: expected an integer in 2..255, got 256'],
      [{ l2: -1 }, 'l2: expected a number ≥ 0, got -1'],
      [{ earlyStopping: 'sometimes' }, `earlyStopping: expected 'auto' or 'on' or 'off', got "sometimes"`],
    ];
    for (const [options, message] of cases) {
      await expect(trainGradientBoosting(data, options)).rejects.toThrow(InvalidInputError);
      await expect(trainGradientBoosting(data, options)).rejects.toThrow(message);
    }
    await expect(trainGradientBoosting(oneColumn([1, 2, 3], [0, 0, 0]))).rejects.toThrow(
      'labels: boosting needs rows of both classes, got 3 negative and 0 positive',
    );
  });
});

describe('gbdt model validation', () => {
  let model: GbdtModel;
  beforeAll(async () => {
    model = await trainGradientBoosting(generated(10, 400), { maxIterations: 3 });
  });
  it('accepts its own model after a JSON round trip and scores it the same', () => {
    const loaded = parseGbdtModel(JSON.parse(JSON.stringify(model)), 'm.json');
    const test = generated(11, 30).x;
    expect(Array.from(predictProbaGbdt(loaded, test))).toEqual(Array.from(predictProbaGbdt(model, test)));
  });
  it('refuses a tree whose child points back up, and a wrong feature count of bin edges', () => {
    const loop = { ...model, left: [...model.left] };
    loop.left[0] = 0;
    expect(() => parseGbdtModel(loop, 'm.json')).toThrow(
      `m.json is not a usable rareflow gbdt model: node 0 has children 0, ${model.right[0]}`,
    );
    expect(() => parseGbdtModel({ ...model, binEdges: [] }, 'm.json')).toThrow(
      'm.json is not a usable rareflow gbdt model: "binEdges" must hold one list of cut points per feature (6).',
    );
  });
});
