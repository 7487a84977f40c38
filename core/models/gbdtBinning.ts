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

/**
 * Cut points of every feature, from the rows `rows` of `x` (all of them, or a subsample of BINNING_SUBSAMPLE drawn
 * with `random` when there are more).
 */
export function fitBinEdges(x: FeatureMatrix, rows: Int32Array, maxBins: number, random: RandomSource): number[][] {
  let chosen = rows;
  if (rows.length > BINNING_SUBSAMPLE) {
    // Partial Fisher–Yates: the first BINNING_SUBSAMPLE entries are a uniform sample without replacement.
    const copy = Int32Array.from(rows);
    for (let i = 0; i < BINNING_SUBSAMPLE; i++) {
      const j = i + random.nextInt(copy.length - i);
      const t = copy[i]!;
      copy[i] = copy[j]!;
      copy[j] = t;
    }
    chosen = copy.subarray(0, BINNING_SUBSAMPLE);
  }
  const d = x.cols;
  const column = new Float64Array(chosen.length);
  const edges: number[][] = [];
  for (let f = 0; f < d; f++) {
    let k = 0;
    for (let i = 0; i < chosen.length; i++) {
      const v = x.values[chosen[i]! * d + f]!;
      if (!Number.isNaN(v)) column[k++] = v;
    }
    edges.push(featureCutPoints(column.subarray(0, k), maxBins));
  }
  return edges;
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
