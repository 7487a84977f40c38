// Approximate k-nearest-neighbour search with hnswlib-node's HNSW graph (Malkov & Yashunin 2018), behind the
// NeighborIndex contract, for inputs too large for the exact search's quadratic cost.

import hnswlib from 'hnswlib-node';
import { InvalidInputError } from '../invalidInputError.js';
import type { MatrixValues, NeighborIndex, NeighborMatrix, NeighborQueryOptions, NeighborResult } from './neighborIndex.js';
import { assertNeighborMatrix, assertNeighbourCount, assertQueryPoints, assertRowIds, excludesAnyRow } from './neighborIndex.js';
import { assertFiniteFeatures } from '../dataset.js';
import type { NeighbourSearchProgress } from './batchedNeighborIndex.js';

/** HNSW graph parameters; see hnswlib's ALGO_PARAMS for their trade-offs. */
export interface HnswNeighborOptions {
  /**
   * M: graph links per node. More raises recall and memory (about M × 8 bytes per row) and slows the build.
   * @default 16
   */
  m?: number;
  /**
   * efConstruction: candidate list size while inserting. More builds a better graph, more slowly.
   * @default 200
   */
  efConstruction?: number;
  /**
   * ef: candidate list size while searching; raised to k + 1 when lower. More raises recall, more slowly.
   * @default 100
   */
  ef?: number;
  /** Called after every 4096 rows added to the graph. @default none */
  onBatch?: NeighbourSearchProgress;
  /**
   * Seed of the graph's level draws; with the same seed and input the graph, and so every answer, repeats.
   * @default 100
   */
  seed?: number;
}

/**
 * HNSW index over all rows, built at construction (one point per call: hnswlib-node has no batch insert).
 * Distances are hnswlib's squared L2 in float32; neighbours of a query are re-sorted by (distance, row) so equal
 * distances go to the lower row, as in the exact index.
 *
 * References: Y. A. Malkov and D. A. Yashunin, "Efficient and robust approximate nearest neighbor search using
 * Hierarchical Navigable Small World graphs", IEEE TPAMI 42(4), 824–836, 2018.
 */
export class HnswNeighborIndex implements NeighborIndex {
  readonly rows: number;
  readonly cols: number;
  readonly kind = 'approximate' as const;
  /** Seconds the graph took to build. */
  readonly buildSeconds: number;
  private readonly graph: hnswlib.HierarchicalNSW;
  private readonly values: MatrixValues;
  private readonly ef: number;

  constructor(x: NeighborMatrix, opts: HnswNeighborOptions = {}) {
    const m = opts.m ?? 16;
    const efConstruction = opts.efConstruction ?? 200;
    const ef = opts.ef ?? 100;
    const seed = opts.seed ?? 100;
    for (const [name, v] of [
      ['m', m],
      ['efConstruction', efConstruction],
      ['ef', ef],
    ] as const) {
      if (!Number.isInteger(v) || v < 1) throw new InvalidInputError(name, `${name} must be an integer ≥ 1; got ${v}.`);
    }
    if (!Number.isInteger(seed) || seed < 0) throw new InvalidInputError('seed', `seed must be an integer ≥ 0; got ${seed}.`);
    const { rows, cols, values } = assertNeighborMatrix(x);
    assertFiniteFeatures(x, 'impute or drop missing values first');
    this.rows = rows;
    this.cols = cols;
    this.values = values;
    this.ef = ef;
    const started = performance.now();
    this.graph = new hnswlib.HierarchicalNSW('l2', cols);
    this.graph.initIndex(rows, m, efConstruction, seed);
    const point = new Array<number>(cols);
    for (let r = 0; r < rows; r++) {
      const off = r * cols;
      for (let c = 0; c < cols; c++) point[c] = values[off + c]!;
      this.graph.addPoint(point, r);
      if (opts.onBatch && (r + 1) % 4096 === 0) opts.onBatch(r + 1, rows);
    }
    this.graph.setEf(ef);
    this.buildSeconds = (performance.now() - started) / 1000;
  }

  query(points: MatrixValues, q: number, k: number, opts: NeighborQueryOptions = {}): NeighborResult {
    const { cols } = this;
    const excludeSelf = opts.excludeSelf;
    assertQueryPoints(points, q, cols, excludeSelf);
    return this.search(q, k, excludeSelf, (i) => points.subarray(i * cols, i * cols + cols));
  }

  queryRows(rowIds: Int32Array, k: number): NeighborResult {
    const { rows, cols, values } = this;
    assertRowIds(rowIds, rows);
    return this.search(rowIds.length, k, rowIds, (i) => values.subarray(rowIds[i]! * cols, rowIds[i]! * cols + cols));
  }

  close(): void {
    // hnswlib-node frees the graph with its JS object; nothing to stop.
  }

  private search(q: number, k: number, excludeSelf: Int32Array | undefined, row: (i: number) => MatrixValues): NeighborResult {
    const excludesAny = excludesAnyRow(excludeSelf, q);
    assertNeighbourCount(this.rows, k, excludesAny);
    const ask = Math.min(this.rows, k + (excludesAny ? 1 : 0));
    if (this.ef < ask) this.graph.setEf(ask);
    const indices = new Int32Array(q * k);
    const distances = new Float64Array(q * k);
    const point = new Array<number>(this.cols);
    const order = new Int32Array(ask);
    for (let i = 0; i < q; i++) {
      const values = row(i);
      for (let c = 0; c < this.cols; c++) point[c] = values[c]!;
      const found = this.graph.searchKnn(point, ask);
      const self = excludeSelf === undefined ? -1 : excludeSelf[i]!;
      const n = found.neighbors.length;
      for (let j = 0; j < n; j++) order[j] = j;
      const sorted = order
        .subarray(0, n)
        .sort((a, b) => found.distances[a]! - found.distances[b]! || found.neighbors[a]! - found.neighbors[b]!);
      let at = i * k;
      for (let j = 0; j < n && at < i * k + k; j++) {
        const r = found.neighbors[sorted[j]!]!;
        if (r === self) continue;
        indices[at] = r;
        distances[at] = found.distances[sorted[j]!]!;
        at++;
      }
      if (at < i * k + k) {
        throw new Error(`HNSW returned ${at - i * k} of ${k} neighbours for query ${i}; raise ef.`);
      }
    }
    if (this.ef < ask) this.graph.setEf(this.ef);
    return { indices, distances };
  }
}
