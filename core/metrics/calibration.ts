// Per-class calibration: reliability bins for each class's own probability (P(positive) = score,
// P(negative) = 1 − score) and the expected calibration error ECE = Σ_b (n_b / n) · |mean score_b − observed rate_b|.

import { calibrationBins, type CalibrationBin } from './rankingMetrics.js';

export interface ClassCalibration {
  bins: CalibrationBin[];
  /** Expected calibration error over the bins; null for empty input. */
  ece: number | null;
}

export interface CalibrationByClass {
  positive: ClassCalibration;
  negative: ClassCalibration;
}

/** ECE of reliability bins: the count-weighted mean gap between predicted and observed rates. */
export function expectedCalibrationError(bins: CalibrationBin[]): number | null {
  let n = 0;
  let gap = 0;
  for (const b of bins) {
    if (b.count === 0) continue;
    n += b.count;
    gap += b.count * Math.abs(b.meanScore! - b.positiveRate!);
  }
  return n === 0 ? null : gap / n;
}

/**
 * Reliability bins and ECE per class (seed 000, M7). The negative class is judged on 1 − score against
 * y = 0, so its bins mirror the positive ones: a rare class's miscalibration shows in its own bins.
 *
 * @param bins equal-width bins on [0, 1]; @default 10
 */
export function calibrationByClass(yTrue: Uint8Array, scores: Float64Array, bins = 10): CalibrationByClass {
  const positiveBins = calibrationBins(yTrue, scores, bins);
  const negativeScores = new Float64Array(scores.length);
  const negativeLabels = new Uint8Array(yTrue.length);
  for (let i = 0; i < scores.length; i++) {
    negativeScores[i] = 1 - scores[i]!;
    negativeLabels[i] = 1 - yTrue[i]!;
  }
  const negativeBins = calibrationBins(negativeLabels, negativeScores, bins);
  return {
    positive: { bins: positiveBins, ece: expectedCalibrationError(positiveBins) },
    negative: { bins: negativeBins, ece: expectedCalibrationError(negativeBins) },
  };
}
