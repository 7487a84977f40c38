// The thresholds of the drift tests, their defaults, and their one validation.

import { InvalidInputError } from '../invalidInputError.js';

export interface DriftOptions {
  /**
   * Fewest rows in a window for the feature and prediction tests; smaller windows report them `insufficient`.
   * @default 200
   */
  minRows: number;
  /**
   * False discovery rate across the feature tests (Benjamini–Hochberg), and the significance level of the
   * label-prior and prediction tests.
   * @default 0.01
   */
  fdr: number;
  /**
   * PSI at or above which a feature's shift is practically large.
   * @default 0.2
   */
  psiThreshold: number;
  /**
   * KS D at or above which a feature's shift is practically large.
   * @default 0.1
   */
  ksThreshold: number;
  /**
   * Floor of an empty bin's proportion in PSI.
   * @default 1e-4
   */
  epsilon: number;
  /**
   * Fewest labelled positives in a window for the minority-class feature tests.
   * @default 30
   */
  minPositiveRows: number;
  /**
   * Smallest expected count per class for the label-prior chi-square test.
   * @default 5
   */
  minExpected: number;
  /**
   * Smallest factor current/training (or its inverse) of the labelled positive rate that counts as a prior shift.
   * @default 1.5
   */
  priorRatio: number;
  /**
   * Smallest factor current/validation (or its inverse) of the predicted-positive rate that counts as a shift.
   * @default 1.5
   */
  rateRatio: number;
  /**
   * Standard-normal quantile of the predicted-positive rate's Wilson interval.
   * @default 2.575829 (99%)
   */
  rateZ: number;
  /**
   * A performance drop must exceed this much (absolute recall or precision) beyond the interval.
   * @default 0.05
   */
  tolerance: number;
  /**
   * Fewest rows behind a class's recall or precision to compare it.
   * @default { positive: 20, negative: 100 }
   */
  minSupport: { positive: number; negative: number };
  /**
   * Monte Carlo draws of the label-free performance interval.
   * @default 200
   */
  draws: number;
  /**
   * Seed of the Monte Carlo draws.
   * @default 0
   */
  seed: number;
}

export const DEFAULT_DRIFT_OPTIONS: DriftOptions = {
  minRows: 200,
  fdr: 0.01,
  psiThreshold: 0.2,
  ksThreshold: 0.1,
  epsilon: 1e-4,
  minPositiveRows: 30,
  minExpected: 5,
  priorRatio: 1.5,
  rateRatio: 1.5,
  rateZ: 2.575829,
  tolerance: 0.05,
  minSupport: { positive: 20, negative: 100 },
  draws: 200,
  seed: 0,
};

/** `options` over the defaults, validated. */
export function resolveOptions(options: Partial<DriftOptions>): DriftOptions {
  const o: DriftOptions = {
    ...DEFAULT_DRIFT_OPTIONS,
    ...options,
    minSupport: { ...DEFAULT_DRIFT_OPTIONS.minSupport, ...options.minSupport },
  };
  for (const key of ['minRows', 'minPositiveRows'] as const) {
    if (!Number.isInteger(o[key]) || o[key] < 1) throw new InvalidInputError(key, `${key}: expected an integer ≥ 1, got ${String(o[key])}`);
  }
  if (typeof o.fdr !== 'number' || !(o.fdr > 0 && o.fdr < 1))
    throw new InvalidInputError('fdr', `fdr: expected a rate in (0, 1), got ${String(o.fdr)}`);
  for (const key of ['psiThreshold', 'ksThreshold'] as const) {
    if (typeof o[key] !== 'number' || !(o[key] > 0))
      throw new InvalidInputError(key, `${key}: expected a number > 0, got ${String(o[key])}`);
  }
  if (typeof o.priorRatio !== 'number' || !(o.priorRatio >= 1) || !Number.isFinite(o.priorRatio)) {
    throw new InvalidInputError('priorRatio', `priorRatio: expected a finite number ≥ 1, got ${String(o.priorRatio)}`);
  }
  return o;
}
