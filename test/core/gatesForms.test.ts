import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../core/invalidInputError.js';
import { bootstrapIntervals } from '../../core/metrics/bootstrapIntervals.js';
import { classificationReport, type ClassificationReport } from '../../core/metrics/classMetrics.js';
import { wilsonInterval } from '../../core/metrics/intervals.js';
import { defaultGateSpec, parseGateSpec } from '../../core/gates/gateSpec.js';
import { describeGateCheck, evaluateGates } from '../../core/gates/evaluateGates.js';

function labelsAndScores(tp: number, fn: number, tn: number, fp: number): { y: Uint8Array; s: Float64Array } {
  const y: number[] = [];
  const s: number[] = [];
  for (let i = 0; i < tp; i++) {
    y.push(1);
    s.push(0.9);
  }
  for (let i = 0; i < fn; i++) {
    y.push(1);
    s.push(0.1);
  }
  for (let i = 0; i < tn; i++) {
    y.push(0);
    s.push(0.2);
  }
  for (let i = 0; i < fp; i++) {
    y.push(0);
    s.push(0.8);
  }
  return { y: Uint8Array.from(y), s: Float64Array.from(s) };
}
function reportFor(tp: number, fn: number, tn: number, fp: number): ClassificationReport {
  const { y, s } = labelsAndScores(tp, fn, tn, fp);
  return classificationReport(y, s, 0.5);
}
function parseError(json: unknown): string {
  try {
    parseGateSpec(json, 'gates.json');
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidInputError);
    return (e as Error).message;
  }
  throw new Error('expected parseGateSpec to throw');
}

describe("the issue's gate forms", () => {
  it('parses class "1"/"0", metric "gmean" and use "lower95"', () => {
    const spec = parseGateSpec(
      {
        gates: [
          { metric: 'recall', class: '1', min: 0.8, use: 'lower95' },
          { metric: 'recall', class: '0', min: 0.5 },
          { metric: 'gmean', vsChampion: 'noWorseThan', by: 0.02 },
        ],
      },
      'gates.json',
    );
    expect(spec.gates).toEqual([
      { metric: 'recall', class: 'positive', min: 0.8, use: 'lower95' },
      { metric: 'recall', class: 'negative', min: 0.5 },
      { metric: 'gMean', maxDropVsChampion: 0.02 },
    ]);
  });

  it('the default spec still parses unchanged', () => {
    expect(parseGateSpec(JSON.parse(JSON.stringify(defaultGateSpec())), 'd')).toEqual(defaultGateSpec());
  });

  it('gives clear errors for unknown metrics, classes and forms', () => {
    expect(parseError({ gates: [{ metric: 'accuracy', min: 0.9 }] })).toMatch(
      /^gates\.json: gates\[0\]\.metric: expected one of recall, .*, got "accuracy"$/,
    );
    expect(parseError({ gates: [{ metric: 'recall', class: '2', min: 0.9 }] })).toBe(
      'gates.json: gates[0].class: expected "positive", "negative", "1" or "0" (recall is per class), got "2"',
    );
    expect(parseError({ gates: [{ metric: 'gmean', vsChampion: 'better', by: 0.02 }] })).toBe(
      'gates.json: gates[0].vsChampion: expected "noWorseThan", got "better"',
    );
    expect(parseError({ gates: [{ metric: 'gmean', vsChampion: 'noWorseThan' }] })).toBe(
      'gates.json: gates[0].by: expected a number ≥ 0 (how much worse than the champion is allowed), got nothing',
    );
    expect(parseError({ gates: [{ metric: 'gmean', vsChampion: 'noWorseThan', by: -1 }] })).toBe(
      'gates.json: gates[0].by: expected a finite number ≥ 0, got -1',
    );
    expect(parseError({ gates: [{ metric: 'brier', max: 0.2, use: 'lower95' }] })).toBe(
      'gates.json: gates[0].use: expected "lower95" only with "min" (a lower bound guards a floor), got "lower95"',
    );
    expect(parseError({ gates: [{ metric: 'rocAuc', min: 0.7, use: 'lower95' }] })).toBe(
      'gates.json: gates[0].use: expected "lower95" only on recall, precision, gMean, prAuc, prAucNormalised (metrics with an interval), got "lower95"',
    );
  });
});

describe('evaluating the new forms', () => {
  const spec = parseGateSpec(
    {
      minPositiveSupport: 10,
      minNegativeSupport: 10,
      gates: [
        { metric: 'recall', class: '1', min: 0.6, use: 'lower95' },
        { metric: 'gmean', vsChampion: 'noWorseThan', by: 0.02 },
      ],
    },
    's',
  );

  it('a recall lower95 gate compares the Wilson lower bound (8/10 → 0.4902 < 0.6) and lists the interval', () => {
    const result = evaluateGates(spec, reportFor(8, 2, 50, 5));
    expect(result.verdict).toBe('fail');
    const check = result.checks[0]!;
    expect(check.name).toBe('recall[positive] lower95 >= 0.6');
    expect(check.interval).toEqual(wilsonInterval(8, 10));
    expect(check.value).toBe(wilsonInterval(8, 10)![0]);
    expect(describeGateCheck(check)).toBe(
      'FAIL  recall[positive] lower95 >= 0.6: value 0.4902 (95% interval 0.4902–0.9433), threshold >= 0.6; failed: recall Wilson lower bound 0.4902 < 0.6',
    );
  });

  it('noWorseThan by 0.02 passes a G-mean drop of 0.0101 and fails one of 0.0515', () => {
    // Champion TPR 0.9, TNR 0.9 → 0.9. Challenger 0.9 × 0.88 → √0.792 = 0.8899 (drop 0.0101); 0.8 × 0.9 → √0.72 = 0.8485 (drop 0.0515).
    const champion = reportFor(27, 3, 90, 10);
    expect(evaluateGates(spec, reportFor(27, 3, 88, 12), champion).checks[1]!.passed).toBe(true);
    const worse = evaluateGates(spec, reportFor(24, 6, 90, 10), champion).checks[1]!;
    expect(worse.passed).toBe(false);
    expect(worse.value).toBeCloseTo(0.9 - Math.sqrt(0.72), 12);
  });

  it('a G-mean lower95 gate reads the bootstrap interval, and fails with a reason when the report has none', () => {
    const gmeanSpec = parseGateSpec(
      { minPositiveSupport: 1, minNegativeSupport: 1, gates: [{ metric: 'gmean', min: 0.5, use: 'lower95' }] },
      's',
    );
    const { y, s } = labelsAndScores(30, 0, 100, 0);
    const report = classificationReport(y, s, 0.5);
    const bootstrap = bootstrapIntervals(y, s, 0.5, { resamples: 20 });
    const withInterval = evaluateGates(gmeanSpec, { ...report, bootstrap });
    expect(withInterval.verdict).toBe('pass');
    expect(withInterval.checks[0]!.interval).toEqual([1, 1]);
    const without = evaluateGates(gmeanSpec, report);
    expect(without.verdict).toBe('fail');
    expect(without.checks[0]!.reason).toBe(
      'failed: gMean lower95 needs a bootstrap interval and the evaluated report has none; attach bootstrapIntervals(...) as report.bootstrap',
    );
  });
});

describe('onInsufficientEvidence', () => {
  it('accepts reject, require-approval and promote, and names anything else', async () => {
    const { parseGateSpec } = await import('../../core/gates/gateSpec.js');
    expect(parseGateSpec({ gates: [], onInsufficientEvidence: 'promote' }, 'g.json').onInsufficientEvidence).toBe('promote');
    expect(parseGateSpec({ gates: [] }, 'g.json').onInsufficientEvidence).toBeUndefined();
    expect(() => parseGateSpec({ gates: [], onInsufficientEvidence: 'maybe' }, 'g.json')).toThrow(
      'g.json: onInsufficientEvidence: expected "reject", "require-approval" or "promote", got "maybe"',
    );
  });
});
