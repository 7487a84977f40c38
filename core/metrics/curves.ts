// Curve points for reports: the precision–recall curve and TPR, TNR and G-mean against the threshold, each
// evaluated at every distinct score (a row is predicted positive when score ≥ threshold).

import { assertScoredLabels } from './rankingMetrics.js';

export interface PrCurve {
  /** Descending thresholds (the distinct scores); point k predicts positive for score ≥ thresholds[k]. */
  thresholds: number[];
  recall: number[];
  precision: number[];
  /** Precision of a random ranking: the positive share π (seed 002's PR-AUC baseline). */
  baseline: number;
}

export interface ThresholdCurve {
  /** Ascending thresholds (the distinct scores). */
  thresholds: number[];
  tpr: number[];
  tnr: number[];
  gMean: number[];
}

/** Distinct-score sweep from the highest score down: cumulative (tp, fp) after each group of ties. */
function sweep(
  yTrue: Uint8Array,
  scores: Float64Array,
): { thresholds: number[]; tp: number[]; fp: number[]; positives: number; negatives: number } {
  assertScoredLabels(yTrue, scores);
  const n = yTrue.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => scores[b]! - scores[a]!);
  let positives = 0;
  for (let i = 0; i < n; i++) positives += yTrue[i]!;
  const thresholds: number[] = [];
  const tpOut: number[] = [];
  const fpOut: number[] = [];
  let tp = 0;
  let fp = 0;
  let k = 0;
  while (k < n) {
    const s = scores[order[k]!]!;
    while (k < n && scores[order[k]!] === s) {
      if (yTrue[order[k]!] === 1) tp++;
      else fp++;
      k++;
    }
    thresholds.push(s);
    tpOut.push(tp);
    fpOut.push(fp);
  }
  return { thresholds, tp: tpOut, fp: fpOut, positives, negatives: n - positives };
}

/**
 * PR curve points, each negative counting `negativeWeight` times (see ClassificationReportOptions); empty arrays
 * when there are no positives (recall is undefined).
 */
export function prCurve(yTrue: Uint8Array, scores: Float64Array, negativeWeight = 1): PrCurve {
  const s = sweep(yTrue, scores);
  if (s.positives === 0) return { thresholds: [], recall: [], precision: [], baseline: 0 };
  return {
    thresholds: s.thresholds,
    recall: s.tp.map((tp) => tp / s.positives),
    precision: s.tp.map((tp, k) => tp / (tp + negativeWeight * s.fp[k]!)),
    baseline: s.positives / (s.positives + negativeWeight * s.negatives),
  };
}

/** TPR, TNR and G-mean at every distinct score; empty unless both classes are present. */
export function thresholdCurve(yTrue: Uint8Array, scores: Float64Array): ThresholdCurve {
  const s = sweep(yTrue, scores);
  if (s.positives === 0 || s.negatives === 0) return { thresholds: [], tpr: [], tnr: [], gMean: [] };
  const out: ThresholdCurve = { thresholds: [], tpr: [], tnr: [], gMean: [] };
  for (let k = s.thresholds.length - 1; k >= 0; k--) {
    const tpr = s.tp[k]! / s.positives;
    const tnr = (s.negatives - s.fp[k]!) / s.negatives;
    out.thresholds.push(s.thresholds[k]!);
    out.tpr.push(tpr);
    out.tnr.push(tnr);
    out.gMean.push(Math.sqrt(tpr * tnr));
  }
  return out;
}
