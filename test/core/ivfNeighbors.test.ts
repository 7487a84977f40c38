import { describe, it, expect } from 'vitest';
import { ExactNeighborIndex } from '../../core/neighbors/exactNeighbors.js';
import { IvfNeighborIndex } from '../../core/neighbors/ivfNeighbors.js';
import type { NeighborIndex } from '../../core/neighbors/neighborIndex.js';
import { neighbourRecall } from '../../core/neighbors/neighbourRecall.js';
import { seededRandom } from '../../core/random.js';

/** Rows around `clusters` random centres in [−10, 10]^cols, each coordinate off its centre by about N(0, 1). */
function clusteredMatrix(rows: number, cols: number, clusters: number, seed: number): Float64Array {
  const random = seededRandom(seed);
  const centres = Float64Array.from({ length: clusters * cols }, () => random.next() * 20 - 10);
  const v = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const c0 = random.nextInt(clusters) * cols;
    for (let c = 0; c < cols; c++) {
      let noise = -6;
      for (let i = 0; i < 12; i++) noise += random.next();
      v[r * cols + c] = centres[c0 + c]! + noise;
    }
  }
  return v;
}

const everyNth = (rows: number, n: number): Int32Array => Int32Array.from({ length: Math.ceil(rows / n) }, (_, i) => i * n);

/** recall@k of `approx` answering every row in one batch, checked on `sample` against `exact`. */
function batchRecall(approx: NeighborIndex, exact: NeighborIndex, sample: Int32Array, k: number): number {
  const all = approx.queryRows(
    Int32Array.from({ length: approx.rows }, (_, i) => i),
    k,
  );
  const truth = exact.queryRows(sample, k);
  let hits = 0;
  sample.forEach((row, s) => {
    const found = new Set(all.indices.subarray(row * k, row * k + k));
    for (let j = s * k; j < s * k + k; j++) if (found.has(truth.indices[j]!)) hits++;
  });
  return hits / (k * sample.length);
}

describe('IvfNeighborIndex', () => {
  it('reaches recall@5 and recall@6 ≥ 0.95 against exact search on clustered data', () => {
    const x = { rows: 20_000, cols: 16, values: clusteredMatrix(20_000, 16, 40, 1) };
    const exact = new ExactNeighborIndex(x);
    const ivf = new IvfNeighborIndex(x, { seed: 3 });
    // One batch of every row, as ADASYN and ENN query; 2% of it calibrates, so the recall is that of probed answers.
    const sample = everyNth(x.rows, 20);
    for (const k of [5, 6]) {
      expect(batchRecall(ivf, exact, sample, k)).toBeGreaterThanOrEqual(0.95);
      expect(ivf.lastSearch!.estimatedRecall).toBeGreaterThanOrEqual(0.965);
      expect(ivf.lastSearch!.scannedShare).toBeLessThan(0.5);
    }
    // neighbourRecall queries the sample alone, so a large share of it calibrates: an upper estimate.
    expect(neighbourRecall(ivf, exact, sample, 5).recall).toBeGreaterThanOrEqual(0.95);
    ivf.close();
    exact.close();
  });

  it('reaches recall@5 ≥ 0.95 with two-level assignment (≥ 256 lists) on unclustered data', () => {
    const random = seededRandom(5);
    const x = { rows: 30_000, cols: 8, values: Float64Array.from({ length: 30_000 * 8 }, () => random.next()) };
    const exact = new ExactNeighborIndex(x);
    const ivf = new IvfNeighborIndex(x, { lists: 300, seed: 1 });
    expect(ivf.lists).toBe(300);
    expect(batchRecall(ivf, exact, everyNth(x.rows, 30), 5)).toBeGreaterThanOrEqual(0.95);
    ivf.close();
    exact.close();
  });

  it('equals exact search when every list is probed', () => {
    const x = { rows: 2_000, cols: 5, values: clusteredMatrix(2_000, 5, 10, 2) };
    const ids = everyNth(x.rows, 7);
    const ivf = new IvfNeighborIndex(x, { probes: 10_000, candidateMargin: 8 });
    const got = ivf.queryRows(ids, 6);
    const want = new ExactNeighborIndex(x).queryRows(ids, 6);
    expect(Array.from(got.indices)).toEqual(Array.from(want.indices));
    expect(Array.from(got.distances)).toEqual(Array.from(want.distances));
  });

  it('repeats by seed, whatever the thread count, and differs with another seed', () => {
    const x = { rows: 6_000, cols: 6, values: clusteredMatrix(6_000, 6, 12, 3) };
    const ids = everyNth(x.rows, 3);
    const run = (seed: number, threads: number) => {
      const ivf = new IvfNeighborIndex(x, { seed, threads, minWorkPerThread: 0, calibrationQueries: 50, targetRecall: 0.8 });
      const result = ivf.queryRows(ids, 5);
      const report = ivf.lastSearch;
      ivf.close();
      return { indices: Array.from(result.indices), distances: Array.from(result.distances), report };
    };
    const a = run(7, 1);
    expect(run(7, 1)).toEqual(a);
    expect(run(7, 2)).toEqual(a);
    expect(run(8, 1).indices).not.toEqual(a.indices);
  });

  it('keeps the NeighborIndex contract: self excluded, duplicates kept, sorted, exact distances, k bounds', () => {
    // Rows 0 and 3 are duplicates; row 1 and row 2 are 1 away from row 0.
    const x = { rows: 6, cols: 2, values: Float64Array.from([0, 0, 1, 0, 0, 1, 0, 0, 5, 5, 9, 9]) };
    const ivf = new IvfNeighborIndex(x, { lists: 2, probes: 1 });
    expect(ivf.kind).toBe('approximate');
    const self = ivf.queryRows(Int32Array.from([0, 3]), 3);
    expect(Array.from(self.indices)).toEqual([3, 1, 2, 0, 1, 2]);
    expect(Array.from(self.distances)).toEqual([0, 1, 1, 0, 1, 1]);
    const outside = ivf.query(Float64Array.from([0.4, 0, 9, 8.5]), 2, 2);
    expect(Array.from(outside.indices)).toEqual([0, 3, 5, 4]);
    expect(outside.distances[0]).toBeCloseTo(0.16, 12);
    expect(outside.distances[2]).toBeCloseTo(0.25, 12);
    const excluded = ivf.query(Float64Array.from([0, 0]), 1, 2, { excludeSelf: Int32Array.from([0]) });
    expect(Array.from(excluded.indices)).toEqual([3, 1]);
    expect(() => ivf.queryRows(Int32Array.from([0]), 6)).toThrow(
      'k must be an integer from 1 to the number of candidate neighbours (5); got k=6. Lower k.',
    );
    expect(() => ivf.queryRows(Int32Array.from([0]), 0)).toThrow(/got k=0/);
    expect(() => ivf.query(Float64Array.from([0, 0]), 1, 7)).toThrow(/\(6\); got k=7/);
    expect(() => ivf.queryRows(Int32Array.from([6]), 1)).toThrow('row ids must be from 0 to 5; got 6 at position 0.');
    expect(ivf.queryRows(new Int32Array(0), 2).indices.length).toBe(0);
    ivf.close();
  });

  it('rejects bad input with messages that name the parameter', () => {
    const x = { rows: 4, cols: 2, values: Float64Array.from([0, 1, 2, 3, 4, 5, 6, 7]) };
    expect(() => new IvfNeighborIndex({ ...x, values: Float64Array.from([0, 1, 2, NaN, 4, 5, 6, 7]) })).toThrow(
      'feature column 1: expected finite values, got NaN at row 1; impute or drop missing values first.',
    );
    expect(() => new IvfNeighborIndex(x, { lists: 5 })).toThrow('lists must be at most the number of rows (4) and at most 65536; got 5.');
    expect(() => new IvfNeighborIndex(x, { probes: 0 })).toThrow('probes must be an integer ≥ 1; got 0.');
    expect(() => new IvfNeighborIndex(x, { targetRecall: 1.5 })).toThrow('targetRecall must be in (0, 1]; got 1.5.');
  });

  it('handles constant columns and an odd column count', () => {
    const random = seededRandom(9);
    const rows = 500;
    const values = new Float64Array(rows * 3);
    for (let r = 0; r < rows; r++) {
      values[r * 3] = 7;
      values[r * 3 + 1] = random.next();
      values[r * 3 + 2] = random.next() * 1000;
    }
    const x = { rows, cols: 3, values };
    const ids = everyNth(rows, 5);
    const got = new IvfNeighborIndex(x, { probes: 1000, candidateMargin: 8 }).queryRows(ids, 4);
    const want = new ExactNeighborIndex(x).queryRows(ids, 4);
    expect(Array.from(got.indices)).toEqual(Array.from(want.indices));
  });
});
