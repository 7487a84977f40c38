// Drift of a multi-class champion over its class values: the label prior over all classes and the distribution of
// predicted classes (chi-square goodness of fit each), and each class's recall on the window's labelled rows.

import { InvalidInputError } from '../invalidInputError.js';
import { differenceInterval, wilsonInterval } from '../metrics/intervals.js';
import { chiSquareGoodnessOfFit, type ChiSquareResult } from './chiSquare.js';
import type { DriftOptions } from './driftOptions.js';

/** What a multi-class window is compared with, from the model's training and validation data. */
export interface ClassReference {
  /** The class values, in the model's order. */
  classes: string[];
  /** Share of each class among the training labels as collected. */
  prior: number[];
  /** Share of validation rows predicted as each class. */
  predicted: number[];
  /** Validation recall of each class. */
  recall: number[];
  /** Validation rows of each class behind its recall; absent in references built before it was kept. */
  recallSupport?: number[];
}

/** The served classes of a window: per row, the class predicted and the true class (null while unlabelled). */
export interface ClassWindow {
  predicted: Array<string | null>;
  truth: Array<string | null>;
}

/** A chi-square over the classes with each class's share in the reference and the window. */
export type ClassDistributionShift = ChiSquareResult & {
  reference: number[];
  current: number[];
  /** p ≤ fdr and some class's share moved by a factor of at least `factor` (priorRatio or rateRatio). */
  drifted: boolean;
};

export interface ClassRecallDrift {
  value: string;
  reference: number;
  /** Null below `minSupport.positive` labelled rows of the class. */
  current: number | null;
  support: number;
  /** Wilson interval at `rateZ`; null when not judged. */
  interval: [number, number] | null;
  /**
   * The recall fell by more than the tolerance beyond the uncertainty of both the window and the validation value
   * (the interval of their difference lies below −tolerance; with no validation support kept, the window's interval
   * lies below reference − tolerance).
   */
  dropped: boolean;
}

export interface ClassDriftResult {
  classes: string[];
  /** Null when no row of the window is labelled. */
  labelPrior: ClassDistributionShift | null;
  /** Null when no row recorded its predicted class. */
  prediction: ClassDistributionShift | null;
  recall: ClassRecallDrift[];
  drifted: boolean;
  reasons: string[];
  insufficient: string[];
}

function fmt(v: number): string {
  return Number(v.toPrecision(3)).toString();
}

function countsOf(values: Array<string | null>, classes: string[], where: string): number[] {
  const index = new Map(classes.map((c, k) => [c, k]));
  const counts = new Array<number>(classes.length).fill(0);
  values.forEach((v, i) => {
    if (v === null) return;
    const k = index.get(v);
    if (k === undefined)
      throw new InvalidInputError(
        where,
        `${where}: expected one of the model's classes ${classes.map((c) => JSON.stringify(c)).join(', ')}, got ${JSON.stringify(v)} at row ${i}`,
      );
    counts[k]!++;
  });
  return counts;
}

/** Shares moved by a factor of at least `factor` in either direction, as "class" a → b phrases. */
function movedShares(classes: string[], reference: number[], current: number[], factor: number): string[] {
  const moved: string[] = [];
  classes.forEach((c, k) => {
    const ratio = current[k]! / reference[k]!;
    if (ratio >= factor || ratio <= 1 / factor) moved.push(`${JSON.stringify(c)} ${fmt(reference[k]!)} → ${fmt(current[k]!)}`);
  });
  return moved;
}

function distributionShift(
  what: 'label prior' | 'predicted classes',
  counts: number[],
  reference: number[],
  classes: string[],
  factor: number,
  o: DriftOptions,
): { shift: ClassDistributionShift; reason: string | null } {
  const n = counts.reduce((s, c) => s + c, 0);
  const current = counts.map((c) => c / n);
  const result = chiSquareGoodnessOfFit(counts, reference, {
    minExpected: o.minExpected,
    classNames: classes.map((c) => `class ${JSON.stringify(c)}`),
  });
  const moved = movedShares(classes, reference, current, factor);
  const drifted = result.status === 'tested' && result.pValue <= o.fdr && moved.length > 0;
  const reason = drifted
    ? `${what} shifted over ${classes.length} classes in ${n} rows: ${moved.join(', ')} ` +
      `(chi-square ${fmt(result.statistic)}, df ${result.degreesOfFreedom}, p = ${result.pValue.toExponential(2)} ≤ ${o.fdr})`
    : null;
  return { shift: { ...result, reference: [...reference], current, drifted }, reason };
}

/**
 * Compares a multi-class window with its reference. The label prior is tested on the labelled rows and the
 * predicted classes on every row that recorded one (chi-square over the classes, flagged at p ≤ fdr when some
 * class's share moved by at least priorRatio, respectively rateRatio). Each class's recall is measured on its
 * labelled rows once it has `minSupport.positive` of them and flagged when its Wilson interval (z = rateZ) lies
 * wholly below the validation recall − tolerance. The label-free estimate (CBPE) is binary-only and not run here.
 */
export function classDrift(
  reference: ClassReference,
  window: ClassWindow,
  o: DriftOptions,
  /** `labels`: only the label prior and recall (rows of an earlier window); `predictions`: only the predicted classes. */
  parts: 'all' | 'labels' | 'predictions' = 'all',
  /** How messages name the rows when they are not the window itself. */
  where?: string,
): ClassDriftResult {
  const { classes } = reference;
  if (window.predicted.length !== window.truth.length)
    throw new InvalidInputError(
      'window.classes',
      `window.classes: expected one predicted and one true class per row, got ${window.predicted.length} and ${window.truth.length}`,
    );
  const reasons: string[] = [];
  const insufficient: string[] = [];
  const truthCounts = countsOf(window.truth, classes, 'window.classes.truth');
  const predictedCounts = countsOf(window.predicted, classes, 'window.classes.predicted');
  let labelPrior: ClassDistributionShift | null = null;
  const among = where === undefined ? '' : ` of ${where}`;
  if (parts === 'predictions') {
    // The labels are judged on other rows (see classDriftWithLateLabels).
  } else if (truthCounts.some((c) => c > 0)) {
    const { shift, reason } = distributionShift('label prior', truthCounts, reference.prior, classes, o.priorRatio, o);
    labelPrior = shift;
    if (reason) reasons.push(where === undefined ? reason : `${reason} (${where})`);
    if (shift.status === 'insufficient') insufficient.push(shift.reason);
  } else {
    insufficient.push(`class label-prior and per-class recall not run: no labelled rows in ${where ?? 'the window'}`);
  }
  let prediction: ClassDistributionShift | null = null;
  if (parts !== 'labels' && predictedCounts.some((c) => c > 0)) {
    const { shift, reason } = distributionShift('predicted classes', predictedCounts, reference.predicted, classes, o.rateRatio, o);
    prediction = shift;
    if (reason) reasons.push(reason);
    if (shift.status === 'insufficient') insufficient.push(shift.reason.replace('label-prior test', 'predicted-class test'));
  }
  const correct = new Array<number>(classes.length).fill(0);
  if (parts !== 'predictions')
    window.truth.forEach((t, i) => {
      if (t !== null && t === window.predicted[i]) correct[classes.indexOf(t)]!++;
    });
  const recall = classes.map((value, k): ClassRecallDrift => {
    const support = parts === 'predictions' ? 0 : truthCounts[k]!;
    const ref = reference.recall[k]!;
    if (support < o.minSupport.positive) {
      if (support > 0 || labelPrior !== null)
        insufficient.push(
          `recall of class ${JSON.stringify(value)} not compared: ${support} labelled rows${among}, below the minimum ${o.minSupport.positive}`,
        );
      return { value, reference: ref, current: null, support, interval: null, dropped: false };
    }
    const current = correct[k]! / support;
    const interval = wilsonInterval(correct[k]!, support, o.rateZ)!;
    const refSupport = reference.recallSupport?.[k] ?? 0;
    const refInterval = refSupport > 0 ? wilsonInterval(Math.round(ref * refSupport), refSupport, o.rateZ) : null;
    const worstCase = refInterval === null ? interval[1] - ref : differenceInterval(current, interval, ref, refInterval)[1];
    const dropped = worstCase < -o.tolerance;
    if (dropped)
      reasons.push(
        `recall of class ${JSON.stringify(value)} dropped: ${fmt(current)} on ${support} labelled rows${among} (interval ` +
          `[${fmt(interval[0])}, ${fmt(interval[1])}]) vs ${fmt(ref)} on ` +
          (refInterval === null ? 'validation' : `${refSupport} validation rows ([${fmt(refInterval[0])}, ${fmt(refInterval[1])}])`) +
          `, below the ${o.tolerance} tolerance`,
      );
    return { value, reference: ref, current, support, interval, dropped };
  });
  const drifted = (labelPrior?.drifted ?? false) || (prediction?.drifted ?? false) || recall.some((r) => r.dropped);
  return { classes: [...classes], labelPrior, prediction, recall, drifted, reasons, insufficient };
}

/**
 * Labels later than predictions: the predicted classes of this window, the label prior and per-class recall of
 * `labelled` (an earlier window whose labels are in, named `where` in the messages).
 */
export function classDriftWithLateLabels(
  reference: ClassReference,
  window: ClassWindow,
  labelled: ClassWindow | undefined,
  where: string,
  o: DriftOptions,
): ClassDriftResult {
  const current = classDrift(reference, window, o, 'predictions');
  const late = classDrift(reference, labelled ?? { predicted: [], truth: [] }, o, 'labels', where);
  return {
    classes: current.classes,
    labelPrior: late.labelPrior,
    prediction: current.prediction,
    recall: late.recall,
    drifted: current.drifted || late.drifted,
    reasons: [...current.reasons, ...late.reasons],
    insufficient: [...current.insufficient, ...late.insufficient],
  };
}

/**
 * The class reference of a multi-class model: class shares of its training labels (as collected) and, on its
 * validation rows, the shares predicted and each class's recall. Labels and predictions are indexes into `classes`.
 */
export function buildClassReference(
  classes: string[],
  trainingTruth: ArrayLike<number>,
  validationTruth: ArrayLike<number>,
  validationPredicted: ArrayLike<number>,
): ClassReference {
  if (classes.length < 3)
    throw new InvalidInputError('classes', `classes: expected at least 3 class values for a multi-class reference, got ${classes.length}`);
  if (validationTruth.length !== validationPredicted.length)
    throw new InvalidInputError(
      'validationPredicted',
      `validationPredicted: expected ${validationTruth.length} predictions (one per validation row), got ${validationPredicted.length}`,
    );
  const k = classes.length;
  const share = (values: ArrayLike<number>, where: string): number[] => {
    const counts = new Array<number>(k).fill(0);
    for (let i = 0; i < values.length; i++) {
      const c = values[i]!;
      if (!(Number.isInteger(c) && c >= 0 && c < k))
        throw new InvalidInputError(where, `${where}: expected class indexes 0..${k - 1}, got ${c} at row ${i}`);
      counts[c]!++;
    }
    return counts.map((n) => n / Math.max(values.length, 1));
  };
  const prior = share(trainingTruth, 'trainingTruth');
  const absent = prior.findIndex((p) => p === 0);
  if (absent >= 0)
    throw new InvalidInputError(
      'trainingTruth',
      `trainingTruth: expected every class among the training labels, class ${JSON.stringify(classes[absent])} has none`,
    );
  const predicted = share(validationPredicted, 'validationPredicted');
  const support = new Array<number>(k).fill(0);
  const correct = new Array<number>(k).fill(0);
  for (let i = 0; i < validationTruth.length; i++) {
    const t = validationTruth[i]!;
    if (!(Number.isInteger(t) && t >= 0 && t < k))
      throw new InvalidInputError('validationTruth', `validationTruth: expected class indexes 0..${k - 1}, got ${t} at row ${i}`);
    support[t]!++;
    if (validationPredicted[i] === t) correct[t]!++;
  }
  // A class never predicted in validation gets a tiny share, so the predicted-class chi-square can still run.
  const floor = 1e-4;
  const lifted = predicted.map((p) => Math.max(p, floor));
  const total = lifted.reduce((s, p) => s + p, 0);
  return {
    classes: [...classes],
    prior,
    predicted: lifted.map((p) => p / total),
    recall: support.map((n, c) => (n === 0 ? 0 : correct[c]! / n)),
    recallSupport: support,
  };
}
