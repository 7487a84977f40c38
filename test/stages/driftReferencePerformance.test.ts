// The drift reference's validation values: recall is read on every test row (a share within one class, the same at
// any class mix), precision on the rows at the raw prior, and each keeps its interval so that the monitor can weigh
// the uncertainty of the validation value as well as the window's.

import { describe, expect, it } from 'vitest';
import type { LabelledData } from '../../core/dataset.js';
import { wilsonInterval } from '../../core/metrics/intervals.js';
import type { ModelArtifact } from '../../core/models/modelArtifact.js';
import { driftReferenceStage } from '../../stages/driftReferenceStage.js';

/** One feature; the model's score is the feature itself (logistic of 20·(x − 0.5)), threshold 0.5. */
const model = {
  featureNames: ['x'],
  threshold: 0.5,
  model: { kind: 'logreg', featureCount: 1, weights: [20], intercept: -10, standardiser: { mean: [0], scale: [1] } },
  training: { fitPrevalence: 0.5 },
} as unknown as ModelArtifact;

/** `positives` rows, the first `found` of them above 0.5, and `negatives` rows, the first `falseAlarms` above 0.5. */
function rows(positives: number, found: number, negatives: number, falseAlarms: number): LabelledData {
  const n = positives + negatives;
  const values = new Float64Array(n);
  const y = new Uint8Array(n);
  for (let i = 0; i < positives; i++) {
    y[i] = 1;
    values[i] = i < found ? 0.9 : 0.1;
  }
  for (let j = 0; j < negatives; j++) values[positives + j] = j < falseAlarms ? 0.9 : 0.1;
  return { x: { rows: n, cols: 1, values }, y } as LabelledData;
}

describe('the drift reference stage’s validation performance', () => {
  it('reads recall on every test row, not on the few positives left at the raw prior', () => {
    // 400 test positives (300 found) and 4,000 negatives (40 false alarms); at the raw prior of 1% only about 40
    // positives would remain, and their recall would be one draw of 40.
    const test = rows(400, 300, 4000, 40);
    const { reference } = driftReferenceStage({ model, train: rows(400, 300, 4000, 40), test, rawPrior: 0.01, seed: 3 });
    const positive = reference.performance.positive;
    expect(positive.recall).toBe(0.75);
    expect(positive.recallInterval).toEqual(wilsonInterval(300, 400));
    expect(reference.performance.negative.recall).toBe(0.99);
    expect(reference.performance.negative.recallInterval).toEqual(wilsonInterval(3960, 4000));
    // Precision at the raw prior: about 30 true alarms against the 40 false ones.
    expect(positive.precision).toBeGreaterThan(0.3);
    expect(positive.precision).toBeLessThan(0.55);
    const [low, high] = positive.precisionInterval!;
    expect(low).toBeLessThan(positive.precision!);
    expect(high).toBeGreaterThan(positive.precision!);
    expect(high - low).toBeGreaterThan(0.15); // about 70 rows predicted positive, not thousands
    // The rows behind each value are kept, so a check at another z reads the reference's interval at that z.
    expect(positive.recallSupport).toBe(400);
    expect(reference.performance.negative.recallSupport).toBe(4000);
    expect(wilsonInterval(Math.round(positive.precision! * positive.precisionSupport!), positive.precisionSupport!)).toEqual(
      positive.precisionInterval,
    );
  });
});
