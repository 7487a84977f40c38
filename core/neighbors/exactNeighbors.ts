// Exact k-nearest-neighbour search by blocked brute force: ‖q‖² + ‖x‖² − 2q·x over query×data tiles,
// with a small insertion-sorted top-k buffer per query. Deterministic: equal distances go to the lower row.

import type { FeatureMatrix } from '../dataset.js';
import { InvalidInputError } from '../invalidInputError.js';
import type { NeighborIndex, NeighborQueryOptions, NeighborResult } from './neighborIndex.js';

/** Tile sizes of the blocked search. They change speed only, never results. */
export interface ExactNeighborOptions {
  /**
   * Queries per tile.
   * @default 64
   */
  queryBlock?: number;
  /**
   * Indexed rows per tile; a tile of rows should fit in L2 cache (1024 rows × 32 columns × 8 bytes = 256 KiB).
   * @default 1024
   */
  dataBlock?: number;
}

export class ExactNeighborIndex implements NeighborIndex {
  readonly rows: number;
  readonly cols: number;
  private readonly values: Float64Array;
  private readonly norms: Float64Array;
  private readonly queryBlock: number;
  private readonly dataBlock: number;

  constructor(x: FeatureMatrix, opts: ExactNeighborOptions = {}) {
    const queryBlock = opts.queryBlock ?? 64;
    const dataBlock = opts.dataBlock ?? 1024;
    if (!Number.isInteger(queryBlock) || queryBlock < 1) {
      throw new InvalidInputError('queryBlock', `queryBlock must be an integer ≥ 1; got ${queryBlock}.`);
    }
    if (!Number.isInteger(dataBlock) || dataBlock < 1) {
      throw new InvalidInputError('dataBlock', `dataBlock must be an integer ≥ 1; got ${dataBlock}.`);
    }
    this.rows = x.rows;
    this.cols = x.cols;
    this.values = x.values;
    this.queryBlock = queryBlock;
    this.dataBlock = dataBlock;
    this.norms = new Float64Array(x.rows);
    for (let r = 0; r < x.rows; r++) this.norms[r] = dot(x.values, r * x.cols, x.values, r * x.cols, x.cols);
  }

  query(points: Float64Array, q: number, k: number, opts: NeighborQueryOptions = {}): NeighborResult {
    const { rows, cols, values, norms } = this;
    const excludeSelf = opts.excludeSelf;
    if (!Number.isInteger(q) || q < 0 || points.length < q * cols) {
      throw new InvalidInputError(
        'points',
        `query points must hold q×cols = ${q}×${cols} values; got ${points.length} values for q=${q}.`,
      );
    }
    if (excludeSelf !== undefined && excludeSelf.length < q) {
      throw new InvalidInputError('excludeSelf', `excludeSelf must have one entry per query (${q}); got ${excludeSelf.length}.`);
    }
    let excludesAny = false;
    if (excludeSelf !== undefined) for (let i = 0; i < q; i++) if (excludeSelf[i]! >= 0) excludesAny = true;
    const available = rows - (excludesAny ? 1 : 0);
    if (!Number.isInteger(k) || k < 1 || k > available) {
      throw new InvalidInputError(
        'k',
        `k must be an integer from 1 to the number of candidate neighbours (${available}); got k=${k}. Lower k.`,
      );
    }

    const indices = new Int32Array(q * k);
    const distances = new Float64Array(q * k);
    const filled = new Int32Array(this.queryBlock);
    const queryNorms = new Float64Array(this.queryBlock);
    const tile = new Float64Array(this.dataBlock);

    for (let q0 = 0; q0 < q; q0 += this.queryBlock) {
      const q1 = Math.min(q, q0 + this.queryBlock);
      filled.fill(0);
      for (let qi = q0; qi < q1; qi++) queryNorms[qi - q0] = dot(points, qi * cols, points, qi * cols, cols);
      // Data blocks run in ascending row order, so a later row with an equal distance never displaces an earlier one.
      for (let d0 = 0; d0 < rows; d0 += this.dataBlock) {
        const d1 = Math.min(rows, d0 + this.dataBlock);
        for (let qi = q0; qi < q1; qi++) {
          const qOff = qi * cols;
          const qNorm = queryNorms[qi - q0]!;
          const self = excludeSelf === undefined ? -1 : excludeSelf[qi]!;
          const base = qi * k;
          const last = base + k - 1;
          let count = filled[qi - q0]!;
          dotsAgainstRows(points, qOff, values, d0, d1, cols, tile);
          for (let j = d0; j < d1; j++) {
            if (j === self) continue;
            let dist = qNorm + norms[j]! - 2 * tile[j - d0]!;
            if (dist < 0) dist = 0;
            let pos: number;
            if (count < k) {
              pos = base + count;
              count++;
            } else if (dist < distances[last]!) {
              pos = last;
            } else {
              continue;
            }
            while (pos > base && distances[pos - 1]! > dist) {
              distances[pos] = distances[pos - 1]!;
              indices[pos] = indices[pos - 1]!;
              pos--;
            }
            distances[pos] = dist;
            indices[pos] = j;
          }
          filled[qi - q0] = count;
        }
      }
    }
    return { indices, distances };
  }
}

// q·x for rows d0..d1−1 into out[0..], four rows at a time so each query value is loaded once per four rows.
// Per row the summation order is exactly that of dot().
function dotsAgainstRows(
  p: Float64Array,
  qOff: number,
  v: Float64Array,
  d0: number,
  d1: number,
  cols: number,
  out: Float64Array,
): void {
  let j = d0;
  for (; j + 3 < d1; j += 4) {
    const o0 = j * cols;
    const o1 = o0 + cols;
    const o2 = o1 + cols;
    const o3 = o2 + cols;
    let a0 = 0, a1 = 0, b0 = 0, b1 = 0, c0 = 0, c1 = 0, e0 = 0, e1 = 0;
    let c = 0;
    for (; c + 1 < cols; c += 2) {
      const x0 = p[qOff + c]!;
      const x1 = p[qOff + c + 1]!;
      a0 += x0 * v[o0 + c]!;
      a1 += x1 * v[o0 + c + 1]!;
      b0 += x0 * v[o1 + c]!;
      b1 += x1 * v[o1 + c + 1]!;
      c0 += x0 * v[o2 + c]!;
      c1 += x1 * v[o2 + c + 1]!;
      e0 += x0 * v[o3 + c]!;
      e1 += x1 * v[o3 + c + 1]!;
    }
    if (c < cols) {
      const x0 = p[qOff + c]!;
      a0 += x0 * v[o0 + c]!;
      b0 += x0 * v[o1 + c]!;
      c0 += x0 * v[o2 + c]!;
      e0 += x0 * v[o3 + c]!;
    }
    out[j - d0] = a0 + a1;
    out[j - d0 + 1] = b0 + b1;
    out[j - d0 + 2] = c0 + c1;
    out[j - d0 + 3] = e0 + e1;
  }
  for (; j < d1; j++) out[j - d0] = dot(p, qOff, v, j * cols, cols);
}

// One summation order for norms and cross products, so a point's distance to itself is exactly 0.
function dot(a: Float64Array, aOff: number, b: Float64Array, bOff: number, cols: number): number {
  let s0 = 0;
  let s1 = 0;
  let c = 0;
  for (; c + 1 < cols; c += 2) {
    s0 += a[aOff + c]! * b[bOff + c]!;
    s1 += a[aOff + c + 1]! * b[bOff + c + 1]!;
  }
  if (c < cols) s0 += a[aOff + c]! * b[bOff + c]!;
  return s0 + s1;
}
