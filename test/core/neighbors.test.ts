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
  it('returns the same neighbours as a naive O(n²) search, for several tile sizes', () => {
    const rows = 300;
    const cols = 7;
    const q = 130;
    const k = 10;
    const data = randomMatrix(rows, cols, 1);
    const points = randomMatrix(q, cols, 2);
    const expected = naiveNeighbours(data, rows, points, q, cols, k);
    for (const tiles of [{}, { queryBlock: 16, dataBlock: 50 }, { queryBlock: 1, dataBlock: 1 }]) {
      const index = new ExactNeighborIndex({ rows, cols, values: data }, tiles);
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
    const index = new ExactNeighborIndex({ rows, cols, values: data }, { queryBlock: 13, dataBlock: 37 });
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
    const index = new ExactNeighborIndex({ rows: 6, cols: 1, values });
    const plain = index.query(Float64Array.from([0]), 1, 4);
    expect(Array.from(plain.indices)).toEqual([0, 5, 1, 2]);
    expect(Array.from(plain.distances)).toEqual([0, 0, 1, 1]);
    const self = index.query(Float64Array.from([0, 0]), 2, 4, { excludeSelf: Int32Array.from([0, 5]) });
    expect(Array.from(self.indices)).toEqual([5, 1, 2, 3, 0, 1, 2, 3]);
    expect(Array.from(self.distances)).toEqual([0, 1, 1, 4, 0, 1, 1, 4]);
  });

  it('clamps rounding noise to non-negative distances', () => {
    // Without the clamp, ‖q‖² + ‖x‖² − 2q·x is −1.86e-9 for this pair of near-identical points.
    const x = Float64Array.from([1847.9081627050562, 1960.5752793583852, 979.8320337114566]);
    const q = Float64Array.from([1847.9081627047674, 1960.575279358531, 979.8320337110069]);
    const got = new ExactNeighborIndex({ rows: 1, cols: 3, values: x }).query(q, 1, 1);
    expect(got.distances[0]).toBe(0);
  });

  it('rejects k above the number of candidate rows', () => {
    const index = new ExactNeighborIndex({ rows: 3, cols: 1, values: Float64Array.from([0, 1, 2]) });
    expect(() => index.query(Float64Array.from([0]), 1, 4)).toThrow(InvalidInputError);
    expect(() => index.query(Float64Array.from([0]), 1, 3, { excludeSelf: Int32Array.from([0]) })).toThrow(
      /candidate neighbours \(2\); got k=3/,
    );
  });
});
