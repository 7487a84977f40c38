// Temporal adapter of training: the model on the (augmented) training split, weighted by its `sample_weight`
// column when it has one, a threshold from the chosen policy, and the sealed model file in the artifact store.
// `fitModelArtifact` is shared with `rareflow fit` and `train`.

import { classCounts, type LabelledData } from '../core/dataset.js';
import { trainRandomForestInWorkers } from '../core/models/forestWorkers.js';
import { trainLogisticRegression } from '../core/models/logisticRegression.js';
import type { FittedModel } from '../core/models/predictModel.js';
import { deriveSeed } from '../core/random.js';
import { MODEL_FORMAT, MODEL_SCHEMA_VERSION, scoreModel, sealModelArtifact, type InputColumn, type ModelArtifact, type ModelMissingValues } from '../core/models/modelArtifact.js';
import { chooseThreshold, parseThresholdPolicy } from '../core/models/thresholdPolicy.js';
import { checkSampleWeights, SAMPLE_WEIGHT_COLUMN } from '../core/sampling/sampleWeights.js';
import { codeVersion } from '../data/codeVersion.js';
import { loadDatasetArtifact, sampleWeightsOf } from '../data/datasetArtifacts.js';
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
  /** Fill values the split fitted on the training rows (the splits arrive already filled); the model carries them. */
  missingValues?: ModelMissingValues;
  /** Feature columns the input held as booleans (read as 0/1): the model marks them so /score takes their spellings. */
  booleanColumns?: string[];
}

export interface TrainModelResult {
  model: ArtifactRef;
  threshold: number;
  summary: StageSummary;
}

export interface FitModelOptions {
  model: PipelineSpec['model'];
  featureNames: string[];
  labelName: string;
  labels: { positive: string; negative: string };
  modelName: string;
  seed: number;
  runId: string;
  datasetSha256: string;
  /** Raw input columns and their encoding, when the features were derived from raw columns (fit). */
  inputColumns?: InputColumn[];
  /** Needed by the `gmean` policy: held-out rows the model did not see. */
  validation?: LabelledData;
  /**
   * Per-row weights of `train` (its `sample_weight` column), checked by the caller. The fit is weighted and
   * `fitPrevalence` is the positives' share of the weight; the threshold's validation scoring stays unweighted.
   * @default none (unweighted)
   */
  sampleWeights?: Float64Array;
  /**
   * The missing-value fill fitted on the training rows (already applied to `train` and `validation` by the caller),
   * recorded in the model so scoring fills a missing input the same way.
   * @default none: the model rejects missing inputs
   */
  missingValues?: ModelMissingValues;
}

/** Every feature as a numeric input column, the boolean-like ones marked. */
function markedInputColumns(featureNames: string[], booleanColumns: string[]): InputColumn[] {
  return featureNames.map((name) => (booleanColumns.includes(name) ? { name, kind: 'numeric', boolean: true } : { name, kind: 'numeric' }));
}

/** Fits the model, chooses its threshold and returns the sealed artifact with a one-line description. */
export async function fitModelArtifact(train: LabelledData, o: FitModelOptions): Promise<{ artifact: ModelArtifact; note: string }> {
  const policy = parseThresholdPolicy(o.model.threshold);
  const [, positives] = classCounts(train.y);
  const rows = train.y.length;
  let fitted: FittedModel;
  let fitPrevalence: number;
  let description: string;
  if (o.model.kind === 'forest') {
    const m = o.model;
    const forest = await trainRandomForestInWorkers(
      train,
      {
        seed: deriveSeed(o.seed, 'forest'),
        sampling: m.sampling ?? 'balanced',
        ...(m.trees !== undefined ? { trees: m.trees } : {}),
        ...(m.mtry !== undefined ? { mtry: m.mtry } : {}),
        ...(m.minNodeSize !== undefined ? { minNodeSize: m.minNodeSize } : {}),
        ...(m.maxDepth !== undefined ? { maxDepth: m.maxDepth } : {}),
        ...(o.sampleWeights ? { sampleWeights: o.sampleWeights } : {}),
      },
      { threads: 2 },
    );
    fitted = forest;
    // The leaf frequencies estimate P(positive) under the forest's own sampling mix (1/2 when balanced).
    fitPrevalence = forest.fitPrevalence;
    description = `forest (${forest.options.trees} trees, ${forest.options.sampling} sampling, mtry ${forest.options.mtry})`;
  } else {
    const lr = trainLogisticRegression(train, {
      ...(o.model.l2 !== undefined ? { l2: o.model.l2 } : {}),
      ...(o.sampleWeights ? { sampleWeights: o.sampleWeights } : {}),
    });
    fitted = lr;
    // A weighted fit estimates P(positive) under the weighted class mix.
    fitPrevalence = o.sampleWeights ? weightedPrevalence(train.y, o.sampleWeights) : positives / rows;
    description = `logreg (${lr.iterations} Newton steps${lr.converged ? '' : ', not converged'})`;
  }
  const draft: ModelArtifact = {
    format: MODEL_FORMAT,
    schemaVersion: MODEL_SCHEMA_VERSION,
    modelName: o.modelName,
    featureNames: o.featureNames,
    ...(o.inputColumns ? { inputColumns: o.inputColumns } : {}),
    labelName: o.labelName,
    positiveLabel: o.labels.positive,
    negativeLabel: o.labels.negative,
    threshold: 0.5,
    thresholdPolicy: policy,
    thresholdReason: '',
    model: fitted,
    ...(o.missingValues ? { missingValues: o.missingValues } : {}),
    training: {
      rows,
      positives,
      fitPrevalence,
      ...(o.sampleWeights ? { sampleWeight: SAMPLE_WEIGHT_COLUMN } : {}),
      datasetSha256: o.datasetSha256,
      seed: o.seed,
      runId: o.runId,
      codeVersion: codeVersion(),
    },
  };
  // The model estimates P(positive) under the class mix it was fitted on, so the q*-rule uses that mix.
  const choice = chooseThreshold(policy, {
    prevalence: fitPrevalence,
    ...(policy.kind === 'gmean' && o.validation ? { validationScores: scoreModel(draft, o.validation.x), validationLabels: o.validation.y } : {}),
  });
  const artifact = sealModelArtifact({ ...draft, threshold: choice.threshold, thresholdReason: choice.reason });
  const weighted = o.sampleWeights ? `, weighted by ${SAMPLE_WEIGHT_COLUMN}` : '';
  const note = `${description}${weighted}; threshold ${choice.threshold.toFixed(4)}: ${choice.reason}`;
  return { artifact, note };
}

function weightedPrevalence(y: Uint8Array, weights: Float64Array): number {
  let positive = 0;
  let total = 0;
  for (let i = 0; i < y.length; i++) {
    total += weights[i]!;
    if (y[i] === 1) positive += weights[i]!;
  }
  return positive / total;
}

export function trainModelActivities(deps: ComputeDeps) {
  const { artifacts } = deps;
  return {
    async trainModel(input: TrainModelInput): Promise<TrainModelResult> {
      return failingOnBadInput(() =>
        memoised(
          artifacts,
          {
            activity: 'trainModel', train: input.train.sha256, validation: input.validation.sha256, model: input.model, labels: input.labels, seed: input.seed, modelName: input.modelName,
            ...(input.missingValues ? { missingValues: input.missingValues } : {}),
            ...(input.booleanColumns?.length ? { booleanColumns: input.booleanColumns } : {}),
          },
          async () => {
            const started = performance.now();
            const train = await loadDatasetArtifact(artifacts, input.train);
            const validation = parseThresholdPolicy(input.model.threshold).kind === 'gmean' ? (await loadDatasetArtifact(artifacts, input.validation)).data : undefined;
            const sampleWeights = sampleWeightsOf(train);
            if (sampleWeights) {
              checkSampleWeights(sampleWeights, train.data.y, `weight column "${SAMPLE_WEIGHT_COLUMN}" of the training split ${input.train.uri}`);
            }
            heartbeat({ stage: 'fitting' });
            const { artifact, note } = await fitModelArtifact(train.data, {
              model: input.model,
              featureNames: train.featureNames,
              labelName: train.labelName,
              labels: input.labels,
              modelName: input.modelName,
              seed: input.seed,
              runId: input.runId,
              datasetSha256: input.train.sha256,
              ...(validation ? { validation } : {}),
              ...(sampleWeights ? { sampleWeights } : {}),
              ...(input.missingValues ? { missingValues: input.missingValues } : {}),
              ...(input.booleanColumns?.length ? { inputColumns: markedInputColumns(train.featureNames, input.booleanColumns) } : {}),
            });
            const ref = await artifacts.putBytes(JSON.stringify(artifact), 'model', 'json');
            const rows = train.data.y.length;
            const [, positives] = classCounts(train.data.y);
            const result: TrainModelResult = {
              model: ref,
              threshold: artifact.threshold,
              summary: { stage: 'trainModel', rowsIn: rows, rowsOut: rows, positivesIn: positives, positivesOut: positives, seconds: secondsSince(started), note },
            };
            return { result, outputs: { model: ref } };
          },
        ),
      );
    },
  };
}
