// A multi-class report counted at the data's class shares (a retrain's sample keeps the rare classes whole): each
// row of true class t counts w_t times. With whole-number weights the report must be that of the rows with each
// row of class t copied w_t times; recall and the macro G-mean must not move.

import { describe, expect, it } from 'vitest';
import { withClassIntervals } from '../../core/gates/multiClassGates.js';
import { classWeightsFor, multiClassReport } from '../../core/metrics/multiClassReport.js';
import { seededRandom } from '../../core/random.js';

const CLASSES = ['bird', 'cat', 'eel'];

function rows(n: number, seed: number): { truth: number[]; predicted: number[] } {
  const random = seededRandom(seed);
  const truth: number[] = [];
  const predicted: number[] = [];
  for (let i = 0; i < n; i++) {
    const u = random.next();
    const t = u < 0.3 ? 0 : u < 0.8 ? 1 : 2;
    truth.push(t);
    // Right 70% of the time, else one of the other two classes.
    predicted.push(random.next() < 0.7 ? t : (t + 1 + Math.floor(random.next() * 2)) % 3);
  }
  return { truth, predicted };
}

describe('multi-class report at another class mix', () => {
  it('equals the report of the rows with each class copied its weight, for whole-number weights', () => {
    const { truth, predicted } = rows(600, 4);
    const weights = [1, 4, 2];
    const copiedTruth: number[] = [];
    const copiedPredicted: number[] = [];
    truth.forEach((t, i) => {
      for (let k = 0; k < weights[t]!; k++) {
        copiedTruth.push(t);
        copiedPredicted.push(predicted[i]!);
      }
    });
    const weighted = multiClassReport(CLASSES, truth, predicted, weights);
    const copied = multiClassReport(CLASSES, copiedTruth, copiedPredicted);
    weighted.classes.forEach((row, c) => {
      expect(row.precision).toBeCloseTo(copied.classes[c]!.precision!, 12);
      expect(row.f1).toBeCloseTo(copied.classes[c]!.f1!, 12);
      expect(row.recall).toBeCloseTo(copied.classes[c]!.recall!, 12);
      // The rows are counted as they are: support and the confusion matrix stay in rows.
      expect(row.support).toBe(truth.filter((t) => t === c).length);
    });
    expect(weighted.accuracy).toBeCloseTo(copied.accuracy, 12);
    expect(weighted.macroGMean).toBeCloseTo(multiClassReport(CLASSES, truth, predicted).macroGMean, 12);
    expect(weighted.classMix!.weights).toEqual(weights);
  });

  it('carries each precision interval to the weighted mix around its value', () => {
    const { truth, predicted } = rows(900, 6);
    const plain = withClassIntervals(multiClassReport(CLASSES, truth, predicted));
    const weighted = withClassIntervals(multiClassReport(CLASSES, truth, predicted, [0.2, 1, 0.5]));
    weighted.classes.forEach((row, c) => {
      const [lo, hi] = weighted.precisionIntervals[c]!;
      expect(lo).toBeLessThan(row.precision!);
      expect(hi).toBeGreaterThan(row.precision!);
      // Recall intervals are within a class: unchanged.
      expect(weighted.recallIntervals[c]).toEqual(plain.recallIntervals[c]);
    });
    // The large class (cat, weight 1 against 0.2 and 0.5) gains precision; bird, whose false alarms weigh more, loses.
    expect(weighted.classes[1]!.precision!).toBeGreaterThan(plain.classes[1]!.precision!);
    expect(weighted.classes[0]!.precision!).toBeLessThan(plain.classes[0]!.precision!);
    expect(weighted.precisionIntervals[0]![1]).toBeLessThan(plain.precisionIntervals[0]![1]);
  });

  it('weighs each class by its data share over its rows share, and not at all when they agree', () => {
    // Rows 100/100/100 from data 10%/80%/10%: the large class counts 8 times the others (the largest weight is 1).
    expect(classWeightsFor([100, 100, 100], [0.1, 0.8, 0.1])).toEqual([0.125, 1, 0.125]);
    expect(classWeightsFor([100, 200, 100], [0.25, 0.51, 0.245])).toBeUndefined();
    // A class with no test rows takes weight 1 (it weighs no row); a class the data never holds cannot be weighed.
    expect(classWeightsFor([0, 100, 100], [0.1, 0.8, 0.1])).toEqual([1, 1, 0.125]);
    expect(classWeightsFor([10, 100, 100], [0, 0.9, 0.1])).toBeUndefined();
  });
});
