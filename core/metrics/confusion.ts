// The 2×2 confusion matrix every per-class metric is derived from (seed 000, M6), from hard predictions or
// from scores and a threshold.

import { InvalidInputError } from '../invalidInputError.js';

/** Counts for the positive (y = 1, minority) class as "positive". */
export interface ConfusionMatrix {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/** Throws unless every label is 0 or 1. `subject` names the array in the message. */
export function assertBinaryLabels(y: Uint8Array, subject: string): void {
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (v !== 0 && v !== 1) throw new InvalidInputError(subject, `${subject}: expected 0 or 1, got ${v} at index ${i}`);
  }
}

export function confusionMatrix(yTrue: Uint8Array, yPred: Uint8Array): ConfusionMatrix {
  if (yTrue.length !== yPred.length) {
    throw new InvalidInputError('yPred', `yPred: expected ${yTrue.length} predictions (one per label), got ${yPred.length}`);
  }
  assertBinaryLabels(yTrue, 'yTrue');
  assertBinaryLabels(yPred, 'yPred');
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i]!;
    const p = yPred[i]!;
    tp += t & p;
    fp += p & (t ^ 1);
    fn += t & (p ^ 1);
  }
  return { tp, fp, tn: yTrue.length - tp - fp - fn, fn };
}

/**
 * Confusion matrix of the quantile classifier I{score ≥ threshold} (seed 002, "Quantile classifiers":
 * δ_q(x) = I{p(x) ≥ q}); a score equal to the threshold is predicted positive.
 */
export function confusionAtThreshold(yTrue: Uint8Array, scores: Float64Array, threshold: number): ConfusionMatrix {
  if (yTrue.length !== scores.length) {
    throw new InvalidInputError('scores', `scores: expected ${yTrue.length} scores (one per label), got ${scores.length}`);
  }
  if (Number.isNaN(threshold)) throw new InvalidInputError('threshold', 'threshold: expected a number, got NaN');
  assertBinaryLabels(yTrue, 'yTrue');
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const positive = scores[i]! >= threshold;
    if (yTrue[i] === 1) {
      if (positive) tp++;
      else fn++;
    } else if (positive) fp++;
  }
  return { tp, fp, tn: yTrue.length - tp - fp - fn, fn };
}
