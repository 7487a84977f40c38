// The validate stage counts the metrics that depend on the class mix (precision, F1, PR-AUC, Brier) at the data's
// positive share, not at the sample's: a precision gate passed on a test split that keeps six times the data's
// positives would be passed by a model whose precision in production is a sixth of it.

import { describe, expect, it } from 'vitest';
import type { LabelledData } from '../../core/dataset.js';
import { parseGateSpec } from '../../core/gates/gateSpec.js';
import type { ModelArtifact } from '../../core/models/modelArtifact.js';
import { seededRandom } from '../../core/random.js';
import { validateStage } from '../../stages/validate.js';
import { oneFeatureLogisticModel } from '../support/modelFileFixtures.js';

const model = oneFeatureLogisticModel('mix');

/** `positives` rows around 1.8 and `negatives` around 0 (a few cross the threshold at x = 1). */
function split(positives: number, negatives: number, seed: number): LabelledData {
  const random = seededRandom(seed);
  const n = positives + negatives;
  const y = Uint8Array.from({ length: n }, (_, i) => (i < positives ? 1 : 0));
  const values = Float64Array.from(y, (v) => (v === 1 ? 1.8 : 0) + (random.next() - 0.5) * 2.2);
  return { x: { rows: n, cols: 1, values }, y } as LabelledData;
}

describe('validation at the data’s class mix', () => {
  const gates = parseGateSpec({ gates: [{ metric: 'precision', class: 'positive', min: 0.5 }] }, 'gates');
  // The sample holds 600 positives in 10,000 rows (6%); the data 1%.
  const test = split(600, 9400, 4);
  const run = (populationPrevalence?: number) =>
    validateStage({
      model,
      modelSha256: 'a'.repeat(64),
      test,
      testSha256: 'b'.repeat(64),
      gates,
      ...(populationPrevalence !== undefined ? { populationPrevalence } : {}),
    });

  it('judges a precision gate at the data’s positive share, with recall and G-mean unchanged', () => {
    const asSampled = run();
    const atData = run(0.01);
    expect(asSampled.summary.positive.precision!).toBeGreaterThan(0.5);
    expect(asSampled.summary.verdict).toBe('pass');
    expect(atData.summary.positive.precision!).toBeLessThan(asSampled.summary.positive.precision! / 3);
    expect(atData.summary.verdict).toBe('fail');
    expect(atData.summary.positive.recall).toBe(asSampled.summary.positive.recall);
    expect(atData.summary.gMean).toBe(asSampled.summary.gMean);
    const prAuc = (r: ReturnType<typeof run>) => (r.report.challenger as { prAuc: number }).prAuc;
    expect(prAuc(atData)).toBeLessThan(prAuc(asSampled));
    // The report and its page say at which mix the figures are.
    expect((atData.report.challenger as { classMix?: unknown }).classMix).toBeDefined();
    expect(atData.html).toContain('at the data');
  });

  it('keeps the test split’s own mix when it is the data’s', () => {
    const same = run(0.06);
    expect((same.report.challenger as { classMix?: unknown }).classMix).toBeUndefined();
    expect(same.summary).toEqual(run().summary);
  });

  it('does not compare with a champion trained on a label spelt wholly another way, and says so', () => {
    const champion = { ...model, positiveLabel: 'fraud', negativeLabel: 'ok' } as ModelArtifact;
    const spelt = { ...model, positiveLabel: '1', negativeLabel: '0' } as ModelArtifact;
    const r = validateStage({
      model: spelt,
      modelSha256: 'a'.repeat(64),
      test,
      testSha256: 'b'.repeat(64),
      gates: parseGateSpec(
        {
          gates: [
            { metric: 'gMean', maxDropVsChampion: 0.02 },
            { metric: 'recall', class: 'positive', min: 0.1 },
          ],
        },
        'gates',
      ),
      champion: { model: champion, sha256: 'c'.repeat(64) },
    });
    expect(r.summary.champion).toBeUndefined();
    expect(r.summary.championNote).toMatch(
      /^the champion was trained on the label values "fraud" \(positive\) and "ok", this model on "1" \(positive\) and "0"/,
    );
    expect(r.summary.verdict).toBe('insufficient-evidence');
  });
});
