// Feature binning of the gradient-boosted trees: per-feature cut points from quantiles of a row subsample, and the
// feature-major Uint8 bin codes the histograms are built from (missing values get their own, last, bin).

import type { FeatureMatrix } from '../dataset.js';
import type { RandomSource } from '../random.js';

/** Bin code of a missing (NaN) value: past every value bin, so a split can send it either way. */
export const MISSING_BIN = 255;
/** Most value bins per feature (the missing bin comes on top). */
export const MAX_VALUE_BINS = 255;
/** Rows the cut points are computed from at most (a larger training set is subsampled without replacement). */
export const BINNING_SUBSAMPLE = 200_000;

/**
 * Cut points of one feature from its non-missing values (sorted in place): the midpoints between consecutive
 * distinct values when there are at most `maxBins` of them, else the `maxBins − 1` inner quantiles with the
 * midpoint rule (the mean of the two order statistics around each quantile), duplicates dropped.
 * A value v falls in bin b = number of cut points < v, so v ≤ cuts[b] for every b below the last bin.
 */
export function featureCutPoints(values: Float64Array, maxBins: number): number[] {
  values.sort();
  const n = values.length;
  if (n === 0) return [];
  const distinct: number[] = [];
  for (let i = 0; i < n && distinct.length <= maxBins; i++) if (i === 0 || values[i] !== values[i - 1]) distinct.push(values[i]!);
  const cuts: number[] = [];
  if (distinct.length <= maxBins) {
    for (let i = 0; i + 1 < distinct.length; i++) cuts.push((distinct[i]! + distinct[i + 1]!) / 2);
    return cuts;
  }
  for (let q = 1; q < maxBins; q++) {
    const position = (q / maxBins) * (n - 1);
    const cut = (values[Math.floor(position)]! + values[Math.ceil(position)]!) / 2;
    if (cuts.length === 0 || cut > cuts[cuts.length - 1]!) cuts.push(cut);
  }
  return cuts;
}

/** The rows cut points are computed from: all of `rows`, or BINNING_SUBSAMPLE of them drawn with `random`. */
export function binningSample(rows: Int32Array, random: RandomSource): Int32Array {
  if (rows.length <= BINNING_SUBSAMPLE) return rows;
  // Partial Fisher–Yates: the first BINNING_SUBSAMPLE entries are a uniform sample without replacement.
  const copy = Int32Array.from(rows);
  for (let i = 0; i < BINNING_SUBSAMPLE; i++) {
    const j = i + random.nextInt(copy.length - i);
    const t = copy[i]!;
    copy[i] = copy[j]!;
    copy[j] = t;
  }
  return copy.subarray(0, BINNING_SUBSAMPLE);
}

/** Cut points of feature `f` from the rows `chosen` of `x`; `column` is scratch of length ≥ chosen.length. */
export function featureCutPointsOf(x: FeatureMatrix, chosen: Int32Array, f: number, maxBins: number, column: Float64Array): number[] {
  const d = x.cols;
  let k = 0;
  for (let i = 0; i < chosen.length; i++) {
    const v = x.values[chosen[i]! * d + f]!;
    if (!Number.isNaN(v)) column[k++] = v;
  }
  return featureCutPoints(column.subarray(0, k), maxBins);
}

/** Cut points of every feature, from the rows `chosen` of `x` (see `binningSample`). */
export function fitBinEdges(x: FeatureMatrix, chosen: Int32Array, maxBins: number): number[][] {
  const column = new Float64Array(chosen.length);
  return Array.from({ length: x.cols }, (_, f) => featureCutPointsOf(x, chosen, f, maxBins, column));
}

/** Bin of one value: the first cut point ≥ v (binary search), MISSING_BIN for NaN. */
export function binOf(cuts: Float64Array, v: number): number {
  if (Number.isNaN(v)) return MISSING_BIN;
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cuts[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Bin codes of rows `rows` of `x`, feature-major: the code of (feature f, i-th row) is at f · rows.length + i.
 * Written into `codes` when given (of that length).
 */
export function binRows(
  x: FeatureMatrix,
  rows: Int32Array,
  edges: number[][],
  codes: Uint8Array = new Uint8Array(x.cols * rows.length),
): Uint8Array {
  const d = x.cols;
  const n = rows.length;
  const cuts = edges.map((e) => Float64Array.from(e));
  // Row by row: each row's values are read once, in order, rather than one strided pass over the matrix per feature.
  for (let i = 0; i < n; i++) {
    const at = rows[i]! * d;
    for (let f = 0; f < d; f++) codes[f * n + i] = binOf(cuts[f]!, x.values[at + f]!);
  }
  return codes;
}

/** Bin codes of feature `f` alone (what `binRows` writes at f · rows.length + i), for one thread's share. */
export function binFeature(x: FeatureMatrix, rows: Int32Array, cuts: Float64Array, f: number, codes: Uint8Array): void {
  const d = x.cols;
  const base = f * rows.length;
  for (let i = 0; i < rows.length; i++) codes[base + i] = binOf(cuts, x.values[rows[i]! * d + f]!);
}
