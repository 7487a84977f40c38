import { describe, it, expect } from 'vitest';
import { adasyn } from '../../core/oversample/adasyn.js';
import { appendSynthetic } from '../../core/oversample/syntheticLineage.js';
import { InvalidInputError } from '../../core/invalidInputError.js';
import { seededRandom } from '../../core/random.js';
import { classCounts, type LabelledData } from '../../core/dataset.js';

/** Two-column data from [x0, y] pairs; the second column is x0 + 5, so it only doubles squared distances. */
function line(points: [number, number][]): LabelledData {
  const values = new Float64Array(points.length * 2);
  points.forEach((p, i) => {
    values[2 * i] = p[0];
    values[2 * i + 1] = p[0] + 5;
  });
  return { x: { rows: points.length, cols: 2, values }, y: Uint8Array.from(points.map((p) => p[1])) };
}

// 8 negatives, 4 positives (rows 1, 3, 5, 7 at 0, 1, 2, 10). With K = 2: Δ = 0, 0, 1 (negative at 3), 2.
const HAND_SET = line([
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

function randomData(rows: number, seed: number): LabelledData {
  const random = seededRandom(seed);
  const cols = 3;
  const values = new Float64Array(rows * cols);
  const y = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    y[r] = r % 5 === 0 ? 1 : 0;
    for (let c = 0; c < cols; c++) values[r * cols + c] = random.next() + (c === 0 ? y[r]! * 0.5 : 0);
  }
  return { x: { rows, cols, values }, y };
}

describe('adasyn', () => {
  it('golden counts: G, hardness r_i and g_i on a hand-built set', () => {
    const got = adasyn(HAND_SET, { k: 2, random: seededRandom(1) });
    expect(Array.from(got.minorityRows)).toEqual([1, 3, 5, 7]);
    expect(Array.from(got.hardness)).toEqual([0, 0, 0.5, 1]);
    // G = 8 − 4 = 4; r̂ = [0, 0, 1/3, 2/3]; g = rint([0, 0, 1.33, 2.67]) = [0, 0, 1, 3].
    expect(Array.from(got.perRowCount)).toEqual([0, 0, 1, 3]);
    expect(got.synthetic.rows).toBe(4);
    expect(Array.from(got.lineage.parent)).toEqual([5, 7, 7, 7]);
    expect(got.warning).toBeUndefined();
  });

  it('interpolates towards one of the K nearest minority rows, on the segment from parent to neighbour', () => {
    const got = adasyn(HAND_SET, { k: 2, random: seededRandom(2) });
    // Minority neighbours: row 5 (x=2) → rows 3, 1; row 7 (x=10) → rows 5, 3.
    const allowed: Record<number, number[]> = { 5: [3, 1], 7: [5, 3] };
    for (let s = 0; s < got.synthetic.rows; s++) {
      const p = got.lineage.parent[s]!;
      const n = got.lineage.neighbour[s]!;
      const l = got.lineage.lambda[s]!;
      expect(allowed[p]).toContain(n);
      expect(l).toBeGreaterThanOrEqual(0);
      expect(l).toBeLessThan(1);
      const xp = HAND_SET.x.values[2 * p]!;
      const xn = HAND_SET.x.values[2 * n]!;
      expect(got.synthetic.values[2 * s]).toBeCloseTo(xp + l * (xn - xp), 12);
      expect(got.synthetic.values[2 * s + 1]).toBeCloseTo(xp + 5 + l * (xn - xp), 12);
    }
  });

  it('puts every synthetic row of random data on its parent–neighbour segment with one λ for all columns', () => {
    const data = randomData(150, 9);
    const got = adasyn(data, { random: seededRandom(9) });
    const cols = data.x.cols;
    const [negatives, positives] = classCounts(data.y);
    expect(Math.abs(got.synthetic.rows - (negatives - positives))).toBeLessThanOrEqual(positives / 2);
    expect(got.synthetic.rows).toBe(got.perRowCount.reduce((a, b) => a + b, 0));
    for (let s = 0; s < got.synthetic.rows; s++) {
      const p = got.lineage.parent[s]!;
      const n = got.lineage.neighbour[s]!;
      expect(data.y[p]).toBe(1);
      expect(data.y[n]).toBe(1);
      expect(n).not.toBe(p);
      for (let c = 0; c < cols; c++) {
        const xp = data.x.values[p * cols + c]!;
        const xn = data.x.values[n * cols + c]!;
        expect(got.synthetic.values[s * cols + c]).toBeCloseTo(xp + got.lineage.lambda[s]! * (xn - xp), 12);
      }
    }
  });

  it('is reproducible by seed and changes with the seed', () => {
    const data = randomData(100, 3);
    const a = adasyn(data, { random: seededRandom(42) });
    const b = adasyn(data, { random: seededRandom(42) });
    const c = adasyn(data, { random: seededRandom(43) });
    expect(Array.from(b.synthetic.values)).toEqual(Array.from(a.synthetic.values));
    expect(Array.from(b.lineage.neighbour)).toEqual(Array.from(a.lineage.neighbour));
    expect(Array.from(c.synthetic.values)).not.toEqual(Array.from(a.synthetic.values));
    expect(Array.from(c.perRowCount)).toEqual(Array.from(a.perRowCount));
  });

  it('rounds g_i half to even like np.rint, and scales G by beta', () => {
    // 7 negatives, 2 positives, K = 1, each positive's nearest row is a negative: g = rint(5 / 2) = 2 each.
    const halves = line([
      [0, 1],
      [1, 0],
      [100, 1],
      [101, 0],
      [200, 0],
      [201, 0],
      [202, 0],
      [203, 0],
      [204, 0],
    ]);
    const got = adasyn(halves, { k: 1, random: seededRandom(1) });
    expect(Array.from(got.perRowCount)).toEqual([2, 2]);
    expect(got.synthetic.rows).toBe(4);
    // β = 0.5 on the hand set: G = 2, g = rint([0, 0, 0.67, 1.33]) = [0, 0, 1, 1].
    const half = adasyn(HAND_SET, { k: 2, beta: 0.5, random: seededRandom(1) });
    expect(Array.from(half.perRowCount)).toEqual([0, 0, 1, 1]);
  });

  it('returns no rows and a warning when no minority row has a negative neighbour', () => {
    const separated = line([
      [0, 1],
      [1, 1],
      [2, 1],
      [100, 0],
      [101, 0],
      [102, 0],
      [103, 0],
      [104, 0],
    ]);
    const got = adasyn(separated, { k: 2, random: seededRandom(1) });
    expect(got.synthetic.rows).toBe(0);
    expect(Array.from(got.perRowCount)).toEqual([0, 0, 0]);
    expect(Array.from(got.hardness)).toEqual([0, 0, 0]);
    expect(got.warning).toContain('no minority row has a negative among its 2 nearest neighbours');
  });

  it('rejects k not below the number of minority rows, naming k, the count and the fix', () => {
    const data = line([
      [0, 1],
      [1, 1],
      [2, 1],
      [3, 0],
      [4, 0],
      [5, 0],
      [6, 0],
    ]);
    let error: unknown;
    try {
      adasyn(data, { k: 3, random: seededRandom(1) });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).subject).toBe('--k');
    expect((error as InvalidInputError).message).toBe(
      'k must be an integer ≥ 1 and below the number of minority rows (3); got k=3. Lower --k.',
    );
    expect(() => adasyn(data, { k: 2, beta: 0, random: seededRandom(1) })).toThrow('beta must be in (0, 1]; got 0.');
    expect(() => adasyn(data, { k: 2, beta: 1.5, random: seededRandom(1) })).toThrow('beta must be in (0, 1]; got 1.5.');
  });

  it('rejects one-class input', () => {
    const data = line([
      [0, 0],
      [1, 0],
      [2, 0],
      [3, 0],
    ]);
    expect(() => adasyn(data, { k: 1, random: seededRandom(1) })).toThrow(
      'ADASYN needs both classes; got one class only (4 negatives, 0 positives): no minority rows.',
    );
  });

  it('scales the allocation down to a quota, proportionally, and says so', () => {
    // Unscaled g = [0, 0, 1, 3]; quota 2: 3 × 2/4 = 1.5 → 1 and 1 × 2/4 = 0.5 → 0, then the larger remainder
    // (a tie at 0.5: the lower row) gets the last row.
    const got = adasyn(HAND_SET, { k: 2, random: seededRandom(1), maxSyntheticRows: 2 });
    expect(Array.from(got.perRowCount)).toEqual([0, 0, 1, 1]);
    expect(got.synthetic.rows).toBe(2);
    expect(got.requested).toBe(4);
    expect(got.quotaMessage).toBe(
      "the allocation of 4 synthetic rows exceeds the quota (max synthetic rows 2); each row's count was scaled by 0.5000 to 2 rows in all.",
    );
    // Ratio 0.25 of 12 input rows = 3 rows: 3 × 3/4 = 2.25 → 2, 1 × 3/4 = 0.75 → 0 + 1.
    const ratio = adasyn(HAND_SET, { k: 2, random: seededRandom(1), maxSyntheticRatio: 0.25 });
    expect(Array.from(ratio.perRowCount)).toEqual([0, 0, 1, 2]);
    expect(ratio.quotaMessage).toContain('max synthetic ratio 0.25 × 12 input rows = 3');
    const loose = adasyn(HAND_SET, { k: 2, random: seededRandom(1), maxSyntheticRows: 4 });
    expect(loose.synthetic.rows).toBe(4);
    expect(loose.quotaMessage).toBeUndefined();
    expect(() => adasyn(HAND_SET, { k: 2, random: seededRandom(1), maxSyntheticRows: 0 })).toThrow(
      'max synthetic rows must be an integer > 0; got 0.',
    );
    expect(() => adasyn(HAND_SET, { k: 2, random: seededRandom(1), maxSyntheticRatio: -1 })).toThrow(
      'max synthetic ratio must be a number > 0; got -1.',
    );
  });

  it('appendSynthetic adds the synthetic rows after the input, labelled 1', () => {
    const got = adasyn(HAND_SET, { k: 2, random: seededRandom(1) });
    const augmented = appendSynthetic(HAND_SET, got.synthetic);
    expect(augmented.x.rows).toBe(16);
    expect(classCounts(augmented.y)).toEqual([8, 8]);
    expect(Array.from(augmented.x.values.subarray(0, 24))).toEqual(Array.from(HAND_SET.x.values));
    expect(Array.from(augmented.x.values.subarray(24))).toEqual(Array.from(got.synthetic.values));
  });
});
