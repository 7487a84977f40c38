// A NeighborIndex that answers large queries in batches of rows and reports after each one, so a caller that
// must show life during a long search (an activity's heartbeat) is called every few seconds, not once at the end.

import type { MatrixValues, NeighborIndex, NeighborQueryOptions, NeighborResult } from './neighborIndex.js';

/** Called after each batch with the rows answered so far and the rows of the whole query. */
export type NeighbourSearchProgress = (rowsDone: number, rowsTotal: number) => void;

/**
 * Rows per batch. Each query row's answer does not depend on the other rows, so batching changes no result; 4096
 * rows of a 200k × 40 exact search take about a second on one core, and keep the kernel's threads busy.
 */
export const NEIGHBOUR_BATCH_ROWS = 4096;

/** Wraps `index` so `query` and `queryRows` run in batches of `batchRows`, calling `onBatch` after each. */
export function batchedNeighborIndex(
  index: NeighborIndex,
  onBatch: NeighbourSearchProgress,
  batchRows = NEIGHBOUR_BATCH_ROWS,
): NeighborIndex {
  const inBatches = (q: number, k: number, answer: (from: number, to: number) => NeighborResult): NeighborResult => {
    if (q <= batchRows) {
      const whole = answer(0, q);
      onBatch(q, q);
      return whole;
    }
    const indices = new Int32Array(q * k);
    const distances = new Float64Array(q * k);
    for (let from = 0; from < q; from += batchRows) {
      const to = Math.min(q, from + batchRows);
      const part = answer(from, to);
      indices.set(part.indices, from * k);
      distances.set(part.distances, from * k);
      onBatch(to, q);
    }
    return { indices, distances };
  };
  return {
    get rows() {
      return index.rows;
    },
    get cols() {
      return index.cols;
    },
    get kind() {
      return index.kind;
    },
    query(points: MatrixValues, q: number, k: number, opts?: NeighborQueryOptions): NeighborResult {
      const cols = index.cols;
      return inBatches(q, k, (from, to) =>
        index.query(points.subarray(from * cols, to * cols), to - from, k, {
          ...opts,
          ...(opts?.excludeSelf ? { excludeSelf: opts.excludeSelf.subarray(from, to) } : {}),
        }),
      );
    },
    queryRows(rowIds: Int32Array, k: number): NeighborResult {
      return inBatches(rowIds.length, k, (from, to) => index.queryRows(rowIds.subarray(from, to), k));
    },
    close() {
      index.close();
    },
  };
}
