// Picks exact or HNSW search for a data shape by estimated cost, with an override, and builds the chosen index.

import { InvalidInputError } from '../invalidInputError.js';
import { ExactNeighborIndex, type ExactNeighborOptions } from './exactNeighbors.js';
import { HnswNeighborIndex, type HnswNeighborOptions } from './hnswNeighbors.js';
import type { NeighborIndex, NeighborMatrix } from './neighborIndex.js';

export interface ChooseNeighborIndexOptions {
  /**
   * `'auto'` picks by estimated cost; `'exact'` or `'hnsw'` forces one (for example `--exact`).
   * @default 'auto'
   */
  kind?: 'auto' | 'exact' | 'hnsw';
  /**
   * Query rows expected against the index (ADASYN: the minority rows; ENN: every row).
   * @default rows
   */
  queries?: number;
  /**
   * Exact search throughput on this machine, in distance multiply-adds per second (all threads).
   * @default 2e10 (measured on 2 cores with the SIMD kernel)
   */
  exactMultiplyAddsPerSecond?: number;
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
  /** Options of the HNSW index when it is chosen. */
  hnsw?: HnswNeighborOptions;
}

export interface NeighborIndexChoice {
  kind: 'exact' | 'hnsw';
  /** Estimated seconds of each kind for this shape. */
  exactSeconds: number;
  hnswSeconds: number;
  /** One sentence on why, for logs and stats. */
  reason: string;
}

/**
 * Exact search costs queries × rows × cols multiply-adds; HNSW costs a build linear in rows × cols plus a small
 * cost per query. ADASYN (queries ≈ 1% of rows) almost always goes exact; ENN (queries = rows) goes HNSW from
 * a few hundred thousand rows on.
 */
export function chooseNeighborIndex(rows: number, cols: number, opts: ChooseNeighborIndexOptions = {}): NeighborIndexChoice {
  const kind = opts.kind ?? 'auto';
  if (kind !== 'auto' && kind !== 'exact' && kind !== 'hnsw') {
    throw new InvalidInputError('neighbour index kind', `neighbour index kind must be 'auto', 'exact' or 'hnsw'; got ${String(kind)}.`);
  }
  if (!Number.isInteger(rows) || rows < 1 || !Number.isInteger(cols) || cols < 1) {
    throw new InvalidInputError('shape', `rows and cols must be integers ≥ 1; got ${rows}×${cols}.`);
  }
  const queries = opts.queries ?? rows;
  const exactSeconds = (queries * rows * cols) / (opts.exactMultiplyAddsPerSecond ?? 2e10);
  const hnswSeconds =
    rows * cols * (opts.hnswBuildSecondsPerValue ?? 1e-5) + queries * cols * (opts.hnswQuerySecondsPerValue ?? 3e-6);
  const estimate = `exact ≈ ${exactSeconds.toFixed(1)} s, HNSW ≈ ${hnswSeconds.toFixed(1)} s for ${queries} queries over ${rows}×${cols}`;
  if (kind !== 'auto') return { kind, exactSeconds, hnswSeconds, reason: `${kind} forced; ${estimate}` };
  const pick = exactSeconds <= hnswSeconds ? 'exact' : 'hnsw';
  return { kind: pick, exactSeconds, hnswSeconds, reason: `${pick} is cheaper: ${estimate}` };
}

/** Build the index {@link chooseNeighborIndex} picks for `x`. */
export function createNeighborIndex(x: NeighborMatrix, opts: ChooseNeighborIndexOptions = {}): NeighborIndex {
  const choice = chooseNeighborIndex(x.rows, x.cols, opts);
  return choice.kind === 'exact' ? new ExactNeighborIndex(x, opts.exact) : new HnswNeighborIndex(x, opts.hnsw);
}
