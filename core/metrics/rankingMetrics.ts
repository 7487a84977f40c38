// Threshold-free metrics on positive-class scores: average precision (PR-AUC), its prevalence-normalised
// form, ROC-AUC, and the probability-quality metrics Brier score and calibration bins (seed 000, M5 and M7).
// Undefined values (e.g. PR-AUC with no positives) are null, never NaN, so results stay JSON-safe.

import { InvalidInputError } from '../invalidInputError.js';
import { assertBinaryLabels } from './confusion.js';

/** Throws unless `scores` has one finite score per label and the labels are 0/1. */
export function assertScoredLabels(yTrue: Uint8Array, scores: Float64Array): void {
  if (yTrue.length !== scores.length) {
    throw new InvalidInputError('scores', `scores: expected ${yTrue.length} scores (one per label), got ${scores.length}`);
  }
  assertBinaryLabels(yTrue, 'yTrue');
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i]!)) {
      throw new InvalidInputError('scores', `scores: expected finite numbers, got ${scores[i]} at index ${i}`);
    }
  }
}

/** Row indices ordered by score, highest first. */
function orderByScoreDescending(scores: Float64Array): Uint32Array {
  const order = new Uint32Array(scores.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => scores[b]! - scores[a]!);
}

/**
 * Average precision AP = Σ_k (R_k − R_{k−1}) · P_k over the distinct score thresholds, highest first,
 * with tied scores entering together: the step-wise (non-interpolated) area of scikit-learn's
 * `average_precision_score`. Each negative counts `negativeWeight` times in the precisions (see
 * ClassificationReportOptions). Null when there are no positives.
 */
export function averagePrecision(yTrue: Uint8Array, scores: Float64Array, negativeWeight = 1): number | null {
  assertScoredLabels(yTrue, scores);
  let positives = 0;
  for (let i = 0; i < yTrue.length; i++) positives += yTrue[i]!;
  if (positives === 0) return null;
  const order = orderByScoreDescending(scores);
  let tp = 0;
  let seen = 0;
  let previousRecall = 0;
  let ap = 0;
  let k = 0;
  while (k < order.length) {
    const s = scores[order[k]!]!;
    while (k < order.length && scores[order[k]!] === s) {
      const y = yTrue[order[k]!]!;
      tp += y;
      seen += y === 1 ? 1 : negativeWeight;
      k++;
    }
    const recall = tp / positives;
    ap += (recall - previousRecall) * (tp / seen);
    previousRecall = recall;
  }
  return ap;
}

/**
 * Seed 002 (RFQ vignette, simulation paragraph): "To properly calibrate PR-AUC we normalize it by calculating
 * the difference between PR-AUC for the RF classifier to PR-AUC for a completely randomized rule." A random
 * ranking has expected PR-AUC equal to the prevalence π (the vignette prints it as `pr.auc.rand`, equal to
 * n.minority / n), so the normalised value is AP − π: 0 for a random ranking, 1 − π for a perfect one,
 * negative for worse than random. This follows the seed; it is not rescaled by (1 − π).
 */
export function prAucNormalised(ap: number | null, prevalence: number | null): number | null {
  if (ap === null || prevalence === null) return null;
  return ap - prevalence;
}

/**
 * ROC-AUC by the Mann–Whitney rank formula, AUC = (R₊ − n₊(n₊ + 1)/2) / (n₊ · n₋), where R₊ is the rank
 * sum of the positives and tied scores share their average rank (a tied pair counts ½). Null unless
 * both classes are present.
 */
export function rocAuc(yTrue: Uint8Array, scores: Float64Array): number | null {
  assertScoredLabels(yTrue, scores);
  const n = yTrue.length;
  let positives = 0;
  for (let i = 0; i < n; i++) positives += yTrue[i]!;
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return null;
  const order = orderByScoreDescending(scores);
  // Walk from the lowest score up so ranks are ascending (1-based).
  let rankSumPositives = 0;
  let k = n - 1;
  let rank = 1;
  while (k >= 0) {
    const s = scores[order[k]!]!;
    let groupPositives = 0;
    let groupSize = 0;
    while (k >= 0 && scores[order[k]!] === s) {
      groupPositives += yTrue[order[k]!]!;
      groupSize++;
      k--;
    }
    const averageRank = rank + (groupSize - 1) / 2;
    rankSumPositives += groupPositives * averageRank;
    rank += groupSize;
  }
  return (rankSumPositives - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * Brier score, mean (score − y)², for scores that are probabilities; each negative counts `negativeWeight` times
 * (see ClassificationReportOptions). Null for empty input.
 */
export function brierScore(yTrue: Uint8Array, scores: Float64Array, negativeWeight = 1): number | null {
  assertScoredLabels(yTrue, scores);
  if (yTrue.length === 0) return null;
  let sum = 0;
  let weight = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const d = scores[i]! - yTrue[i]!;
    const w = yTrue[i] === 1 ? 1 : negativeWeight;
    sum += w * d * d;
    weight += w;
  }
  return sum / weight;
}

export interface CalibrationBin {
  /** Inclusive lower edge of the score bin. */
  lower: number;
  /** Upper edge: exclusive, except the last bin, which includes 1. */
  upper: number;
  count: number;
  /** Mean predicted probability in the bin; null when the bin is empty. */
  meanScore: number | null;
  /** Observed fraction of positives in the bin; null when the bin is empty. */
  positiveRate: number | null;
}

/**
 * Reliability-diagram data (seed 000, M7): `bins` equal-width probability bins on [0, 1], each with its
 * mean predicted probability and observed positive rate.
 *
 * @param bins number of bins; @default 10
 */
export function calibrationBins(yTrue: Uint8Array, scores: Float64Array, bins = 10): CalibrationBin[] {
  if (!Number.isInteger(bins) || bins < 1) throw new InvalidInputError('bins', `bins: expected an integer ≥ 1, got ${bins}`);
  assertScoredLabels(yTrue, scores);
  const count = new Float64Array(bins);
  const scoreSum = new Float64Array(bins);
  const positiveSum = new Float64Array(bins);
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    if (s < 0 || s > 1) {
      throw new InvalidInputError('scores', `scores: expected probabilities in [0, 1] for calibration, got ${s} at index ${i}`);
    }
    const b = Math.min(bins - 1, Math.floor(s * bins));
    count[b]!++;
    scoreSum[b]! += s;
    positiveSum[b]! += yTrue[i]!;
  }
  const out: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    const c = count[b]!;
    out.push({
      lower: b / bins,
      upper: (b + 1) / bins,
      count: c,
      meanScore: c > 0 ? scoreSum[b]! / c : null,
      positiveRate: c > 0 ? positiveSum[b]! / c : null,
    });
  }
  return out;
}
