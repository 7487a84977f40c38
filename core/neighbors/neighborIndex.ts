// The k-nearest-neighbour contract shared by the exact blocked search and the HNSW index,
// so ENN, minority typing and ADASYN run unchanged on either.

import { InvalidInputError } from '../invalidInputError.js';

/** Row-major values of a matrix; either precision is accepted by every index. */
export type MatrixValues = Float32Array | Float64Array;

/** A dense row-major matrix in either precision: value of (row r, column c) is `values[r * cols + c]`. */
export interface NeighborMatrix {
  rows: number;
  cols: number;
  values: MatrixValues;
}

/** Per-call options of {@link NeighborIndex.query}. */
export interface NeighborQueryOptions {
  /**
   * For each query, the row number of the query point itself in the indexed set, or -1 when the query is
   * not an indexed row. That row is never returned, even when duplicates sit at distance 0.
   * @default no row is excluded
   */
  excludeSelf?: Int32Array;
}

/** k nearest neighbours of q queries, row-major q×k, each row sorted by distance ascending. */
export interface NeighborResult {
  /** Row numbers in the indexed set. */
  indices: Int32Array;
  /** Squared euclidean distances, same layout as `indices`. */
  distances: Float64Array;
}

export interface NeighborIndex {
  /** Indexed rows. */
  readonly rows: number;
  /** Columns of every indexed row and query point. */
  readonly cols: number;
  /** `'exact'` results equal a naive search with ties to the lower row; `'approximate'` ones may miss neighbours. */
  readonly kind: 'exact' | 'approximate';
  /**
   * The k nearest indexed rows of each of `q` query points.
   * @param points row-major q×cols query points, with the indexed set's column count
   */
  query(points: MatrixValues, q: number, k: number, opts?: NeighborQueryOptions): NeighborResult;
  /** The k nearest rows of the indexed rows `rowIds`, each excluding itself: the batch self-query of ENN and ADASYN. */
  queryRows(rowIds: Int32Array, k: number): NeighborResult;
  /** Release worker threads or native memory. The index must not be queried afterwards. */
  close(): void;
}

/** The matrix an index is built over, checked once: at least one row and column, and rows × cols values. */
export function assertNeighborMatrix(x: NeighborMatrix): NeighborMatrix {
  const { rows, cols, values } = x;
  if (!Number.isInteger(rows) || rows < 1 || !Number.isInteger(cols) || cols < 1 || values.length < rows * cols) {
    throw new InvalidInputError(
      'feature matrix',
      `a neighbour index needs at least 1 row and 1 column with rows×cols values; got ${rows}×${cols} and ${values.length} values.`,
    );
  }
  return x;
}

/** Query points of `query`: q rows of `cols` values, and one excludeSelf entry per query when given. */
/** Whether any query row excludes itself (a row id ≥ 0 in `excludeSelf`). */
export function excludesAnyRow(excludeSelf: Int32Array | undefined, q: number): boolean {
  if (excludeSelf !== undefined) for (let i = 0; i < q; i++) if (excludeSelf[i]! >= 0) return true;
  return false;
}

export function assertQueryPoints(points: MatrixValues, q: number, cols: number, excludeSelf: Int32Array | undefined): void {
  if (!Number.isInteger(q) || q < 0 || points.length < q * cols) {
    throw new InvalidInputError('points', `query points must hold q×cols = ${q}×${cols} values; got ${points.length} values for q=${q}.`);
  }
  if (excludeSelf !== undefined && excludeSelf.length < q) {
    throw new InvalidInputError('excludeSelf', `excludeSelf must have one entry per query (${q}); got ${excludeSelf.length}.`);
  }
}

/** Row ids of `queryRows`: integers in [0, rows). */
export function assertRowIds(rowIds: Int32Array, rows: number): void {
  for (let i = 0; i < rowIds.length; i++) {
    const r = rowIds[i]!;
    if (!Number.isInteger(r) || r < 0 || r >= rows) {
      throw new InvalidInputError('rowIds', `row ids must be from 0 to ${rows - 1}; got ${r} at position ${i}.`);
    }
  }
}

/**
 * The checks of a `query` call: the points' shape, one excludeSelf entry per query, k within range. Returns whether
 * any query excludes a row of its own.
 */
export function assertPointQuery(
  index: { rows: number; cols: number },
  points: MatrixValues,
  q: number,
  k: number,
  excludeSelf: Int32Array | undefined,
): boolean {
  assertQueryPoints(points, q, index.cols, excludeSelf);
  const excludesAny = excludesAnyRow(excludeSelf, q);
  assertNeighbourCount(index.rows, k, excludesAny);
  return excludesAny;
}

/** k within 1 .. the rows a query can return (one fewer when it excludes a row of its own). */
export function assertNeighbourCount(rows: number, k: number, excludesAny: boolean): void {
  const available = rows - (excludesAny ? 1 : 0);
  if (!Number.isInteger(k) || k < 1 || k > available) {
    throw new InvalidInputError(
      'k',
      `k must be an integer from 1 to the number of candidate neighbours (${available}); got k=${k}. Lower k.`,
    );
  }
}
