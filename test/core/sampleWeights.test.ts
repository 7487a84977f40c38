// Per-row sample weights in core/: their check, the weighted standardiser, weighted logistic regression
// (integer weights fit what repeated rows fit) and the weighted-Gini forest.

import { describe, expect, it } from 'vitest';
import type { LabelledData } from '../../core/dataset.js';
import { takeRows } from '../../core/dataset.js';
import { InvalidInputError } from '../../core/invalidInputError.js';
import { seededRandom, type RandomSource } from '../../core/random.js';
import { predictProbaLogistic, trainLogisticRegression } from '../../core/models/logisticRegression.js';
import { fitStandardiser } from '../../core/models/standardiser.js';
import { trainRandomForestInWorkers } from '../../core/models/forestWorkers.js';
import { predictProbaForest, trainRandomForest } from '../../core/models/randomForest.js';
import { checkSampleWeights, takeSampleWeights } from '../../core/sampling/sampleWeights.js';
import { mergeShardSamples } from '../../core/sampling/adaptiveSample.js';

function gaussian(rng: RandomSource): number {
  const u = 1 - rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** 4 features, y = 1 when x0 − x1 + noise > 1.2 (about 15% positives). */
function generated(seed: number, rows: number): LabelledData {
  const rng = seededRandom(seed);
  const cols = 4;
  const values = new Float64Array(rows * cols);
  const y = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) values[r * cols + c] = gaussian(rng) + c;
    y[r] = values[r * cols]! - (values[r * cols + 1]! - 1) + 0.5 * gaussian(rng) > 1.2 ? 1 : 0;
  }
  return { x: { rows, cols, values }, y };
}

/** Integer weights 0..3 and the data with each row repeated that many times. */
function weightsAndRepeats(data: LabelledData, seed: number): { weights: Float64Array; repeated: LabelledData } {
  const rng = seededRandom(seed);
  const weights = new Float64Array(data.y.length);
  const indices: number[] = [];
  for (let r = 0; r < data.y.length; r++) {
    // Every positive weighs at least 1, so both classes keep weight.
    const w = data.y[r] === 1 ? 1 + rng.nextInt(3) : rng.nextInt(4);
    weights[r] = w;
    for (let k = 0; k < w; k++) indices.push(r);
  }
  return { weights, repeated: takeRows(data, indices) };
}

const catchError = (f: () => unknown): InvalidInputError => {
  try {
    f();
  } catch (err) {
    return err as InvalidInputError;
  }
  throw new Error('expected an error');
};

describe('checkSampleWeights', () => {
  const y = Uint8Array.from([0, 1, 0, 1]);
  it('accepts finite weights ≥ 0 with weight in each class', () => {
    expect(() => checkSampleWeights([0, 1, 2.5, 0.25], y, 'w')).not.toThrow();
  });
  it('names the first bad row and what it holds', () => {
    const negative = catchError(() => checkSampleWeights([1, 1, -2, Number.NaN], y, 'column "sample_weight" of x.arrow'));
    expect(negative).toBeInstanceOf(InvalidInputError);
    expect(negative.message).toBe(
      'column "sample_weight" of x.arrow: expected a finite weight ≥ 0 on every row, got -2 at row 2; fix or drop that row',
    );
    expect(catchError(() => checkSampleWeights([1, Infinity, 1, 1], y, 'w')).message).toContain('got Infinity at row 1');
    expect(catchError(() => checkSampleWeights([1, Number.NaN, 1, 1], y, 'w')).message).toContain('got NaN at row 1');
  });
  it('rejects a class whose rows all weigh 0, and a length mismatch', () => {
    expect(catchError(() => checkSampleWeights([1, 0, 1, 0], y, 'w')).message).toBe(
      'w: every positive row has weight 0, so the positive class cannot be learned; expected at least one positive row with a weight > 0',
    );
    expect(catchError(() => checkSampleWeights([0, 1, 0, 1], y, 'w')).message).toContain('every negative row has weight 0');
    expect(catchError(() => checkSampleWeights([1, 1, 1], y, 'w')).message).toBe('w: expected one weight per row (4), got 3');
  });
  it('rejects weights that leave a class almost none of the total, also near the largest double', () => {
    // y is [0, 1, 0, 1]: one positive row outweighing everything else by 1e17, then by 1e300.
    expect(catchError(() => checkSampleWeights([1, 1e17, 1, 1], y, 'w')).message).toBe(
      'w: the negative rows carry 2.0e-17 of the total weight, so a model fitted to these weights would never predict the negative class; expected weights of comparable scale (the largest, 100000000000000000, is at row 1)',
    );
    expect(catchError(() => checkSampleWeights([1, 1e300, 1, 1e308], y, 'w')).message).toContain('the negative rows carry 2.0e-308');
    expect(() => checkSampleWeights([1, 1e6, 1, 1], y, 'w')).not.toThrow();
    // Weights whose sum overflows a double: each class's share is still read (a third each here, all fine).
    const three = Uint8Array.from([0, 0, 1]);
    expect(() => checkSampleWeights([1e308, 1e308, 1e308], three, 'w')).not.toThrow();
    expect(catchError(() => checkSampleWeights([1e308, 1e308, 1e-10], three, 'w')).message).toContain('the positive rows carry 5.0e-319');
  });
  it('names the class of a label of three or more', () => {
    const classes = { classOf: [0, 1, 2, 2], classes: ['abuse', 'fraud', 'ok'] };
    expect(catchError(() => checkSampleWeights([0, 1, 1, 1], y, 'w', classes)).message).toBe(
      'w: every row of class "abuse" has weight 0, so the class "abuse" cannot be learned; expected at least one row of class "abuse" with a weight > 0',
    );
    expect(catchError(() => checkSampleWeights([1, 1e12, 1, 1], y, 'w', classes)).message).toMatch(
      /^w: the rows of class "abuse" carry 1\.0e-12 of the total weight, so a model fitted to these weights would never predict class "abuse"/,
    );
  });
  it('takes weights by row index', () => {
    expect(Array.from(takeSampleWeights(Float64Array.from([5, 6, 7]), Int32Array.from([2, 0, 2])))).toEqual([7, 5, 7]);
  });
});

describe('weights move with their rows when shard samples merge', () => {
  it('shuffles weights by the same permutation as the rows', () => {
    const shard = (first: number, rows: number) => ({
      x: { rows, cols: 1, values: Float64Array.from({ length: rows }, (_, i) => first + i) },
      y: Uint8Array.from({ length: rows }, (_, i) => (i % 3 === 0 ? 1 : 0)),
      weights: Float64Array.from({ length: rows }, (_, i) => (first + i) * 10),
      scannedRows: rows,
      negativesSeen: 0,
      positivesSeen: 0,
      complete: true,
    });
    const merged = mergeShardSamples([shard(0, 7), shard(100, 5)], seededRandom(3));
    expect(merged.weights).toHaveLength(12);
    for (let i = 0; i < 12; i++) expect(merged.weights![i]).toBe(merged.x.values[i]! * 10);
    const { weights: _dropped, ...unweighted } = shard(100, 5);
    expect(() => mergeShardSamples([shard(0, 7), unweighted], seededRandom(3))).toThrow(/every shard sample has sample weights or none/);
  });
});

describe('weighted standardiser', () => {
  it('equals the standardiser of the repeated rows', () => {
    const x = { rows: 3, cols: 2, values: Float64Array.from([1, 5, 2, 5, 4, 7]) };
    const weighted = fitStandardiser(x, [2, 0, 1]);
    const repeated = fitStandardiser({ rows: 3, cols: 2, values: Float64Array.from([1, 5, 1, 5, 4, 7]) });
    expect(weighted.mean[0]).toBeCloseTo(repeated.mean[0]!, 14);
    expect(weighted.mean[1]).toBeCloseTo(repeated.mean[1]!, 14);
    expect(weighted.scale[0]).toBeCloseTo(repeated.scale[0]!, 14);
    expect(weighted.scale[1]).toBeCloseTo(repeated.scale[1]!, 14);
  });
});

describe('weighted logistic regression', () => {
  const data = generated(7, 600);
  const { weights, repeated } = weightsAndRepeats(data, 11);

  it('with integer weights fits the model of the rows repeated that many times', () => {
    for (const options of [{}, { l2: 0.01 }, { classWeight: 'balanced' as const }]) {
      const weighted = trainLogisticRegression(data, { ...options, sampleWeights: weights });
      const copies = trainLogisticRegression(repeated, options);
      expect(weighted.converged).toBe(true);
      expect(copies.converged).toBe(true);
      weighted.weights.forEach((w, j) => expect(w).toBeCloseTo(copies.weights[j]!, 6));
      expect(weighted.intercept).toBeCloseTo(copies.intercept, 6);
      weighted.standardiser.mean.forEach((m, j) => expect(m).toBeCloseTo(copies.standardiser.mean[j]!, 10));
    }
  });

  it('with every weight 1 fits exactly the unweighted model', () => {
    expect(trainLogisticRegression(data, { sampleWeights: new Float64Array(600).fill(1) })).toEqual(trainLogisticRegression(data));
  });

  it('moves towards the heavier class: its weighted mean score is the weighted prevalence', () => {
    // The unpenalised intercept's score equation: Σ s_i (p_i − y_i) = 0 at the optimum.
    const up = Float64Array.from(data.y, (v) => (v === 1 ? 5 : 1));
    const plain = predictProbaLogistic(trainLogisticRegression(data), data.x);
    const weighted = predictProbaLogistic(trainLogisticRegression(data, { sampleWeights: up }), data.x);
    let positives = 0;
    for (const v of data.y) positives += v;
    const weightedMean = weighted.reduce((a, p, i) => a + up[i]! * p, 0) / up.reduce((a, b) => a + b, 0);
    expect(weightedMean).toBeCloseTo((5 * positives) / (5 * positives + 600 - positives), 6);
    expect(weighted.reduce((a, b) => a + b, 0)).toBeGreaterThan(plain.reduce((a, b) => a + b, 0) + 0.05 * 600);
  });

  it('rejects a negative weight, naming the row', () => {
    const bad = Float64Array.from(weights);
    bad[42] = -1;
    const err = catchError(() => trainLogisticRegression(data, { sampleWeights: bad }));
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toContain('got -1 at row 42');
  });
});

describe('weighted random forest (weighted Gini)', () => {
  it('with every weight 1 grows exactly the unweighted forest, for each sampling mode', () => {
    const data = generated(3, 400);
    const ones = new Float64Array(400).fill(1);
    for (const options of [
      { trees: 8, seed: 1 },
      { trees: 8, seed: 2, sampling: 'balanced' as const },
      { trees: 8, seed: 3, sampling: 'subsample' as const, classWeight: 'balanced' as const },
    ]) {
      expect(trainRandomForest(data, { ...options, sampleWeights: ones })).toEqual(trainRandomForest(data, options));
    }
  });

  it('with integer weights and every row in the bag, grows the tree of the repeated rows', () => {
    // One feature and every row drawn once: the tree depends on the Gini sums alone, which repetition reproduces.
    const rng = seededRandom(5);
    const xs = Array.from({ length: 60 }, () => Math.round(gaussian(rng) * 20) / 10);
    const data: LabelledData = {
      x: { rows: 60, cols: 1, values: Float64Array.from(xs) },
      y: Uint8Array.from(xs, (v) => (v + 0.3 * gaussian(rng) > 0.8 ? 1 : 0)),
    };
    const { weights, repeated } = weightsAndRepeats(data, 8);
    const allRows = { trees: 1, sampling: 'subsample', sampleFraction: 1 } as const;
    const weighted = trainRandomForest(data, { ...allRows, sampleWeights: weights });
    const copies = trainRandomForest(repeated, allRows);
    expect(weighted.threshold).toEqual(copies.threshold);
    expect(weighted.feature).toEqual(copies.feature);
    weighted.value.forEach((v, i) => expect(v).toBeCloseTo(copies.value[i]!, 12));
  });

  it('ignores rows of weight 0: a block of flipped labels at weight 0 leaves the learned rule intact', () => {
    const rng = seededRandom(9);
    const rows = 800;
    const values = new Float64Array(rows);
    const y = new Uint8Array(rows);
    const weights = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      values[r] = rng.next();
      const rule = values[r]! > 0.7 ? 1 : 0;
      // The second half has the opposite labels and weighs nothing.
      y[r] = r < rows / 2 ? rule : 1 - rule;
      weights[r] = r < rows / 2 ? 1 : 0;
    }
    const data: LabelledData = { x: { rows, cols: 1, values }, y };
    const probe = { rows: 2, cols: 1, values: Float64Array.from([0.2, 0.9]) };
    const weighted = predictProbaForest(trainRandomForest(data, { trees: 20, seed: 4, sampleWeights: weights }), probe);
    const unweighted = predictProbaForest(trainRandomForest(data, { trees: 20, seed: 4 }), probe);
    expect(weighted[0]).toBeLessThan(0.05);
    expect(weighted[1]).toBeGreaterThan(0.95);
    expect(Math.abs(unweighted[1]! - 0.5)).toBeLessThan(0.25);
  });

  it('reports the positive share of the in-bag weight as fitPrevalence', () => {
    const data = generated(4, 300);
    const up = Float64Array.from(data.y, (v) => (v === 1 ? 3 : 1));
    let positives = 0;
    for (const v of data.y) positives += v;
    const negatives = 300 - positives;
    const bootstrap = trainRandomForest(data, { trees: 2, sampleWeights: up });
    expect(bootstrap.fitPrevalence).toBeCloseTo((3 * positives) / (3 * positives + negatives), 14);
    expect(bootstrap.trainingPrevalence).toBe(positives / 300);
    // Balanced sampling draws equal row counts per class: the mix follows the classes' mean weights, 3 : 1.
    expect(trainRandomForest(data, { trees: 2, sampling: 'balanced', sampleWeights: up }).fitPrevalence).toBeCloseTo(0.75, 14);
    expect(trainRandomForest(data, { trees: 2, classWeight: 'balanced', sampleWeights: up }).fitPrevalence).toBeCloseTo(0.5, 14);
  });

  it('grows the identical weighted forest on worker threads', async () => {
    const data = generated(6, 500);
    const { weights } = weightsAndRepeats(data, 2);
    const options = { trees: 6, seed: 5, sampling: 'balanced' as const, sampleWeights: weights };
    expect(await trainRandomForestInWorkers(data, options, { threads: 2 })).toEqual(trainRandomForest(data, options));
  });

  it('rejects a negative weight and a class with no weight', () => {
    const data = generated(1, 100);
    const bad = new Float64Array(100).fill(1);
    bad[7] = -0.5;
    expect(catchError(() => trainRandomForest(data, { trees: 1, sampleWeights: bad })).message).toContain('got -0.5 at row 7');
    const noPositiveWeight = Float64Array.from(data.y, (v) => (v === 1 ? 0 : 1));
    expect(catchError(() => trainRandomForest(data, { trees: 1, sampleWeights: noPositiveWeight })).message).toContain(
      'every positive row has weight 0',
    );
  });
});
