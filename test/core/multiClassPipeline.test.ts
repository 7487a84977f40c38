// The pure pieces of a multi-class retrain: the sampling plan (rare classes kept whole), the split stratified by
// class, the per-class gates (a failing class fails the run), and the refusal of two-class-only spec keys.

import { describe, expect, it } from 'vitest';
import { parseGateSpec } from '../../core/gates/gateSpec.js';
import { evaluateMultiClassGates, multiClassMetricValues, withClassIntervals } from '../../core/gates/multiClassGates.js';
import { multiClassReport } from '../../core/metrics/multiClassReport.js';
import { seededRandom } from '../../core/random.js';
import { multiClassSamplingPlan } from '../../core/sampling/multiClassSamplingPlan.js';
import { stratifiedSplit } from '../../core/sampling/stratifiedSplit.js';
import { checkMultiClassSpec } from '../../core/spec/multiClassSpecCheck.js';
import { rowsAtClassPrior } from '../../stages/multiClassDriftReference.js';
import { failure } from '../support/invalidInputFailure.js';

const LABEL = 'label column "kind" has 3 classes (bird, cat, eel)';

describe('multiClassSamplingPlan', () => {
  it('keeps the rare classes whole, smallest first, while they fit in half the sample, and samples the rest', () => {
    const plan = multiClassSamplingPlan(
      [
        { value: 'bird', count: 2400 },
        { value: 'cat', count: 27000 },
        { value: 'eel', count: 600 },
      ],
      { positiveTarget: 250, targetSize: 6000 },
    );
    expect(plan.classes).toEqual(['bird', 'cat', 'eel']);
    expect(plan.keptWhole).toEqual(['eel', 'bird']);
    expect(plan.positiveClasses).toEqual(['eel', 'bird']);
    expect(plan.positiveTarget).toBe(3000);
    expect(plan.note).toBe('multi-class: every row of eel (600), bird (2400) kept; cat (27000) sampled uniformly');
  });

  it('stops at the first class that does not fit, and never keeps the largest class whole', () => {
    const plan = multiClassSamplingPlan(
      [
        { value: 'a', count: 100 },
        { value: 'b', count: 5000 },
        { value: 'c', count: 200 },
        { value: 'd', count: 5001 },
      ],
      { positiveTarget: 250, targetSize: 20_000 },
    );
    expect(plan.keptWhole).toEqual(['a', 'c', 'b']);
    expect(plan.positiveTarget).toBe(5300);
    const small = multiClassSamplingPlan(
      [
        { value: 'a', count: 10 },
        { value: 'b', count: 20 },
        { value: 'c', count: 30 },
      ],
      { positiveTarget: 250, targetSize: 20_000 },
    );
    expect(small.keptWhole).toEqual(['a', 'b']);
    const sharded = multiClassSamplingPlan(
      [
        { value: 'a', count: 10 },
        { value: 'b', count: 20 },
        { value: 'c', count: 30 },
      ],
      { positiveTarget: 250, targetSize: 20_000, shards: 4 },
    );
    expect(sharded.note).toBe(
      'multi-class: every row of a (10), b (20) kept (with 4 shards, each shard keeps at most about 8 of these rows); c (30) sampled uniformly',
    );
  });

  it('falls back to the binary rule on the smallest class when no class fits in half the sample', () => {
    const plan = multiClassSamplingPlan(
      [
        { value: 'a', count: 30_000 },
        { value: 'b', count: 50_000 },
        { value: 'c', count: 20_000 },
      ],
      { positiveTarget: 250, targetSize: 20_000 },
    );
    expect(plan.keptWhole).toEqual([]);
    expect(plan.positiveClasses).toEqual(['c']);
    expect(plan.positiveTarget).toBe(250);
    expect(plan.note).toContain('class c (20000 rows) was sampled as the positive class (Nr 250)');
  });

  it('refuses a label of fewer than three classes', async () => {
    const err = await failure(
      Promise.resolve().then(() =>
        multiClassSamplingPlan(
          [
            { value: 'a', count: 1 },
            { value: 'b', count: 2 },
          ],
          { positiveTarget: 1, targetSize: 10 },
        ),
      ),
    );
    expect(err.message).toBe('classes: expected at least 3 class values for multi-class sampling, got 2');
  });
});

describe('stratifiedSplit over class values', () => {
  it('cuts every class by the same fractions', () => {
    const y = Uint8Array.from({ length: 1000 }, (_, i) => (i < 30 ? 2 : i < 400 ? 0 : 1));
    const parts = stratifiedSplit(y, { train: 0.6, validation: 0.2, test: 0.2 }, seededRandom(1), ['bird', 'cat', 'eel']);
    const count = (rows: Int32Array, c: number) => rows.reduce((n, r) => n + (y[r] === c ? 1 : 0), 0);
    expect([0, 1, 2].map((c) => count(parts.train, c))).toEqual([222, 360, 18]);
    expect([0, 1, 2].map((c) => count(parts.validation, c))).toEqual([74, 120, 6]);
    expect([0, 1, 2].map((c) => count(parts.test, c))).toEqual([74, 120, 6]);
    expect(parts.train.length + parts.validation.length + parts.test.length).toBe(1000);
  });

  it('names the class that is too small for the splits, and rejects an index outside the classes', async () => {
    const y = Uint8Array.from([0, 0, 0, 1, 1, 1, 2, 2]);
    const err = await failure(
      Promise.resolve().then(() => stratifiedSplit(y, { train: 0.6, validation: 0.2, test: 0.2 }, seededRandom(1), ['bird', 'cat', 'eel'])),
    );
    expect(err.message).toBe(
      'each of the 3 non-empty splits needs at least one "eel" row, so at least 3 "eel" rows are needed; got 2. Add rows of that class, or leave its rows out of the input.',
    );
    const bad = await failure(
      Promise.resolve().then(() =>
        stratifiedSplit(Uint8Array.from([0, 3]), { train: 1, validation: 0, test: 0 }, seededRandom(1), ['a', 'b', 'c']),
      ),
    );
    expect(bad.message).toBe('labels must be class indices 0..2; row 1 has 3.');
  });

  it('keeps the binary message for 0/1 labels', async () => {
    const err = await failure(
      Promise.resolve().then(() => stratifiedSplit(Uint8Array.from([0, 2]), { train: 1, validation: 0, test: 0 }, seededRandom(1))),
    );
    expect(err.message).toBe('labels must be 0 or 1; row 1 has 2.');
  });
});

/** 40 rows of each of 3 classes; class `weak` is recalled on `hits` of its rows, the others on all. */
function report(weak: number, hits: number) {
  const truth: number[] = [];
  const predicted: number[] = [];
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < 40; i++) {
      truth.push(c);
      predicted.push(c === weak && i >= hits ? (c + 1) % 3 : c);
    }
  }
  return multiClassReport(['bird', 'cat', 'eel'], truth, predicted);
}

describe('evaluateMultiClassGates', () => {
  const spec = parseGateSpec(
    {
      gates: [
        { metric: 'recall', class: 'positive', min: 0.5 },
        { metric: 'gMean', min: 0.6 },
        { metric: 'gMean', maxDropVsChampion: 0.02 },
      ],
    },
    'gates.json',
  );

  it('applies a positive-class gate to every class, and one failing class fails the verdict', () => {
    const evaluation = evaluateMultiClassGates(spec, withClassIntervals(report(2, 12)));
    expect(evaluation.verdict).toBe('fail');
    expect(evaluation.checks.map((c) => c.name)).toEqual([
      'recall[bird] >= 0.5',
      'recall[cat] >= 0.5',
      'recall[eel] >= 0.5',
      'macro gMean >= 0.6',
      'macro gMean drop vs champion <= 0.02',
    ]);
    expect(evaluation.checks.map((c) => c.passed)).toEqual([true, true, false, true, null]);
    expect(evaluation.reasons[0]).toBe('recall[eel] >= 0.5: failed: recall[eel] 0.3 < 0.5');
    expect(evaluation.checks[2]!.interval![0]).toBeLessThan(0.3);
    expect(evaluation.checks[4]!.reason).toBe('skipped: no multi-class champion with the same classes to compare against');
  });

  it('passes when every class clears its floor, and compares the macro G-mean with the champion', () => {
    const challenger = withClassIntervals(report(2, 30));
    expect(evaluateMultiClassGates(spec, challenger, report(2, 31)).verdict).toBe('pass');
    const worse = evaluateMultiClassGates(spec, challenger, report(2, 40));
    expect(worse.verdict).toBe('fail');
    expect(worse.checks[4]!.reason).toMatch(/^failed: challenger 0\.90\d* vs champion 1: drop 0\.0\d+ > 0\.02$/);
  });

  it('judges nothing when a class has fewer test rows than minPositiveSupport', () => {
    const strict = parseGateSpec({ minPositiveSupport: 41, gates: [{ metric: 'recall', class: 'positive', min: 0.5 }] }, 'gates.json');
    const evaluation = evaluateMultiClassGates(strict, withClassIntervals(report(2, 40)));
    expect(evaluation.verdict).toBe('insufficient-evidence');
    expect(evaluation.reasons[0]).toBe('insufficient evidence: class "bird" support 40 < minimum 41');
  });

  it('gives the registry one metric row per class', () => {
    const values = multiClassMetricValues(withClassIntervals(report(2, 20)));
    expect(values['recall.eel']).toBe(0.5);
    expect(values['support.cat']).toBe(40);
    expect(values['recallLower.eel']).toBeLessThan(0.5);
    expect(values.gMean).toBeCloseTo(Math.cbrt(0.5), 10);
  });
});

describe('checkMultiClassSpec', () => {
  const gates = (g: Record<string, unknown>) =>
    parseGateSpec({ gates: [{ metric: 'recall', class: 'positive', min: 0.5 }, g] }, 'pipeline spec "gates"');

  it('refuses label-noise filtering by denoise.method', async () => {
    const err = await failure(Promise.resolve().then(() => checkMultiClassSpec({ denoise: { method: 'tomek' } }, LABEL)));
    expect(err.subject).toBe('denoise.method');
    expect(err.message).toBe(
      'denoise.method: "tomek" cleans two-class training rows, but label column "kind" has 3 classes (bird, cat, eel) and the pipeline trains one model per class; set denoise.method to "none", or set input.positive to train one class against the rest',
    );
  });

  it('refuses a two-class metric, the negative class and a bootstrap bound by their gate keys', async () => {
    const metric = await failure(Promise.resolve().then(() => checkMultiClassSpec({ gates: gates({ metric: 'prAuc', min: 0.2 }) }, LABEL)));
    expect(metric.subject).toBe('gates[1].metric');
    expect(metric.message).toMatch(/^gates\[1\]\.metric: "prAuc" is a two-class metric, but label column "kind" has 3 classes/);
    const negative = await failure(
      Promise.resolve().then(() => checkMultiClassSpec({ gates: gates({ metric: 'recall', class: 'negative', min: 0.9 }) }, LABEL)),
    );
    expect(negative.subject).toBe('gates[1].class');
    const bound = await failure(
      Promise.resolve().then(() => checkMultiClassSpec({ gates: gates({ metric: 'gMean', min: 0.5, use: 'lower95' }) }, LABEL)),
    );
    expect(bound.subject).toBe('gates[1].use');
  });

  it('accepts the defaults: no noise filter, per-class recall and macro G-mean gates', () => {
    expect(() => checkMultiClassSpec({ denoise: { method: 'none' }, gates: gates({ metric: 'gMean', min: 0.6 }) }, LABEL)).not.toThrow();
  });
});

describe('rowsAtClassPrior', () => {
  it('drops rows of the over-sampled classes at random until the mix is the prior, every class kept', () => {
    const y = Uint8Array.from({ length: 3000 }, (_, i) => (i < 1000 ? 0 : i < 2000 ? 1 : 2));
    const kept = rowsAtClassPrior(y, [0.7, 0.29, 0.01], 4);
    const counts = [0, 0, 0];
    for (const r of kept) counts[y[r]!]!++;
    expect(counts).toEqual([1000, 414, 14]);
    expect([...kept]).toEqual([...kept].sort((a, b) => a - b));
  });
});
