// The k-nearest-neighbour contract shared by the exact blocked search and the HNSW index,
// so ENN, minority typing and ADASYN run unchanged on either.

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
  /**
   * The k nearest indexed rows of each of `q` query points.
   * @param points row-major q×cols query points, with the indexed set's column count
   */
  query(points: Float64Array, q: number, k: number, opts?: NeighborQueryOptions): NeighborResult;
}
