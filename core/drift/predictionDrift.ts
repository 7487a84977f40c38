// Shift of the model's score distribution against its validation scores: PSI and KS over all scores, and
// the predicted-positive rate, which is where a change in the rare class shows first.

import { InvalidInputError } from '../invalidInputError.js';
import { wilsonInterval } from '../metrics/intervals.js';
import { kolmogorovSmirnov } from './kolmogorovSmirnov.js';
import { assertScores, assertThreshold } from './performanceDrift.js';
import { populationStabilityIndex, referenceBins, type ReferenceBins } from './populationStabilityIndex.js';
import { referenceSampleRows, sortedColumnSample } from './referenceSample.js';

/** Validation-score reference of one model; JSON-plain. */
export interface PredictionReference {
  /** Quantile bins of the validation scores. */
  bins: ReferenceBins;
  /** Ascending seeded subsample of the validation scores (at most `sampleCap`), for KS. */
  sample: number[];
  /** Score ≥ threshold is predicted positive. */
  threshold: number;
  /** Fraction of validation rows predicted positive. */
  positiveRate: number;
  /** Validation rows. */
  n: number;
}

export interface PredictionReferenceOptions {
  /**
   * Quantile bins of the scores before merging ties.
   * @default 10
   */
  bins?: number;
  /**
   * Most validation scores kept for KS.
   * @default 5000
   */
  sampleCap?: number;
  /**
   * Seed of the subsample.
   * @default 0
   */
  seed?: number;
}

export interface PredictionDriftOptions {
  /**
   * Significance level of the KS test and of the predicted-positive-rate interval's complement.
   * @default 0.01
   */
  alpha?: number;
  /**
   * PSI at or above which the score shift is practically large.
   * @default 0.2
   */
  psiThreshold?: number;
  /**
   * KS D at or above which the score shift is practically large.
   * @default 0.1
   */
  ksThreshold?: number;
  /**
   * Standard-normal quantile of the Wilson interval of the predicted-positive rate.
   * @default 2.575829 (99%, matching alpha = 0.01)
   */
  rateZ?: number;
  /**
   * Smallest factor current/reference (or its inverse) of the predicted-positive rate that counts as a shift.
   * @default 1.5
   */
  rateRatio?: number;
  /**
   * Floor of an empty bin's proportion in PSI.
   * @default 1e-4
   */
  epsilon?: number;
}

export interface PredictionDriftResult {
  psi: number;
  /** Fraction of current scores per reference bin. */
  currentProportions: number[];
  ks: { statistic: number; pValue: number };
  positiveRate: {
    reference: number;
    current: number;
    /** Rows with score ≥ threshold. */
    predictedPositive: number;
    n: number;
    /** Wilson interval of the current rate at `rateZ`. */
    interval: [number, number];
    /** The reference rate is outside the interval and the rate moved by at least `rateRatio`. */
    shifted: boolean;
  };
  /** The score distribution (KS p ≤ alpha and PSI or D large) or the predicted-positive rate shifted. */
  drifted: boolean;
  /** Sentences with the numbers, one per finding. */
  reasons: string[];
}

export function buildPredictionReference(
  validationScores: Float64Array,
  threshold: number,
  options: PredictionReferenceOptions = {},
): PredictionReference {
  assertThreshold(threshold);
  if (!(validationScores instanceof Float64Array) || validationScores.length === 0) {
    throw new InvalidInputError('validationScores', 'validationScores: expected a non-empty Float64Array');
  }
  assertScores(validationScores, validationScores.length, 'validationScores');
  const n = validationScores.length;
  let predictedPositive = 0;
  for (let i = 0; i < n; i++) if (validationScores[i]! >= threshold) predictedPositive++;
  const rows = referenceSampleRows(n, options.sampleCap ?? 5000, options.seed ?? 0);
  return {
    bins: referenceBins(validationScores, options.bins ?? 10),
    sample: sortedColumnSample(validationScores, 1, 0, rows),
    threshold,
    positiveRate: predictedPositive / n,
    n,
  };
}

function positiveOption(name: string, v: unknown, fallback: number, max = Infinity): number {
  const value = v ?? fallback;
  if (typeof value !== 'number' || !(value > 0 && value < max)) {
    throw new InvalidInputError(name, `${name}: expected a number in (0, ${max}), got ${String(value)}`);
  }
  return value;
}

function fmt(v: number): string {
  return Number(v.toPrecision(3)).toString();
}

export function predictionDrift(
  reference: PredictionReference,
  scores: Float64Array,
  options: PredictionDriftOptions = {},
): PredictionDriftResult {
  const alpha = positiveOption('alpha', options.alpha, 0.01, 1);
  const psiThreshold = positiveOption('psiThreshold', options.psiThreshold, 0.2);
  const ksThreshold = positiveOption('ksThreshold', options.ksThreshold, 0.1, 1);
  const rateZ = positiveOption('rateZ', options.rateZ, 2.575829);
  const rateRatio = options.rateRatio ?? 1.5;
  if (typeof rateRatio !== 'number' || !(rateRatio >= 1) || !Number.isFinite(rateRatio)) {
    throw new InvalidInputError('rateRatio', `rateRatio: expected a finite number ≥ 1, got ${String(rateRatio)}`);
  }
  if (!(scores instanceof Float64Array) || scores.length === 0)
    throw new InvalidInputError('scores', 'scores: expected a non-empty Float64Array');
  if (reference.sample.length === 0)
    throw new InvalidInputError('reference.sample', 'reference.sample: expected at least one validation score, got none');
  assertScores(scores, scores.length, 'scores');

  const { psi, currentProportions } = populationStabilityIndex(reference.bins, scores, { epsilon: options.epsilon });
  const ks = kolmogorovSmirnov(Float64Array.from(reference.sample), scores);
  const n = scores.length;
  let predictedPositive = 0;
  for (let i = 0; i < n; i++) if (scores[i]! >= reference.threshold) predictedPositive++;
  const current = predictedPositive / n;
  const interval = wilsonInterval(predictedPositive, n, rateZ)!;
  const ref = reference.positiveRate;
  const factor = ref === 0 ? (current === 0 ? 1 : Infinity) : current / ref;
  const rateShifted = (ref < interval[0] || ref > interval[1]) && (factor >= rateRatio || factor <= 1 / rateRatio);

  const reasons: string[] = [];
  const distributionShifted = ks.pValue <= alpha && (psi >= psiThreshold || ks.statistic >= ksThreshold);
  if (distributionShifted) {
    reasons.push(
      `score distribution shifted: PSI ${fmt(psi)} (threshold ${psiThreshold}), KS D ${fmt(ks.statistic)} (threshold ${ksThreshold}), p = ${ks.pValue.toExponential(2)} ≤ ${alpha}`,
    );
  }
  if (rateShifted) {
    reasons.push(
      `predicted-positive rate ${fmt(current)} (${predictedPositive} of ${n}, interval ${fmt(interval[0])}–${fmt(interval[1])}) ` +
        `vs ${fmt(ref)} on validation: × ${Number.isFinite(factor) ? fmt(factor) : '∞'}`,
    );
  }
  return {
    psi,
    currentProportions,
    ks: { statistic: ks.statistic, pValue: ks.pValue },
    positiveRate: { reference: ref, current, predictedPositive, n, interval, shifted: rateShifted },
    drifted: distributionShifted || rateShifted,
    reasons,
  };
}
