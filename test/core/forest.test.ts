import { describe, expect, it } from 'vitest';
import type { LabelledData } from '../../core/dataset.js';
import { InvalidInputError } from '../../core/invalidInputError.js';
import { binFeatures } from '../../core/models/forestTree.js';
import { gMeanPermutationImportance } from '../../core/models/forestImportance.js';
import { trainRandomForestInWorkers } from '../../core/models/forestWorkers.js';
import { predictProbaModel } from '../../core/models/predictModel.js';
import { parseRandomForestModel, predictProbaForest, trainRandomForest } from '../../core/models/randomForest.js';
import { generatedGbdtData } from '../support/gbdtTrainingData.js';
import { gMeanAt } from '../support/thresholdGMean.js';

const oneColumn = (xs: number[], ys: number[]): LabelledData => ({
  x: { rows: xs.length, cols: 1, values: Float64Array.from(xs) },
  y: Uint8Array.from(ys),
});
/** Every row exactly once: no sampling randomness. */
const allRows = { trees: 1, sampling: 'subsample', sampleFraction: 1 } as const;

/** The boosted trees' generated data without missing values (about 10% positives). */
const generated = (seed: number, rows: number): LabelledData => generatedGbdtData(seed, rows, false);

describe('binning', () => {
  it('cuts at midpoints between distinct values when they fit, and at quantile midpoints otherwise', () => {
    const few = binFeatures(Float64Array.from([3, 1, 2, 2]), 4, 1, 256);
    expect(Array.from(few.cuts[0]!)).toEqual([1.5, 2.5]);
    expect(Array.from(few.codes)).toEqual([2, 0, 1, 1]);
    // 8 distinct values into 4 bins: quantile positions 2, 4, 6 → midpoints 2.5, 4.5, 6.5.
    const many = binFeatures(Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8]), 8, 1, 4);
    expect(Array.from(many.cuts[0]!)).toEqual([2.5, 4.5, 6.5]);
    expect(Array.from(many.codes)).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
  });
});

describe('random forest: exact tiny cases', () => {
  it('one clean split: threshold 3.5, pure leaves', () => {
    const model = trainRandomForest(oneColumn([1, 2, 3, 4, 5, 6], [0, 0, 0, 1, 1, 1]), allRows);
    expect(model.feature).toEqual([0, -1, -1]);
    expect(model.threshold).toEqual([3.5, 0, 0]);
    expect(model.left).toEqual([1, -1, -1]);
    expect(model.right).toEqual([2, -1, -1]);
    expect(model.value).toEqual([0.5, 0, 1]);
    expect(model.trainingPrevalence).toBe(0.5);
    expect(Array.from(predictProbaForest(model, { rows: 3, cols: 1, values: Float64Array.from([3.4, 3.5, 3.6]) }))).toEqual([0, 0, 1]);
  });

  it('picks the Gini-best cut: y = 0 0 1 0 1 splits at 2.5 (Σ w²/w = 2 + 5/3)', () => {
    const model = trainRandomForest(oneColumn([1, 2, 3, 4, 5], [0, 0, 1, 0, 1]), { ...allRows, maxDepth: 1 });
    expect(model.threshold[0]).toBe(2.5);
    expect(model.value).toEqual([0.4, 0, 2 / 3]);
  });

  it('chooses the informative feature among two when mtry = 2', () => {
    const data: LabelledData = {
      x: { rows: 4, cols: 2, values: Float64Array.from([5, 0, 1, 0, 5, 1, 1, 1]) },
      y: Uint8Array.from([0, 0, 1, 1]),
    };
    const model = trainRandomForest(data, { ...allRows, mtry: 2 });
    expect(model.feature).toEqual([1, -1, -1]);
    expect(model.threshold[0]).toBe(0.5);
  });

  it('minNodeSize stops a split whose children would be too small; balanced weights make the root 1/2', () => {
    const data = oneColumn([1, 2, 3, 4, 5], [0, 0, 1, 0, 1]);
    expect(trainRandomForest(data, { ...allRows, minNodeSize: 3 }).value).toEqual([0.4]);
    // Balanced: negatives weigh 5/6, positives 5/4; weighted positive share (2·5/4)/(3·5/6 + 2·5/4) = 1/2.
    expect(trainRandomForest(data, { ...allRows, minNodeSize: 3, classWeight: 'balanced' }).value).toEqual([0.5]);
  });
});

describe('balanced sampling', () => {
  it('draws equal bootstraps per class: every root holds weight 1/2 and fitPrevalence is 1/2', () => {
    // 2 positives, 6 negatives: each tree draws 2 of each class with replacement.
    const data = oneColumn([1, 2, 3, 4, 5, 6, 7, 8], [0, 0, 0, 1, 0, 0, 1, 0]);
    const model = trainRandomForest(data, { trees: 4, sampling: 'balanced', seed: 2 });
    expect(model.roots.map((r) => model.value[r])).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect(model.trainingPrevalence).toBe(0.25);
    expect(model.fitPrevalence).toBe(0.5);
    expect(trainRandomForest(data, { trees: 1, classWeight: 'balanced' }).fitPrevalence).toBe(0.5);
    expect(trainRandomForest(data, { trees: 1 }).fitPrevalence).toBe(0.25);
  });
});

describe('random forest: behaviour', () => {
  const train = generated(1, 3000);
  const test = generated(2, 3000);

  it('is deterministic by seed and changes with it', () => {
    const a = trainRandomForest(train, { trees: 5, seed: 7 });
    const b = trainRandomForest(train, { trees: 5, seed: 7 });
    const c = trainRandomForest(train, { trees: 5, seed: 8 });
    expect(b).toEqual(a);
    expect(c.feature).not.toEqual(a.feature);
  });

  it('learns an easy rare-ish problem: accuracy > 0.95 at 1/2 and G-mean > 0.9 at q* = π', () => {
    const model = trainRandomForest(train, { trees: 30, seed: 3 });
    const p = predictProbaForest(model, test.x);
    let correct = 0;
    for (let i = 0; i < test.y.length; i++) correct += (p[i]! >= 0.5 ? 1 : 0) === test.y[i] ? 1 : 0;
    expect(correct / test.y.length).toBeGreaterThan(0.95);
    expect(gMeanAt(test.y, p, model.fitPrevalence)).toBeGreaterThan(0.9);
  });

  it('survives a JSON round trip with identical scores', () => {
    const model = trainRandomForest(train, { trees: 10, seed: 4, sampling: 'subsample' });
    const revived = parseRandomForestModel(JSON.parse(JSON.stringify(model)), 'forest.json');
    expect(predictProbaForest(revived, test.x)).toEqual(predictProbaForest(model, test.x));
  });

  it('grows the identical forest on worker threads', async () => {
    const options = { trees: 6, seed: 11, classWeight: 'balanced' } as const;
    const heard: Array<[number, number]> = [];
    const threaded = await trainRandomForestInWorkers(train, options, { threads: 2, onTree: (done, total) => heard.push([done, total]) });
    expect(threaded).toEqual(trainRandomForest(train, options));
    // Each grown tree is heard once, counted in order, whatever the thread that grew it.
    expect(heard).toEqual([1, 2, 3, 4, 5, 6].map((n) => [n, 6]));
  });

  it('G-mean permutation importance ranks the two informative features first (seed 002 VIMP)', () => {
    const model = trainRandomForest(train, { trees: 30, seed: 5 });
    const vimp = gMeanPermutationImportance(model, test, { seed: 1, repeats: 2 });
    expect(vimp.threshold).toBe(model.fitPrevalence);
    const ranked = vimp.importance
      .map((v, i) => [v, i] as const)
      .sort((a, b) => b[0] - a[0])
      .map(([, i]) => i);
    expect(ranked.slice(0, 2).sort()).toEqual([0, 1]);
    expect(vimp.importance[0]!).toBeGreaterThan(0.1);
    expect(Math.abs(vimp.importance[4]!)).toBeLessThan(0.05);
  });
});

describe('random forest: bad input', () => {
  const data = oneColumn([1, 2, 3, 4], [0, 1, 0, 1]);
  it('names the parameter, the expectation and what it got', () => {
    expect(() => trainRandomForest(data, { mtry: 2 })).toThrow('mtry: expected an integer in 1..1 (the model has 1 feature), got 2');
    expect(() => trainRandomForest(data, { trees: 0 })).toThrow('trees: expected an integer ≥ 1, got 0');
    expect(() => trainRandomForest(data, { sampleFraction: 1.5 })).toThrow('sampleFraction: expected a number in (0, 1], got 1.5');
    expect(() => trainRandomForest(data, { maxBins: 300 })).toThrow('maxBins: expected an integer in 2..256, got 300');
    expect(() => trainRandomForest(oneColumn([1, 2], [0, 0]))).toThrow(
      'labels: expected both classes in the training data, got 2 negatives and 0 positives',
    );
    expect(() => trainRandomForest(oneColumn([1, Number.NaN], [0, 1]))).toThrow(
      'feature column 0: expected finite values, got NaN at row 1',
    );
    const model = trainRandomForest(data, { trees: 1 });
    expect(() => predictProbaForest(model, { rows: 1, cols: 2, values: new Float64Array(2) })).toThrow(InvalidInputError);
    expect(() => parseRandomForestModel({ ...model, fitPrevalence: 1 }, 'm.json')).toThrow(
      '"fitPrevalence" must be a number strictly between 0 and 1',
    );
    expect(() => trainRandomForest(data, { sampling: 'smote' as never })).toThrow(
      `sampling: expected 'bootstrap', 'subsample' or 'balanced', got "smote"`,
    );
    expect(() => parseRandomForestModel({ ...model, kind: 'logreg' }, 'm.json')).toThrow(
      'm.json is not a usable rareflow forest: expected "kind": "forest", got "logreg"',
    );
  });
});

describe('predictProbaModel', () => {
  it('dispatches on kind', () => {
    const data = oneColumn([1, 2, 3, 4, 5, 6], [0, 0, 0, 1, 1, 1]);
    const model = trainRandomForest(data, allRows);
    expect(predictProbaModel(model, data.x)).toEqual(predictProbaForest(model, data.x));
    expect(() => predictProbaModel({ kind: 'svm' } as never, data.x)).toThrow(
      'model: expected kind "logreg", "forest", "gbdt" or "vote", got "svm"',
    );
  });
});
