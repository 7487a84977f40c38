// Per-class recall and precision estimated without labels from calibrated scores (confidence-based performance
// estimation, as NannyML's CBPE, but per class), for the weeks before rare-event labels arrive.

import { InvalidInputError } from '../invalidInputError.js';
import { quantileSorted } from '../metrics/bootstrapIntervals.js';
import { seededRandom } from '../random.js';
import {
  assertReferencePerformance,
  assertScores,
  assertThreshold,
  judgeMetric,
  resolvePerformanceOptions,
  summarisePerformance,
  type ClassDrift,
  type PerformanceDriftOptions,
  type ReferencePerformance,
} from './performanceDrift.js';

export interface ConfidenceBasedPerformanceOptions extends PerformanceDriftOptions {
  /**
   * The scores the model's threshold applies to, when they are not the calibrated probabilities themselves
   * (e.g. a raw forest vote with a separate calibrated column). One per row.
   * @default the calibrated probabilities
   */
  scores?: Float64Array;
  /**
   * Monte Carlo draws of the labels for the sampling interval.
   * @default 200
   */
  draws?: number;
  /**
   * Seed of the label draws.
   * @default 0
   */
  seed?: number;
  /**
   * Two-sided coverage of the Monte Carlo interval.
   * @default 0.95
   */
  level?: number;
  /**
   * Names `reference` in messages.
   * @default 'the validation value'
   */
  referenceName?: string;
}

export interface EstimatedPerformanceResult {
  /** Estimates are ratios of expected counts; the interval is the spread of the realised metric over the draws. */
  perClass: { negative: ClassDrift; positive: ClassDrift };
  /** Expected confusion counts: TP = Σ_{ŷ=1} p, FP = Σ_{ŷ=1} (1 − p), FN = Σ_{ŷ=0} p, TN = Σ_{ŷ=0} (1 − p). */
  expected: { tp: number; fp: number; tn: number; fn: number };
  draws: number;
  dropped: boolean;
  reasons: string[];
  insufficient: string[];
}

function ratioOrNull(numerator: number, denominator: number): number | null {
  return denominator > 0 ? numerator / denominator : null;
}

/** Central `level` interval of the finite entries of `values`; null when none is finite. */
function percentileInterval(values: Float64Array, level: number): [number, number] | null {
  const finite = values.filter((v) => !Number.isNaN(v)).sort();
  if (finite.length === 0) return null;
  return [quantileSorted(finite, (1 - level) / 2), quantileSorted(finite, (1 + level) / 2)];
}

/**
 * CBPE per class. With p_i the calibrated P(y = 1) and ŷ_i = [score_i ≥ threshold], the expected confusion
 * counts give positive recall ≈ E[TP]/(E[TP] + E[FN]), positive precision ≈ E[TP]/(E[TP] + E[FP]), negative
 * recall ≈ E[TN]/(E[TN] + E[FP]) and negative precision ≈ E[TN]/(E[TN] + E[FN]). The interval covers the
 * metric the labels will realise: each draw sets y_i ~ Bernoulli(p_i) and recomputes the four metrics.
 * Valid under covariate shift with calibration intact; a change of P(y | x) (concept drift) is invisible to it.
 */
export function confidenceBasedPerformance(
  calibrated: Float64Array,
  threshold: number,
  reference: ReferencePerformance,
  options: ConfidenceBasedPerformanceOptions = {},
): EstimatedPerformanceResult {
  const { tolerance, minSupport } = resolvePerformanceOptions(options);
  assertThreshold(threshold);
  assertReferencePerformance(reference, 'reference');
  if (!(calibrated instanceof Float64Array)) throw new InvalidInputError('calibrated', 'calibrated: expected a Float64Array');
  if (calibrated.length === 0) throw new InvalidInputError('calibrated', 'calibrated: expected at least one row, got none');
  for (let i = 0; i < calibrated.length; i++) {
    const p = calibrated[i]!;
    if (!(p >= 0 && p <= 1))
      throw new InvalidInputError('calibrated', `calibrated: expected probabilities in [0, 1], got ${p} at row ${i}`);
  }
  const scores = options.scores ?? calibrated;
  assertScores(scores, calibrated.length, 'scores');
  const draws = options.draws ?? 200;
  if (!Number.isInteger(draws) || draws < 1) throw new InvalidInputError('draws', `draws: expected an integer ≥ 1, got ${String(draws)}`);
  const level = options.level ?? 0.95;
  if (typeof level !== 'number' || !(level > 0 && level < 1))
    throw new InvalidInputError('level', `level: expected a number in (0, 1), got ${String(level)}`);
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) throw new InvalidInputError('seed', `seed: expected an integer, got ${String(seed)}`);

  let nPredictedPositive = 0;
  for (let i = 0; i < scores.length; i++) if (scores[i]! >= threshold) nPredictedPositive++;
  const predictedPositive = new Float64Array(nPredictedPositive);
  const predictedNegative = new Float64Array(calibrated.length - nPredictedPositive);
  let tp = 0;
  let fn = 0;
  for (let i = 0, a = 0, b = 0; i < calibrated.length; i++) {
    const p = calibrated[i]!;
    if (scores[i]! >= threshold) {
      predictedPositive[a++] = p;
      tp += p;
    } else {
      predictedNegative[b++] = p;
      fn += p;
    }
  }
  const fp = predictedPositive.length - tp;
  const tn = predictedNegative.length - fn;

  const random = seededRandom(seed);
  const positiveRecall = new Float64Array(draws);
  const positivePrecision = new Float64Array(draws);
  const negativeRecall = new Float64Array(draws);
  const negativePrecision = new Float64Array(draws);
  for (let d = 0; d < draws; d++) {
    let drawnTp = 0;
    let drawnFn = 0;
    for (let i = 0; i < predictedPositive.length; i++) if (random.next() < predictedPositive[i]!) drawnTp++;
    for (let i = 0; i < predictedNegative.length; i++) if (random.next() < predictedNegative[i]!) drawnFn++;
    const drawnFp = predictedPositive.length - drawnTp;
    const drawnTn = predictedNegative.length - drawnFn;
    positiveRecall[d] = ratioOrNull(drawnTp, drawnTp + drawnFn) ?? NaN;
    positivePrecision[d] = ratioOrNull(drawnTp, predictedPositive.length) ?? NaN;
    negativeRecall[d] = ratioOrNull(drawnTn, drawnTn + drawnFp) ?? NaN;
    negativePrecision[d] = ratioOrNull(drawnTn, predictedNegative.length) ?? NaN;
  }

  const estimate = (
    cls: 'positive' | 'negative',
    metric: 'recall' | 'precision',
    hits: number,
    support: number,
    drawn: Float64Array,
    supportName: string,
  ) => {
    const current = ratioOrNull(hits, support);
    return judgeMetric({
      label: `estimated ${cls} ${metric}`,
      reference: reference[cls][metric],
      current,
      interval: current === null ? null : percentileInterval(drawn, level),
      support,
      minSupport: minSupport[cls],
      supportName,
      tolerance,
      ...(options.referenceName !== undefined ? { referenceName: options.referenceName } : {}),
    });
  };
  const perClass = {
    positive: {
      recall: estimate('positive', 'recall', tp, tp + fn, positiveRecall, 'expected positives'),
      precision: estimate('positive', 'precision', tp, predictedPositive.length, positivePrecision, 'rows predicted positive'),
    },
    negative: {
      recall: estimate('negative', 'recall', tn, tn + fp, negativeRecall, 'expected negatives'),
      precision: estimate('negative', 'precision', tn, predictedNegative.length, negativePrecision, 'rows predicted negative'),
    },
  };
  return { perClass, expected: { tp, fp, tn, fn }, draws, ...summarisePerformance(perClass) };
}
