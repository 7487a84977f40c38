// Confident learning (Northcutt, Jiang & Chuang 2021) for two classes: out-of-fold probabilities from a fast model,
// a per-class confidence threshold, and removal of rows whose probability of the other class is above that class's
// threshold while their own is below theirs (the off-diagonal of the confident joint).

import { classCounts, takeRows, type LabelledData } from '../dataset.js';
import { InvalidInputError } from '../invalidInputError.js';
import { predictProbaLogistic, trainLogisticRegression } from '../models/logisticRegression.js';
import { shuffleInPlace, type RandomSource } from '../random.js';
import { cleaningResult, REMOVAL_REASON, type CleaningResult } from './removalReason.js';

export interface ConfidentLearningOptions {
  /**
   * Cross-validation folds for the out-of-fold probabilities (stratified).
   * @default 5
   */
  folds?: number;
  /**
   * `'majority'`: only negative rows may be removed (a rare class keeps every positive); `'all'`: both classes.
   * @default 'majority'
   */
  sampling?: 'majority' | 'all';
  /** Seeded generator for the fold assignment. */
  random: RandomSource;
}

export interface ConfidentLearningResult extends CleaningResult {
  /** Out-of-fold P(positive) of every row. */
  outOfFold: Float64Array;
  /** Per-class thresholds t_c: the mean out-of-fold probability of class c over rows labelled c. [t_0, t_1]. */
  thresholds: [number, number];
}

/**
 * Row i labelled c is a likely label error when p(other | x_i) ≥ t_other and p(c | x_i) < t_c, with
 * t_c = mean over rows labelled c of p(c | x) (the paper's per-class self-confidence), p from a model that did not
 * see row i (L2 logistic regression on the other folds).
 *
 * References: C. Northcutt, L. Jiang and I. Chuang, "Confident learning: estimating uncertainty in dataset
 * labels", Journal of Artificial Intelligence Research 70, 1373–1411, 2021.
 */
export function confidentLearning(data: LabelledData, opts: ConfidentLearningOptions): ConfidentLearningResult {
  const folds = opts.folds ?? 5;
  const sampling = opts.sampling ?? 'majority';
  if (!Number.isInteger(folds) || folds < 2) throw new InvalidInputError('folds', `folds must be an integer ≥ 2; got ${folds}.`);
  if (sampling !== 'majority' && sampling !== 'all')
    throw new InvalidInputError('sampling', `sampling must be 'majority' or 'all'; got ${String(sampling)}.`);
  const rows = data.y.length;
  const [negatives, positives] = classCounts(data.y);
  if (negatives === 0 || positives === 0) {
    throw new InvalidInputError('labels', `confident learning needs both classes; got ${negatives} negatives and ${positives} positives.`);
  }
  if (positives < folds || negatives < folds) {
    throw new InvalidInputError(
      'folds',
      `each class needs at least ${folds} rows for ${folds}-fold out-of-fold probabilities; got ${negatives} negatives and ${positives} positives. Lower the folds.`,
    );
  }
  // Stratified folds: each class shuffled, then dealt round-robin.
  const fold = new Int32Array(rows);
  for (const cls of [0, 1]) {
    const ids: number[] = [];
    for (let i = 0; i < rows; i++) if (data.y[i] === cls) ids.push(i);
    shuffleInPlace(ids, opts.random);
    ids.forEach((r, k) => (fold[r] = k % folds));
  }
  const outOfFold = new Float64Array(rows);
  for (let f = 0; f < folds; f++) {
    const train: number[] = [];
    const held: number[] = [];
    for (let i = 0; i < rows; i++) (fold[i] === f ? held : train).push(i);
    const model = trainLogisticRegression(takeRows(data, train), { classWeight: 'balanced' });
    const p = predictProbaLogistic(model, takeRows(data, held).x);
    held.forEach((r, k) => (outOfFold[r] = p[k]!));
  }
  let sum0 = 0;
  let sum1 = 0;
  for (let i = 0; i < rows; i++) {
    if (data.y[i] === 1) sum1 += outOfFold[i]!;
    else sum0 += 1 - outOfFold[i]!;
  }
  const t0 = sum0 / negatives;
  const t1 = sum1 / positives;
  const keep = new Uint8Array(rows).fill(1);
  for (let i = 0; i < rows; i++) {
    const p1 = outOfFold[i]!;
    if (data.y[i] === 0) {
      if (p1 >= t1 && 1 - p1 < t0) keep[i] = 0;
    } else if (sampling === 'all' && 1 - p1 >= t0 && p1 < t1) {
      keep[i] = 0;
    }
  }
  return { ...cleaningResult(keep, data.y, REMOVAL_REASON.confidentLearning), outOfFold, thresholds: [t0, t1] };
}
