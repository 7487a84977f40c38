// Metrics of a test split counted at another class mix (a retrain's sample keeps more of the rare class than the data
// holds): each negative counts `negativeWeight` times. With a whole-number weight the result must be that of the
// rows with every negative copied that many times; recall, G-mean and ROC-AUC must not move.

import { describe, expect, it } from 'vitest';
import { bootstrapIntervals } from '../../core/metrics/bootstrapIntervals.js';
import { classificationReport, negativeWeightFor } from '../../core/metrics/classMetrics.js';
import { seededRandom } from '../../core/random.js';

function rows(n: number, prevalence: number, seed: number): { y: Uint8Array; scores: Float64Array } {
  const random = seededRandom(seed);
  const y = Uint8Array.from({ length: n }, () => (random.next() < prevalence ? 1 : 0));
  const scores = Float64Array.from(y, (v) => Math.min(1, Math.max(0, 0.3 * v + 0.5 * random.next())));
  return { y, scores };
}

function withNegativesCopied(y: Uint8Array, scores: Float64Array, k: number): { y: Uint8Array; scores: Float64Array } {
  const ys: number[] = [];
  const ss: number[] = [];
  y.forEach((v, i) => {
    for (let c = 0; c < (v === 1 ? 1 : k); c++) {
      ys.push(v);
      ss.push(scores[i]!);
    }
  });
  return { y: Uint8Array.from(ys), scores: Float64Array.from(ss) };
}

describe('metrics at another class mix', () => {
  it('equal those of the rows with each negative copied, for a whole-number weight', () => {
    const { y, scores } = rows(2000, 0.15, 3);
    const weighted = classificationReport(y, scores, 0.4, { negativeWeight: 4 });
    const copied = withNegativesCopied(y, scores, 4);
    const plain = classificationReport(copied.y, copied.scores, 0.4);
    for (const cls of ['positive', 'negative'] as const) {
      expect(weighted.perClass[cls].precision).toBeCloseTo(plain.perClass[cls].precision!, 12);
      expect(weighted.perClass[cls].f1).toBeCloseTo(plain.perClass[cls].f1!, 12);
      expect(weighted.perClass[cls].recall).toBeCloseTo(plain.perClass[cls].recall!, 12);
    }
    expect(weighted.prAuc).toBeCloseTo(plain.prAuc!, 12);
    expect(weighted.prAucNormalised).toBeCloseTo(plain.prAucNormalised!, 12);
    expect(weighted.brier).toBeCloseTo(plain.brier!, 12);
    expect(weighted.prevalence).toBeCloseTo(plain.prevalence!, 12);
    expect(weighted.gMean).toBeCloseTo(plain.gMean!, 12);
    expect(weighted.rocAuc).toBeCloseTo(plain.rocAuc!, 12);
    // Copies are not new rows: the weighted precision's interval is wider than the copies' own.
    const [lw, hw] = weighted.perClass.positive.precisionInterval!;
    const [lc, hc] = plain.perClass.positive.precisionInterval!;
    expect(hw - lw).toBeGreaterThan(hc - lc);
    expect(weighted.classMix).toEqual({ rowsPrevalence: weighted.support.positive / y.length, negativeWeight: 4 });
    expect(classificationReport(y, scores, 0.4).classMix).toBeUndefined();
  });

  it('gives a precision interval that covers the precision at the population mix', () => {
    // A population at 2% positives; the sample keeps every positive and a fifth of the negatives (about 9%).
    const population = rows(60_000, 0.02, 8);
    const truth = classificationReport(population.y, population.scores, 0.45).perClass.positive.precision!;
    const random = seededRandom(9);
    const keep = Array.from(population.y, (v, i) => i).filter((i) => population.y[i] === 1 || random.next() < 0.2);
    const y = Uint8Array.from(keep, (i) => population.y[i]!);
    const scores = Float64Array.from(keep, (i) => population.scores[i]!);
    const sampled = y.reduce((a, v) => a + v, 0) / y.length;
    const asSampled = classificationReport(y, scores, 0.45).perClass.positive;
    const atMix = classificationReport(y, scores, 0.45, { negativeWeight: negativeWeightFor(sampled, 0.02) }).perClass.positive;
    expect(asSampled.precision! - truth).toBeGreaterThan(0.1);
    expect(atMix.precisionInterval![0]).toBeLessThanOrEqual(truth);
    expect(atMix.precisionInterval![1]).toBeGreaterThanOrEqual(truth);
  });

  it("carries the rows' own Wilson interval of precision to the weighted mix, no wider than the sampling spread", () => {
    // 100 true alarms and 100 false ones, each negative counting 10 times: precision 100 / (100 + 1000) = 0.0909.
    const y = Uint8Array.from([...Array<number>(200).fill(1), ...Array<number>(2000).fill(0)]);
    const scores = Float64Array.from(y, (v, i) => (v === 1 ? (i < 100 ? 0.9 : 0.1) : i < 300 ? 0.9 : 0.1));
    const r = classificationReport(y, scores, 0.5, { negativeWeight: 10 }).perClass.positive;
    expect(r.precision).toBeCloseTo(100 / 1100, 12);
    const [low, high] = r.precisionInterval!;
    // The spread of the weighted precision over repeated samples of this design is about 0.074–0.114 (simulated).
    expect(low).toBeGreaterThan(0.065);
    expect(high).toBeLessThan(0.125);
    expect(low).toBeLessThan(r.precision!);
    expect(high).toBeGreaterThan(r.precision!);
  });

  it('bootstraps the PR-AUC at the weighted mix, around its point value', () => {
    const { y, scores } = rows(3000, 0.1, 5);
    const point = classificationReport(y, scores, 0.4, { negativeWeight: 5 });
    const b = bootstrapIntervals(y, scores, 0.4, { negativeWeight: 5, resamples: 300 });
    expect(b.prAuc![0]).toBeLessThan(point.prAuc!);
    expect(b.prAuc![1]).toBeGreaterThan(point.prAuc!);
    expect(b.prAucNormalised![0]).toBeCloseTo(b.prAuc![0] - point.prevalence!, 12);
    const unweighted = bootstrapIntervals(y, scores, 0.4, { resamples: 300 });
    expect(b.gMean).toEqual(unweighted.gMean);
    expect(b.prAuc![1]).toBeLessThan(unweighted.prAuc![1]);
    expect(negativeWeightFor(0.1, 0.1)).toBe(1);
    expect(negativeWeightFor(0.5, 0.2)).toBeCloseTo(4, 12);
  });
});
