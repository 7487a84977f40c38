// When a challenger and its champion cannot be compared on the same test rows, the champion gate is not judged and
// the verdict is insufficient-evidence (rejected by default), never a pass: a label coded another way ({0, 1} then
// {1, 2}, where "1" names the other class), a label that gained a value, or input columns the champion does not read
// (every client of the scoring service would have to send them).

import { describe, expect, it } from 'vitest';
import type { LabelledData } from '../../core/dataset.js';
import { parseGateSpec } from '../../core/gates/gateSpec.js';
import type { ModelArtifact } from '../../core/models/modelArtifact.js';
import { seededRandom } from '../../core/random.js';
import { validateStage } from '../../stages/validate.js';

/** Logistic of x (threshold 0.5), reading `features` (the first is x; the others weigh 0). */
function model(features: string[], positiveLabel: string, negativeLabel: string): ModelArtifact {
  return {
    modelName: 'm',
    featureNames: features,
    positiveLabel,
    negativeLabel,
    threshold: 0.5,
    thresholdReason: 'test',
    model: {
      kind: 'logreg',
      featureCount: features.length,
      weights: features.map((_, i) => (i === 0 ? 4 : 0)),
      intercept: -4,
      standardiser: { mean: features.map(() => 0), scale: features.map(() => 1) },
    },
    training: { fitPrevalence: 0.5, codeVersion: 'test', seed: 1 },
  } as unknown as ModelArtifact;
}

/** 300 positives around x = 1.8 and 1,700 negatives around 0, with `cols` columns (the others noise). */
function split(cols: number): LabelledData {
  const random = seededRandom(2);
  const n = 2000;
  const y = Uint8Array.from({ length: n }, (_, i) => (i < 300 ? 1 : 0));
  const values = new Float64Array(n * cols);
  for (let i = 0; i < n; i++) {
    values[i * cols] = (y[i] === 1 ? 1.8 : 0) + (random.next() - 0.5) * 2.2;
    for (let c = 1; c < cols; c++) values[i * cols + c] = random.next();
  }
  return { x: { rows: n, cols, values }, y } as LabelledData;
}

const gates = parseGateSpec(
  {
    gates: [
      { metric: 'gMean', maxDropVsChampion: 0.02 },
      { metric: 'recall', class: 'positive', min: 0.1 },
    ],
  },
  'gates',
);

const validate = (challenger: ModelArtifact, champion: ModelArtifact, cols = 1) =>
  validateStage({
    model: challenger,
    modelSha256: 'a'.repeat(64),
    test: split(cols),
    testSha256: 'b'.repeat(64),
    gates,
    champion: { model: champion, sha256: 'c'.repeat(64) },
  });

describe('a champion that cannot be compared', () => {
  it('is one trained on the label coded another way: {0, 1} then {1, 2}, "1" now the positive of the other side', () => {
    const r = validate(model(['x'], '1', '2'), model(['x'], '1', '0'));
    expect(r.summary.champion).toBeUndefined();
    expect(r.summary.championNote).toBe(
      'the champion was trained on the label values "1" (positive) and "0", this model on "1" (positive) and "2": a label spelt or coded another way may not mean the same, so the two are not compared',
    );
    expect(r.summary.verdict).toBe('insufficient-evidence');
    // The other way round too: the positive value changed.
    expect(validate(model(['x'], '2', '1'), model(['x'], '1', '0')).summary.verdict).toBe('insufficient-evidence');
  });

  it('is one trained before the label gained a value on the negative side', () => {
    const r = validate(model(['x'], '1', '0|2'), model(['x'], '1', '0'));
    expect(r.summary.championNote).toMatch(/this model on "1" \(positive\) and "0", "2": a label spelt or coded another way/);
    expect(r.summary.verdict).toBe('insufficient-evidence');
  });

  it('is one that reads fewer input columns than this model: clients would have to send the new one', () => {
    const r = validate(model(['x', 'newcol'], '1', '0'), model(['x'], '1', '0'), 2);
    expect(r.summary.championNote).toBe(
      'this model reads an input column the champion does not (newcol): clients of the scoring service would have to send it, so the two are not compared (list the columns to use in input.features, or set gates.onInsufficientEvidence to "require-approval" and approve the change)',
    );
    expect(r.summary.verdict).toBe('insufficient-evidence');
  });

  it("is not one whose label has fewer negative values (a drift window exports a champion's several as its first)", () => {
    const r = validate(model(['x'], '1', '0'), model(['x'], '1', '0|2'));
    expect(r.summary.championNote).toBeUndefined();
    expect(r.summary.verdict, JSON.stringify(r.summary.reasons)).toBe('pass');
  });

  it('is not one whose label reads the same (1.0/0.0 against 1/0, True/False against 1/0) or whose columns are the same', () => {
    for (const [p, n] of [
      ['1.0', '0.0'],
      ['True', 'False'],
    ]) {
      const r = validate(model(['x'], p!, n!), model(['x'], '1', '0'));
      expect(r.summary.championNote).toBeUndefined();
      expect(r.summary.champion).toBeDefined();
      expect(r.summary.verdict, JSON.stringify(r.summary.reasons)).toBe('pass');
    }
  });
});
