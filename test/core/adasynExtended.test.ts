import { describe, it, expect } from 'vitest';
import { adasyn, smote } from '../../core/oversample/adasyn.js';
import { adasynMultiClass } from '../../core/oversample/adasynMultiClass.js';
import { lineageColumns, syntheticWeights } from '../../core/oversample/syntheticLineage.js';
import { seededRandom } from '../../core/random.js';
import type { LabelledData } from '../../core/dataset.js';

/** Columns: x0, x0 + 5, and optional extra columns per row. */
function table(points: [number, number, ...number[]][]): LabelledData {
  const cols = points[0]!.length;
  const values = new Float64Array(points.length * cols);
  points.forEach((p, i) => {
    values[i * cols] = p[0];
    values[i * cols + 1] = p[0] + 5;
    for (let c = 2; c < cols; c++) values[i * cols + c] = p[c]!;
  });
  return { x: { rows: points.length, cols, values }, y: Uint8Array.from(points.map((p) => p[1])) };
}

// 8 negatives, 4 positives (rows 1, 3, 5, 7 at 0, 1, 2, 10). With K = 2: Δ = 0, 0, 1 (negative at 3), 2.
const HAND_SET = table([
  [30, 0],
  [0, 1],
  [9, 0],
  [1, 1],
  [31, 0],
  [2, 1],
  [3, 0],
  [10, 1],
  [11, 0],
  [32, 0],
  [33, 0],
  [34, 0],
]);

describe('adasyn results', () => {
  it('reports Δ_i, the synthetic ratio and seed-to-neighbour distances that match the lineage', () => {
    const got = adasyn(HAND_SET, { k: 2, random: seededRandom(1) });
    expect(Array.from(got.majorityNeighbours)).toEqual([0, 0, 1, 2]);
    expect(got.stats.syntheticRows).toBe(4);
    expect(got.stats.syntheticShare).toBe(0.25);
    const d = Array.from(
      got.lineage.parent,
      (p, s) => Math.SQRT2 * Math.abs(HAND_SET.x.values[2 * p]! - HAND_SET.x.values[2 * got.lineage.neighbour[s]!]!),
    );
    d.sort((a, b) => a - b);
    expect(got.stats.neighbourDistance.min).toBeCloseTo(d[0]!, 12);
    expect(got.stats.neighbourDistance.max).toBeCloseTo(d[3]!, 12);
    expect(got.stats.neighbourDistance.median).toBeCloseTo((d[1]! + d[2]!) / 2, 12);
    expect(got.stats.neighbourDistance.mean).toBeCloseTo(d.reduce((a, b) => a + b, 0) / 4, 12);
  });

  it('rejects NaN, constant features and all-minority input, naming column, row and counts', () => {
    const nan = table([
      [0, 1],
      [1, 1],
      [2, 0],
      [3, 0],
    ]);
    nan.x.values[5] = Number.NaN;
    expect(() => adasyn(nan, { k: 1, random: seededRandom(1) })).toThrow(
      'feature column 1: expected finite values, got NaN at row 2; impute or drop missing values before ADASYN.',
    );
    const constant = table([
      [0, 1, 4],
      [1, 1, 4],
      [2, 0, 4],
      [3, 0, 4],
    ]);
    expect(() => adasyn(constant, { k: 1, random: seededRandom(1) })).toThrow(
      'feature column 2: expected a feature that varies, got the constant 4 in all 4 rows; drop it before ADASYN.',
    );
    expect(() =>
      adasyn(
        table([
          [0, 1],
          [1, 1],
        ]),
        { k: 1, random: seededRandom(1) },
      ),
    ).toThrow('ADASYN needs both classes; got one class only (0 negatives, 2 positives): all rows are minority.');
  });

  it('lineage columns and weights: real rows unmarked, synthetic rows carry seed, neighbour, gap and seed weight', () => {
    const got = adasyn(HAND_SET, { k: 2, random: seededRandom(1) });
    const cols = lineageColumns(12, got.lineage);
    expect(Array.from(cols._synthetic)).toEqual([...new Array<number>(12).fill(0), 1, 1, 1, 1]);
    expect(Array.from(cols._seed_row)).toEqual([...new Array<number>(12).fill(-1), 5, 7, 7, 7]);
    expect(Array.from(cols._neighbor_row.subarray(0, 12))).toEqual(new Array<number>(12).fill(-1));
    expect(Array.from(cols._neighbor_row.subarray(12))).toEqual(Array.from(got.lineage.neighbour));
    expect(Number.isNaN(cols._gap[0])).toBe(true);
    expect(Array.from(cols._gap.subarray(12))).toEqual(Array.from(got.lineage.lambda));
    const weights = Float64Array.from({ length: 12 }, (_, i) => i + 0.5);
    expect(Array.from(syntheticWeights(weights, got.lineage).subarray(12))).toEqual([5.5, 7.5, 7.5, 7.5]);
  });
});

describe('categorical columns', () => {
  it('takes the mode among the K minority neighbours, ties to the smallest, and never interpolates', () => {
    // Positions ×10 so category codes (column 2) never change the neighbours. Positive categories: 7, 7, 9, 9.
    // Row 5's minority neighbours are rows 3, 1 (7, 7): 7. Row 7's are rows 5, 3 (9, 7): a tie, so 7.
    const data = table([
      [300, 0, 8],
      [0, 1, 7],
      [90, 0, 8],
      [10, 1, 7],
      [310, 0, 8],
      [20, 1, 9],
      [30, 0, 8],
      [100, 1, 9],
      [110, 0, 8],
      [320, 0, 8],
      [330, 0, 8],
      [340, 0, 8],
    ]);
    const got = adasyn(data, { k: 2, random: seededRandom(3), categoricalColumns: [2] });
    expect(Array.from(got.perRowCount)).toEqual([0, 0, 1, 3]);
    for (let s = 0; s < got.synthetic.rows; s++) {
      expect(got.synthetic.values[s * 3 + 2]).toBe(7);
      const p = got.lineage.parent[s]!;
      const n = got.lineage.neighbour[s]!;
      const l = got.lineage.lambda[s]!;
      expect(got.synthetic.values[s * 3]).toBeCloseTo(data.x.values[p * 3]! + l * (data.x.values[n * 3]! - data.x.values[p * 3]!), 10);
    }
    expect(() => adasyn(data, { k: 2, random: seededRandom(3), categoricalColumns: [3] })).toThrow(
      'categoricalColumns: expected column numbers from 0 to 2; got 3.',
    );
  });

  it('gives one-hot groups the most common category among the neighbours, one 1 per group, ties to the first', () => {
    // Columns: position, position + 5, then colour=red, colour=blue, colour=green (2, 3, 4). Positives at 0, 10, 20,
    // 100: red, red, blue, green. Row 5's minority neighbours (k = 2) are rows 3 and 1: red, red → red. Row 7's are
    // rows 5 and 3: blue and red tie, so the group's first column, red.
    const data = table([
      [300, 0, 1, 0, 0],
      [0, 1, 1, 0, 0],
      [90, 0, 0, 1, 0],
      [10, 1, 1, 0, 0],
      [310, 0, 0, 0, 1],
      [20, 1, 0, 1, 0],
      [30, 0, 1, 0, 0],
      [100, 1, 0, 0, 1],
      [110, 0, 0, 1, 0],
      [320, 0, 1, 0, 0],
      [330, 0, 0, 0, 1],
      [340, 0, 0, 1, 0],
    ]);
    const got = adasyn(data, { k: 2, random: seededRandom(3), categoricalGroups: [[2, 3, 4]] });
    expect(Array.from(got.perRowCount)).toEqual([0, 0, 1, 3]);
    for (let s = 0; s < got.synthetic.rows; s++) {
      expect(Array.from(got.synthetic.values.subarray(s * 5 + 2, s * 5 + 5))).toEqual([1, 0, 0]);
    }
    expect(() => adasyn(data, { k: 2, random: seededRandom(3), categoricalColumns: [2], categoricalGroups: [[2, 3, 4]] })).toThrow(
      'categoricalGroups: column 2 is in categoricalColumns and in group 0; a column belongs to one categorical feature.',
    );
    expect(() => adasyn(data, { k: 2, random: seededRandom(3), categoricalGroups: [[]] })).toThrow('group 0 is empty');
  });
});

describe('smote', () => {
  it('allocates G uniformly: ⌊G/m⌋ each, the remainder to distinct random rows, reproducibly', () => {
    // 10 negatives, 4 positives: G = 6 = 4 × 1 + 2.
    const data = table([
      [0, 1],
      [1, 1],
      [2, 1],
      [3, 1],
      [10, 0],
      [11, 0],
      [12, 0],
      [13, 0],
      [14, 0],
      [15, 0],
      [16, 0],
      [17, 0],
      [18, 0],
      [19, 0],
    ]);
    const a = smote(data, { k: 2, random: seededRandom(5) });
    const b = smote(data, { k: 2, random: seededRandom(5) });
    expect(a.synthetic.rows).toBe(6);
    expect(Array.from(a.perRowCount).sort()).toEqual([1, 1, 2, 2]);
    expect(Array.from(b.perRowCount)).toEqual(Array.from(a.perRowCount));
    expect(Array.from(b.synthetic.values)).toEqual(Array.from(a.synthetic.values));
    expect(Array.from(a.hardness)).toEqual([0, 0, 0, 0]);
  });
});

describe('adasynMultiClass', () => {
  it('golden: each minority class against the majority, Δ counting any other class', () => {
    // Class 0: 30–37 (rows 0–7). Class 1: 0, 1, 2, 12 (rows 8–11); 12's 2 nearest are 20 and 21 (class 2):
    // Δ = [0, 0, 0, 2], G = 8 − 4 = 4, g = [0, 0, 0, 4]. Class 2: 20, 21, 29 (rows 12–14); 20 sees 21 and 12
    // (class 1), 29 sees 30 and 31 (class 0): Δ = [1, 0, 2], G = 8 − 3 = 5, g = rint([5/3, 0, 10/3]) = [2, 0, 3].
    const xs = [30, 31, 32, 33, 34, 35, 36, 37, 0, 1, 2, 12, 20, 21, 29];
    const labels = Int32Array.from([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2]);
    const values = new Float64Array(30);
    xs.forEach((v, i) => {
      values[2 * i] = v;
      values[2 * i + 1] = v + 5;
    });
    const got = adasynMultiClass({ x: { rows: 15, cols: 2, values }, labels }, { k: 2, random: seededRandom(1) });
    expect(got.majorityClass).toBe(0);
    expect(got.classes.map((c) => c.label)).toEqual([1, 2]);
    expect(Array.from(got.classes[0]!.result.majorityNeighbours)).toEqual([0, 0, 0, 2]);
    expect(Array.from(got.classes[0]!.result.perRowCount)).toEqual([0, 0, 0, 4]);
    expect(Array.from(got.classes[1]!.result.majorityNeighbours)).toEqual([1, 0, 2]);
    expect(Array.from(got.classes[1]!.result.perRowCount)).toEqual([2, 0, 3]);
    expect(Array.from(got.syntheticLabels)).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 2]);
    expect(Array.from(got.lineage.parent)).toEqual([11, 11, 11, 11, 12, 12, 14, 14, 14]);
    for (let s = 4; s < 9; s++) expect([12, 13, 14]).toContain(got.lineage.neighbour[s]);
    // A quota of 3 over both classes: g × 1/3 = 1.33, 0.67, 1 → 1, 0, 1; the largest remainder (row 12) gets the third.
    const capped = adasynMultiClass({ x: { rows: 15, cols: 2, values }, labels }, { k: 2, random: seededRandom(1), maxSyntheticRows: 3 });
    expect(Array.from(capped.syntheticLabels)).toEqual([1, 2, 2]);
    expect(Array.from(capped.lineage.parent)).toEqual([11, 12, 14]);
    expect(capped.quotaMessage).toContain('the allocation of 9 synthetic rows exceeds the quota');
  });
});
