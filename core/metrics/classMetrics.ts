// Per-class report of a scored, thresholded classifier: recall, precision and F1 for each class with Wilson
// intervals (seed 000, M2–M4), plus G-mean, balanced accuracy, PR-AUC, ROC-AUC and Brier (seed 002).
// JSON-safe: a value that is undefined on the data (0/0, e.g. precision when nothing is predicted positive)
// is null, never NaN.

import { InvalidInputError } from '../invalidInputError.js';
import { confusionAtThreshold, type ConfusionMatrix } from './confusion.js';
import { wilsonInterval, Z_95 } from './intervals.js';
import { assertScoredLabels, averagePrecision, brierScore, prAucNormalised, rocAuc } from './rankingMetrics.js';

export interface ClassMetrics {
  /** TP/(TP+FN) for the positive class, TN/(TN+FP) (= TNR) for the negative class; null with no support. */
  recall: number | null;
  /** TP/(TP+FP) for the positive class, TN/(TN+FN) for the negative class; null when nothing is predicted as the class. */
  precision: number | null;
  /** 2·TP/(2·TP+FP+FN) (the harmonic mean of precision and recall, defined even when precision is not); null only when the class is neither present nor predicted. */
  f1: number | null;
  /** Rows whose true label is this class. */
  support: number;
  /** Wilson score interval of the recall; null when recall is null. */
  recallInterval: [number, number] | null;
  /** Wilson score interval of the precision; null when precision is null. */
  precisionInterval: [number, number] | null;
}

export interface ClassificationReport {
  support: { negative: number; positive: number };
  perClass: { negative: ClassMetrics; positive: ClassMetrics };
  /** √(TPR·TNR); null unless both classes are present. */
  gMean: number | null;
  /** (TPR + TNR)/2; null unless both classes are present. */
  balancedAccuracy: number | null;
  /** Average precision (step-wise PR-AUC, as scikit-learn); null with no positives. */
  prAuc: number | null;
  /** AP − π, seed 002's normalisation against a random ranking; null with no positives. */
  prAucNormalised: number | null;
  /** Mann–Whitney ROC-AUC with ties averaged; null unless both classes are present. See `rocAucNote`. */
  rocAuc: number | null;
  /** Always `ROC_AUC_NOTE`: ROC-AUC is reported for reference, but is blind to the imbalance ratio (seed 002). */
  rocAucNote: string;
  /** Mean of the two classes' F1 (unweighted, so the minority counts as much as the majority); null if either is. */
  macroF1: number | null;
  /** Mean squared error of the scores as probabilities; null for empty input. */
  brier: number | null;
  /**
   * Brier / (π(1 − π)): the Brier score relative to that of always predicting the prevalence π, so 1 is no
   * better than the base rate at any imbalance (randomForestSRC's normalised Brier, seed 002); null when π is 0 or 1.
   */
  brierNormalised: number | null;
  /** Fraction of positives π in the evaluated data (at `classMix`'s weights when given); null for empty input. */
  prevalence: number | null;
  /**
   * Present when the rows were counted at another class mix than their own (`negativeWeight` ≠ 1): the positives'
   * share of the rows as they are, and the weight each negative counted with. Precision, F1, PR-AUC, Brier and the
   * prevalence are at the weighted mix; recall, G-mean and ROC-AUC are the same at any mix.
   */
  classMix?: { rowsPrevalence: number; negativeWeight: number };
  /** Rows with score ≥ threshold are predicted positive. */
  threshold: number;
  confusion: ConfusionMatrix;
}

/** Seed 002: ROC-AUC "is insensitive to IR … This metric is unsuitable for imbalanced data." */
export const ROC_AUC_NOTE = 'insensitive to the imbalance ratio: reported for reference, not a default gate; judge by G-mean and PR-AUC';

export interface ClassificationReportOptions {
  /**
   * Standard-normal quantile of the recall and precision intervals.
   * @default 1.959964 (95%)
   */
  z?: number;
  /**
   * How many times each negative row counts, so the metrics that depend on the class mix (precision, F1, PR-AUC,
   * Brier) are those of a population whose positives' share differs from the rows': a retrain's test split is a
   * sample that keeps more of the rare class than the data holds, and its precision at the sample's mix would
   * overstate the precision in production. A precision's interval is the rows' own Wilson interval carried to the
   * weighted mix.
   * @default 1
   */
  negativeWeight?: number;
}

/**
 * The weight of each negative row that makes the positives' share `rowsPrevalence` count as `prevalence`:
 * (π_rows / (1 − π_rows)) / (π / (1 − π)). 1 when either share is not strictly between 0 and 1.
 */
export function negativeWeightFor(rowsPrevalence: number, prevalence: number): number {
  if (!(rowsPrevalence > 0 && rowsPrevalence < 1 && prevalence > 0 && prevalence < 1)) return 1;
  return rowsPrevalence / (1 - rowsPrevalence) / (prevalence / (1 - prevalence));
}

/** G-mean √(TPR·TNR), the RFQ vignette's (seed 002) threshold-dependent metric for imbalanced data. */
export function gMean(tpr: number, tnr: number): number {
  if (!(tpr >= 0 && tpr <= 1) || !(tnr >= 0 && tnr <= 1)) {
    throw new InvalidInputError('gMean', `gMean: expected TPR and TNR in [0, 1], got ${tpr} and ${tnr}`);
  }
  return Math.sqrt(tpr * tnr);
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

/**
 * One class's metrics from its hits (rows of the class predicted as it), its rows and the other class's rows
 * predicted as it (`falseAlarms`). The class's own rows count `own` each, the other class's `other` each: recall is
 * within the class and does not move with them; precision and F1 do.
 */
function classMetrics(hits: number, actual: number, falseAlarms: number, z: number, own = 1, other = 1): ClassMetrics {
  const predictedWeight = own * hits + other * falseAlarms;
  // The weighted precision is a rising function of the rows' own share q = hits / (hits + falseAlarms):
  // own·q / (own·q + other·(1 − q)). Its interval is the Wilson interval of q carried through that function (the
  // weights are fixed by class, so they add no uncertainty of their own).
  const weighted = (q: number) => (q === 0 ? 0 : (own * q) / (own * q + other * (1 - q)));
  const rowsInterval = wilsonInterval(hits, hits + falseAlarms, z);
  return {
    recall: ratio(hits, actual),
    precision: ratio(own * hits, predictedWeight),
    f1: ratio(2 * own * hits, own * actual + predictedWeight),
    support: actual,
    recallInterval: wilsonInterval(hits, actual, z),
    precisionInterval:
      rowsInterval === null || (own === 1 && other === 1) ? rowsInterval : [weighted(rowsInterval[0]), weighted(rowsInterval[1])],
  };
}

export function classificationReport(
  yTrue: Uint8Array,
  scores: Float64Array,
  threshold: number,
  options: ClassificationReportOptions = {},
): ClassificationReport {
  if (typeof threshold !== 'number' || !Number.isFinite(threshold)) {
    throw new InvalidInputError('threshold', `threshold: expected a finite number, got ${String(threshold)}`);
  }
  const z = options.z ?? Z_95;
  const w = options.negativeWeight ?? 1;
  if (typeof w !== 'number' || !(w > 0) || !Number.isFinite(w)) {
    throw new InvalidInputError('negativeWeight', `negativeWeight: expected a finite number > 0, got ${String(w)}`);
  }
  assertScoredLabels(yTrue, scores);
  const confusion = confusionAtThreshold(yTrue, scores, threshold);
  const { tp, fp, tn, fn } = confusion;
  const positive = classMetrics(tp, tp + fn, fp, z, 1, w);
  const negative = classMetrics(tn, tn + fp, fn, z, w, 1);
  const tpr = positive.recall;
  const tnr = negative.recall;
  const n = yTrue.length;
  const prevalence = n === 0 ? null : (tp + fn) / (tp + fn + w * (tn + fp));
  const prAuc = averagePrecision(yTrue, scores, w);
  const brier = brierScore(yTrue, scores, w);
  return {
    support: { negative: tn + fp, positive: tp + fn },
    perClass: { negative, positive },
    gMean: tpr !== null && tnr !== null ? gMean(tpr, tnr) : null,
    balancedAccuracy: tpr !== null && tnr !== null ? (tpr + tnr) / 2 : null,
    prAuc,
    prAucNormalised: prAucNormalised(prAuc, prevalence),
    rocAuc: rocAuc(yTrue, scores),
    rocAucNote: ROC_AUC_NOTE,
    macroF1: positive.f1 !== null && negative.f1 !== null ? (positive.f1 + negative.f1) / 2 : null,
    brier,
    brierNormalised:
      brier !== null && prevalence !== null && prevalence > 0 && prevalence < 1 ? brier / (prevalence * (1 - prevalence)) : null,
    prevalence,
    ...(w !== 1 && n > 0 ? { classMix: { rowsPrevalence: (tp + fn) / n, negativeWeight: w } } : {}),
    threshold,
    confusion,
  };
}
