// Fit options for a two-feature test model, and a model file's trip through JSON and back.

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
