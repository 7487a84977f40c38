import { describe, expect, it } from 'vitest';
import { confusionAtThreshold, confusionMatrix } from '../../core/metrics/confusion.js';
import { classificationReport, gMean } from '../../core/metrics/classMetrics.js';
import { wilsonInterval } from '../../core/metrics/intervals.js';
import { averagePrecision, brierScore, calibrationBins, prAucNormalised, rocAuc } from '../../core/metrics/rankingMetrics.js';
import { InvalidInputError } from '../../core/invalidInputError.js';

const u8 = (a: number[]): Uint8Array => Uint8Array.from(a);
const f64 = (a: number[]): Float64Array => Float64Array.from(a);

// A set with tied scores; expectations computed by hand and checked against scikit-learn 1.9.1:
// average_precision_score = 19/36, roc_auc_score = 2/3, brier_score_loss = 0.244.
const tiedLabels = u8([1, 0, 1, 1, 0, 0, 0, 1, 0, 0]);
const tiedScores = f64([0.9, 0.9, 0.7, 0.5, 0.5, 0.5, 0.3, 0.2, 0.2, 0.1]);

describe('confusion matrix', () => {
  it('counts a hand-built 2×2 table', () => {
    const yTrue = u8([1, 1, 1, 0, 0, 0, 0, 0]);
    const yPred = u8([1, 1, 0, 1, 0, 0, 0, 0]);
    expect(confusionMatrix(yTrue, yPred)).toEqual({ tp: 2, fp: 1, tn: 4, fn: 1 });
  });

  it('predicts positive at score ≥ threshold (the quantile classifier)', () => {
    const m = confusionAtThreshold(u8([1, 0, 1, 0]), f64([0.5, 0.5, 0.49, 0.1]), 0.5);
    expect(m).toEqual({ tp: 1, fp: 1, tn: 1, fn: 1 });
  });

  it('rejects mismatched lengths and non-binary labels, naming the array', () => {
    expect(() => confusionMatrix(u8([1, 0]), u8([1]))).toThrow('yPred: expected 2 predictions (one per label), got 1');
    expect(() => confusionMatrix(u8([1, 2]), u8([1, 0]))).toThrow('yTrue: expected 0 or 1, got 2 at index 1');
  });
});

describe('G-mean', () => {
  it('is √(TPR·TNR)', () => {
    expect(gMean(0.8, 0.5)).toBeCloseTo(Math.sqrt(0.4), 15);
    expect(gMean(1, 0)).toBe(0);
  });

  it('matches the report computed from the confusion matrix', () => {
    // tp=2 fn=1 → TPR 2/3; tn=4 fp=1 → TNR 4/5.
    const report = classificationReport(u8([1, 1, 1, 0, 0, 0, 0, 0]), f64([0.9, 0.8, 0.1, 0.7, 0.2, 0.2, 0.1, 0.3]), 0.5);
    expect(report.confusion).toEqual({ tp: 2, fp: 1, tn: 4, fn: 1 });
    expect(report.gMean).toBeCloseTo(Math.sqrt((2 / 3) * (4 / 5)), 15);
    expect(report.balancedAccuracy).toBeCloseTo((2 / 3 + 4 / 5) / 2, 15);
    expect(report.perClass.positive.precision).toBeCloseTo(2 / 3, 15);
    expect(report.perClass.negative.precision).toBeCloseTo(4 / 5, 15);
    expect(report.perClass.positive.f1).toBeCloseTo(2 / 3, 15);
    expect(report.support).toEqual({ negative: 5, positive: 3 });
  });
});

describe('ranking metrics', () => {
  it('average precision matches a hand computation without ties', () => {
    // Positives at ranks 1, 3, 6: AP = ⅓·1 + ⅓·⅔ + ⅓·½ = 13/18.
    expect(averagePrecision(u8([1, 0, 1, 0, 0, 1]), f64([0.9, 0.8, 0.7, 0.6, 0.5, 0.4]))).toBeCloseTo(13 / 18, 14);
  });

  it('average precision takes tied scores together, as sklearn', () => {
    expect(averagePrecision(tiedLabels, tiedScores)).toBeCloseTo(19 / 36, 14);
    // Input order within a tie must not matter.
    expect(averagePrecision(u8([0, 1, 1, 0, 0, 1, 0, 1, 0, 0]), f64([0.9, 0.9, 0.7, 0.5, 0.5, 0.5, 0.3, 0.2, 0.2, 0.1]))).toBeCloseTo(
      19 / 36,
      14,
    );
  });

  it('average precision is null with no positives', () => {
    expect(averagePrecision(u8([0, 0]), f64([0.2, 0.3]))).toBeNull();
  });

  it('ROC-AUC averages tied ranks (Mann–Whitney)', () => {
    expect(rocAuc(tiedLabels, tiedScores)).toBeCloseTo(2 / 3, 14);
    expect(rocAuc(u8([0, 1]), f64([0.5, 0.5]))).toBe(0.5);
    expect(rocAuc(u8([1, 1]), f64([0.5, 0.6]))).toBeNull();
  });

  it('Brier score by hand', () => {
    expect(brierScore(tiedLabels, tiedScores)).toBeCloseTo(0.244, 15);
    expect(brierScore(u8([1, 0]), f64([0.75, 0.5]))).toBeCloseTo((0.0625 + 0.25) / 2, 15);
  });

  it('normalised PR-AUC is AP minus prevalence (seed 002)', () => {
    const report = classificationReport(tiedLabels, tiedScores, 0.5);
    expect(report.prevalence).toBeCloseTo(0.4, 15);
    expect(report.prAuc).toBeCloseTo(19 / 36, 14);
    expect(report.prAucNormalised).toBeCloseTo(19 / 36 - 0.4, 14);
    expect(prAucNormalised(null, 0.1)).toBeNull();
  });

  it('rejects non-finite scores', () => {
    expect(() => rocAuc(u8([1, 0]), f64([Number.NaN, 0]))).toThrow('scores: expected finite numbers, got NaN at index 0');
  });

  it('calibration bins group scores into equal-width probability bins', () => {
    const bins = calibrationBins(u8([0, 0, 1, 1, 1]), f64([0.05, 0.15, 0.12, 0.95, 1]), 2);
    expect(bins).toEqual([
      { lower: 0, upper: 0.5, count: 3, meanScore: (0.05 + 0.15 + 0.12) / 3, positiveRate: 1 / 3 },
      { lower: 0.5, upper: 1, count: 2, meanScore: 0.975, positiveRate: 1 },
    ]);
    expect(calibrationBins(u8([1]), f64([0.3]), 4)[0]).toEqual({ lower: 0, upper: 0.25, count: 0, meanScore: null, positiveRate: null });
  });
});

describe('Wilson intervals', () => {
  it('8 of 10 gives [0.4902, 0.9433]', () => {
    const [lo, hi] = wilsonInterval(8, 10)!;
    expect(lo).toBeCloseTo(0.4902, 4);
    expect(hi).toBeCloseTo(0.9433, 4);
  });

  it('stays inside [0, 1] at 0 and n successes, and is null with no trials', () => {
    const [lo0, hi0] = wilsonInterval(0, 5)!;
    expect(lo0).toBe(0);
    expect(hi0).toBeCloseTo(0.4345, 4);
    expect(wilsonInterval(5, 5)![1]).toBe(1);
    expect(wilsonInterval(0, 0)).toBeNull();
  });

  it('rejects successes above trials', () => {
    expect(() => wilsonInterval(11, 10)).toThrow(InvalidInputError);
  });
});

describe('classification report', () => {
  it('uses null, not NaN, for undefined values, so it survives JSON', () => {
    // Nothing predicted positive: positive precision is 0/0; recall 0; F1 = 2·0/(0+0+3) = 0.
    const report = classificationReport(u8([1, 1, 1, 0, 0]), f64([0.1, 0.2, 0.3, 0.1, 0.2]), 0.9);
    expect(report.perClass.positive.precision).toBeNull();
    expect(report.perClass.positive.precisionInterval).toBeNull();
    expect(report.perClass.positive.recall).toBe(0);
    expect(report.perClass.positive.f1).toBe(0);
    expect(report.gMean).toBe(0);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('reports nulls for an empty evaluation set', () => {
    const report = classificationReport(u8([]), f64([]), 0.5);
    expect(report.support).toEqual({ negative: 0, positive: 0 });
    expect(report.gMean).toBeNull();
    expect(report.brier).toBeNull();
    expect(report.prevalence).toBeNull();
    expect(report.perClass.positive.recallInterval).toBeNull();
  });

  it('attaches Wilson intervals to per-class recall', () => {
    const y = u8([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
    const s = f64([0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.1, 0.1, 0.1, 0.9]);
    const report = classificationReport(y, s, 0.5);
    expect(report.perClass.positive.recall).toBeCloseTo(0.8, 15);
    expect(report.perClass.positive.recallInterval![0]).toBeCloseTo(0.4902, 4);
    expect(report.perClass.positive.precisionInterval).toEqual(wilsonInterval(8, 9));
  });

  it('rejects a non-finite threshold', () => {
    expect(() => classificationReport(u8([1]), f64([0.5]), Number.NaN)).toThrow('threshold: expected a finite number, got NaN');
  });
});
