// The train-vs-test gap: train minus test for each headline metric, a direct read of overfitting
// (a forest's training G-mean is near 1 whatever its test G-mean).

import type { ClassificationReport } from './classMetrics.js';

export interface TrainTestGap {
  /** Each entry is train − test; null when either side is undefined. Positive = better on train. */
  gMean: number | null;
  balancedAccuracy: number | null;
  positiveRecall: number | null;
  negativeRecall: number | null;
  prAuc: number | null;
  prAucNormalised: number | null;
  /** For Brier (lower is better) the gap is test − train, so positive still means "worse on test". */
  brier: number | null;
}

const minus = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a - b);

export function trainTestGap(train: ClassificationReport, test: ClassificationReport): TrainTestGap {
  return {
    gMean: minus(train.gMean, test.gMean),
    balancedAccuracy: minus(train.balancedAccuracy, test.balancedAccuracy),
    positiveRecall: minus(train.perClass.positive.recall, test.perClass.positive.recall),
    negativeRecall: minus(train.perClass.negative.recall, test.perClass.negative.recall),
    prAuc: minus(train.prAuc, test.prAuc),
    prAucNormalised: minus(train.prAucNormalised, test.prAucNormalised),
    brier: minus(test.brier, train.brier),
  };
}
