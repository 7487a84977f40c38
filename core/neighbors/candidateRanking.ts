// The float64 re-rank shared by the exact and IVF indexes: squared distances on the original values, and a
// candidate list kept sorted by distance with ties going to the lower row (so results match a naive search).

import type { MatrixValues } from './neighborIndex.js';

export function squaredDistance(point: MatrixValues, values: MatrixValues, off: number, cols: number): number {
  let d = 0;
  for (let c = 0; c < cols; c++) {
    const diff = point[c]! - values[off + c]!;
    d += diff * diff;
  }
  return d;
}

/** Inserts (d, r) into the first `m` sorted entries of candD/candI; returns the new count, m + 1. */
export function insertCandidate(candD: Float64Array, candI: Int32Array, m: number, d: number, r: number): number {
  let pos = m;
  while (pos > 0 && (candD[pos - 1]! > d || (candD[pos - 1] === d && candI[pos - 1]! > r))) {
    candD[pos] = candD[pos - 1]!;
    candI[pos] = candI[pos - 1]!;
    pos--;
  }
  candD[pos] = d;
  candI[pos] = r;
  return m + 1;
}
