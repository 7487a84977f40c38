import { describe, expect, it } from 'vitest';
import { bootstrapIntervals, quantileSorted } from '../../core/metrics/bootstrapIntervals.js';
import { calibrationByClass, expectedCalibrationError } from '../../core/metrics/calibration.js';
import { classificationReport, ROC_AUC_NOTE } from '../../core/metrics/classMetrics.js';
import { prCurve, thresholdCurve } from '../../core/metrics/curves.js';
import { trainTestGap } from '../../core/metrics/trainTestGap.js';
import { seededRandom } from '../../core/random.js';

const u8 = (a: number[]): Uint8Array => Uint8Array.from(a);
const f64 = (a: number[]): Float64Array => Float64Array.from(a);
const tiedLabels = u8([1, 0, 1, 1, 0, 0, 0, 1, 0, 0]);
const tiedScores = f64([0.9, 0.9, 0.7, 0.5, 0.5, 0.5, 0.3, 0.2, 0.2, 0.1]);

describe('report additions', () => {
  it('macro F1 is the mean of the two class F1s: (2/3 + 4/5)/2 = 11/15', () => {
    // tp 2, fn 1, fp 1, tn 4: F1₊ = 4/6, F1₋ = 8/10.
    const report = classificationReport(u8([1, 1, 1, 0, 0, 0, 0, 0]), f64([0.9, 0.8, 0.1, 0.7, 0.2, 0.2, 0.1, 0.3]), 0.5);
    expect(report.macroF1).toBeCloseTo(11 / 15, 15);
  });

  it('normalised Brier is Brier / (π(1 − π)): 0.244 / 0.24', () => {
    const report = classificationReport(tiedLabels, tiedScores, 0.5);
    expect(report.brierNormalised).toBeCloseTo(0.244 / 0.24, 14);
    expect(classificationReport(u8([1, 1]), f64([0.5, 0.5]), 0.5).brierNormalised).toBeNull();
  });

  it('labels ROC-AUC as insensitive to imbalance', () => {
    const report = classificationReport(tiedLabels, tiedScores, 0.5);
    expect(report.rocAucNote).toBe(ROC_AUC_NOTE);
    expect(ROC_AUC_NOTE).toContain('insensitive to the imbalance ratio');
  });
});

describe('per-class calibration', () => {
  it('ECE by hand: (3·|0.32/3 − 1/3| + 2·|0.975 − 1|)/5 = 0.146, mirrored for the negative class', () => {
    const c = calibrationByClass(u8([0, 0, 1, 1, 1]), f64([0.05, 0.15, 0.12, 0.95, 1]), 2);
    expect(c.positive.ece).toBeCloseTo(0.146, 14);
    expect(c.negative.bins[0]).toMatchObject({ lower: 0, upper: 0.5, count: 2, positiveRate: 0 });
    expect(c.negative.bins[0]!.meanScore).toBeCloseTo(0.025, 15);
    expect(c.negative.bins[1]!.count).toBe(3);
    expect(c.negative.bins[1]!.positiveRate).toBeCloseTo(2 / 3, 15);
    expect(c.negative.ece).toBeCloseTo(0.146, 14);
    expect(expectedCalibrationError([])).toBeNull();
  });
});

describe('bootstrap intervals', () => {
  it('quantiles interpolate between order statistics', () => {
    expect(quantileSorted(f64([1, 2, 3, 4]), 0.25)).toBe(1.75);
    expect(quantileSorted(f64([1, 2, 3, 4]), 1)).toBe(4);
  });

  it('are degenerate at 1 for a perfect ranking, and at 0 for a threshold above every score', () => {
    const y = u8([1, 1, 0, 0, 0]);
    const s = f64([0.9, 0.8, 0.3, 0.2, 0.1]);
    const perfect = bootstrapIntervals(y, s, 0.5, { resamples: 50 });
    expect(perfect.gMean).toEqual([1, 1]);
    expect(perfect.prAuc).toEqual([1, 1]);
    expect(perfect.prAucNormalised![0]).toBeCloseTo(0.6, 15);
    expect(bootstrapIntervals(y, s, 0.95, { resamples: 50 }).gMean).toEqual([0, 0]);
  });

  it('repeat by seed, bracket the point estimates, and are null with one class', () => {
    const a = bootstrapIntervals(tiedLabels, tiedScores, 0.5, { seed: 3, resamples: 400 });
    expect(bootstrapIntervals(tiedLabels, tiedScores, 0.5, { seed: 3, resamples: 400 })).toEqual(a);
    const point = classificationReport(tiedLabels, tiedScores, 0.5);
    expect(a.gMean![0]).toBeLessThanOrEqual(point.gMean!);
    expect(a.gMean![1]).toBeGreaterThanOrEqual(point.gMean!);
    expect(a.prAuc![0]).toBeLessThan(point.prAuc!);
    expect(a.prAuc![1]).toBeGreaterThan(point.prAuc!);
    expect(bootstrapIntervals(u8([0, 0]), f64([0.1, 0.2]), 0.5).gMean).toBeNull();
    expect(() => bootstrapIntervals(tiedLabels, tiedScores, 0.5, { level: 1 })).toThrow('level: expected a number in (0, 1), got 1');
  });
});

describe('bootstrap intervals against their replicates', () => {
  it('each replicate is the G-mean and average precision of the rows it drew', () => {
    // Rows drawn with the same seeded stream (positives, then negatives, each from its class in row order) are
    // materialised and scored as a whole report; the percentile interval of those must be the bootstrap's.
    const random = seededRandom(11);
    const n = 300;
    const y = new Uint8Array(n);
    const s = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = random.next() < 0.1 ? 1 : 0;
      s[i] = Math.round((random.next() * 0.6 + y[i]! * 0.3) * 20) / 20; // ties: 19 distinct scores
    }
    for (const threshold of [0.05, 0.5, 0.62, 0.95]) {
      const resamples = 60;
      const got = bootstrapIntervals(y, s, threshold, { seed: 4, resamples });
      const draws = seededRandom(4);
      const positives = [...y.keys()].filter((i) => y[i] === 1);
      const negatives = [...y.keys()].filter((i) => y[i] === 0);
      const gMeans: number[] = [];
      const aps: number[] = [];
      for (let r = 0; r < resamples; r++) {
        const rows = [
          ...positives.map(() => positives[draws.nextInt(positives.length)]!),
          ...negatives.map(() => negatives[draws.nextInt(negatives.length)]!),
        ];
        const report = classificationReport(
          Uint8Array.from(rows, (i) => y[i]!),
          Float64Array.from(rows, (i) => s[i]!),
          threshold,
        );
        gMeans.push(report.gMean!);
        aps.push(report.prAuc!);
      }
      const interval = (v: number[]) => {
        const sorted = Float64Array.from(v).sort();
        return [quantileSorted(sorted, 0.025), quantileSorted(sorted, 0.975)];
      };
      const [g0, g1] = interval(gMeans);
      const [a0, a1] = interval(aps);
      expect(got.gMean![0]).toBeCloseTo(g0!, 12);
      expect(got.gMean![1]).toBeCloseTo(g1!, 12);
      expect(got.prAuc![0]).toBeCloseTo(a0!, 12);
      expect(got.prAuc![1]).toBeCloseTo(a1!, 12);
    }
  });
});

describe('curves', () => {
  it('PR curve at each distinct score, ties entering together, with the prevalence baseline', () => {
    const c = prCurve(tiedLabels, tiedScores);
    expect(c.thresholds).toEqual([0.9, 0.7, 0.5, 0.3, 0.2, 0.1]);
    expect(c.recall).toEqual([0.25, 0.5, 0.75, 0.75, 1, 1]);
    expect(c.precision).toEqual([0.5, 2 / 3, 0.5, 3 / 7, 4 / 9, 0.4]);
    expect(c.baseline).toBe(0.4);
  });

  it('TPR, TNR and G-mean against ascending thresholds', () => {
    const c = thresholdCurve(tiedLabels, tiedScores);
    expect(c.thresholds).toEqual([0.1, 0.2, 0.3, 0.5, 0.7, 0.9]);
    expect(c.tpr).toEqual([1, 1, 0.75, 0.75, 0.5, 0.25]);
    expect(c.tnr).toEqual([0, 1 / 6, 2 / 6, 3 / 6, 5 / 6, 5 / 6]);
    expect(c.gMean[3]).toBeCloseTo(Math.sqrt(0.375), 15);
  });
});

describe('train-vs-test gap', () => {
  it('is train − test (test − train for Brier)', () => {
    const train = classificationReport(u8([1, 1, 0, 0]), f64([0.9, 0.8, 0.1, 0.2]), 0.5);
    const test = classificationReport(u8([1, 1, 0, 0]), f64([0.9, 0.2, 0.1, 0.6]), 0.5);
    const gap = trainTestGap(train, test);
    expect(gap.gMean).toBeCloseTo(0.5, 15);
    expect(gap.positiveRecall).toBeCloseTo(0.5, 15);
    expect(gap.negativeRecall).toBeCloseTo(0.5, 15);
    // Brier train (0.01 + 0.04 + 0.01 + 0.04)/4 = 0.025; test (0.01 + 0.64 + 0.01 + 0.36)/4 = 0.255.
    expect(gap.brier).toBeCloseTo(0.23, 15);
  });
});
