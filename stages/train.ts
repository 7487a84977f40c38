// The train stage: the model fitted on a (clean, augmented) training set, weighted by its `sample_weight` column
// when it has one, its threshold chosen by the policy, sealed as a model artifact. `fitModelArtifact` is the shared
// fit of the pipeline, `rareflow fit`, `rareflow train` and bench/.

import { classCounts, type LabelledData } from '../core/dataset.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import { coveredOutOfBagRows, summariseOutOfBag, type ForestOutOfBag } from '../core/models/forestOutOfBag.js';
import { trainRandomForestWithOutOfBagInWorkers } from '../core/models/forestWorkers.js';
import { trainGradientBoosting } from '../core/models/gbdtBoosting.js';
import { trainLogisticRegression } from '../core/models/logisticRegression.js';
import type { FittedModel } from '../core/models/predictModel.js';
import { deriveSeed } from '../core/random.js';
import {
  MODEL_FORMAT,
  MODEL_SCHEMA_VERSION,
  scoreModel,
  sealModelArtifact,
  type InputColumn,
  type ModelArtifact,
  type ModelMissingValues,
} from '../core/models/modelArtifact.js';
import type { SelectionTimes } from '../core/models/modelSelection.js';
import { chooseThreshold, parseThresholdPolicy } from '../core/models/thresholdPolicy.js';
import type { ModelSpec, StageSummary } from '../core/pipelineTypes.js';
import { checkSampleWeights, positiveShare, SAMPLE_WEIGHT_COLUMN, weightsOfMeanOne } from '../core/sampling/sampleWeights.js';
import { codeVersion } from '../data/codeVersion.js';
import { fitChosenModel } from './chosenModelFit.js';
import { secondsSince, type StageProgress } from './stageProgress.js';
import { oneHotGroups, pipelineInputColumns } from '../core/features/oneHotFeatures.js';
import { logisticSolverFor } from '../core/resources/memoryEstimate.js';

export interface FitModelOptions {
  model: ModelSpec;
  featureNames: string[];
  labelName: string;
  /** The class values; `positiveWhen` the predicate that defined positives, when one did. */
  labels: { positive: string; negative: string; positiveWhen?: string };
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
  /**
   * The positive share of the data the model will score, when the training rows hold another (a retrain's sample keeps
   * more positives than the data): the cost threshold rule is taken at it. @default the training rows' share
   */
  dataPrevalence?: number;
  sampleWeights?: Float64Array;
  /**
   * The missing-value fill fitted on the training rows (already applied to `train` and `validation` by the caller),
   * recorded in the model so scoring fills a missing input the same way.
   * @default none: the model rejects missing inputs
   */
  missingValues?: ModelMissingValues;
  /** One-hot column groups of categorical features, for the ENN and ADASYN steps of `auto`'s candidates. @default none */
  categoricalGroups?: number[][];
  /** Called as the fit goes (trees grown; `auto`'s candidates on the inner folds): activities heartbeat it. @default none */
  progress?: StageProgress;
}

/** Every feature as a numeric input column, the boolean-like ones marked. */
function markedInputColumns(featureNames: string[], booleanColumns: string[]): InputColumn[] {
  return featureNames.map((name) => (booleanColumns.includes(name) ? { name, kind: 'numeric', boolean: true } : { name, kind: 'numeric' }));
}

/** A sealed model, its one-line description and, for a forest, the out-of-bag scores of its training rows. */
export interface FittedArtifact {
  artifact: ModelArtifact;
  note: string;
  outOfBag?: ForestOutOfBag;
  /** `auto`: the seconds of its choice, kept out of the model file so the same data and seed give the same bytes. */
  selectionTimes?: SelectionTimes;
}

/** Fits the model, chooses its threshold and returns the sealed artifact with a one-line description. */
export async function fitModelArtifact(train: LabelledData, given: FitModelOptions): Promise<FittedArtifact> {
  // Weights count by their size against each other: the same rows weighted by 1 or by 0.1 give the same model.
  const o = given.sampleWeights ? { ...given, sampleWeights: weightsOfMeanOne(given.sampleWeights) } : given;
  if (o.model.kind === 'auto') return fitChosenModel(train, o, fitModelArtifact, o.progress);
  const policy = parseThresholdPolicy(o.model.threshold);
  if (policy.kind === 'gmean-oob' && o.model.kind !== 'forest') {
    throw new InvalidInputError(
      'threshold policy',
      `gmean-oob threshold policy: expected a forest (the threshold comes from its out-of-bag scores), got ${o.model.kind}; choose gmean for a held-out split`,
    );
  }
  const [, positives] = classCounts(train.y);
  const rows = train.y.length;
  let fitted: FittedModel;
  let fitPrevalence: number;
  let description: string;
  let outOfBag: ForestOutOfBag | undefined;
  if (o.model.kind === 'forest') {
    const m = o.model;
    if (m.mtry !== undefined && m.mtry > train.x.cols) throw mtryAboveFeatures(m.mtry, train.x.cols);
    const trained = await trainRandomForestWithOutOfBagInWorkers(
      train,
      {
        seed: deriveSeed(o.seed, 'forest'),
        sampling: m.sampling ?? 'balanced',
        ...(m.splitter !== undefined ? { splitter: m.splitter } : {}),
        ...(m.trees !== undefined ? { trees: m.trees } : {}),
        ...(m.mtry !== undefined ? { mtry: m.mtry } : {}),
        ...(m.minNodeSize !== undefined ? { minNodeSize: m.minNodeSize } : {}),
        ...(m.maxDepth !== undefined ? { maxDepth: m.maxDepth } : {}),
        ...(o.sampleWeights ? { sampleWeights: o.sampleWeights } : {}),
      },
      {
        threads: 2,
        ...(o.progress
          ? {
              onTree: (done: number, total: number) => o.progress!({ stage: 'growing trees', rows: done, totalRows: total, unit: 'trees' }),
            }
          : {}),
      },
    );
    const forest = trained.model;
    outOfBag = trained.outOfBag;
    fitted = forest;
    // The leaf frequencies estimate P(positive) under the forest's own sampling mix (1/2 when balanced).
    fitPrevalence = forest.fitPrevalence;
    const splits = forest.options.splitter === 'random' ? ', random cuts' : '';
    description = `forest (${forest.options.trees} trees, ${forest.options.sampling} sampling${splits}, mtry ${forest.options.mtry})`;
  } else if (o.model.kind === 'gbdt') {
    const m = o.model;
    const gbdt = await trainGradientBoosting(
      train,
      {
        seed: deriveSeed(o.seed, 'gbdt'),
        ...(m.learningRate !== undefined ? { learningRate: m.learningRate } : {}),
        ...(m.maxIterations !== undefined ? { maxIterations: m.maxIterations } : {}),
        ...(m.maxLeafNodes !== undefined ? { maxLeafNodes: m.maxLeafNodes } : {}),
        ...(m.earlyStopping !== undefined ? { earlyStopping: m.earlyStopping } : {}),
        ...(o.sampleWeights ? { sampleWeights: o.sampleWeights } : {}),
        ...(o.progress ? { onIteration: (treesGrown, maxIterations) => o.progress!({ stage: 'fitting', treesGrown, maxIterations }) } : {}),
      },
      { threads: 2 },
    );
    fitted = gbdt;
    // Balanced class weights: the scores estimate P(positive) under a 1:1 mix, so π = 1/2 (as for a balanced forest).
    fitPrevalence = gbdt.fitPrevalence;
    const stopped = gbdt.earlyStopped ? ', stopped early' : '';
    description = `gbdt (${gbdt.iterations} trees${stopped}, learning rate ${gbdt.options.learningRate}, ${gbdt.options.maxLeafNodes} leaves)`;
  } else {
    const lr = trainLogisticRegression(train, {
      ...(o.model.l2 !== undefined ? { l2: o.model.l2 } : {}),
      ...(o.model.classWeight ? { classWeight: o.model.classWeight } : {}),
      ...(o.sampleWeights ? { sampleWeights: o.sampleWeights } : {}),
    });
    fitted = lr;
    // A weighted fit estimates P(positive) under the weighted class mix (1/2 with balanced class weights).
    fitPrevalence = o.model.classWeight ? 0.5 : positiveShare(train.y, o.sampleWeights);
    const steps = logisticSolverFor(train.x.rows, train.x.cols) === 'newton' ? 'Newton' : 'L-BFGS';
    description = `logreg (${lr.iterations} ${steps} steps${lr.converged ? '' : ', not converged'}${o.model.classWeight ? ', balanced class weights' : ''})`;
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
    ...(o.labels.positiveWhen !== undefined ? { positiveWhen: o.labels.positiveWhen } : {}),
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
  const covered = policy.kind === 'gmean-oob' && outOfBag ? coveredOutOfBagRows(outOfBag, train.y) : undefined;
  const choice = chooseThreshold(policy, {
    prevalence: fitPrevalence,
    // The cost rule's q holds at the data's positive share: given, or that of the rows trained on.
    dataPrevalence: o.dataPrevalence ?? positiveShare(train.y, o.sampleWeights),
    ...(policy.kind === 'gmean' && o.validation
      ? { validationScores: scoreModel(draft, o.validation.x), validationLabels: o.validation.y }
      : {}),
    ...(covered ? { outOfBagScores: covered.scores, outOfBagLabels: covered.labels } : {}),
  });
  const artifact = sealModelArtifact({
    ...draft,
    threshold: choice.threshold,
    thresholdReason: choice.reason,
    ...(outOfBag ? { training: { ...draft.training, outOfBag: summariseOutOfBag(outOfBag, train.y, choice.threshold) } } : {}),
  });
  const weighted = o.sampleWeights ? `, weighted by ${SAMPLE_WEIGHT_COLUMN}` : '';
  const note = `${description}${weighted}; threshold ${choice.threshold.toFixed(4)}: ${choice.reason}`;
  return { artifact, note, ...(outOfBag ? { outOfBag } : {}) };
}

/** Whether the model's threshold policy needs held-out validation rows (`gmean` does; `gmean-oob` uses out-of-bag scores). */
export function thresholdNeedsValidation(model: ModelSpec): boolean {
  return parseThresholdPolicy(model.threshold).kind === 'gmean';
}

export interface TrainStageInput {
  train: LabelledData;
  featureNames: string[];
  labelName: string;
  /** Per-row weights of `train`; checked here (finite, ≥ 0, some weight in each class). @default none */
  sampleWeights?: Float64Array;
  /** Names the training rows in the message when their weights are unusable. */
  weightSource: string;
  /** Held-out rows for the `gmean` threshold policy (see thresholdNeedsValidation). */
  validation?: LabelledData;
  model: ModelSpec;
  /** The class values; `positiveWhen` the predicate that defined positives, when one did. */
  labels: { positive: string; negative: string; positiveWhen?: string };
  modelName: string;
  seed: number;
  runId: string;
  datasetSha256: string;
  /** Fill values fitted on the training rows (already applied to `train`); the model carries them. */
  missingValues?: ModelMissingValues;
  /** Feature columns the input held as booleans (read as 0/1): the model marks them so /score takes their spellings. */
  booleanColumns?: string[];
  /** Categorical column → its categories (`input.categorical`): their one-hot features are never interpolated. */
  categorical?: Record<string, string[]>;
  /** Multi-class: the class values `train.y` indexes (stages/multiClassTrain.ts fits them). @default 0/1 labels */
  classes?: string[];
  /** The data's positive share, for the cost threshold rule (FitModelOptions.dataPrevalence). */
  dataPrevalence?: number;
}

/** The pipeline's train step: the sealed model and the step's summary line. */
export async function trainStage(
  input: TrainStageInput,
  progress?: StageProgress,
): Promise<{ artifact: ModelArtifact; summary: StageSummary }> {
  const started = performance.now();
  if (input.sampleWeights) {
    const classOf = input.classes ? { classOf: input.train.y, classes: input.classes } : undefined;
    checkSampleWeights(input.sampleWeights, input.train.y, `weight column "${SAMPLE_WEIGHT_COLUMN}" of ${input.weightSource}`, classOf);
  }
  progress?.({ stage: 'fitting' });
  const { artifact, note, selectionTimes } = await fitModelArtifact(input.train, {
    model: input.model,
    featureNames: input.featureNames,
    labelName: input.labelName,
    labels: input.labels,
    modelName: input.modelName,
    seed: input.seed,
    runId: input.runId,
    datasetSha256: input.datasetSha256,
    ...(input.validation ? { validation: input.validation } : {}),
    ...(input.sampleWeights ? { sampleWeights: input.sampleWeights } : {}),
    ...(input.missingValues ? { missingValues: input.missingValues } : {}),
    ...(input.dataPrevalence !== undefined ? { dataPrevalence: input.dataPrevalence } : {}),
    ...(input.categorical
      ? {
          inputColumns: pipelineInputColumns(input.featureNames, input.categorical, input.booleanColumns ?? []),
          categoricalGroups: oneHotGroups(input.featureNames, input.categorical),
        }
      : input.booleanColumns?.length
        ? { inputColumns: markedInputColumns(input.featureNames, input.booleanColumns) }
        : {}),
    ...(progress ? { progress } : {}),
  });
  const rows = input.train.y.length;
  const [, positives] = classCounts(input.train.y);
  return {
    artifact,
    summary: {
      stage: 'trainModel',
      rowsIn: rows,
      rowsOut: rows,
      positivesIn: positives,
      positivesOut: positives,
      seconds: secondsSince(started),
      note,
      ...(selectionTimes ? { selectionTimes } : {}),
    },
  };
}

/**
 * `model.mtry` above the model's features (one-hot and missing-value features included): refused by the spec's key,
 * with the count, before any tree is grown. The describe stage refuses what is past any count the input could give.
 */
export function mtryAboveFeatures(mtry: number, features: number): InvalidInputError {
  return new InvalidInputError(
    'model.mtry',
    `model.mtry ${mtry} is more than the model's ${features} feature${features === 1 ? '' : 's'} (features drawn at each split); expected at most ${features}, or leave it out for the square root of the count`,
  );
}
