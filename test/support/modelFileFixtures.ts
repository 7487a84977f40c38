// Fit options for a two-feature test model, a one-feature logistic model file, and a model file's trip through JSON
// and back.

import { parseModelArtifact, type ModelArtifact } from '../../core/models/modelArtifact.js';
import type { ModelSpec } from '../../core/pipelineTypes.js';
import type { FitModelOptions } from '../../stages/train.js';

export const twoFeatureFitOptions = (model: ModelSpec, extra: Partial<FitModelOptions> = {}): FitModelOptions => ({
  model,
  featureNames: ['a', 'b'],
  labelName: 'y',
  labels: { positive: '1', negative: '0' },
  modelName: 'm',
  seed: 1,
  runId: 'test',
  datasetSha256: 'test',
  ...extra,
});

export const roundTrip = (a: ModelArtifact) => parseModelArtifact(JSON.parse(JSON.stringify(a)), 'model.json');

/** A model file of one feature `x`: its score is a logistic of x (½ at x = 1), threshold ½. */
export const oneFeatureLogisticModel = (modelName: string): ModelArtifact =>
  ({
    modelName,
    featureNames: ['x'],
    threshold: 0.5,
    thresholdReason: 'test',
    model: { kind: 'logreg', featureCount: 1, weights: [4], intercept: -4, standardiser: { mean: [0], scale: [1] } },
    training: { fitPrevalence: 0.5, codeVersion: 'test', seed: 1 },
  }) as unknown as ModelArtifact;
