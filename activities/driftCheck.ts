// Temporal adapters of drift monitoring: the reference a model is compared with (built once per model on a stage
// thread by stages/driftReferenceStage.ts), the check of one serving window against it, and the export of a recent
// labelled window as training data for a drift-triggered retrain.

import type { DriftOptions } from '../core/drift/driftOptions.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import { labelVocabularyOf } from '../core/labels/labelVocabulary.js';
import { inputColumnsOf, parseModelArtifact } from '../core/models/modelArtifact.js';
import { readFileVerified } from '../data/artifactStore.js';
import { loadDatasetArtifact } from '../data/datasetArtifacts.js';
import { exportLabelledServingWindow } from '../data/servingLogExport.js';
import { readServingState } from '../data/servingState.js';
import type { ArtifactRef } from '../workflows/contract.js';
import { runStageInThread } from '../stages/stageThread.js';
import { cancellationSignal, failingOnBadInput, memoised, type ComputeDeps } from './activityRuntime.js';
import { loadModelArtifact } from '../data/modelArtifacts.js';
import { monitorWindowId, recordMonitorWindow } from '../data/monitorWindows.js';
import { checkServedWindow, driftReferenceKey, loadStoredReference } from '../stages/driftWindow.js';
import { resolveOptions } from '../core/drift/driftOptions.js';

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

export interface CheckDriftInput {
  modelName: string;
  fromMs: number;
  toMs: number;
  options?: Partial<DriftOptions>;
  /**
   * How long labels take to arrive after their predictions: the label tests read the window this long before.
   * @default 0 (labels are judged in the window they belong to)
   */
  labelDelayMs?: number;
}

export interface CheckDriftResult {
  /** The champion the window was served by (rows of a canary challenger are left out). */
  championSha256: string | null;
  /** `reference-failed-verification`: the stored reference changed on disk; `reasons` names the file. */
  /**
   * `too-few-rows`: fewer rows than the feature tests need and no drop found, so nothing was judged; like
   * `no-traffic`, it neither counts toward the hold nor breaks a run of drifted windows.
   */
  status: 'checked' | 'no-champion' | 'no-reference' | 'reference-failed-verification' | 'no-traffic' | 'too-few-rows';
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
      ...(input.labelDelayMs ? { labelDelayMs: input.labelDelayMs } : {}),
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
    const tooFew = report.rows < resolveOptions(input.options ?? {}).minRows && !report.drifted;
    return {
      championSha256: champion.sha256,
      status: tooFew ? 'too-few-rows' : 'checked',
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
            const model = await loadModelArtifact(artifacts, input.model);
            const train = await loadDatasetArtifact(artifacts, input.train);
            const test = await loadDatasetArtifact(artifacts, input.test);
            // On a stage thread: this thread stays free to heartbeat while millions of rows are read into the reference.
            const stored = await runStageInThread(
              {
                stage: 'driftReference',
                input: {
                  model,
                  train: train.data,
                  test: test.data,
                  rawPrior: input.rawPrior,
                  seed: input.seed,
                  ...(input.classPrior ? { classPrior: input.classPrior } : {}),
                },
              },
              undefined,
              cancellationSignal(),
            );
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
        const delay = input.labelDelayMs;
        if (delay !== undefined && !(typeof delay === 'number' && Number.isFinite(delay) && delay >= 0))
          throw new InvalidInputError('labelDelayMs', `labelDelayMs: expected a number of milliseconds ≥ 0, got ${JSON.stringify(delay)}`);
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
          ...(input.labelDelayMs ? { labelDelayMs: input.labelDelayMs } : {}),
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
