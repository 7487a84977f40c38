import { describe, it, expect } from 'vitest';
import { applyFeaturePreparation, fitFeaturePreparation } from '../../core/features/featurePreparation.js';
import { fillMissingValues, fitMissingValueFill } from '../../core/features/missingValues.js';

const m = (rows: number, cols: number, v: number[]) => ({ rows, cols, values: Float64Array.from(v) });

describe('feature preparation', () => {
  it('fits standardisation on the training rows only and replays it on another split', () => {
    const train = m(4, 2, [0, 10, 2, 10, 4, 20, 6, 20]);
    const prep = fitFeaturePreparation(train);
    // Column 0: mean 3, population sd √5; column 1: mean 15, sd 5.
    expect(prep.standardiser.mean).toEqual([3, 15]);
    expect(prep.standardiser.scale[1]).toBe(5);
    const other = applyFeaturePreparation(prep, m(1, 2, [3, 25]));
    expect(Array.from(other.values)).toEqual([0, 2]);
    expect(Array.from(applyFeaturePreparation(prep, train).values.subarray(0, 2))).toEqual([-3 / Math.sqrt(5), -1]);
  });

  it('rejects missing values by default, naming column and row, and imputes by a declared strategy', () => {
    const train = m(3, 2, [1, 5, NaN, 7, 3, 9]);
    expect(() => fitFeaturePreparation(train)).toThrow(
      "feature column 0: expected no missing values, got NaN at row 1; impute with missing: 'mean', 'median' or 'constant', or drop the rows.",
    );
    expect(fitFeaturePreparation(train, { missing: 'mean' }).fillValues).toEqual([2, 7]);
    expect(fitFeaturePreparation(m(4, 1, [1, NaN, 2, 10]), { missing: 'median' }).fillValues).toEqual([2]);
    const prep = fitFeaturePreparation(train, { missing: 'constant', fillValue: 1 });
    expect(prep.fillValues).toEqual([1, 1]);
    expect(applyFeaturePreparation(prep, m(1, 2, [NaN, 7])).values[0]).toBe((1 - 5 / 3) / prep.standardiser.scale[0]!);
    const strict = fitFeaturePreparation(m(2, 1, [0, 1]));
    expect(() => applyFeaturePreparation(strict, m(1, 1, [NaN]))).toThrow(
      /got NaN at row 0; the preparation was fitted with missing: 'reject'/,
    );
  });

  it('rejects constant training columns unless allowed', () => {
    const train = m(3, 2, [1, 4, 2, 4, 3, 4]);
    expect(() => fitFeaturePreparation(train)).toThrow(
      'feature column 1: expected a feature that varies over the training rows, got the constant 4 in all 3; drop it.',
    );
    expect(fitFeaturePreparation(train, { rejectConstant: false }).standardiser.scale[1]).toBe(1);
  });
});

describe('missing-value fill', () => {
  it('fits the fill on the training rows only and replays it on another split, counting what it filled', () => {
    const train = m(4, 2, [1, NaN, 3, 10, NaN, 20, 8, 40]);
    const median = fitMissingValueFill(train, { missing: 'median' });
    expect(median).toEqual({ missing: 'median', fillValues: [3, 20] });
    // The other split's own values (100, −5) play no part in the fill.
    const other = m(3, 2, [NaN, 100, -5, NaN, NaN, NaN]);
    const { x, counts } = fillMissingValues(median, other);
    expect(Array.from(x.values)).toEqual([3, 100, -5, 20, 3, 20]);
    expect(counts).toEqual({ filled: [2, 2], total: 4 });
    expect(Array.from(other.values.subarray(0, 1))).toEqual([NaN]);
    expect(fitMissingValueFill(train, { missing: 'mean' }).fillValues).toEqual([4, 70 / 3]);
    expect(fitMissingValueFill(train, { missing: 'constant', fillValue: -1 }).fillValues).toEqual([-1, -1]);
    const complete = m(1, 2, [1, 2]);
    expect(fillMissingValues(median, complete).x).toBe(complete);
  });

  it("rejects NaN under 'reject', a column with no training value, and a bad policy or fill", () => {
    expect(() => fitMissingValueFill(m(2, 1, [1, NaN]))).toThrow(/feature column 0: expected no missing values, got NaN at row 1/);
    expect(() => fillMissingValues({ missing: 'reject', fillValues: null }, m(1, 1, [NaN]))).toThrow(/fitted with missing: 'reject'/);
    expect(() => fitMissingValueFill(m(2, 2, [1, NaN, 2, NaN]), { missing: 'median' })).toThrow(
      /feature column 1: every training value is missing/,
    );
    expect(() => fitMissingValueFill(m(1, 1, [1]), { missing: 'mode' as 'mean' })).toThrow(
      /missing must be 'reject', 'mean', 'median' or 'constant'; got mode/,
    );
    expect(() => fitMissingValueFill(m(1, 1, [1]), { missing: 'constant', fillValue: Infinity })).toThrow(
      /fillValue must be a finite number/,
    );
  });
});
