import { describe, it, expect } from 'vitest';
import { distanceSpace, neighborIndexes } from '../../core/neighbors/distanceSpace.js';
import type { LabelledData } from '../../core/dataset.js';

/** Rows of [numeric a, numeric b, colour=red, colour=blue, colour=green], with labels. */
function colours(rows: number[][], y: number[]): LabelledData {
  return { x: { rows: rows.length, cols: 5, values: Float64Array.from(rows.flat()) }, y: Uint8Array.from(y) };
}

const squared = (v: Float64Array, a: number, b: number, cols: number): number => {
  let d = 0;
  for (let c = 0; c < cols; c++) d += (v[a * cols + c]! - v[b * cols + c]!) ** 2;
  return d;
};

describe('distance space with categorical groups', () => {
  const data = colours(
    [
      [0, 0, 1, 0, 0],
      [1, 10, 0, 1, 0],
      [2, 20, 0, 0, 1],
      [3, 30, 1, 0, 0],
      [4, 40, 0, 1, 0],
      [5, 50, 1, 0, 0],
      [6, 60, 0, 0, 1],
      [7, 70, 1, 0, 0],
    ],
    [1, 1, 1, 1, 0, 0, 0, 0],
  );

  it('adds Med² per differing category, Med the median numeric spread over minority rows (raw space)', () => {
    // Minority rows 0–3: column a has population sd √1.25, column b 10·√1.25; their median is 5.5·√1.25.
    const med = 5.5 * Math.sqrt(1.25);
    const x = distanceSpace(data, 'raw', [[2, 3, 4]]);
    // Rows 0 and 3: same colour, so only the numeric difference (3² + 30²).
    expect(squared(x.values, 0, 3, 5)).toBeCloseTo(9 + 900, 9);
    // Rows 0 and 1: colours differ, so 1 + 100 + Med².
    expect(squared(x.values, 0, 1, 5)).toBeCloseTo(1 + 100 + med * med, 9);
    // The input is not changed.
    expect(data.x.values[2]).toBe(1);
  });

  it('standardises the numeric columns and then uses their minority spread', () => {
    const x = distanceSpace(data, 'standardise', [[2, 3, 4]]);
    // Standardised over all 8 rows, a and b are the same column (sd over all rows √5.25 and 10·√5.25), so both
    // minority spreads are √1.25/√5.25, and Med is that value.
    const med = Math.sqrt(1.25 / 5.25);
    const numeric = (3 / Math.sqrt(5.25)) ** 2 * 2;
    expect(squared(x.values, 0, 3, 5)).toBeCloseTo(numeric, 9);
    expect(squared(x.values, 0, 1, 5) - (1 / Math.sqrt(5.25)) ** 2 * 2).toBeCloseTo(med * med, 9);
  });

  it('uses one step of 1 when there is no numeric column, and names a bad group column', () => {
    const onlyColour = {
      x: { rows: 4, cols: 3, values: Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0]) },
      y: Uint8Array.from([1, 1, 0, 0]),
    };
    const x = distanceSpace(onlyColour, 'raw', [[0, 1, 2]]);
    expect(squared(x.values, 0, 1, 3)).toBeCloseTo(1, 12);
    expect(squared(x.values, 0, 3, 3)).toBe(0);
    expect(() => distanceSpace(onlyColour, 'raw', [[0, 5]])).toThrow('categoricalGroups: expected column numbers from 0 to 2; got 5.');
  });

  it('builds the indexes in that space: neighbours equal a brute-force search there', () => {
    const indexes = neighborIndexes(data, { kind: 'exact', queries: 8, scaling: 'raw', categoricalGroups: [[2, 3, 4]] });
    try {
      const got = indexes.all.queryRows(Int32Array.from([0]), 3).indices;
      const x = distanceSpace(data, 'raw', [[2, 3, 4]]);
      const order = [1, 2, 3, 4, 5, 6, 7].sort((a, b) => squared(x.values, 0, a, 5) - squared(x.values, 0, b, 5) || a - b);
      expect(Array.from(got)).toEqual(order.slice(0, 3));
    } finally {
      indexes.close();
    }
  });
});
