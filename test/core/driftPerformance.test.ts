import { describe, expect, it } from 'vitest';
import { confidenceBasedPerformance } from '../../core/drift/confidenceBasedPerformance.js';
import { performanceDrift, type ReferencePerformance } from '../../core/drift/performanceDrift.js';
import { buildPredictionReference, predictionDrift } from '../../core/drift/predictionDrift.js';
import { wilsonInterval } from '../../core/metrics/intervals.js';
import { seededRandom } from '../../core/random.js';

const f64 = (a: number[]): Float64Array => Float64Array.from(a);

/** 30 positives (24 scored 0.9, 6 scored 0.1) and 200 negatives (10 scored 0.9, 190 scored 0.1). */
function handWindow(): { labels: Int8Array; scores: Float64Array } {
  const labels: number[] = [];
  const scores: number[] = [];
  const add = (y: number, s: number, k: number) => {
    for (let i = 0; i < k; i++) {
      labels.push(y);
      scores.push(s);
    }
  };
  add(1, 0.9, 24);
  add(1, 0.1, 6);
  add(0, 0.9, 10);
  add(0, 0.1, 190);
  add(-1, 0.9, 50); // unlabelled rows are skipped
  return { labels: Int8Array.from(labels), scores: f64(scores) };
}

const reference = (positiveRecall: number): ReferencePerformance => ({
  positive: { recall: positiveRecall, precision: 0.7 },
  negative: { recall: 0.95, precision: 0.97 },
});

describe('performance drift on labels', () => {
  it('flags a drop only when the Wilson upper bound is below reference − tolerance', () => {
    const { labels, scores } = handWindow();
    const interval = wilsonInterval(24, 30)!;
    expect(interval[1]).toBeCloseTo(0.905, 3);
    // 0.905 ≥ 0.95 − 0.05: not a drop.
    const near = performanceDrift(labels, scores, 0.5, reference(0.95));
    expect(near.labelled).toBe(230);
    expect(near.perClass.positive.recall).toMatchObject({ status: 'ok', current: 0.8, support: 30, interval });
    expect(near.dropped).toBe(false);
    // 0.905 < 0.97 − 0.05: a drop, with the numbers in the sentence.
    const far = performanceDrift(labels, scores, 0.5, reference(0.97));
    expect(far.perClass.positive.recall.status).toBe('dropped');
    expect(far.dropped).toBe(true);
    expect(far.reasons).toEqual([
      `positive recall 0.800 (interval ${interval[0].toFixed(3)}–0.905, 30 labelled positives) is below the validation value 0.970 − tolerance 0.05`,
    ]);
    // precision 24/34, TNR 190/200, NPV 190/196
    expect(far.perClass.positive.precision.current).toBeCloseTo(24 / 34, 15);
    expect(far.perClass.negative.recall.current).toBeCloseTo(0.95, 15);
    expect(far.perClass.negative.precision.current).toBeCloseTo(190 / 196, 15);
    expect(JSON.parse(JSON.stringify(far))).toEqual(far);
  });

  it("weighs the validation value's own uncertainty when the reference keeps its interval", () => {
    // A lucky test split: 38 of 40 positives found (0.95). The window finds 170 of 200 (0.85): below 0.95 − 0.05 by
    // its own interval, but not once the 40 validation positives' uncertainty is counted.
    const labels = Int8Array.from([...Array<number>(200).fill(1), ...Array<number>(400).fill(0)]);
    const scores = Float64Array.from({ length: 600 }, (_, i) => (i < 170 ? 0.9 : i < 200 ? 0.1 : i < 220 ? 0.9 : 0.1));
    const lucky: ReferencePerformance = {
      positive: { recall: 0.95, precision: 0.9, recallInterval: wilsonInterval(38, 40)! },
      negative: { recall: 0.95, precision: 0.97 },
    };
    const asExact: ReferencePerformance = { ...lucky, positive: { recall: 0.95, precision: 0.9 } };
    expect(performanceDrift(labels, scores, 0.5, asExact).perClass.positive.recall.status).toBe('dropped');
    const judged = performanceDrift(labels, scores, 0.5, lucky).perClass.positive.recall;
    expect(judged.status).toBe('ok');
    expect(judged.message).toContain('consistent with the validation value 0.950 (interval 0.835–0.986)');
    // A real fall (120 of 200, 0.60) is still a drop against the same uncertain reference.
    const fallen = Float64Array.from(scores, (s, i) => (i >= 120 && i < 200 ? 0.1 : s));
    const drop = performanceDrift(labels, fallen, 0.5, lucky).perClass.positive.recall;
    expect(drop.status).toBe('dropped');
    expect(drop.message).toContain('is below the validation value 0.950 (interval 0.835–0.986) − tolerance 0.05');
    expect(() =>
      performanceDrift(labels, scores, 0.5, { ...lucky, positive: { recall: 0.95, precision: 0.9, recallInterval: [0.9, 1.2] } }),
    ).toThrow('reference.positive.recallInterval: expected [lower, upper] within [0, 1] beside a value, got [0.9,1.2]');
  });

  it("reads the reference's interval at the check's own z when it keeps the rows behind its values", () => {
    // The reference of the test above with its 40 validation positives counted, and a window finding 160 of 200
    // (0.80): consistent at z = 1.96; at z = 1 (a 68% check) a drop, which beside the stored 95% interval it is not.
    const labels = Int8Array.from([...Array<number>(200).fill(1), ...Array<number>(400).fill(0)]);
    const scores = Float64Array.from({ length: 600 }, (_, i) => (i < 160 ? 0.9 : i < 200 ? 0.1 : i < 220 ? 0.9 : 0.1));
    const counted: ReferencePerformance = {
      positive: { recall: 0.95, precision: 0.9, recallInterval: wilsonInterval(38, 40)!, recallSupport: 40 },
      negative: { recall: 0.95, precision: 0.97 },
    };
    const at95 = performanceDrift(labels, scores, 0.5, counted).perClass.positive.recall;
    expect(at95.status).toBe('ok');
    expect(at95.message).toContain('(interval 0.835–0.986)');
    const at68 = performanceDrift(labels, scores, 0.5, counted, { z: 1 }).perClass.positive.recall;
    const [low, high] = wilsonInterval(38, 40, 1)!;
    expect(at68.message).toContain(`(interval ${low.toFixed(3)}–${high.toFixed(3)})`);
    expect(at68.status).toBe('dropped');
    const stored95 = { ...counted, positive: { recall: 0.95, precision: 0.9, recallInterval: wilsonInterval(38, 40)! } };
    expect(performanceDrift(labels, scores, 0.5, stored95, { z: 1 }).perClass.positive.recall.status).toBe('ok');
    expect(() => performanceDrift(labels, scores, 0.5, { ...counted, positive: { ...counted.positive, recallSupport: 2.5 } })).toThrow(
      'reference.positive.recallSupport: expected a whole number ≥ 0, got 2.5',
    );
  });

  it('reports classes below the minimum support as insufficient', () => {
    const { labels, scores } = handWindow();
    const r = performanceDrift(labels, scores, 0.5, reference(0.97), { minSupport: { positive: 40 } });
    expect(r.perClass.positive.recall.status).toBe('insufficient');
    expect(r.perClass.positive.recall.message).toBe('positive recall not compared: 30 labelled positives, below the minimum 40');
    // Precision support is the rows predicted positive: 34 < 40.
    expect(r.perClass.positive.precision.status).toBe('insufficient');
    expect(r.insufficient).toHaveLength(2);
    expect(r.dropped).toBe(false);
  });

  it('rejects bad labels, scores and options, naming the parameter', () => {
    const { labels, scores } = handWindow();
    expect(() => performanceDrift(Int8Array.from([2]), f64([0.1]), 0.5, reference(0.9))).toThrow(
      'labels: expected 0, 1 or −1 (unknown), got 2 at row 0',
    );
    expect(() => performanceDrift(labels, scores.subarray(1), 0.5, reference(0.9))).toThrow(
      'scores: expected 280 scores (one per row), got 279',
    );
    expect(() => performanceDrift(labels, scores, 0.5, reference(0.9), { tolerance: -1 })).toThrow(
      'tolerance: expected a number in [0, 1), got -1',
    );
    expect(() => performanceDrift(labels, scores, 0.5, reference(1.2))).toThrow(
      'reference.positive.recall: expected a number in [0, 1] or null, got 1.2',
    );
  });
});

describe('confidence-based performance estimation', () => {
  it('computes the expected confusion counts and per-class estimates', () => {
    const r = confidenceBasedPerformance(f64([0.9, 0.6, 0.2, 0.1]), 0.5, reference(0.9), { minSupport: { positive: 1, negative: 1 } });
    expect(r.expected.tp).toBeCloseTo(1.5, 15);
    expect(r.expected.fp).toBeCloseTo(0.5, 15);
    expect(r.expected.fn).toBeCloseTo(0.3, 15);
    expect(r.expected.tn).toBeCloseTo(1.7, 15);
    expect(r.perClass.positive.recall.current).toBeCloseTo(1.5 / 1.8, 15);
    expect(r.perClass.positive.precision.current).toBeCloseTo(0.75, 15);
    expect(r.perClass.negative.recall.current).toBeCloseTo(1.7 / 2.2, 15);
    expect(r.perClass.negative.precision.current).toBeCloseTo(0.85, 15);
    expect(r.draws).toBe(200);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('repeats by seed', () => {
    const p = f64(Array.from({ length: 500 }, (_, i) => (i % 10) / 10));
    const a = confidenceBasedPerformance(p, 0.5, reference(0.9), { seed: 7 });
    expect(confidenceBasedPerformance(p, 0.5, reference(0.9), { seed: 7 })).toEqual(a);
  });

  it('covers the realised per-class metrics when the scores are calibrated', () => {
    // Labels drawn from the scores; the estimate's 95% interval should cover the recall and precision the labels realise.
    const trials = 50;
    const covered = { positiveRecall: 0, positivePrecision: 0, negativeRecall: 0 };
    for (let t = 0; t < trials; t++) {
      const random = seededRandom(1000 + t);
      const n = 3000;
      const p = new Float64Array(n);
      const y = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        // logit ~ N(−4, 2²) by Box–Muller: mostly near 0, a tail of confident positives (about 5% positives).
        const u = 1 - random.next();
        const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.next());
        p[i] = 1 / (1 + Math.exp(-(-4 + 2 * z)));
        y[i] = random.next() < p[i]! ? 1 : 0;
      }
      const threshold = 0.3;
      let tp = 0,
        fp = 0,
        fn = 0,
        tn = 0;
      for (let i = 0; i < n; i++) {
        const predicted = p[i]! >= threshold;
        if (y[i] === 1) {
          if (predicted) tp++;
          else fn++;
        } else if (predicted) fp++;
        else tn++;
      }
      const r = confidenceBasedPerformance(p, threshold, reference(0.5), { seed: t });
      const inside = (v: number, iv: [number, number] | null) => iv !== null && v >= iv[0] && v <= iv[1];
      if (inside(tp / (tp + fn), r.perClass.positive.recall.interval)) covered.positiveRecall++;
      if (inside(tp / (tp + fp), r.perClass.positive.precision.interval)) covered.positivePrecision++;
      if (inside(tn / (tn + fp), r.perClass.negative.recall.interval)) covered.negativeRecall++;
    }
    console.log(`CBPE 95% interval coverage over ${trials} seeded trials: ${JSON.stringify(covered)}`);
    expect(covered.positiveRecall).toBeGreaterThanOrEqual(0.85 * trials);
    expect(covered.positivePrecision).toBeGreaterThanOrEqual(0.85 * trials);
    expect(covered.negativeRecall).toBeGreaterThanOrEqual(0.85 * trials);
  });

  it('flags an estimated drop against the validation values', () => {
    // Predicted-positive rows with p = 0.3 give an estimated precision of 0.3 against a validation 0.7.
    const p = f64([...Array(100).fill(0.3), ...Array(900).fill(0.01)]);
    const r = confidenceBasedPerformance(p, 0.25, reference(0.5));
    expect(r.perClass.positive.precision.status).toBe('dropped');
    expect(r.perClass.positive.precision.message).toMatch(
      /^estimated positive precision 0\.300 \(interval 0\.\d{3}–0\.\d{3}, 100 rows predicted positive\) is below the validation value 0\.700 − tolerance 0\.05$/,
    );
    expect(r.dropped).toBe(true);
  });

  it('rejects non-probabilities, naming the parameter', () => {
    expect(() => confidenceBasedPerformance(f64([0.5, 1.5]), 0.5, reference(0.9))).toThrow(
      'calibrated: expected probabilities in [0, 1], got 1.5 at row 1',
    );
    expect(() => confidenceBasedPerformance(f64([]), 0.5, reference(0.9))).toThrow('calibrated: expected at least one row, got none');
    expect(() => confidenceBasedPerformance(f64([0.5]), 0.5, reference(0.9), { draws: 0 })).toThrow(
      'draws: expected an integer ≥ 1, got 0',
    );
  });
});

describe('prediction drift', () => {
  const uniform = (n: number, seed: number, scale = 1): Float64Array => {
    const random = seededRandom(seed);
    return Float64Array.from({ length: n }, () => Math.min(1, random.next() * scale));
  };

  it('keeps a JSON-plain reference with the predicted-positive rate', () => {
    const ref = buildPredictionReference(f64([0.1, 0.2, 0.95, 0.4]), 0.9);
    expect(ref.positiveRate).toBe(0.25);
    expect(ref.sample).toEqual([0.1, 0.2, 0.4, 0.95]);
    expect(JSON.parse(JSON.stringify(ref))).toEqual(ref);
    expect(buildPredictionReference(uniform(20_000, 1), 0.9, { sampleCap: 100 }).sample).toHaveLength(100);
  });

  it('does not flag the same distribution and flags a tripled predicted-positive rate', () => {
    const ref = buildPredictionReference(uniform(20_000, 1), 0.97);
    const same = predictionDrift(ref, uniform(2000, 2));
    expect(same.drifted).toBe(false);
    expect(same.psi).toBeLessThan(0.05);
    // Scores stretched so that about 3× as many pass 0.97: the rate shifts (the bulk barely moves).
    const tripled = f64(Array.from(uniform(2000, 3), (s, i) => (i % 100 < 6 ? 0.98 : s)));
    const r = predictionDrift(ref, tripled);
    expect(r.positiveRate.shifted).toBe(true);
    expect(r.drifted).toBe(true);
    expect(r.reasons[r.reasons.length - 1]).toMatch(
      /^predicted-positive rate 0\.0\d+ \(\d+ of 2000, interval .*\) vs 0\.0\d+ on validation: × [\d.]+$/,
    );
  });
});
