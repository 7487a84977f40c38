// Temporal adapter of the train stage (stages/train.ts): the training (and, for the gmean policy, validation) split
// in by reference, the sealed model file out by reference, memoised by input hashes and parameters.

import type { ModelMissingValues } from '../core/models/modelArtifact.js';
import type { ArtifactRef, ModelSpec, StageSummary } from '../core/pipelineTypes.js';
import { loadDatasetArtifact, sampleWeightsOf } from '../data/datasetArtifacts.js';
import { runStageInThread } from '../stages/stageThread.js';
import { thresholdNeedsValidation } from '../stages/train.js';
import { cancellationSignal, failingOnBadInput, heartbeat, memoised, type ComputeDeps } from './activityRuntime.js';

export interface TrainModelInput {
  train: ArtifactRef;
  validation: ArtifactRef;
  model: ModelSpec;
  /** `positiveWhen`: the predicate that defined positives, recorded in the model file. */
  labels: { positive: string; negative: string; positiveWhen?: string };
  seed: number;
  modelName: string;
  runId: string;
  /** Fill values the split fitted on the training rows (the splits arrive already filled); the model carries them. */
  missingValues?: ModelMissingValues;
  /** Feature columns the input held as booleans (read as 0/1): the model marks them so /score takes their spellings. */
  booleanColumns?: string[];
  /** Categorical column → its categories (`input.categorical`): their one-hot features are never interpolated. */
  categorical?: Record<string, string[]>;
  /** Multi-class: the class values the splits' labels index; one one-vs-rest model per class. @default 0/1 labels */
  classes?: string[];
  /** The data's positive share (the sample keeps more positives): the cost threshold rule is taken at it. */
  dataPrevalence?: number;
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
          {
            activity: 'trainModel',
            train: input.train.sha256,
            validation: input.validation.sha256,
            model: input.model,
            labels: input.labels,
            seed: input.seed,
            modelName: input.modelName,
            ...(input.missingValues ? { missingValues: input.missingValues } : {}),
            ...(input.booleanColumns?.length ? { booleanColumns: input.booleanColumns } : {}),
            ...(input.categorical ? { categorical: input.categorical } : {}),
            ...(input.classes ? { classes: input.classes } : {}),
            ...(input.dataPrevalence !== undefined ? { dataPrevalence: input.dataPrevalence } : {}),
          },
          async () => {
            const train = await loadDatasetArtifact(artifacts, input.train);
            const validation = thresholdNeedsValidation(input.model)
              ? (await loadDatasetArtifact(artifacts, input.validation)).data
              : undefined;
            const sampleWeights = sampleWeightsOf(train);
            // On a worker thread: this thread stays free to heartbeat (and to serve the worker's other tasks).
            const { artifact, summary } = await runStageInThread(
              {
                stage: 'train',
                input: {
                  train: train.data,
                  featureNames: train.featureNames,
                  labelName: train.labelName,
                  ...(sampleWeights ? { sampleWeights } : {}),
                  weightSource: `the training split ${input.train.uri}`,
                  ...(validation ? { validation } : {}),
                  model: input.model,
                  labels: input.labels,
                  modelName: input.modelName,
                  seed: input.seed,
                  runId: input.runId,
                  datasetSha256: input.train.sha256,
                  ...(input.missingValues ? { missingValues: input.missingValues } : {}),
                  ...(input.booleanColumns?.length ? { booleanColumns: input.booleanColumns } : {}),
                  ...(input.categorical ? { categorical: input.categorical } : {}),
                  ...(input.classes ? { classes: input.classes } : {}),
                  ...(input.dataPrevalence !== undefined ? { dataPrevalence: input.dataPrevalence } : {}),
                },
              },
              heartbeat,
              cancellationSignal(),
            );
            const ref = await artifacts.putBytes(JSON.stringify(artifact), 'model', 'json');
            const result: TrainModelResult = { model: ref, threshold: artifact.threshold, summary };
            return { result, outputs: { model: ref } };
          },
        ),
      );
    },
  };
}
