// The standardiser on columns whose values overflow or underflow plain sums of squares (beyond about 1e154, spreads
// below about 1e-154): measured on rescaled values instead of giving an infinite or zero scale that would flatten
// the column; ordinary columns keep the plain sums bit for bit.

import { describe, expect, it } from 'vitest';
import { applyStandardiser, fitStandardiser } from '../../core/models/standardiser.js';

function column(values: number[]) {
  return { rows: values.length, cols: 1, values: Float64Array.from(values) };
}

describe('standardiser at the ends of the double range', () => {
  it('scales huge and tiny columns like the same column in ordinary units', () => {
    const base = [1, 2, 3, 4, 10];
    const plain = fitStandardiser(column(base));
    for (const unit of [1e300, 1e200, 1e-200, 1e-300]) {
      const s = fitStandardiser(column(base.map((v) => v * unit)));
      expect(Number.isFinite(s.scale[0]!)).toBe(true);
      expect(s.scale[0]! / unit).toBeCloseTo(plain.scale[0]!, 10);
      expect(s.mean[0]! / unit).toBeCloseTo(plain.mean[0]!, 10);
      const z = applyStandardiser(s, column(base.map((v) => v * unit))).values;
      const zPlain = applyStandardiser(plain, column(base)).values;
      z.forEach((v, i) => expect(v).toBeCloseTo(zPlain[i]!, 8));
    }
  });

  it('does the same with row weights (a sample_weight column)', () => {
    const base = [1, 2, 3, 4, 10];
    const weights = [1, 2, 1, 0.5, 3];
    const plain = fitStandardiser(column(base), weights);
    for (const unit of [1e300, 1e200, 1e-200, 1e-300]) {
      const s = fitStandardiser(column(base.map((v) => v * unit)), weights);
      expect(Number.isFinite(s.scale[0]!)).toBe(true);
      expect(s.scale[0]! / unit).toBeCloseTo(plain.scale[0]!, 10);
      expect(s.mean[0]! / unit).toBeCloseTo(plain.mean[0]!, 10);
    }
  });

  it('leaves a constant column at scale 1 and ordinary columns exactly as before', () => {
    expect(fitStandardiser(column([1e-300, 1e-300, 1e-300])).scale).toEqual([1]);
    const s = fitStandardiser(column([0.1, 0.7, 2.5, -1.25]));
    const mean = (0.1 + 0.7 + 2.5 - 1.25) / 4;
    const sd = Math.sqrt([0.1, 0.7, 2.5, -1.25].reduce((a, v) => a + (v - mean) ** 2, 0) / 4);
    expect(s.mean[0]).toBe(mean);
    expect(s.scale[0]).toBe(sd);
  });
});
