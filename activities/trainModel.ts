// Temporal adapter of training: L2 logistic regression on the (augmented) training split, a threshold from the
// chosen policy, and the model file stored in the artifact store.

import { classCounts } from '../core/dataset.js';
import { trainLogisticRegression } from '../core/models/logisticRegression.js';
import { MODEL_FORMAT, MODEL_SCHEMA_VERSION, scoreModel, type ModelArtifact } from '../core/models/modelArtifact.js';
import { chooseThreshold, parseThresholdPolicy } from '../core/models/thresholdPolicy.js';
import { codeVersion } from '../data/codeVersion.js';
import { loadDatasetArtifact } from '../data/datasetArtifacts.js';
import type { ArtifactRef, PipelineSpec, StageSummary } from '../workflows/contract.js';
import { failingOnBadInput, heartbeat, memoised, secondsSince, type ComputeDeps } from './activityRuntime.js';

export interface TrainModelInput {
  train: ArtifactRef;
  validation: ArtifactRef;
  model: PipelineSpec['model'];
  labels: { positive: string; negative: string };
  seed: number;
  modelName: string;
  runId: string;
}

export interface TrainModelResult {
  model: ArtifactRef;
  threshold: number;
  summary: StageSummary;
}

export function trainModelActivities(deps: ComputeDeps) {
  const { artifacts } = deps;
  return {
    async trainModel(input: TrainModelInput): Promise<TrainModelResult> {
      return failingOnBadInput(() =>
        memoised(
          artifacts,
          { activity: 'trainModel', train: input.train.sha256, validation: input.validation.sha256, model: input.model, labels: input.labels, seed: input.seed, modelName: input.modelName },
          async () => {
            const started = performance.now();
            const policy = parseThresholdPolicy(input.model.threshold);
            const train = await loadDatasetArtifact(artifacts, input.train);
            heartbeat({ stage: 'fitting' });
            const fitted = trainLogisticRegression(train.data, { ...(input.model.l2 !== undefined ? { l2: input.model.l2 } : {}) });
            const [, positives] = classCounts(train.data.y);
            const rows = train.data.y.length;
            const fitPrevalence = positives / rows;
            const draft: ModelArtifact = {
              format: MODEL_FORMAT,
              schemaVersion: MODEL_SCHEMA_VERSION,
              modelName: input.modelName,
              featureNames: train.featureNames,
              labelName: train.labelName,
              positiveLabel: input.labels.positive,
              negativeLabel: input.labels.negative,
              threshold: 0.5,
              thresholdPolicy: policy,
              thresholdReason: '',
              model: fitted,
              training: { rows, positives, fitPrevalence, datasetSha256: input.train.sha256, seed: input.seed, runId: input.runId, codeVersion: codeVersion() },
            };
            let validationScores: Float64Array | undefined;
            let validationLabels: Uint8Array | undefined;
            if (policy.kind === 'gmean') {
              const validation = await loadDatasetArtifact(artifacts, input.validation);
              validationScores = scoreModel(draft, validation.data.x);
              validationLabels = validation.data.y;
            }
            // The model estimates P(positive) under the class mix it was fitted on, so the q*-rule uses that mix.
            const choice = chooseThreshold(policy, {
              prevalence: fitPrevalence,
              ...(validationScores && validationLabels ? { validationScores, validationLabels } : {}),
            });
            const artifact: ModelArtifact = { ...draft, threshold: choice.threshold, thresholdReason: choice.reason };
            const ref = await artifacts.putBytes(JSON.stringify(artifact, null, 1), 'model', 'json');
            const result: TrainModelResult = {
              model: ref,
              threshold: choice.threshold,
              summary: {
                stage: 'trainModel',
                rowsIn: rows,
                rowsOut: rows,
                positivesIn: positives,
                positivesOut: positives,
                seconds: secondsSince(started),
                note: `logreg (${fitted.iterations} Newton steps${fitted.converged ? '' : ', not converged'}); threshold ${choice.threshold.toFixed(4)}: ${choice.reason}`,
              },
            };
            return { result, outputs: { model: ref } };
          },
        ),
      );
    },
  };
}
