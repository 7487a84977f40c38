// Exact k-nearest-neighbour search over few columns with a k-d tree (Bentley, 1975; Friedman, Bentley & Finkel,
// 1977): with two to a handful of columns a query visits a few leaves instead of every row, where the blocked
// search of exactNeighbors.ts does rows × cols work per query with SIMD lanes mostly idle. Results equal a naive
// search: float64 distances summed in column order (candidateRanking.ts), ties to the lower row.

import { insertCandidate, squaredDistance } from './candidateRanking.js';
import type { MatrixValues, NeighborResult } from './neighborIndex.js';

/** Rows per leaf. */
const LEAF_ROWS = 16;

export class KdTreeSearch {
  /** Row numbers, grouped so that every node holds a contiguous range of them. */
  private readonly order: Int32Array;
  /** Per node: its range in `order`, its children (−1 for a leaf) and its bounding box. */
  private readonly start: Int32Array;
  private readonly end: Int32Array;
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;

  constructor(
    private readonly values: MatrixValues,
    private readonly rows: number,
    private readonly cols: number,
  ) {
    const maxNodes = 2 * Math.ceil(rows / LEAF_ROWS) * 2 + 1;
    this.order = Int32Array.from({ length: rows }, (_, r) => r);
    this.start = new Int32Array(maxNodes);
    this.end = new Int32Array(maxNodes);
    this.left = new Int32Array(maxNodes).fill(-1);
    this.right = new Int32Array(maxNodes).fill(-1);
    this.lo = new Float64Array(maxNodes * cols);
    this.hi = new Float64Array(maxNodes * cols);
    let nodes = 1;
    this.end[0] = rows;
    const stack = [0];
    while (stack.length > 0) {
      const node = stack.pop()!;
      const from = this.start[node]!;
      const to = this.end[node]!;
      const widest = this.fitBox(node, from, to);
      if (to - from <= LEAF_ROWS || widest < 0) continue;
      const mid = (from + to) >> 1;
      this.selectNth(from, to, mid, widest);
      const l = nodes++;
      const r = nodes++;
      this.start[l] = from;
      this.end[l] = mid;
      this.start[r] = mid;
      this.end[r] = to;
      this.left[node] = l;
      this.right[node] = r;
      stack.push(l, r);
    }
  }

  /**
   * The k nearest rows of each of `q` queries, excluding row `excludeSelf[i]` (−1: none), sorted by (distance, row).
   */
  search(q: number, k: number, excludeSelf: Int32Array | undefined, queryValues: (i: number) => MatrixValues): NeighborResult {
    const indices = new Int32Array(q * k);
    const distances = new Float64Array(q * k);
    const candD = new Float64Array(k + 1);
    const candI = new Int32Array(k + 1);
    const stack: number[] = [];
    const { cols, values, order } = this;
    for (let i = 0; i < q; i++) {
      const point = queryValues(i);
      const self = excludeSelf === undefined ? -1 : excludeSelf[i]!;
      let m = 0;
      stack.length = 0;
      stack.push(0);
      while (stack.length > 0) {
        const node = stack.pop()!;
        // A box strictly farther than the k-th candidate holds no row that can enter; an equal one may hold a lower row.
        if (m === k && this.boxDistance(node, point) > candD[k - 1]!) continue;
        const l = this.left[node]!;
        if (l < 0) {
          for (let j = this.start[node]!; j < this.end[node]!; j++) {
            const r = order[j]!;
            if (r === self) continue;
            const d = squaredDistance(point, values, r * cols, cols);
            if (m === k && (d > candD[k - 1]! || (d === candD[k - 1]! && r > candI[k - 1]!))) continue;
            m = Math.min(k, insertCandidate(candD, candI, m, d, r));
          }
          continue;
        }
        // The nearer child last, so it is searched first.
        const r = this.right[node]!;
        if (this.boxDistance(l, point) <= this.boxDistance(r, point)) stack.push(r, l);
        else stack.push(l, r);
      }
      distances.set(candD.subarray(0, k), i * k);
      indices.set(candI.subarray(0, k), i * k);
    }
    return { indices, distances };
  }

  /**
   * Squared distance from `point` to the node's box, summed as squaredDistance sums: never above the distance of a
   * row inside it (each term is the square of a difference no larger in magnitude, and rounding keeps that order).
   */
  private boxDistance(node: number, point: MatrixValues): number {
    const { cols, lo, hi } = this;
    let d = 0;
    for (let c = 0, at = node * cols; c < cols; c++, at++) {
      const v = point[c]!;
      const below = lo[at]! - v;
      const above = v - hi[at]!;
      if (below > 0) d += below * below;
      else if (above > 0) d += above * above;
    }
    return d;
  }

  /** Sets the node's box from its rows; returns the column of widest spread, or −1 when all its rows are equal. */
  private fitBox(node: number, from: number, to: number): number {
    const { cols, values, order, lo, hi } = this;
    const base = node * cols;
    lo.fill(Infinity, base, base + cols);
    hi.fill(-Infinity, base, base + cols);
    for (let j = from; j < to; j++) {
      const off = order[j]! * cols;
      for (let c = 0; c < cols; c++) {
        const v = values[off + c]!;
        if (v < lo[base + c]!) lo[base + c] = v;
        if (v > hi[base + c]!) hi[base + c] = v;
      }
    }
    let widest = -1;
    let spread = 0;
    for (let c = 0; c < cols; c++) {
      const s = hi[base + c]! - lo[base + c]!;
      if (s > spread) {
        spread = s;
        widest = c;
      }
    }
    return widest;
  }

  /** Reorders order[from, to) so that the row at `nth` has the nth-smallest value in column `col` (Hoare's select). */
  private selectNth(from: number, to: number, nth: number, col: number): void {
    const { cols, values, order } = this;
    const at = (j: number) => values[order[j]! * cols + col]!;
    let lo = from;
    let hi = to - 1;
    while (hi > lo) {
      const pivot = at((lo + hi) >> 1);
      let i = lo;
      let j = hi;
      while (i <= j) {
        while (at(i) < pivot) i++;
        while (at(j) > pivot) j--;
        if (i <= j) {
          const t = order[i]!;
          order[i] = order[j]!;
          order[j] = t;
          i++;
          j--;
        }
      }
      if (nth <= j) hi = j;
      else if (nth >= i) lo = i;
      else return;
    }
  }
}
