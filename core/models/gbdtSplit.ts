// Gradient/hessian histograms of a tree node and the best split they allow (the gain of the second-order
// logistic-loss expansion), with a learned direction for missing values.

import { MISSING_BIN } from './gbdtBinning.js';

/** Bins per feature in a histogram: every value bin a feature can have, plus the missing bin. */
export const HISTOGRAM_BINS = MISSING_BIN + 1;

/**
 * Per (feature, bin) sums of a node's rows: gradient and hessian interleaved (at 2·i and 2·i + 1, so one cache line
 * serves both) and the row count (at i), where i = f · HISTOGRAM_BINS + bin. `slot` is its place in the
 * histogram memory (gbdtHistograms.ts), by which a worker thread finds it.
 */
export interface NodeHistogram {
  sums: Float64Array;
  count: Int32Array;
  slot: number;
}

/**
 * Fills features `firstFeature..endFeature−1` of `out` (zeroed here) from the rows `rowIndex[start..end)`; `codes` is
 * feature-major over `n` rows. `gradient` and `hessian` hold the node's rows in node order (the k-th row's at k);
 * `rowsInOrder` says the node's rows are 0..n−1 in order (the root), so the codes are read without the row index.
 * Each feature's bins are summed in row order whatever the feature range, so any split of the features among
 * threads gives the same sums.
 */
export function buildHistogram(
  out: NodeHistogram,
  codes: Uint8Array,
  n: number,
  rowIndex: Int32Array,
  start: number,
  end: number,
  gradient: Float64Array,
  hessian: Float64Array,
  rowsInOrder: boolean,
  firstFeature: number,
  endFeature: number,
): void {
  const { sums, count } = out;
  sums.fill(0, 2 * firstFeature * HISTOGRAM_BINS, 2 * endFeature * HISTOGRAM_BINS);
  count.fill(0, firstFeature * HISTOGRAM_BINS, endFeature * HISTOGRAM_BINS);
  const m = end - start;
  for (let f = firstFeature; f < endFeature; f++) {
    const base = f * n;
    const off = f * HISTOGRAM_BINS;
    if (rowsInOrder) {
      for (let k = 0; k < m; k++) {
        const b = off + codes[base + k]!;
        sums[2 * b]! += gradient[k]!;
        sums[2 * b + 1]! += hessian[k]!;
        count[b]!++;
      }
    } else {
      for (let k = 0; k < m; k++) {
        const b = off + codes[base + rowIndex[start + k]!]!;
        sums[2 * b]! += gradient[k]!;
        sums[2 * b + 1]! += hessian[k]!;
        count[b]!++;
      }
    }
  }
}

/** `parent` − `child` into `parent` (the sibling's histogram, without another pass over its rows). */
export function subtractHistogram(parent: NodeHistogram, child: NodeHistogram): NodeHistogram {
  for (let i = 0; i < parent.sums.length; i++) parent.sums[i]! -= child.sums[i]!;
  for (let i = 0; i < parent.count.length; i++) parent.count[i]! -= child.count[i]!;
  return parent;
}

export interface SplitConstraints {
  minSamplesLeaf: number;
  /** Smallest hessian sum a child may have (scikit-learn's min_hessian_to_split). */
  minHessian: number;
  l2: number;
}

/** The best split of a node: rows with bin ≤ `bin` go left; missing ones go left when `missingLeft`. */
export interface NodeSplit {
  gain: number;
  feature: number;
  bin: number;
  missingLeft: boolean;
  leftCount: number;
  leftGradient: number;
  leftHessian: number;
}

/**
 * Best split over every feature of a node with the given totals, or null when no split keeps both children at
 * `minSamplesLeaf` rows and `minHessian` and improves the loss. Gain (up to a factor ½) is
 * G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ). Each feature is scanned with missing values on the right (including the
 * split of the missing rows from all others) and, when the node has missing values, with them on the left. A node
 * without missing values of the feature sends them, at prediction, to the child with more rows. Ties keep the first
 * found (lowest feature, lowest bin, missing right).
 */
export function bestSplit(
  hist: NodeHistogram,
  valueBins: Int32Array,
  total: { gradient: number; hessian: number; count: number },
  c: SplitConstraints,
): NodeSplit | null {
  const { sums, count } = hist;
  const parentScore = (total.gradient * total.gradient) / (total.hessian + c.l2);
  let best: NodeSplit | null = null;
  let bestGain = 0;
  const consider = (f: number, bin: number, missingLeft: boolean, cl: number, gl: number, hl: number): void => {
    const cr = total.count - cl;
    const hr = total.hessian - hl;
    if (cl < c.minSamplesLeaf || cr < c.minSamplesLeaf || hl < c.minHessian || hr < c.minHessian) return;
    const gr = total.gradient - gl;
    const gain = (gl * gl) / (hl + c.l2) + (gr * gr) / (hr + c.l2) - parentScore;
    if (gain > bestGain) {
      bestGain = gain;
      best = { gain, feature: f, bin, missingLeft, leftCount: cl, leftGradient: gl, leftHessian: hl };
    }
  };
  for (let f = 0; f < valueBins.length; f++) {
    const off = f * HISTOGRAM_BINS;
    const bins = valueBins[f]!;
    const missingCount = count[off + MISSING_BIN]!;
    const missingGradient = sums[2 * (off + MISSING_BIN)]!;
    const missingHessian = sums[2 * (off + MISSING_BIN) + 1]!;
    // Missing values right; with missing rows present, also the split of them from all the rest (bin = bins − 1).
    let cl = 0;
    let gl = 0;
    let hl = 0;
    const lastRight = missingCount > 0 ? bins : bins - 1;
    for (let b = 0; b < lastRight; b++) {
      cl += count[off + b]!;
      gl += sums[2 * (off + b)]!;
      hl += sums[2 * (off + b) + 1]!;
      if (missingCount > 0) consider(f, b, false, cl, gl, hl);
      else consider(f, b, 2 * cl >= total.count, cl, gl, hl);
    }
    if (missingCount === 0) continue;
    cl = missingCount;
    gl = missingGradient;
    hl = missingHessian;
    for (let b = 0; b < bins - 1; b++) {
      cl += count[off + b]!;
      gl += sums[2 * (off + b)]!;
      hl += sums[2 * (off + b) + 1]!;
      consider(f, b, true, cl, gl, hl);
    }
  }
  return best;
}
