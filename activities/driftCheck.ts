// Temporal adapters of drift monitoring: the reference a model is compared with (built once per model from its
// training and test rows, reweighted to the prior of the raw data), the check of one serving window against it,
// and the export of a recent labelled window as training data for a drift-triggered retrain.

import { takeRows, type FeatureMatrix, type LabelledData } from '../core/dataset.js';
import { OTHER_CATEGORY_BIN, type CategoricalColumns } from '../core/drift/categoricalDrift.js';
import { confidenceBasedPerformance } from '../core/drift/confidenceBasedPerformance.js';
import type { DriftOptions } from '../core/drift/driftOptions.js';
import { buildDriftReference } from '../core/drift/driftReference.js';
import type { ReferencePerformance } from '../core/drift/performanceDrift.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import { classificationReport } from '../core/metrics/classMetrics.js';
import { labelVocabularyOf } from '../core/labels/labelVocabulary.js';
import { inputColumnsOf, parseModelArtifact, scoreModel, type ModelArtifact } from '../core/models/modelArtifact.js';
import { seededRandom } from '../core/random.js';
import { readFileVerified } from '../data/artifactStore.js';
import { loadDatasetArtifact } from '../data/datasetArtifacts.js';
import { exportLabelledServingWindow } from '../data/servingLogExport.js';
import { readServingState } from '../data/servingState.js';
import type { ArtifactRef } from '../workflows/contract.js';
import { failingOnBadInput, memoised, type ComputeDeps } from './activityRuntime.js';
import { loadModelArtifact } from '../data/modelArtifacts.js';
import { monitorWindowId, recordMonitorWindow } from '../data/monitorWindows.js';
import { multiClassDriftReference } from '../stages/multiClassDriftReference.js';
import { checkServedWindow, driftReferenceKey, loadStoredReference, priorCorrected, type StoredReference } from '../stages/driftWindow.js';

export interface BuildDriftReferenceInput {
  model: ArtifactRef;
  /** The training split as sampled (before noise filtering and ADASYN). */
  train: ArtifactRef;
  /** The held-out test split: its scores are the prediction reference. */
  test: ArtifactRef;
  /** Positive share of the raw data (positives seen / rows scanned by adaptive sampling). */
  rawPrior: number;
  seed: number;
  /** Multi-class models: each class's share of the raw input, in the model's class order. @default none (binary) */
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
  const shuffle = (a: number[]) => {
    for (let i = a.length - 1; i > 0; i--) {
      const j = random.nextInt(i + 1);
      [a[i], a[j]] = [a[j]!, a[i]!];
    }
  };
  let keepPos = pos.length;
  let keepNeg = neg.length;
  if (pos.length / (pos.length + neg.length) > prior) keepPos = Math.max(1, Math.round((prior / (1 - prior)) * neg.length));
  else keepNeg = Math.max(1, Math.round(((1 - prior) / prior) * pos.length));
  shuffle(pos);
  shuffle(neg);
  const kept = [...pos.slice(0, Math.min(keepPos, pos.length)), ...neg.slice(0, Math.min(keepNeg, neg.length))].sort((a, b) => a - b);
  return Int32Array.from(kept);
}

/** Numeric input columns of the model and their feature positions (drift is measured on numeric columns). */
function numericFeatures(model: ModelArtifact): Array<{ name: string; index: number }> {
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

export interface CheckDriftInput {
  modelName: string;
  fromMs: number;
  toMs: number;
  options?: Partial<DriftOptions>;
}

export interface CheckDriftResult {
  /** The champion the window was served by (rows of a canary challenger are left out). */
  championSha256: string | null;
  /** `reference-failed-verification`: the stored reference changed on disk; `reasons` names the file. */
  status: 'checked' | 'no-champion' | 'no-reference' | 'reference-failed-verification' | 'no-traffic';
  rows: number;
  labelled: number;
  drifted: boolean;
  reasons: string[];
  insufficient: string[];
  /** A few numbers for the registry and the status query. */
  metrics: Record<string, number>;
  /** The full report, stored as an artifact. */
  report?: ArtifactRef;
}

export function driftCheckActivities(deps: ComputeDeps) {
  const { artifacts } = deps;
  const servingDirOf = (): string => {
    if (!deps.servingDir)
      throw new InvalidInputError(
        'servingDir',
        'this worker has no serving directory (RAREFLOW_SERVING); drift checks read the scoring service logs',
      );
    return deps.servingDir;
  };

  /** The check of one window against the champion's stored reference. */
  const windowCheck = async (servingDir: string, input: CheckDriftInput): Promise<CheckDriftResult> => {
    const empty = (status: CheckDriftResult['status'], championSha256: string | null): CheckDriftResult => ({
      championSha256,
      status,
      rows: 0,
      labelled: 0,
      drifted: false,
      reasons: [],
      insufficient: [],
      metrics: {},
    });
    const state = await readServingState(servingDir, input.modelName);
    const champion = state?.champion;
    if (!champion) return empty('no-champion', null);
    const lookup = await loadStoredReference(artifacts, champion.sha256);
    if (lookup.status === 'no-reference') return empty('no-reference', champion.sha256);
    if (lookup.status === 'reference-failed-verification')
      return { ...empty('reference-failed-verification', champion.sha256), reasons: [lookup.message] };
    const { report, unreadableRows: unreadable } = await checkServedWindow({
      stored: lookup.stored,
      servingDir,
      modelName: input.modelName,
      fromMs: input.fromMs,
      toMs: input.toMs,
      modelSha256: champion.sha256,
      options: input.options ?? {},
    });
    if (report === null) return { ...empty('no-traffic', champion.sha256), metrics: { unreadableRows: unreadable } };
    const reportRef = await artifacts.putBytes(JSON.stringify(report), 'drift-report', 'json');
    const psi = report.features.map((f) => f.psi ?? 0);
    const worst = psi.indexOf(Math.max(...psi));
    const metrics: Record<string, number> = {
      rows: report.rows,
      labelled: report.labelled,
      unreadableRows: unreadable,
      maxPsi: psi[worst] ?? 0,
      driftedFeatures: [...report.features, ...report.categoricalFeatures].filter((f) => f.drifted).length,
    };
    if (report.labelShift && report.labelShift.n > 0) metrics.positiveRate = report.labelShift.observed[1]! / report.labelShift.n;
    if (report.predictionShift) metrics.predictedPositiveRate = report.predictionShift.positiveRate.current;
    const recall = report.performance?.perClass.positive.recall.current;
    if (typeof recall === 'number') metrics.positiveRecall = recall;
    return {
      championSha256: champion.sha256,
      status: 'checked',
      rows: report.rows,
      labelled: report.labelled,
      drifted: report.drifted,
      reasons: report.reasons,
      insufficient: report.insufficient,
      metrics,
      report: reportRef,
    };
  };

  return {
    async buildDriftReference(input: BuildDriftReferenceInput): Promise<{ reference: ArtifactRef }> {
      return failingOnBadInput(() =>
        memoised(
          artifacts,
          {
            activity: 'buildDriftReference',
            model: input.model.sha256,
            train: input.train.sha256,
            test: input.test.sha256,
            rawPrior: input.rawPrior,
            seed: input.seed,
            ...(input.classPrior ? { classPrior: input.classPrior } : {}),
          },
          async () => {
            if (!(input.rawPrior > 0 && input.rawPrior < 1))
              throw new InvalidInputError('rawPrior', `rawPrior: expected a positive share in (0, 1), got ${input.rawPrior}`);
            const model = await loadModelArtifact(artifacts, input.model);
            const train = await loadDatasetArtifact(artifacts, input.train);
            const test = await loadDatasetArtifact(artifacts, input.test);
            const features = numericFeatures(model);
            if (features.length === 0) throw new InvalidInputError('model', 'the model has no numeric input columns to monitor for drift');
            if (model.multiClass) {
              const classPrior = input.classPrior ?? [];
              const reference = multiClassDriftReference({
                model,
                train: train.data,
                test: test.data,
                classPrior,
                features,
                categorical: (x) => categoricalTrainingColumns(model, x),
                seed: input.seed,
              });
              const stored: StoredReference = {
                reference,
                rawPrior: classPrior[0]!,
                fitPrior: 0,
                featureIndexes: features.map((f) => f.index),
              };
              const ref = await artifacts.putBytes(JSON.stringify(stored), 'drift-reference', 'json');
              await artifacts.recordKey(driftReferenceKey(input.model.sha256), { reference: ref });
              return { result: { reference: ref }, outputs: { reference: ref } };
            }
            const trainRows = takeRows(train.data, rowsAtPrior(train.data, input.rawPrior, input.seed));
            const testRows = takeRows(test.data, rowsAtPrior(test.data, input.rawPrior, input.seed + 1));
            const values = new Float64Array(trainRows.x.rows * features.length);
            for (let r = 0; r < trainRows.x.rows; r++) {
              for (let c = 0; c < features.length; c++)
                values[r * features.length + c] = trainRows.x.values[r * trainRows.x.cols + features[c]!.index]!;
            }
            const scores = scoreModel(model, testRows.x);
            const report = classificationReport(testRows.y, scores, model.threshold);
            const reference = buildDriftReference(
              { rows: trainRows.x.rows, cols: features.length, values, names: features.map((f) => f.name) },
              trainRows.y,
              scores,
              model.threshold,
              report.perClass,
              { seed: input.seed, categorical: categoricalTrainingColumns(model, trainRows.x) },
            );
            const fitPrior = model.training.fitPrevalence;
            if (fitPrior > 0 && fitPrior < 1)
              reference.estimatedPerformance = referenceEstimate(scores, fitPrior, input.rawPrior, model.threshold);
            const stored: StoredReference = { reference, rawPrior: input.rawPrior, fitPrior, featureIndexes: features.map((f) => f.index) };
            const ref = await artifacts.putBytes(JSON.stringify(stored), 'drift-reference', 'json');
            await artifacts.recordKey(driftReferenceKey(input.model.sha256), { reference: ref });
            return { result: { reference: ref }, outputs: { reference: ref } };
          },
        ),
      );
    },

    async checkDrift(input: CheckDriftInput): Promise<CheckDriftResult> {
      return failingOnBadInput(async () => {
        const servingDir = servingDirOf();
        const result = await windowCheck(servingDir, input);
        // The window's record lets `rareflow monitor report` find it, its champion and its options later.
        await recordMonitorWindow(servingDir, input.modelName, {
          id: monitorWindowId(input.fromMs, input.toMs),
          fromMs: input.fromMs,
          toMs: input.toMs,
          championSha256: result.championSha256,
          status: result.status,
          rows: result.rows,
          labelled: result.labelled,
          drifted: result.drifted,
          options: input.options ?? {},
          ...(result.report ? { report: result.report } : {}),
        });
        return result;
      });
    },

    /** The labelled serving rows of [fromMs, toMs) as a Parquet file of the champion's columns and its label. */
    async exportRecentWindow(input: {
      modelName: string;
      fromMs: number;
      toMs: number;
    }): Promise<{ data: ArtifactRef; path: string; rows: number; positives: number }> {
      return failingOnBadInput(async () => {
        const servingDir = servingDirOf();
        const state = await readServingState(servingDir, input.modelName);
        if (!state?.champion)
          throw new InvalidInputError(
            'model',
            `model ${input.modelName} has no published champion to take the recent window's columns from`,
          );
        const modelPath = new URL(state.champion.uri).pathname;
        const model = parseModelArtifact(
          JSON.parse((await readFileVerified(modelPath, state.champion.sha256, 'champion model')).toString('utf8')),
          modelPath,
        );
        const temp = artifacts.tempPath('parquet');
        const written = await exportLabelledServingWindow({
          servingDir,
          modelName: input.modelName,
          fromMs: input.fromMs,
          toMs: input.toMs,
          columns: inputColumnsOf(model).map((c) => ({
            name: c.name,
            numeric: c.kind === 'numeric',
            ...(c.kind === 'numeric' && c.boolean ? { boolean: true } : {}),
          })),
          labelName: model.labelName,
          // A model trained with several negative values stores them joined with "|": the export writes the first.
          labels: { positive: model.positiveLabel, negative: labelVocabularyOf(model).negatives[0]! },
          // A multi-class champion's retrain needs every class: the window keeps each row's true class value.
          ...(model.multiClass ? { classLabels: true } : {}),
          out: temp,
        });
        const data = await artifacts.putFile(temp, 'serving-window', 'parquet');
        return { data, path: artifacts.pathOf(data), rows: written.rows, positives: written.positives };
      });
    },
  };
}
