// The seeded row subsample kept in a drift reference for KS tests, so a stored reference stays small
// (at most `cap` values per feature) however large the training set.

import { InvalidInputError } from '../invalidInputError.js';
import { seededRandom } from '../random.js';

/**
 * min(n, cap) distinct row indices in [0, n), ascending, drawn uniformly without replacement by a partial
 * Fisher–Yates shuffle seeded with `seed`. All rows, in order, when n ≤ cap.
 */
export function referenceSampleRows(n: number, cap: number, seed: number): Int32Array {
  if (!Number.isInteger(cap) || cap < 1) throw new InvalidInputError('sampleCap', `sampleCap: expected an integer ≥ 1, got ${String(cap)}`);
  if (!Number.isInteger(seed)) throw new InvalidInputError('seed', `seed: expected an integer, got ${String(seed)}`);
  const all = new Int32Array(n);
  for (let i = 0; i < n; i++) all[i] = i;
  if (n <= cap) return all;
  const random = seededRandom(seed);
  for (let i = 0; i < cap; i++) {
    const j = i + random.nextInt(n - i);
    const t = all[i]!;
    all[i] = all[j]!;
    all[j] = t;
  }
  return all.slice(0, cap).sort();
}

/** Values of column `col` (stride `cols`, row-major) at `rows`, ascending, as a JSON-plain array. */
export function sortedColumnSample(values: Float64Array, cols: number, col: number, rows: Int32Array): number[] {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = values[rows[i]! * cols + col]!;
  return Array.from(out.sort());
}
