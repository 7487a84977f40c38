// Extremely randomised trees (splitter 'random'): one cut per tried feature, drawn uniformly in value space between
// the node's extreme cuts.
import { describe, expect, it } from 'vitest';
import type { LabelledData } from '../../core/dataset.js';
import { trainRandomForestInWorkers } from '../../core/models/forestWorkers.js';
import { parseRandomForestModel, predictProbaForest, trainRandomForest } from '../../core/models/randomForest.js';
import { generatedGbdtData } from '../support/gbdtTrainingData.js';
import { gMeanAt } from '../support/thresholdGMean.js';

const oneColumn = (xs: number[], ys: number[]): LabelledData => ({
  x: { rows: xs.length, cols: 1, values: Float64Array.from(xs) },
  y: Uint8Array.from(ys),
});
/** Every tree sees every row once, so only the cut is random. */
const everyRow = { sampling: 'subsample', sampleFraction: 1, maxDepth: 1 } as const;
const rootThresholds = (data: LabelledData, trees: number, splitter: 'best' | 'random') => {
  const model = trainRandomForest(data, { ...everyRow, trees, splitter, seed: 3 });
  return model.roots.map((r) => model.threshold[r]!);
};

describe('random splits', () => {
  it('draw the cut at random where the best split always takes the Gini-best one', () => {
    const data = oneColumn([1, 2, 3, 4, 5, 6], [0, 0, 0, 1, 1, 1]);
    expect(new Set(rootThresholds(data, 50, 'best'))).toEqual(new Set([3.5]));
    const random = rootThresholds(data, 50, 'random');
    expect(new Set(random).size).toBeGreaterThanOrEqual(4);
    for (const t of random) expect([1.5, 2.5, 3.5, 4.5, 5.5]).toContain(t);
  });

  it('draw uniformly in value space, not per bin: a wide gap takes most of the cuts', () => {
    // Cuts 0.5, 1.5 and 51 span [0.5, 51]: a uniform value lands above 1.5 (cut 51) with probability 49.5 / 50.5.
    const thresholds = rootThresholds(oneColumn([0, 1, 2, 100], [0, 0, 1, 1]), 400, 'random');
    const wide = thresholds.filter((t) => t === 51).length;
    expect(wide).toBeGreaterThan(370);
    expect(wide).toBeLessThan(400);
    expect(thresholds).not.toContain(0.5);
  });

  it('are recorded in the model, deterministic by seed, and identical on worker threads', async () => {
    const train = generatedGbdtData(1, 2000, false);
    const options = { trees: 8, seed: 5, splitter: 'random', sampling: 'balanced' } as const;
    const a = trainRandomForest(train, options);
    expect(a.options.splitter).toBe('random');
    expect(trainRandomForest(train, options)).toEqual(a);
    expect(await trainRandomForestInWorkers(train, options, { threads: 2 })).toEqual(a);
    expect(trainRandomForest(train, { ...options, splitter: 'best' }).threshold).not.toEqual(a.threshold);
    const revived = parseRandomForestModel(JSON.parse(JSON.stringify(a)), 'forest.json');
    expect(predictProbaForest(revived, train.x)).toEqual(predictProbaForest(a, train.x));
  });

  it('learn an easy rare-ish problem as well as best splits do', () => {
    const train = generatedGbdtData(1, 3000, false);
    const test = generatedGbdtData(2, 3000, false);
    const model = trainRandomForest(train, { trees: 40, seed: 3, splitter: 'random' });
    expect(gMeanAt(test.y, predictProbaForest(model, test.x), model.fitPrevalence)).toBeGreaterThan(0.9);
  });

  it('refuse an unknown splitter by name', () => {
    expect(() => trainRandomForest(oneColumn([1, 2, 3, 4], [0, 1, 0, 1]), { splitter: 'smart' as never })).toThrow(
      `splitter: expected 'best' or 'random', got "smart"`,
    );
  });
});
