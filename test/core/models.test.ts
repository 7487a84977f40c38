import { describe, expect, it } from 'vitest';
import type { LabelledData } from '../../core/dataset.js';
import { InvalidInputError } from '../../core/invalidInputError.js';
import { seededRandom, type RandomSource } from '../../core/random.js';
import { predictProbaLogistic, trainLogisticRegression } from '../../core/models/logisticRegression.js';
import { applyStandardiser, fitStandardiser } from '../../core/models/standardiser.js';
import { chooseThreshold, parseThresholdPolicy } from '../../core/models/thresholdPolicy.js';

// Tiny fixed set. Reference optima of mean log-loss + l2/2·‖w‖² computed with scipy BFGS (gtol 1e-12),
// and cross-checked against scikit-learn 1.9.1 LogisticRegression(C = 1/(l2·n)), which minimises the same
// objective scaled by C·n.
const tinyX = [
  [0.5, 1.0],
  [1.5, -0.5],
  [2.0, 0.3],
  [-1.0, 2.0],
  [0.0, 0.0],
  [3.0, 1.0],
  [-0.5, -1.5],
  [1.0, 1.0],
  [2.5, -1.0],
  [-2.0, 0.5],
];
const tinyY = [0, 1, 1, 0, 0, 1, 0, 1, 0, 0];
const tiny: LabelledData = {
  x: { rows: 10, cols: 2, values: Float64Array.from(tinyX.flat()) },
  y: Uint8Array.from(tinyY),
};

function gaussian(rng: RandomSource): number {
  const u = 1 - rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** Rare-ish linearly separable data with a little label-side noise: y = 1 when w·x + 0.1ε > 2. */
function generated(seed: number, rows: number): LabelledData {
  const rng = seededRandom(seed);
  const cols = 5;
  const w = [1.5, -1, 0.5, 0, 2];
  const values = new Float64Array(rows * cols);
  const y = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) {
      const v = gaussian(rng) * (c + 1) + 3 * c;
      values[r * cols + c] = v;
      s += (w[c]! * (v - 3 * c)) / (c + 1);
    }
    y[r] = s + 0.1 * gaussian(rng) > 2 ? 1 : 0;
  }
  return { x: { rows, cols, values }, y };
}

describe('standardiser', () => {
  it('fits population mean and std, maps constant columns to scale 1', () => {
    const x = { rows: 3, cols: 2, values: Float64Array.from([1, 5, 2, 5, 3, 5]) };
    const s = fitStandardiser(x);
    expect(s.mean).toEqual([2, 5]);
    expect(s.scale[0]).toBeCloseTo(Math.sqrt(2 / 3), 15);
    expect(s.scale[1]).toBe(1);
    const copy = applyStandardiser(s, x);
    expect(Array.from(x.values)).toEqual([1, 5, 2, 5, 3, 5]);
    expect(copy.values[0]).toBeCloseTo(-Math.sqrt(3 / 2), 14);
    expect(copy.values[3]).toBe(0);
    applyStandardiser(s, x, { inPlace: true });
    expect(Array.from(x.values)).toEqual(Array.from(copy.values));
  });

  it('rejects a column-count mismatch and non-finite values', () => {
    const s = fitStandardiser({ rows: 1, cols: 2, values: Float64Array.from([1, 2]) });
    expect(() => applyStandardiser(s, { rows: 1, cols: 3, values: new Float64Array(3) })).toThrow(
      'expected 2 feature columns (as fitted), got 3',
    );
    expect(() => fitStandardiser({ rows: 1, cols: 2, values: Float64Array.from([1, Number.NaN]) })).toThrow(
      'feature column 1: expected finite values, got NaN at row 0',
    );
  });
});

describe('logistic regression', () => {
  it('matches the reference optimum on a tiny fixed set (l2 = 0.1, unstandardised)', () => {
    const model = trainLogisticRegression(tiny, { l2: 0.1, standardise: false });
    expect(model.converged).toBe(true);
    expect(model.weights[0]).toBeCloseTo(0.9457581785500895, 4);
    expect(model.weights[1]).toBeCloseTo(0.4318091138514766, 4);
    expect(model.intercept).toBeCloseTo(-1.3839663583635842, 4);
    expect(Math.abs(model.weights[0]! - 0.9457581785500895)).toBeLessThan(1e-6);
  });

  it('matches the reference with the default l2 = 1e-4', () => {
    const model = trainLogisticRegression(tiny, { standardise: false });
    expect(model.weights[0]).toBeCloseTo(2.4534891286513685, 4);
    expect(model.weights[1]).toBeCloseTo(1.9874488228086247, 4);
    expect(model.intercept).toBeCloseTo(-3.6254631857572894, 4);
  });

  it('matches the reference with standardisation (weights on z-scores)', () => {
    const model = trainLogisticRegression(tiny, { l2: 0.05 });
    expect(model.weights[0]).toBeCloseTo(1.4118565220916957, 4);
    expect(model.weights[1]).toBeCloseTo(0.5311083381503502, 4);
    expect(model.intercept).toBeCloseTo(-0.5989139673989096, 4);
    expect(model.standardiser.mean[0]).toBeCloseTo(0.7, 14);
    expect(model.standardiser.mean[1]).toBeCloseTo(0.28, 14);
  });

  it('matches scikit-learn with class_weight balanced (l2 = 0.2)', () => {
    const model = trainLogisticRegression(tiny, { l2: 0.2, classWeight: 'balanced', standardise: false });
    expect(model.weights[0]).toBeCloseTo(0.7597881498889639, 4);
    expect(model.weights[1]).toBeCloseTo(0.2571843479167822, 4);
    expect(model.intercept).toBeCloseTo(-0.7876832493845614, 4);
  });

  it('reaches > 0.95 held-out accuracy on separable-ish generated data', () => {
    const train = generated(7, 2000);
    const test = generated(8, 2000);
    const model = trainLogisticRegression(train);
    expect(model.converged).toBe(true);
    const p = predictProbaLogistic(model, test.x);
    let correct = 0;
    for (let i = 0; i < test.y.length; i++) correct += (p[i]! >= 0.5 ? 1 : 0) === test.y[i] ? 1 : 0;
    expect(correct / test.y.length).toBeGreaterThan(0.95);
    // The model is JSON-plain: a round trip predicts the same.
    const revived = JSON.parse(JSON.stringify(model)) as typeof model;
    expect(predictProbaLogistic(revived, test.x)).toEqual(p);
  });

  it('stays finite on perfectly separable data with a tiny penalty, and the sigmoid does not overflow', () => {
    const data: LabelledData = {
      x: { rows: 6, cols: 1, values: Float64Array.from([-3, -2, -1, 1, 2, 3]) },
      y: Uint8Array.from([0, 0, 0, 1, 1, 1]),
    };
    const model = trainLogisticRegression(data, { l2: 1e-8, standardise: false, maxIterations: 500 });
    expect(Number.isFinite(model.weights[0]!)).toBe(true);
    const p = predictProbaLogistic(model, { rows: 2, cols: 1, values: Float64Array.from([-1e6, 1e6]) });
    expect(Array.from(p)).toEqual([0, 1]);
  });

  it('rejects bad options and one-class data with named messages', () => {
    expect(() => trainLogisticRegression(tiny, { l2: -1 })).toThrow('l2: expected a finite number ≥ 0, got -1');
    expect(() => trainLogisticRegression(tiny, { maxIterations: 0 })).toThrow('maxIterations: expected an integer ≥ 1, got 0');
    const oneClass = { x: tiny.x, y: new Uint8Array(10) };
    expect(() => trainLogisticRegression(oneClass)).toThrow('expected both classes in the training data, got 10 negatives and 0 positives');
    const model = trainLogisticRegression(tiny);
    expect(() => predictProbaLogistic(model, { rows: 1, cols: 3, values: new Float64Array(3) })).toThrow(InvalidInputError);
  });
});

describe('threshold policies', () => {
  it('parses the CLI forms', () => {
    expect(parseThresholdPolicy('bayes')).toEqual({ kind: 'bayes' });
    expect(parseThresholdPolicy('prevalence')).toEqual({ kind: 'prevalence' });
    expect(parseThresholdPolicy('gmean')).toEqual({ kind: 'gmean' });
    expect(parseThresholdPolicy('cost:1,9')).toEqual({ kind: 'cost', lossFalsePositive: 1, lossFalseNegative: 9 });
  });

  it('rejects unknown forms and bad costs under --threshold', () => {
    expect(() => parseThresholdPolicy('median')).toThrow(
      /^--threshold: expected one of 'bayes', 'prevalence', 'cost:L0,L1'.* got "median"$/,
    );
    expect(() => parseThresholdPolicy('cost:1')).toThrow('--threshold: expected cost:L0,L1 with two positive numbers');
    expect(() => parseThresholdPolicy('cost:0,1')).toThrow('got "cost:0,1"');
    try {
      parseThresholdPolicy('cost:a,b');
      expect.unreachable();
    } catch (e) {
      expect((e as InvalidInputError).subject).toBe('--threshold');
    }
  });

  it('bayes is 0.5, prevalence is π (Theorem 2), cost:1,9 is 0.1 (Theorem 1)', () => {
    expect(chooseThreshold({ kind: 'bayes' }, { prevalence: 0.02 }).threshold).toBe(0.5);
    expect(chooseThreshold({ kind: 'prevalence' }, { prevalence: 0.037 }).threshold).toBe(0.037);
    expect(chooseThreshold({ kind: 'prevalence', prevalence: 0.2 }, { prevalence: 0.037 }).threshold).toBe(0.2);
    const cost = chooseThreshold(parseThresholdPolicy('cost:1,9'), { prevalence: 0.02 });
    expect(cost.threshold).toBeCloseTo(0.1, 15);
    expect(cost.reason).toContain('weighted Bayes rule');
    expect(cost.reason).not.toMatch(/seed|Theorem/);
    // Costs near the largest double: their sum overflows, the ratio must not (q stays ½, not 0).
    expect(chooseThreshold(parseThresholdPolicy('cost:1e308,1e308'), { prevalence: 0.02 }).threshold).toBe(0.5);
    expect(chooseThreshold(parseThresholdPolicy('cost:1e308,3e307'), { prevalence: 0.02 }).threshold).toBeCloseTo(1 / 1.3, 12);
    // A model fitted at another share than the data's (a balanced forest at 1/2, data at 5.7%): q moves to its scale,
    // where odds ≥ (ℓ0/ℓ1) · odds(1/2) / odds(0.057); the same share leaves q as it is.
    const moved = chooseThreshold(parseThresholdPolicy('cost:1,9'), { prevalence: 0.5, dataPrevalence: 0.057 });
    expect(moved.threshold).toBeCloseTo(0.64766, 4);
    expect(moved.reason).toContain("moved to the model's scale");
    expect(chooseThreshold(parseThresholdPolicy('cost:1,9'), { prevalence: 0.2, dataPrevalence: 0.2 }).threshold).toBeCloseTo(0.1, 15);
    const extreme = { kind: 'cost', lossFalsePositive: 1e300, lossFalseNegative: 1e-300 } as const;
    expect(chooseThreshold(extreme, { prevalence: 0.5, dataPrevalence: 0.01 }).threshold).toBe(1);
    // Given as text, costs that far apart, or not written as plain numbers, are refused.
    expect(() => parseThresholdPolicy('cost:1e300,1e-300')).toThrow(
      '--threshold: the costs in "cost:1e300,1e-300" differ by a factor of about 1e600',
    );
    expect(() => parseThresholdPolicy('cost:1,1e308')).toThrow('expected at most 1,000,000 either way');
    expect(parseThresholdPolicy('cost:1,1000000')).toEqual({ kind: 'cost', lossFalsePositive: 1, lossFalseNegative: 1e6 });
    expect(() => parseThresholdPolicy('cost: 1,5')).toThrow('expected cost:L0,L1 with two positive numbers');
    expect(() => parseThresholdPolicy('cost:0x10,5')).toThrow('expected cost:L0,L1 with two positive numbers');
    expect(() => chooseThreshold({ kind: 'prevalence' }, { prevalence: 0 })).toThrow(
      'prevalence: expected a prevalence strictly between 0 and 1, got 0',
    );
  });

  it('gmean picks the G-mean-maximising score on validation data', () => {
    // P = 4, N = 6. At score ≥ 0.7: TPR 3/4, TNR 5/6, G = √0.625 ≈ 0.791, the best of all cut points
    // (≥ 0.9 gives √0.5 ≈ 0.707, ≥ 0.3 gives √(1/3) ≈ 0.577).
    const choice = chooseThreshold(
      { kind: 'gmean' },
      {
        prevalence: 0.4,
        validationScores: Float64Array.from([0.95, 0.9, 0.8, 0.7, 0.6, 0.55, 0.4, 0.3, 0.2, 0.1]),
        validationLabels: Uint8Array.from([1, 1, 0, 1, 0, 0, 0, 1, 0, 0]),
      },
    );
    expect(choice.threshold).toBe(0.7);
    expect(choice.reason).toContain(`G-mean ${Math.sqrt(0.75 * (5 / 6))}`);
  });

  it('gmean breaks ties toward the higher threshold and needs validation data', () => {
    const choice = chooseThreshold(
      { kind: 'gmean' },
      { prevalence: 0.5, validationScores: Float64Array.from([0.7, 0.9, 0.6, 0.8]), validationLabels: Uint8Array.from([1, 1, 0, 0]) },
    );
    expect(choice.threshold).toBe(0.9);
    expect(() => chooseThreshold({ kind: 'gmean' }, { prevalence: 0.1 })).toThrow(
      'gmean threshold policy: expected validation scores and labels, got none',
    );
  });
});
