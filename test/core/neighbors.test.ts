import { describe, it, expect } from 'vitest';
import { ExactNeighborIndex } from '../../core/neighbors/exactNeighbors.js';
import { InvalidInputError } from '../../core/invalidInputError.js';
import { seededRandom } from '../../core/random.js';

function randomMatrix(rows: number, cols: number, seed: number): Float64Array {
  const random = seededRandom(seed);
  const v = new Float64Array(rows * cols);
  for (let i = 0; i < v.length; i++) v[i] = random.next() * 10 - 5;
  return v;
}

/** O(n²) reference: Σ(q − x)², sorted by distance then index. */
function naiveNeighbours(
  data: Float64Array,
  rows: number,
  points: Float64Array,
  q: number,
  cols: number,
  k: number,
  excludeSelf?: Int32Array,
): { indices: number[][]; distances: number[][] } {
  const indices: number[][] = [];
  const distances: number[][] = [];
  for (let i = 0; i < q; i++) {
    const cand: [number, number][] = [];
    for (let j = 0; j < rows; j++) {
      if (excludeSelf !== undefined && excludeSelf[i] === j) continue;
      let d = 0;
      for (let c = 0; c < cols; c++) {
        const diff = points[i * cols + c]! - data[j * cols + c]!;
        d += diff * diff;
      }
      cand.push([d, j]);
    }
    cand.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    indices.push(cand.slice(0, k).map((c) => c[1]));
    distances.push(cand.slice(0, k).map((c) => c[0]));
  }
  return { indices, distances };
}

describe('ExactNeighborIndex', () => {
  // Every row-by-row search, the k-d tree (few columns) and the blocked search (any), must give the naive result.
  describe.each([false, true])('kdTree: %s', (kdTree) => {
    it('returns the same neighbours as a naive O(n²) search, for several tile sizes', () => {
      const rows = 300;
      const cols = 7;
      const q = 130;
      const k = 10;
      const data = randomMatrix(rows, cols, 1);
      const points = randomMatrix(q, cols, 2);
      const expected = naiveNeighbours(data, rows, points, q, cols, k);
      for (const tiles of [{}, { queryBlock: 16, dataBlock: 50 }, { queryBlock: 1, dataBlock: 1 }]) {
        const index = new ExactNeighborIndex({ rows, cols, values: data }, { ...tiles, kdTree });
        const got = index.query(points, q, k);
        for (let i = 0; i < q; i++) {
          expect(Array.from(got.indices.subarray(i * k, i * k + k))).toEqual(expected.indices[i]);
          for (let j = 0; j < k; j++) expect(got.distances[i * k + j]).toBeCloseTo(expected.distances[i]![j]!, 9);
        }
      }
    });

    it('excludes the query row itself and matches the reference on self-queries', () => {
      const rows = 200;
      const cols = 3;
      const k = 6;
      const data = randomMatrix(rows, cols, 3);
      const self = new Int32Array(rows);
      for (let i = 0; i < rows; i++) self[i] = i;
      const index = new ExactNeighborIndex({ rows, cols, values: data }, { queryBlock: 13, dataBlock: 37, kdTree });
      const got = index.query(data, rows, k, { excludeSelf: self });
      const expected = naiveNeighbours(data, rows, data, rows, cols, k, self);
      for (let i = 0; i < rows; i++) {
        expect(Array.from(got.indices.subarray(i * k, i * k + k))).toEqual(expected.indices[i]);
        expect(Array.from(got.indices.subarray(i * k, i * k + k))).not.toContain(i);
      }
    });

    it('breaks distance ties by lower row index, keeps duplicates at distance 0 and sorts ascending', () => {
      // 1-D points: rows 0 and 5 are duplicates of 0; rows 1 and 2 are both at distance 1 from 0.
      const values = Float64Array.from([0, 1, -1, 2, -2, 0]);
      const index = new ExactNeighborIndex({ rows: 6, cols: 1, values }, { kdTree });
      const plain = index.query(Float64Array.from([0]), 1, 4);
      expect(Array.from(plain.indices)).toEqual([0, 5, 1, 2]);
      expect(Array.from(plain.distances)).toEqual([0, 0, 1, 1]);
      const self = index.query(Float64Array.from([0, 0]), 2, 4, { excludeSelf: Int32Array.from([0, 5]) });
      expect(Array.from(self.indices)).toEqual([5, 1, 2, 3, 0, 1, 2, 3]);
      expect(Array.from(self.distances)).toEqual([0, 1, 1, 4, 0, 1, 1, 4]);
    });

    it('computes distances as Σ(q − x)² in float64, so near-identical points are not rounded to a negative or 0', () => {
      // ‖q‖² + ‖x‖² − 2q·x is −1.86e-9 for this pair; the direct sum of squared differences is exact to the last bits.
      const x = Float64Array.from([1847.9081627050562, 1960.5752793583852, 979.8320337114566]);
      const q = Float64Array.from([1847.9081627047674, 1960.575279358531, 979.8320337110069]);
      const got = new ExactNeighborIndex({ rows: 1, cols: 3, values: x }, { kdTree }).query(q, 1, 1);
      let expected = 0;
      for (let c = 0; c < 3; c++) expected += (q[c]! - x[c]!) ** 2;
      expect(got.distances[0]).toBe(expected);
      expect(got.distances[0]).toBeGreaterThan(0);
    });

    it('gives the naive result with worker threads, float32 input and queryRows', () => {
      const rows = 3000;
      const cols = 5;
      const k = 6;
      const data32 = Float32Array.from(randomMatrix(rows, cols, 5));
      const data64 = Float64Array.from(data32);
      const ids = Int32Array.from({ length: 401 }, (_, i) => (i * 7) % rows);
      const points = new Float64Array(ids.length * cols);
      ids.forEach((r, i) => points.set(data64.subarray(r * cols, r * cols + cols), i * cols));
      const expected = naiveNeighbours(data64, rows, points, ids.length, cols, k, ids);
      const index = new ExactNeighborIndex({ rows, cols, values: data32 }, { threads: 2, minWorkPerThread: 0, dataBlock: 100, kdTree });
      try {
        for (const got of [index.queryRows(ids, k), index.query(points, ids.length, k, { excludeSelf: ids })]) {
          for (let i = 0; i < ids.length; i++) {
            expect(Array.from(got.indices.subarray(i * k, i * k + k))).toEqual(expected.indices[i]);
            expect(Array.from(got.distances.subarray(i * k, i * k + k))).toEqual(expected.distances[i]);
          }
        }
      } finally {
        index.close();
      }
    });

    it('stays exact when more rows tie than the float32 pass keeps as candidates', () => {
      // 30 copies of the origin and 30 of (1, 1): the 20 nearest of the origin are all at 0, the lowest rows first.
      const values = new Float64Array(120);
      for (let r = 30; r < 60; r++) values.fill(1, 2 * r, 2 * r + 2);
      const index = new ExactNeighborIndex({ rows: 60, cols: 2, values }, { candidateMargin: 2, kdTree });
      const got = index.query(Float64Array.from([0, 0, 1, 1]), 2, 20, { excludeSelf: Int32Array.from([3, -1]) });
      expect(Array.from(got.indices.subarray(0, 20))).toEqual([0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
      expect(Array.from(got.indices.subarray(20))).toEqual(Array.from({ length: 20 }, (_, i) => 30 + i));
      expect(Array.from(got.distances)).toEqual(new Array<number>(40).fill(0));
    });
  });

  it('rejects non-finite values, naming the column and row', () => {
    expect(() => new ExactNeighborIndex({ rows: 2, cols: 2, values: Float64Array.from([0, 1, 2, NaN]) })).toThrow(
      'feature column 1: expected finite values, got NaN at row 1; impute or drop missing values first.',
    );
  });

  it('rejects k above the number of candidate rows', () => {
    const index = new ExactNeighborIndex({ rows: 3, cols: 1, values: Float64Array.from([0, 1, 2]) });
    expect(() => index.query(Float64Array.from([0]), 1, 4)).toThrow(InvalidInputError);
    expect(() => index.query(Float64Array.from([0]), 1, 3, { excludeSelf: Int32Array.from([0]) })).toThrow(
      /candidate neighbours \(2\); got k=3/,
    );
  });

  it('k-d tree: exact on a small integer grid (ties at every distance, duplicates), k above a leaf, far points', () => {
    // 3,000 rows on a 6 × 6 × 6 grid: every row has dozens of copies and many rows tie at each distance.
    const rows = 3000;
    const cols = 3;
    const random = seededRandom(51);
    const data = Float64Array.from({ length: rows * cols }, () => Math.floor(random.next() * 6));
    const index = new ExactNeighborIndex({ rows, cols, values: data });
    const ids = Int32Array.from({ length: 150 }, (_, i) => i * 20);
    const own = new Float64Array(ids.length * cols);
    ids.forEach((r, i) => own.set(data.subarray(r * cols, r * cols + cols), i * cols));
    const far = Float64Array.from([100, -50, 3, 2.5, 2.5, 2.5, -7, 0, 0]);
    for (const [points, q, self] of [
      [own, ids.length, ids],
      [far, 3, undefined],
    ] as const) {
      for (const k of [1, 4, 40]) {
        const expected = naiveNeighbours(data, rows, points, q, cols, k, self);
        const got = index.query(points, q, k, self ? { excludeSelf: self } : {});
        for (let i = 0; i < q; i++) {
          expect(Array.from(got.indices.subarray(i * k, i * k + k))).toEqual(expected.indices[i]);
          expect(Array.from(got.distances.subarray(i * k, i * k + k))).toEqual(expected.distances[i]);
        }
      }
    }
    const viaRows = index.queryRows(ids, 4);
    const expected = naiveNeighbours(data, rows, own, ids.length, cols, 4, ids);
    for (let i = 0; i < ids.length; i++) expect(Array.from(viaRows.indices.subarray(i * 4, i * 4 + 4))).toEqual(expected.indices[i]);
  });

  describe('integer screen', () => {
    const check = (
      index: ExactNeighborIndex,
      data: Float64Array,
      rows: number,
      cols: number,
      points: Float64Array,
      q: number,
      k: number,
      self?: Int32Array,
    ) => {
      const expected = naiveNeighbours(data, rows, points, q, cols, k, self);
      const got = index.query(points, q, k, self ? { excludeSelf: self } : {});
      for (let i = 0; i < q; i++) {
        expect(Array.from(got.indices.subarray(i * k, i * k + k))).toEqual(expected.indices[i]);
        expect(Array.from(got.distances.subarray(i * k, i * k + k))).toEqual(expected.distances[i]);
      }
    };

    it('gives the naive result on 2 threads, for rows, outside points and points far outside the range', () => {
      const rows = 4000;
      const cols = 9;
      const k = 5;
      const data = randomMatrix(rows, cols, 11);
      const index = new ExactNeighborIndex(
        { rows, cols, values: data },
        { integerScreen: true, threads: 2, minWorkPerThread: 0, kdTree: false },
      );
      try {
        const ids = Int32Array.from({ length: 257 }, (_, i) => (i * 13) % rows);
        const own = new Float64Array(ids.length * cols);
        ids.forEach((r, i) => own.set(data.subarray(r * cols, r * cols + cols), i * cols));
        const viaRows = index.queryRows(ids, k);
        const expected = naiveNeighbours(data, rows, own, ids.length, cols, k, ids);
        for (let i = 0; i < ids.length; i++) expect(Array.from(viaRows.indices.subarray(i * k, i * k + k))).toEqual(expected.indices[i]);
        expect(index.lastUnproven).toBe(0);
        check(index, data, rows, cols, randomMatrix(100, cols, 12), 100, k);
        // Far outside the rows' range: the quantised query is clamped, its measured rounding error is large, the
        // screen proves nothing and the float32 pass answers, still exactly.
        const far = randomMatrix(20, cols, 13).map((v) => v * 1000);
        check(index, data, rows, cols, far, 20, k);
        expect(index.lastUnproven).toBe(20);
      } finally {
        index.close();
      }
    });

    it('stays exact with duplicate rows, ties and a column a thousand times wider than the others', () => {
      const rows = 3000;
      const cols = 6;
      const random = seededRandom(21);
      const data = new Float64Array(rows * cols);
      for (let r = 0; r < rows; r++) {
        const source = r >= 1000 && r < 1400 ? r - 1000 : r; // rows 1000–1399 repeat rows 0–399
        for (let c = 0; c < cols; c++) {
          data[r * cols + c] = source === r ? (c === 0 ? random.next() * 1000 : Math.round(random.next() * 4)) : data[source * cols + c]!;
        }
      }
      const index = new ExactNeighborIndex(
        { rows, cols, values: data },
        { integerScreen: true, candidateMargin: 2, minWorkPerThread: 0, kdTree: false },
      );
      try {
        const ids = Int32Array.from({ length: 300 }, (_, i) => i * 10);
        const own = new Float64Array(ids.length * cols);
        ids.forEach((r, i) => own.set(data.subarray(r * cols, r * cols + cols), i * cols));
        check(index, data, rows, cols, own, ids.length, 4, ids);
        // Rows 0–399 have a duplicate at distance 0 besides themselves; rows with more ties than candidates fall
        // through to the float32 pass.
        check(index, data, rows, cols, own, ids.length, 12, ids);
      } finally {
        index.close();
      }
    });

    it('searches a point repeated more times than it keeps candidates once, across batches, and stays exact', () => {
      // 40 distinct points, each repeated 60 times in scattered rows, plus 600 unique rows: every repeated row has
      // more ties at distance 0 than the screen keeps, so none of them can be proven by it.
      const cols = 3;
      const random = seededRandom(41);
      const distinct = randomMatrix(40, cols, 42);
      const rows = 40 * 60 + 600;
      const data = new Float64Array(rows * cols);
      // order[i]: the row that holds the i-th value (a seeded shuffle), so the repeats are scattered.
      const order = Array.from({ length: rows }, (_, r) => r);
      for (let i = rows - 1; i > 0; i--) {
        const j = Math.floor(random.next() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      order.forEach((r, i) => {
        const from = i < 2400 ? distinct.subarray((i % 40) * cols, (i % 40) * cols + cols) : randomMatrix(1, cols, 1000 + i);
        data.set(from, r * cols);
      });
      const index = new ExactNeighborIndex(
        { rows, cols, values: data },
        { integerScreen: true, minWorkPerThread: 0, candidateMargin: 2, kdTree: false },
      );
      try {
        for (const [from, to] of [
          [0, 1500],
          [1500, rows],
        ] as const) {
          const ids = Int32Array.from({ length: to - from }, (_, i) => from + i);
          const own = new Float64Array(ids.length * cols);
          ids.forEach((r, i) => own.set(data.subarray(r * cols, r * cols + cols), i * cols));
          check(index, data, rows, cols, own, ids.length, 5, ids);
          const repeatedRows = ids.filter((r) => order.indexOf(r) < 2400).length;
          expect(index.lastUnproven).toBeGreaterThanOrEqual(repeatedRows);
          // Only points not answered in an earlier batch are searched: at most the 40 repeated ones and the
          // unique rows the screen could not prove; the second batch reuses the first's answers.
          expect(index.lastSearched).toBeLessThanOrEqual(40 + (index.lastUnproven - repeatedRows));
          if (from > 0) expect(index.lastSearched).toBeLessThanOrEqual(index.lastUnproven - repeatedRows);
        }
        // Points given from outside, without excluding any row, are answered from the same kind of kept answers.
        const outside = distinct.slice(0, 5 * cols);
        check(index, data, rows, cols, outside, 5, 7);
      } finally {
        index.close();
      }
    });

    it('gives the same results with and without the screen, and the screen proves typical queries', () => {
      const rows = 20_000;
      const cols = 16;
      const data = randomMatrix(rows, cols, 31);
      const ids = Int32Array.from({ length: 500 }, (_, i) => i * 40);
      const screened = new ExactNeighborIndex({ rows, cols, values: data }, { integerScreen: true, threads: 2, minWorkPerThread: 0 });
      const plain = new ExactNeighborIndex({ rows, cols, values: data }, { integerScreen: false });
      try {
        const a = screened.queryRows(ids, 6);
        expect(screened.lastUnproven).toBeLessThan(ids.length / 100);
        const b = plain.queryRows(ids, 6);
        expect(Array.from(a.indices)).toEqual(Array.from(b.indices));
        expect(Array.from(a.distances)).toEqual(Array.from(b.distances));
      } finally {
        screened.close();
        plain.close();
      }
    });
  });
});
