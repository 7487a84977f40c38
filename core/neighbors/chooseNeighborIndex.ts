// Picks exact, IVF or HNSW search for a data shape by estimated cost, with an override, and builds the chosen index.

import { InvalidInputError } from '../invalidInputError.js';
import { ExactNeighborIndex, searchesKdTree, type ExactNeighborOptions } from './exactNeighbors.js';
import { HnswNeighborIndex, type HnswNeighborOptions } from './hnswNeighbors.js';
import { IvfNeighborIndex, type IvfNeighborOptions } from './ivfNeighbors.js';
import type { NeighborIndex, NeighborMatrix } from './neighborIndex.js';

/** A neighbour search the user can ask for: `auto` picks by estimated cost. */
export type NeighborIndexKind = 'auto' | 'exact' | 'hnsw' | 'ivf';

export interface ChooseNeighborIndexOptions {
  /**
   * `'auto'` picks by estimated cost; `'exact'`, `'ivf'` or `'hnsw'` forces one (for example `--exact`).
   * @default 'auto'
   */
  kind?: NeighborIndexKind;
  /**
   * Query rows expected against the index (ADASYN: the minority rows; ENN: every row).
   * @default rows
   */
  queries?: number;
  /**
   * Exact search throughput on this machine, in distance multiply-adds per second (all threads).
   * @default 5e10 (measured on 2 cores with the 16-bit integer screen: 1,950 queries × 200k × 40 in 0.28 s)
   */
  exactMultiplyAddsPerSecond?: number;
  /**
   * IVF throughput in multiply-adds per second (all threads), building and probing alike.
   * @default 4e10 (measured on 2 cores with the 16-bit integer SIMD kernel)
   */
  ivfMultiplyAddsPerSecond?: number;
  /**
   * Share of the rows an IVF query scans at its default recall target.
   * @default 0.2 (measured at recall 0.96 on 1M × 32 standard normal rows, the hard case; clustered data needs less)
   */
  ivfScannedShare?: number;
  /**
   * HNSW build cost in seconds per row and column (hnswlib-node, M = 16, efConstruction = 200, one thread).
   * @default 1e-5 (1M × 32 builds in about 320 s)
   */
  hnswBuildSecondsPerValue?: number;
  /**
   * HNSW query cost in seconds per query and column at ef = 100.
   * @default 3e-6
   */
  hnswQuerySecondsPerValue?: number;
  /** Options of the exact index when it is chosen. */
  exact?: ExactNeighborOptions;
  /** Options of the IVF index when it is chosen. */
  ivf?: IvfNeighborOptions;
  /** Options of the HNSW index when it is chosen. */
  hnsw?: HnswNeighborOptions;
}

export interface NeighborIndexChoice {
  kind: 'exact' | 'hnsw' | 'ivf';
  /** Estimated seconds of each kind for this shape. */
  exactSeconds: number;
  ivfSeconds: number;
  hnswSeconds: number;
  /** One sentence on why, for logs and stats. */
  reason: string;
}

/** Seconds of JavaScript work per indexed value when building an IVF index (range scan, quantisation, layout). */
const IVF_SECONDS_PER_VALUE = 1e-8;
/** IVF k-means: training rows per list and Lloyd iterations (IvfNeighborIndex's defaults), and calibration queries. */
const IVF_TRAINING_ROWS_PER_LIST = 32;
const IVF_ITERATIONS = 8;
const IVF_CALIBRATION_QUERIES = 200;
/**
 * Seconds per query, column and tree level of the exact search's k-d tree (few columns): 245,057 queries over as many
 * rows of 3 columns took 1.35 s on 2 cores (one of them searching).
 */
const KD_TREE_SECONDS_PER_STEP = 1e-7;
/** Most queries, as a share of the rows, for which `auto` considers IVF. */
const IVF_MAX_QUERY_SHARE = 0.1;

/**
 * Exact search costs queries × rows × cols multiply-adds. IVF costs k-means on a sample, one assignment of every row
 * to √rows centroids, then per query a share of the rows. HNSW costs a build linear in rows × cols plus a small cost
 * per query. Under `auto` the cheapest wins, with two limits:
 * - an approximate index replaces exact search only when it at least halves the time and saves a second, since exact
 *   answers are worth a little time;
 * - IVF is a candidate only for few queries (at most a tenth of the rows), the shape it is built for: its queries
 *   still scan a share of all rows, so with as many queries as rows HNSW's logarithmic queries are the safer bet.
 * So ADASYN (queries ≈ 1% of rows) goes exact up to a few hundred thousand rows and IVF beyond; ENN (queries = rows)
 * goes exact, then HNSW from about 1.3 million rows. Over at most KD_TREE_MAX_COLS columns exact search walks a
 * k-d tree, which no approximate index beats.
 */
export function chooseNeighborIndex(rows: number, cols: number, opts: ChooseNeighborIndexOptions = {}): NeighborIndexChoice {
  const kind = opts.kind ?? 'auto';
  if (kind !== 'auto' && kind !== 'exact' && kind !== 'hnsw' && kind !== 'ivf') {
    throw new InvalidInputError(
      'neighbour index kind',
      `neighbour index kind must be 'auto', 'exact', 'ivf' or 'hnsw'; got ${String(kind)}.`,
    );
  }
  if (!Number.isInteger(rows) || rows < 1 || !Number.isInteger(cols) || cols < 1) {
    throw new InvalidInputError('shape', `rows and cols must be integers ≥ 1; got ${rows}×${cols}.`);
  }
  const queries = opts.queries ?? rows;
  // Over few columns the exact search walks a k-d tree (exactNeighbors.ts): a few leaves per query, not every row.
  const exactSeconds = searchesKdTree(cols, opts.exact?.kdTree)
    ? queries * cols * Math.log2(rows + 1) * KD_TREE_SECONDS_PER_STEP
    : (queries * rows * cols) / (opts.exactMultiplyAddsPerSecond ?? 5e10);
  const lists = opts.ivf?.lists ?? Math.max(1, Math.round(Math.sqrt(rows)));
  const trainingRows = Math.min(rows, IVF_TRAINING_ROWS_PER_LIST * lists);
  const ivfWork =
    cols *
    (rows * lists +
      IVF_ITERATIONS * trainingRows * lists +
      (Math.min(queries, IVF_CALIBRATION_QUERIES) + queries * (opts.ivfScannedShare ?? 0.2)) * rows);
  const ivfSeconds = ivfWork / (opts.ivfMultiplyAddsPerSecond ?? 4e10) + rows * cols * IVF_SECONDS_PER_VALUE;
  const hnswSeconds = rows * cols * (opts.hnswBuildSecondsPerValue ?? 1e-5) + queries * cols * (opts.hnswQuerySecondsPerValue ?? 3e-6);
  const estimate = `exact ≈ ${exactSeconds.toFixed(1)} s, HNSW ≈ ${hnswSeconds.toFixed(1)} s, IVF ≈ ${ivfSeconds.toFixed(1)} s for ${queries} queries over ${rows}×${cols}`;
  if (kind !== 'auto') return { kind, exactSeconds, ivfSeconds, hnswSeconds, reason: `${kind} forced; ${estimate}` };
  const approximate = queries <= rows * IVF_MAX_QUERY_SHARE && ivfSeconds <= hnswSeconds ? 'ivf' : 'hnsw';
  const approximateSeconds = approximate === 'ivf' ? ivfSeconds : hnswSeconds;
  const pick = approximateSeconds <= exactSeconds / 2 && exactSeconds - approximateSeconds >= 1 ? approximate : 'exact';
  return { kind: pick, exactSeconds, ivfSeconds, hnswSeconds, reason: `${pick} chosen: ${estimate}` };
}

/** Build the index {@link chooseNeighborIndex} picks for `x`. */
export function createNeighborIndex(x: NeighborMatrix, opts: ChooseNeighborIndexOptions = {}): NeighborIndex {
  const choice = chooseNeighborIndex(x.rows, x.cols, opts);
  switch (choice.kind) {
    case 'exact':
      return new ExactNeighborIndex(x, opts.exact);
    case 'ivf':
      return new IvfNeighborIndex(x, opts.ivf);
    case 'hnsw':
      return new HnswNeighborIndex(x, opts.hnsw);
  }
}
