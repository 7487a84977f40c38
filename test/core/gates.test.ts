import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../core/invalidInputError.js';
import { classificationReport, type ClassificationReport } from '../../core/metrics/classMetrics.js';
import { defaultGateSpec, parseGateSpec, type GateSpec } from '../../core/gates/gateSpec.js';
import { evaluateGates } from '../../core/gates/evaluateGates.js';

/** A report with exactly `tp, fn` positives and `tn, fp` negatives; positives score 0.9/0.1, negatives 0.8/0.2. */
function reportFor(tp: number, fn: number, tn: number, fp: number): ClassificationReport {
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
  return classificationReport(Uint8Array.from(y), Float64Array.from(s), 0.5);
}

const example = {
  minPositiveSupport: 30,
  minNegativeSupport: 30,
  gates: [
    { metric: 'recall', class: 'positive', min: 0.6 },
    { metric: 'precision', class: 'positive', min: 0.05 },
    { metric: 'gMean', min: 0.7 },
    { metric: 'prAucNormalised', min: 0.1 },
    { metric: 'brier', max: 0.2 },
    { metric: 'recall', class: 'positive', maxDropVsChampion: 0.05 },
  ],
  useLowerConfidenceBound: false,
};

function parseError(json: unknown): string {
  try {
    parseGateSpec(json, 'gates.json');
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidInputError);
    expect((e as InvalidInputError).subject).toBe('gates.json');
    return (e as Error).message;
  }
  throw new Error('expected parseGateSpec to throw');
}

describe('gate spec parsing', () => {
  it('accepts the documented example unchanged', () => {
    expect(parseGateSpec(example, 'gates.json')).toEqual(example);
  });

  it('fills support minimums and the confidence-bound flag from the defaults', () => {
    const spec = parseGateSpec({ gates: [{ metric: 'gMean', min: 0.5 }] }, 'g.json');
    expect(spec).toEqual({
      minPositiveSupport: 20,
      minNegativeSupport: 20,
      gates: [{ metric: 'gMean', min: 0.5 }],
      useLowerConfidenceBound: false,
    });
  });

  it('names the file and the field path in every error', () => {
    const misspelt = { ...example, gates: [example.gates[0], example.gates[1], { metric: 'recal', class: 'positive', min: 0.5 }] };
    expect(parseError(misspelt)).toBe(
      'gates.json: gates[2].metric: expected one of recall, precision, f1, gMean, balancedAccuracy, prAuc, prAucNormalised, rocAuc, brier, macroF1, brierNormalised, got "recal"',
    );
    expect(parseError({ gates: [{ metric: 'recall', min: 0.5 }] })).toBe(
      'gates.json: gates[0].class: expected "positive", "negative", "1" or "0" (recall is per class), got nothing',
    );
    expect(parseError({ gates: [{ metric: 'gMean', class: 'positive', min: 0.5 }] })).toBe(
      'gates.json: gates[0].class: expected no class (gMean is not a per-class metric), got "positive"',
    );
    expect(parseError({ gates: [{ metric: 'gMean', min: 0.5, max: 0.9 }] })).toBe(
      'gates.json: gates[0]: expected exactly one of min, max, maxDropVsChampion, got "min and max"',
    );
    expect(parseError({ gates: [{ metric: 'gMean', min: '0.5' }] })).toBe('gates.json: gates[0].min: expected a finite number, got "0.5"');
    expect(parseError({ gates: [{ metric: 'gMean', minimum: 0.5 }] })).toMatch(
      /^gates\.json: gates\[0\]\.minimum: unknown key; did you mean gates\[0\]\.min\?/,
    );
    expect(parseError({ gates: [], minPositiveSupport: -3 })).toBe('gates.json: minPositiveSupport: expected an integer ≥ 0, got -3');
    expect(parseError({ gates: [{ metric: 'f1', class: 'positive', maxDropVsChampion: -0.1 }] })).toBe(
      'gates.json: gates[0].maxDropVsChampion: expected a finite number ≥ 0, got -0.1',
    );
    expect(parseError([])).toBe('gates.json: (top level): expected an object with a "gates" array, got an array');
    expect(parseError({})).toBe('gates.json: gates: expected an array of gates, got nothing');
  });

  it('the default spec is itself a valid spec with rare-event floors', () => {
    const spec = defaultGateSpec();
    expect(parseGateSpec(JSON.parse(JSON.stringify(spec)), 'defaults')).toEqual(spec);
    expect(spec.minPositiveSupport).toBe(20);
    expect(spec.gates).toContainEqual({ metric: 'recall', class: 'positive', min: 0.5 });
    expect(spec.gates).toContainEqual({ metric: 'gMean', min: 0.6 });
    expect(spec.gates).toContainEqual({ metric: 'gMean', maxDropVsChampion: 0.02 });
  });
});

describe('gate evaluation', () => {
  const spec: GateSpec = parseGateSpec(
    {
      minPositiveSupport: 20,
      minNegativeSupport: 20,
      gates: [
        { metric: 'recall', class: 'positive', min: 0.6 },
        { metric: 'gMean', min: 0.7 },
        { metric: 'brier', max: 0.2 },
        { metric: 'recall', class: 'positive', maxDropVsChampion: 0.05 },
      ],
    },
    'spec',
  );

  it('passes a good challenger and skips the champion gate when there is no champion', () => {
    // Recall 24/30 = 0.8, TNR 90/100 → G-mean √0.72 ≈ 0.849; Brier (24·0.01 + 6·0.81 + 90·0.04 + 10·0.64)/130.
    const result = evaluateGates(spec, reportFor(24, 6, 90, 10));
    expect(result.verdict).toBe('pass');
    expect(result.checks.map((c) => c.passed)).toEqual([true, true, true, null]);
    expect(result.checks[2]!.value).toBeCloseTo((24 * 0.01 + 6 * 0.81 + 90 * 0.04 + 10 * 0.64) / 130, 14);
    expect(result.checks[3]!.reason).toBe('skipped: no champion to compare against');
    expect(result.reasons).toContain('all 3 judged gates passed');
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it('fails when positive recall is under its floor, saying which gate and by how much', () => {
    const result = evaluateGates(spec, reportFor(15, 15, 90, 10));
    expect(result.verdict).toBe('fail');
    const recall = result.checks[0]!;
    expect(recall).toMatchObject({ metric: 'recall', class: 'positive', value: 0.5, limit: 0.6, comparison: '>=', passed: false });
    expect(result.reasons[0]).toBe('recall[positive] >= 0.6: failed: recall 0.5 < 0.6');
  });

  it('is insufficient-evidence when positive support is below the minimum, even for a bad model', () => {
    const result = evaluateGates(spec, reportFor(2, 17, 90, 10));
    expect(result.verdict).toBe('insufficient-evidence');
    expect(result.reasons).toEqual(['insufficient evidence: positive support 19 < minimum 20']);
    expect(result.checks.every((c) => c.passed === null)).toBe(true);
    expect(result.checks[0]!.value).toBeCloseTo(2 / 19, 15);
  });

  it('champion gate fails on a recall drop beyond the limit and passes within it', () => {
    const champion = reportFor(27, 3, 90, 10); // recall 0.9
    const worse = evaluateGates(spec, reportFor(24, 6, 90, 10), champion); // 0.8: drop 0.1
    expect(worse.verdict).toBe('fail');
    expect(worse.checks[3]).toMatchObject({ comparison: 'drop<=', limit: 0.05, passed: false, challengerValue: 0.8, championValue: 0.9 });
    expect(worse.checks[3]!.value).toBeCloseTo(0.1, 14);
    const close = evaluateGates(spec, reportFor(26, 4, 90, 10), champion); // drop 1/30 ≈ 0.033
    expect(close.verdict).toBe('pass');
    expect(close.checks[3]!.passed).toBe(true);
  });

  it('a drop exactly at the limit passes despite floating-point rounding', () => {
    const atLimit = parseGateSpec(
      { minPositiveSupport: 1, minNegativeSupport: 1, gates: [{ metric: 'recall', class: 'positive', maxDropVsChampion: 0.05 }] },
      's',
    );
    // Champion recall 16/20 = 0.8, challenger 15/20 = 0.75: 0.8 − 0.75 = 0.05000000000000004 in floating point.
    const result = evaluateGates(atLimit, reportFor(15, 5, 50, 0), reportFor(16, 4, 50, 0));
    expect(result.verdict).toBe('pass');
  });

  it('with useLowerConfidenceBound a recall min-gate compares the Wilson lower bound', () => {
    const gates = { minPositiveSupport: 10, minNegativeSupport: 10, gates: [{ metric: 'recall', class: 'positive', min: 0.6 }] };
    const report = reportFor(8, 2, 50, 5); // recall 0.8, Wilson lower bound 0.4902
    expect(evaluateGates(parseGateSpec(gates, 's'), report).verdict).toBe('pass');
    const lcb = evaluateGates(parseGateSpec({ ...gates, useLowerConfidenceBound: true }, 's'), report);
    expect(lcb.verdict).toBe('fail');
    expect(lcb.checks[0]!.value).toBeCloseTo(0.4902, 4);
    expect(lcb.checks[0]!.reason).toBe('failed: recall Wilson lower bound 0.4902 < 0.6');
  });

  it('an undefined metric fails its gate rather than passing silently', () => {
    const precisionGate = parseGateSpec(
      { minPositiveSupport: 1, minNegativeSupport: 1, gates: [{ metric: 'precision', class: 'positive', min: 0.1 }] },
      's',
    );
    const result = evaluateGates(precisionGate, reportFor(0, 10, 50, 0)); // nothing predicted positive
    expect(result.verdict).toBe('fail');
    expect(result.checks[0]).toMatchObject({ value: null, passed: false, reason: 'failed: precision is undefined on the evaluation data' });
  });
});
