import { describe, it, expect } from 'vitest';
import { editedNearestNeighbours } from '../../core/denoise/editedNearestNeighbours.js';
import { typeMinority } from '../../core/denoise/minorityTyping.js';
import { ExactNeighborIndex } from '../../core/neighbors/exactNeighbors.js';
import { InvalidInputError } from '../../core/invalidInputError.js';
import { seededRandom } from '../../core/random.js';
import type { LabelledData } from '../../core/dataset.js';

/** One-column data from [x, y] pairs. */
function line(points: [number, number][]): LabelledData {
  return {
    x: { rows: points.length, cols: 1, values: Float64Array.from(points.map((p) => p[0])) },
    y: Uint8Array.from(points.map((p) => p[1])),
  };
}

// Negatives at 0–3 with a positive at 2.5 among them; a negative at 10 next to positives 11–13; negatives 20–23.
const ENN_SET = line([
  [0, 0],
  [1, 0],
  [2, 0],
  [3, 0],
  [10, 0],
  [11, 1],
  [12, 1],
  [13, 1],
  [2.5, 1],
  [20, 0],
  [21, 0],
  [22, 0],
  [23, 0],
]);

describe('editedNearestNeighbours', () => {
  it("golden, kindSel 'all': removes every negative with a positive among its 3 neighbours", () => {
    const got = editedNearestNeighbours(ENN_SET);
    expect(Array.from(got.kept)).toEqual([5, 6, 7, 8, 9, 10, 11, 12]);
    expect(got.removedPerClass).toEqual([5, 0]);
  });

  it("golden, kindSel 'mode': removes only the negative whose neighbours are mostly positive", () => {
    const got = editedNearestNeighbours(ENN_SET, { kindSel: 'mode' });
    expect(Array.from(got.kept)).toEqual([0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(got.removedPerClass).toEqual([1, 0]);
  });

  it("golden, sampling 'all': positives are cleaned too", () => {
    const got = editedNearestNeighbours(ENN_SET, { kindSel: 'mode', sampling: 'all' });
    expect(Array.from(got.kept)).toEqual([0, 1, 2, 3, 5, 6, 7, 9, 10, 11, 12]);
    expect(got.removedPerClass).toEqual([1, 1]);
  });

  it("breaks 'mode' ties towards label 0, as scipy.stats.mode does in imbalanced-learn", () => {
    // k = 2: rows 0–3 each see one negative and one positive neighbour.
    const data = line([
      [0, 0],
      [1, 1],
      [-1, 0],
      [2, 1],
      [5, 0],
      [6, 0],
      [7, 0],
    ]);
    const got = editedNearestNeighbours(data, { k: 2, kindSel: 'mode', sampling: 'all' });
    expect(Array.from(got.kept)).toEqual([0, 2, 4, 5, 6]);
    expect(got.removedPerClass).toEqual([0, 2]);
  });

  it("keeps with 'all' a subset of what 'mode' keeps, and accepts a prebuilt index", () => {
    const random = seededRandom(4);
    const rows = 400;
    const cols = 2;
    const values = new Float64Array(rows * cols);
    const y = new Uint8Array(rows);
    for (let r = 0; r < rows; r++) {
      y[r] = random.next() < 0.2 ? 1 : 0;
      values[r * cols] = random.next() + y[r]! * 0.7;
      values[r * cols + 1] = random.next();
    }
    const data: LabelledData = { x: { rows, cols, values }, y };
    const all = editedNearestNeighbours(data, { index: new ExactNeighborIndex(data.x, { dataBlock: 17 }) });
    const mode = editedNearestNeighbours(data, { kindSel: 'mode' });
    const modeSet = new Set(mode.kept);
    for (const r of all.kept) expect(modeSet.has(r)).toBe(true);
    expect(all.kept.length).toBeLessThan(mode.kept.length);
    expect(all.kept.length + all.removedPerClass[0] + all.removedPerClass[1]).toBe(rows);
    expect(all.removedPerClass[1]).toBe(0);
  });

  it('rejects one-class input and k not below the row count', () => {
    const oneClass = line([
      [0, 0],
      [1, 0],
      [2, 0],
      [3, 0],
    ]);
    expect(() => editedNearestNeighbours(oneClass)).toThrow(
      'edited nearest neighbours needs both classes; got one class only (4 negatives, 0 positives).',
    );
    const tiny = line([
      [0, 0],
      [1, 1],
      [2, 0],
    ]);
    expect(() => editedNearestNeighbours(tiny, { k: 3 })).toThrow(InvalidInputError);
    expect(() => editedNearestNeighbours(tiny, { k: 3 })).toThrow('(3); got k=3. Lower --k.');
    expect(() => editedNearestNeighbours(tiny, { k: 0 })).toThrow(/got k=0/);
  });
});

describe('typeMinority', () => {
  it('types minority rows safe / borderline / rare / outlier by same-class neighbours among 5', () => {
    const data = line([
      // A: six positives together, each sees 5 positives: safe.
      [0, 1],
      [1, 1],
      [2, 1],
      [3, 1],
      [4, 1],
      [5, 1],
      // B: a positive inside negatives: outlier.
      [98, 0],
      [99, 0],
      [100, 1],
      [101, 0],
      [102, 0],
      [103, 0],
      // C: two positives inside negatives, each sees the other: rare.
      [198, 0],
      [199, 0],
      [200, 1],
      [201, 1],
      [202, 0],
      [203, 0],
      [204, 0],
      // D: three positives, each sees 2 positives and 3 negatives: borderline.
      [298, 0],
      [299, 0],
      [300, 1],
      [301, 1],
      [302, 1],
      [303, 0],
      [304, 0],
    ]);
    const got = typeMinority(data);
    expect(Array.from(got.minorityRows)).toEqual([0, 1, 2, 3, 4, 5, 8, 14, 15, 21, 22, 23]);
    expect(Array.from(got.types)).toEqual([0, 0, 0, 0, 0, 0, 3, 2, 2, 1, 1, 1]);
    expect(got.counts).toEqual({ safe: 6, borderline: 3, rare: 2, outlier: 1 });
  });

  it('rejects one-class input', () => {
    expect(() =>
      typeMinority(
        line([
          [0, 1],
          [1, 1],
          [2, 1],
        ]),
        { k: 1 },
      ),
    ).toThrow(/one class/);
  });
});
