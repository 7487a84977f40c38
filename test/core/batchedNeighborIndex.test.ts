// The batched neighbour index answers exactly as the index it wraps and reports after every batch; ENN reports
// through it without changing what it removes.

import { describe, expect, it } from 'vitest';
import { editedNearestNeighbours } from '../../core/denoise/editedNearestNeighbours.js';
import { batchedNeighborIndex } from '../../core/neighbors/batchedNeighborIndex.js';
import { ExactNeighborIndex } from '../../core/neighbors/exactNeighbors.js';
import { seededRandom } from '../../core/random.js';

function randomRows(rows: number, cols: number, seed: number): Float64Array {
  const random = seededRandom(seed);
  return Float64Array.from({ length: rows * cols }, () => random.next() * 10 - 5);
}

describe('batchedNeighborIndex', () => {
  const rows = 250;
  const cols = 3;
  const values = randomRows(rows, cols, 7);

  it('gives the wrapped index’s neighbours for row queries, in batches, reporting each', () => {
    const index = new ExactNeighborIndex({ rows, cols, values });
    const reports: [number, number][] = [];
    const batched = batchedNeighborIndex(index, (done, total) => reports.push([done, total]), 64);
    const rowIds = Int32Array.from({ length: 200 }, (_, i) => (i * 37) % rows);
    const want = index.queryRows(rowIds, 4);
    const got = batched.queryRows(rowIds, 4);
    expect(Array.from(got.indices)).toEqual(Array.from(want.indices));
    expect(Array.from(got.distances)).toEqual(Array.from(want.distances));
    expect(reports).toEqual([
      [64, 200],
      [128, 200],
      [192, 200],
      [200, 200],
    ]);
    index.close();
  });

  it('passes each batch its own slice of excludeSelf for point queries', () => {
    const index = new ExactNeighborIndex({ rows, cols, values });
    let batches = 0;
    const batched = batchedNeighborIndex(index, () => batches++, 50);
    const q = 120;
    const points = values.subarray(0, q * cols);
    const excludeSelf = Int32Array.from({ length: q }, (_, i) => i);
    const want = index.query(points, q, 3, { excludeSelf });
    const got = batched.query(points, q, 3, { excludeSelf });
    expect(Array.from(got.indices)).toEqual(Array.from(want.indices));
    expect(batches).toBe(3);
    index.close();
  });

  it('lets ENN report progress without changing the rows it removes', () => {
    const random = seededRandom(3);
    const n = 400;
    const y = Uint8Array.from({ length: n }, () => (random.next() < 0.2 ? 1 : 0));
    const data = { x: { rows: n, cols, values: randomRows(n, cols, 11) }, y };
    const plain = editedNearestNeighbours(data, { k: 3 });
    const reports: number[] = [];
    const reported = editedNearestNeighbours(data, { k: 3, onBatch: (done) => reports.push(done) });
    expect(Array.from(reported.kept)).toEqual(Array.from(plain.kept));
    expect(reports.length).toBeGreaterThan(0);
  });
});
