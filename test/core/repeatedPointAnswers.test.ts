import { describe, expect, it } from 'vitest';
import { ExactNeighborIndex } from '../../core/neighbors/exactNeighbors.js';
import type { NeighborResult } from '../../core/neighbors/neighborIndex.js';
import { RepeatedPointAnswers } from '../../core/neighbors/repeatedPointAnswers.js';

// Points on a line: rows 0, 1 and 2 at x = 0, rows 3 to 6 at x = 3 to 6. Queries are positions in a batch, each the
// point of row `rows[position]`; the search over them is counted (the rows it searched).
const values = Float64Array.from([0, 0, 0, 3, 4, 5, 6]);
function countedSearch(rows: readonly number[]) {
  const searched: number[] = [];
  const search = (ids: Int32Array, width: number): NeighborResult => {
    searched.push(...Array.from(ids, (id) => rows[id]!));
    const exact = new ExactNeighborIndex({ rows: values.length, cols: 1, values }, { kdTree: false, integerScreen: false });
    const points = Float64Array.from(ids, (id) => values[rows[id]!]!);
    return exact.query(points, ids.length, width);
  };
  const pointOf = (id: number) => values.subarray(rows[id]!, rows[id]! + 1);
  return { searched, search, pointOf };
}

describe('RepeatedPointAnswers', () => {
  it('searches each distinct point once, keeps the answer for later calls, and drops each query its own row', () => {
    const answers = new RepeatedPointAnswers();
    const { searched, search, pointOf } = countedSearch([0, 1, 2]);
    const indices = new Int32Array(3 * 2);
    const distances = new Float64Array(3 * 2);
    const self = Int32Array.from([0, 1, 2]);
    answers.answer([0, 1, 2], 2, 3, self, pointOf, search, indices, distances);
    expect(searched).toEqual([0]);
    // Row 0 without itself: rows 1 and 2; row 1: rows 0 and 2; row 2: rows 0 and 1.
    expect(Array.from(indices)).toEqual([1, 2, 0, 2, 0, 1]);
    answers.answer([0, 1, 2], 2, 3, self, pointOf, search, indices, distances);
    expect(answers.lastSearched).toBe(0);
    expect(searched).toEqual([0]);
  });

  it('keeps nothing past its byte limit (keys and entries counted), and still answers exactly', () => {
    const answers = new RepeatedPointAnswers(100);
    const { searched, search, pointOf } = countedSearch([0, 3]);
    const indices = new Int32Array(2 * 2);
    const distances = new Float64Array(2 * 2);
    for (let call = 0; call < 2; call++) {
      answers.answer([0, 1], 2, 3, Int32Array.from([0, 3]), pointOf, search, indices, distances);
      // Row 0 without itself: rows 1 and 2 (distance 0); row 3 without itself: rows 4 (1) and 5 (4).
      expect(Array.from(indices)).toEqual([1, 2, 4, 5]);
      expect(answers.lastSearched).toBe(2);
    }
    expect(searched).toEqual([0, 3, 0, 3]);
  });

  it('leaves a query with a value that is not finite to the blocked search, with or without the k-d tree', () => {
    const data = Float64Array.from({ length: 80 }, (_, i) => (i * 7) % 13);
    const point = Float64Array.from([Number.NaN, 3]);
    const tree = new ExactNeighborIndex({ rows: 40, cols: 2, values: data }, { kdTree: true });
    const blocked = new ExactNeighborIndex({ rows: 40, cols: 2, values: data }, { kdTree: false });
    expect(Array.from(tree.query(point, 1, 3).indices)).toEqual(Array.from(blocked.query(point, 1, 3).indices));
  });
});
