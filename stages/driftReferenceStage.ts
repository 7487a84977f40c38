// The drift reference stage: what a champion's served windows are compared with, built once per model from its
// training and test rows reweighted to the prior of the raw data (features, scores, per-class performance, and for a
// multi-class model the class reference). It runs on a stage thread (stages/stageThread.ts): on a sample of millions
// of rows it takes seconds, and the activity's heartbeats go on meanwhile.

import { takeRows, type FeatureMatrix, type LabelledData } from '../core/dataset.js';
import { OTHER_CATEGORY_BIN, type CategoricalColumns } from '../core/drift/categoricalDrift.js';
import { confidenceBasedPerformance } from '../core/drift/confidenceBasedPerformance.js';
import { buildDriftReference } from '../core/drift/driftReference.js';
import type { ReferencePerformance } from '../core/drift/performanceDrift.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import { classificationReport } from '../core/metrics/classMetrics.js';
import { inputColumnsOf, scoreModel, type ModelArtifact } from '../core/models/modelArtifact.js';
import { seededRandom, shuffleInPlace } from '../core/random.js';
import { priorCorrected, type StoredReference } from './driftWindow.js';
import { multiClassDriftReference } from './multiClassDriftReference.js';

export interface DriftReferenceStageInput {
  model: ModelArtifact;
  /** The training split as sampled (before noise filtering and ADASYN). */
  train: LabelledData;
  /** The held-out test split: its scores are the prediction reference. */
  test: LabelledData;
  /** Positive share of the raw data (positives seen / rows scanned by adaptive sampling). */
  rawPrior: number;
  seed: number;
  /** Multi-class models: each class's share of the raw input, in the model's class order. */
  classPrior?: number[];
}

/**
 * Rows of `data` whose class mix is `prior`: adaptive sampling keeps every positive and a uniform reservoir of
 * negatives, so each class is an unbiased sample of its own rows, and dropping positives (or negatives) at
 * random restores the population's mix.
 */
export function rowsAtPrior(data: LabelledData, prior: number, seed: number): Int32Array {
  const pos: number[] = [];
  const neg: number[] = [];
  for (let i = 0; i < data.y.length; i++) (data.y[i] === 1 ? pos : neg).push(i);
  const random = seededRandom(seed);
  let keepPos = pos.length;
  let keepNeg = neg.length;
  if (pos.length / (pos.length + neg.length) > prior) keepPos = Math.max(1, Math.round((prior / (1 - prior)) * neg.length));
  else keepNeg = Math.max(1, Math.round(((1 - prior) / prior) * pos.length));
  shuffleInPlace(pos, random);
  shuffleInPlace(neg, random);
  const kept = [...pos.slice(0, Math.min(keepPos, pos.length)), ...neg.slice(0, Math.min(keepNeg, neg.length))].sort((a, b) => a - b);
  return Int32Array.from(kept);
}

/** Numeric input columns of the model and their feature positions (drift is measured on numeric columns). */
export function numericFeatures(model: ModelArtifact): Array<{ name: string; index: number }> {
  const numeric = new Set(
    inputColumnsOf(model)
      .filter((c) => c.kind === 'numeric')
      .map((c) => c.name),
  );
  return model.featureNames.map((name, index) => ({ name, index })).filter((f) => numeric.has(f.name));
}

/**
 * The categorical input columns of the model as strings, read back from their one-hot features (`name=category`):
 * the category whose feature is 1, or the other/unseen bin's label for a row that sets none.
 */
export function categoricalTrainingColumns(model: ModelArtifact, x: FeatureMatrix): CategoricalColumns {
  const columns = inputColumnsOf(model).filter((c) => c.kind === 'categorical');
  return {
    names: columns.map((c) => c.name),
    values: columns.map((c) => {
      const hot = c.categories.map((cat) => model.featureNames.indexOf(`${c.name}=${cat}`));
      return Array.from({ length: x.rows }, (_, r) => {
        const k = hot.findIndex((f) => f >= 0 && x.values[r * x.cols + f] === 1);
        return k >= 0 ? c.categories[k]! : OTHER_CATEGORY_BIN;
      });
    }),
  };
}

/**
 * CBPE's own point estimates on the reference rows (test split at the raw prior), scored as windows are: the level
 * a window's estimates are compared with, so a miscalibration the scores carry from training cancels out instead of
 * reading as a drop (the default forest's prior-corrected votes understate precision on unchanged traffic).
 */
function referenceEstimate(scores: Float64Array, fitPrior: number, rawPrior: number, threshold: number): ReferencePerformance {
  const none: ReferencePerformance = { positive: { recall: null, precision: null }, negative: { recall: null, precision: null } };
  const estimate = confidenceBasedPerformance(priorCorrected(scores, fitPrior, rawPrior), threshold, none, { scores, draws: 1 });
  const value = (cls: 'positive' | 'negative', metric: 'recall' | 'precision') => estimate.perClass[cls][metric].current;
  return {
    positive: { recall: value('positive', 'recall'), precision: value('positive', 'precision') },
    negative: { recall: value('negative', 'recall'), precision: value('negative', 'precision') },
  };
}

/**
 * The validation values a window's labelled performance is compared with, each with its Wilson interval. Recall is a
 * share within one class, the same at any class mix, so it is read on every test row (dropping positives to reach
 * the raw prior would leave a handful and make the reference a lucky or unlucky draw); precision depends on the mix
 * and is read on the rows at the raw prior.
 */
function validationPerformance(y: Uint8Array, scores: Float64Array, atPrior: Int32Array, threshold: number): ReferencePerformance {
  const all = classificationReport(y, scores, threshold).perClass;
  const { perClass: priorClasses, confusion } = classificationReport(
    Uint8Array.from(atPrior, (i) => y[i]!),
    Float64Array.from(atPrior, (i) => scores[i]!),
    threshold,
  );
  // The rows behind each value, so a monitor with another z reads the reference's interval at its own z.
  const predictedAs = (c: { tp: number; fp: number; tn: number; fn: number }, cls: 'negative' | 'positive') =>
    cls === 'positive' ? c.tp + c.fp : c.tn + c.fn;
  const of = (cls: 'negative' | 'positive') => ({
    recall: all[cls].recall,
    recallInterval: all[cls].recallInterval,
    recallSupport: all[cls].support,
    precision: priorClasses[cls].precision,
    precisionInterval: priorClasses[cls].precisionInterval,
    precisionSupport: predictedAs(confusion, cls),
  });
  return { negative: of('negative'), positive: of('positive') };
}

/** The stored reference of `model`: refused (bad input) when the prior is not a share or no input column is numeric. */
export function driftReferenceStage(input: DriftReferenceStageInput): StoredReference {
  if (!(input.rawPrior > 0 && input.rawPrior < 1))
    throw new InvalidInputError('rawPrior', `rawPrior: expected a positive share in (0, 1), got ${input.rawPrior}`);
  const { model } = input;
  const features = numericFeatures(model);
  if (features.length === 0) throw new InvalidInputError('model', 'the model has no numeric input columns to monitor for drift');
  if (model.multiClass) {
    const classPrior = input.classPrior ?? [];
    const reference = multiClassDriftReference({
      model,
      train: input.train,
      test: input.test,
      classPrior,
      features,
      categorical: (x) => categoricalTrainingColumns(model, x),
      seed: input.seed,
    });
    return { reference, rawPrior: classPrior[0]!, fitPrior: 0, featureIndexes: features.map((f) => f.index) };
  }
  const trainRows = takeRows(input.train, rowsAtPrior(input.train, input.rawPrior, input.seed));
  const testAtPrior = rowsAtPrior(input.test, input.rawPrior, input.seed + 1);
  const testScores = scoreModel(model, input.test.x);
  const scores = Float64Array.from(testAtPrior, (i) => testScores[i]!);
  const values = new Float64Array(trainRows.x.rows * features.length);
  for (let r = 0; r < trainRows.x.rows; r++) {
    for (let c = 0; c < features.length; c++)
      values[r * features.length + c] = trainRows.x.values[r * trainRows.x.cols + features[c]!.index]!;
  }
  const reference = buildDriftReference(
    { rows: trainRows.x.rows, cols: features.length, values, names: features.map((f) => f.name) },
    trainRows.y,
    scores,
    model.threshold,
    validationPerformance(input.test.y, testScores, testAtPrior, model.threshold),
    { seed: input.seed, categorical: categoricalTrainingColumns(model, trainRows.x) },
  );
  const fitPrior = model.training.fitPrevalence;
  if (fitPrior > 0 && fitPrior < 1) reference.estimatedPerformance = referenceEstimate(scores, fitPrior, input.rawPrior, model.threshold);
  return { reference, rawPrior: input.rawPrior, fitPrior, featureIndexes: features.map((f) => f.index) };
}
