// The forest's out-of-bag scores in the train stage: the `gmean-oob` threshold policy (no held-out split) and the
// out-of-bag summary in the model file's training block; the default forest's threshold is untouched.

import { describe, expect, it } from 'vitest';
import { featureMatrix, type LabelledData } from '../../core/dataset.js';
import { coveredOutOfBagRows, summariseOutOfBag, trainRandomForestWithOutOfBag } from '../../core/models/forestOutOfBag.js';
import { parseModelArtifact } from '../../core/models/modelArtifact.js';
import { trainRandomForest } from '../../core/models/randomForest.js';
import { chooseThreshold, parseThresholdPolicy } from '../../core/models/thresholdPolicy.js';
import { deriveSeed, seededRandom } from '../../core/random.js';
import { fitModelArtifact, thresholdNeedsValidation, type FitModelOptions } from '../../stages/train.js';

function data(n: number, seed: number): LabelledData {
  const random = seededRandom(seed);
  const x = new Float64Array(n * 3);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 6 === 0 ? 1 : 0;
    x[i * 3] = random.next() + 0.7 * y[i]!;
    x[i * 3 + 1] = random.next() - 0.5 * y[i]!;
    x[i * 3 + 2] = random.next();
  }
  return { x: featureMatrix(n, 3, x), y };
}

const train = data(240, 3);
const options = (model: FitModelOptions['model']): FitModelOptions => ({
  model,
  featureNames: ['a', 'b', 'c'],
  labelName: 'y',
  labels: { positive: '1', negative: '0' },
  modelName: 'm',
  seed: 9,
  runId: 'test',
  datasetSha256: 'test',
});

describe('gmean-oob threshold policy', () => {
  it('parses, needs no validation split, and is the gmean sweep on the out-of-bag scores', () => {
    expect(parseThresholdPolicy('gmean-oob')).toEqual({ kind: 'gmean-oob' });
    expect(thresholdNeedsValidation({ kind: 'forest', threshold: 'gmean-oob' })).toBe(false);
    expect(thresholdNeedsValidation({ kind: 'forest', threshold: 'gmean' })).toBe(true);
    const scores = Float64Array.from([0.9, 0.8, 0.4, 0.35, 0.2, 0.1]);
    const labels = Uint8Array.from([1, 0, 1, 0, 0, 0]);
    const oob = chooseThreshold({ kind: 'gmean-oob' }, { prevalence: 0.3, outOfBagScores: scores, outOfBagLabels: labels });
    const held = chooseThreshold({ kind: 'gmean' }, { prevalence: 0.3, validationScores: scores, validationLabels: labels });
    expect(oob.threshold).toBe(held.threshold);
    expect(oob.threshold).toBe(0.4);
    expect(oob.reason).toMatch(/^G-mean-optimal threshold on the out-of-bag scores of 6 training rows: G-mean /);
  });

  it('says what is missing', () => {
    expect(() => chooseThreshold({ kind: 'gmean-oob' }, { prevalence: 0.3 })).toThrow(
      'gmean-oob threshold policy: expected the out-of-bag scores of a forest, got none; train a forest or choose gmean',
    );
    expect(() =>
      chooseThreshold(
        { kind: 'gmean-oob' },
        { prevalence: 0.3, outOfBagScores: Float64Array.from([0.2, 0.4]), outOfBagLabels: Uint8Array.from([0, 0]) },
      ),
    ).toThrow(
      'gmean-oob threshold policy: expected both classes among the training rows with out-of-bag scores, got 2 negatives and 0 positives',
    );
    expect(() => parseThresholdPolicy('median')).toThrow(/'gmean' or 'gmean-oob' \(forests\), got "median"$/);
  });

  it('chooses the forest threshold on its out-of-bag scores of every training row', async () => {
    const model = { kind: 'forest', threshold: 'gmean-oob', trees: 15, sampling: 'bootstrap' } as const;
    const { artifact } = await fitModelArtifact(train, options(model));
    const forestOptions = { seed: deriveSeed(9, 'forest'), sampling: 'bootstrap', trees: 15 } as const;
    const { model: forest, outOfBag } = trainRandomForestWithOutOfBag(train, forestOptions);
    expect(artifact.model).toEqual(forest);
    const { scores, labels } = coveredOutOfBagRows(outOfBag, train.y);
    expect(artifact.threshold).toBe(
      chooseThreshold({ kind: 'gmean-oob' }, { prevalence: 0.5, outOfBagScores: scores, outOfBagLabels: labels }).threshold,
    );
    expect(artifact.thresholdPolicy).toEqual({ kind: 'gmean-oob' });
    expect(artifact.training.outOfBag).toEqual(summariseOutOfBag(outOfBag, train.y, artifact.threshold));
    expect(artifact.training.outOfBag!.gMean).toBeGreaterThan(0.5);
    // The summary is a plain additive field: the file still loads and seals.
    expect(parseModelArtifact(JSON.parse(JSON.stringify(artifact)), 'model.json').training.outOfBag).toEqual(artifact.training.outOfBag);
  });

  it('is refused for logistic regression', async () => {
    await expect(fitModelArtifact(train, options({ kind: 'logreg', threshold: 'gmean-oob' }))).rejects.toThrow(
      'gmean-oob threshold policy: expected a forest (the threshold comes from its out-of-bag scores), got logreg; choose gmean for a held-out split',
    );
  });
});

describe('default forest: threshold unchanged, out-of-bag summary added', () => {
  it('keeps the q* = π threshold of the balanced forest and records the out-of-bag G-mean and PR-AUC at it', async () => {
    const { artifact } = await fitModelArtifact(train, options({ kind: 'forest', threshold: 'prevalence', trees: 10 }));
    const forest = trainRandomForest(train, { seed: deriveSeed(9, 'forest'), sampling: 'balanced', trees: 10 });
    expect(artifact.model).toEqual(forest);
    expect(artifact.threshold).toBe(forest.fitPrevalence);
    expect(artifact.threshold).toBe(0.5);
    const summary = artifact.training.outOfBag!;
    expect(summary.threshold).toBe(0.5);
    expect(summary.rows + summary.uncoveredRows).toBe(240);
    expect(summary.prAuc).toBeGreaterThan(0.3);
  });

  it('records nothing for logistic regression', async () => {
    const { artifact } = await fitModelArtifact(train, options({ kind: 'logreg', threshold: 'prevalence' }));
    expect(artifact.training.outOfBag).toBeUndefined();
  });
});
