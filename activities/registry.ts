// Registry activities: the only writers of the DuckDB registry. They run on their own task queue, served by one
// worker, and every write is idempotent so a retried activity never duplicates a row.

import { classCounts, rowsOutsideLargestClass } from '../core/dataset.js';
import { multiClassMetricValues, type MultiClassGateReport } from '../core/gates/multiClassGates.js';
import type { MultiClassReport } from '../core/metrics/multiClassReport.js';
import type { ClassificationReport } from '../core/metrics/classMetrics.js';
import type { GateEvaluation } from '../core/gates/evaluateGates.js';
import type { ArtifactStore } from '../data/artifactStore.js';
import { codeVersion } from '../data/codeVersion.js';
import { failingOnBadInput } from './activityRuntime.js';
import { registryWriteRefusal } from '../data/registryWriteRefusal.js';
import { loadDatasetArtifact } from '../data/datasetArtifacts.js';
import type { ApprovalRecord, RunStart } from '../data/registryRuns.js';
import type { ModelRecord } from '../data/registryModels.js';
import type { Registry } from '../data/registry.js';
import { prepareServingDir, updateServingState, SERVING_STATE_FORMAT, type ServedModel, type ServingState } from '../data/servingState.js';
import type { ArtifactRef, DriftEvidence, RetrainOutcome, StageTiming } from '../workflows/contract.js';

export interface RegistryDeps {
  registry: Registry;
  artifacts: ArtifactStore;
  /** Where the serving state of each model is published for `rareflow serve` (RAREFLOW_SERVING). */
  servingDir: string;
}

function servedModelOf(m: ModelRecord): ServedModel {
  return { sha256: m.modelSha256, uri: m.uri, kind: m.kind, threshold: m.threshold, runId: m.runId };
}

/**
 * Writes what the registry says a model's service must serve: the champion and the running canary, if any.
 * Called after every change of either, so the published file never lags the registry by more than one activity.
 */
export async function publishServingState(registry: Registry, servingDir: string, modelName: string, at: string): Promise<ServingState> {
  const champion = await registry.champion(modelName);
  const running = (await registry.canaries(modelName)).find((c) => c.status === 'running');
  const challenger = running ? await registry.model(running.challengerSha256) : undefined;
  return updateServingState(servingDir, modelName, (previous) => ({
    format: SERVING_STATE_FORMAT,
    modelName,
    revision: (previous?.revision ?? 0) + 1,
    updatedAt: at,
    champion: champion ? servedModelOf(champion) : null,
    canary:
      running && challenger
        ? {
            challenger: servedModelOf(challenger),
            weight: running.weight,
            rolloutId: running.rolloutId,
            step: running.step,
            sinceMs: running.sinceMs,
          }
        : null,
  }));
}

/**
 * Moves the champion alias to `sha256` and publishes it to the scoring service. When the publish fails, the promotion
 * is taken back (the alias returns to the model before it, or is removed when there was none, and its row is
 * deleted) before the failure leaves: before, a promotion whose publish kept failing left the
 * model of a failed run as the registry's champion (what `predict NAME` and the next champion gate read) while the
 * service and the lifecycle still named the old one. A retry promotes again. `beforePublish` runs between the two
 * (a canary's end, recorded before the state without it is published).
 */
async function promoteAndPublish(
  registry: Registry,
  servingDir: string,
  modelName: string,
  sha256: string,
  runId: string,
  at: string,
  beforePublish?: () => Promise<void>,
): Promise<void> {
  await registry.promote(modelName, sha256, runId, at);
  await beforePublish?.();
  try {
    await publishServingState(registry, servingDir, modelName, at);
  } catch (err) {
    await registry.undoPromotion(modelName, sha256, runId, at);
    throw err;
  }
}

function flattenReport(r: ClassificationReport): Record<string, number | null> {
  const out: Record<string, number | null> = {
    gMean: r.gMean,
    balancedAccuracy: r.balancedAccuracy,
    macroF1: r.macroF1,
    brierNormalised: r.brierNormalised,
    prAuc: r.prAuc,
    prAucNormalised: r.prAucNormalised,
    rocAuc: r.rocAuc,
    brier: r.brier,
    prevalence: r.prevalence,
    threshold: r.threshold,
  };
  for (const cls of ['positive', 'negative'] as const) {
    const m = r.perClass[cls];
    out[`recall.${cls}`] = m.recall;
    out[`precision.${cls}`] = m.precision;
    out[`f1.${cls}`] = m.f1;
    out[`support.${cls}`] = m.support;
    out[`recallLower.${cls}`] = m.recallInterval?.[0] ?? null;
    out[`recallUpper.${cls}`] = m.recallInterval?.[1] ?? null;
  }
  return out;
}

/**
 * Every activity of `activities`, with an input error leaving as a non-retryable InvalidInput failure, and a write the
 * registry may never make (registryWriteRefusal) as a non-retryable storage setting naming RAREFLOW_REGISTRY.
 */
function failingOnBadInputEach<T extends Record<string, (input: never) => Promise<unknown>>>(activities: T): T {
  const out: Record<string, (input: never) => Promise<unknown>> = {};
  for (const [name, activity] of Object.entries(activities))
    out[name] = (input) =>
      failingOnBadInput(() =>
        activity(input).catch((err: unknown) => {
          throw registryWriteRefusal(err) ?? err;
        }),
      );
  return out as T;
}

/**
 * The kind the registry records: the spec's kind, except for `auto`, whose model file names the candidate its
 * inner folds chose (e.g. `auto:enn-logreg-weighted`); the evidence itself stays in the model file's `selection`.
 */
export function recordedModelKind(specKind: string, modelFile: Buffer): string {
  if (specKind !== 'auto') return specKind;
  const parsed = JSON.parse(modelFile.toString('utf8')) as { selection?: { chosen?: unknown }; model?: { kind?: unknown } };
  const chosen = parsed.selection?.chosen ?? parsed.model?.kind;
  return typeof chosen === 'string' ? `auto:${chosen}` : specKind;
}

/** The roles of a run's datasets its model learnt from: fitted on the train split, its threshold set on validation. */
const CHAMPION_SEEN_ROLES = ['train', 'validation'];

export function createRegistryActivities(deps: RegistryDeps) {
  const { registry, artifacts, servingDir } = deps;
  return failingOnBadInputEach({
    async registryStartRun(input: Omit<RunStart, 'codeVersion'>): Promise<void> {
      await registry.startRun({ ...input, codeVersion: codeVersion() });
    },

    /**
     * The champion and the rows it learnt from (its run's train and validation splits), so validation compares it
     * with a challenger only on rows neither was trained on. `seen` is empty when its run recorded none.
     */
    async registryChampion(modelName: string): Promise<{ model: ArtifactRef; seen: ArtifactRef[] } | null> {
      const c = await registry.champion(modelName);
      if (!c) return null;
      const seen = c.runId ? await registry.runDatasets(c.runId, CHAMPION_SEEN_ROLES) : [];
      return {
        model: { sha256: c.modelSha256, uri: c.uri, bytes: 0, kind: 'model' },
        seen: seen.map((d) => ({ sha256: d.sha256, uri: d.uri, bytes: 0, kind: d.role })),
      };
    },

    async registryRecordRetrain(input: {
      runId: string;
      modelName: string;
      datasets: Array<{ ref: ArtifactRef; role: string }>;
      model: ArtifactRef;
      modelKind: string;
      threshold: number;
      createdAt: string;
      report: ArtifactRef;
      lineage?: ArtifactRef;
    }): Promise<{ lineageRows: number }> {
      // Every file is read and verified before the first row is written, so a file that changed on disk fails the
      // activity (non-retryable IntegrityError naming it) and leaves no row behind.
      return failingOnBadInput(async () => {
        const modelFile = await artifacts.readVerified(input.model);
        const report = JSON.parse((await artifacts.readVerified(input.report)).toString('utf8')) as {
          challenger: ClassificationReport | MultiClassGateReport;
          champion?: { model: string; report: ClassificationReport | MultiClassReport };
          evaluation: GateEvaluation;
        };
        // A multi-class run's datasets hold class indices: their "positives" are the rows outside the largest class.
        const multiClass = 'classes' in report.challenger;
        const datasets = [];
        for (const d of input.datasets) {
          const loaded = await loadDatasetArtifact(artifacts, d.ref);
          const y = loaded.data.y;
          datasets.push({
            ref: d.ref,
            role: d.role,
            rows: y.length,
            positives: multiClass ? rowsOutsideLargestClass(y) : classCounts(y)[1],
          });
        }
        const augmented = input.lineage ? await loadDatasetArtifact(artifacts, input.lineage) : undefined;

        for (const d of datasets) {
          await registry.recordDataset({
            sha256: d.ref.sha256,
            uri: d.ref.uri,
            rows: d.rows,
            positives: d.positives,
            role: d.role,
            runId: input.runId,
          });
        }
        await registry.recordModel({
          modelSha256: input.model.sha256,
          modelName: input.modelName,
          runId: input.runId,
          uri: input.model.uri,
          kind: recordedModelKind(input.modelKind, modelFile),
          threshold: input.threshold,
          createdAt: input.createdAt,
        });
        const metricValues = (r: ClassificationReport | MultiClassReport) =>
          'classes' in r ? multiClassMetricValues(r) : flattenReport(r);
        await registry.recordMetrics(input.runId, input.model.sha256, 'test', metricValues(report.challenger));
        if (report.champion) await registry.recordMetrics(input.runId, report.champion.model, 'test', metricValues(report.champion.report));
        await registry.recordGateVerdict(input.runId, input.model.sha256, report.evaluation.verdict, report.evaluation.checks);
        let lineageRows = 0;
        if (input.lineage && augmented) {
          const synthetic = augmented.extra?._synthetic as Int32Array | undefined;
          const seedRow = augmented.extra?._seed_row as Int32Array | undefined;
          const neighbourRow = augmented.extra?._neighbor_row as Int32Array | undefined;
          const gap = augmented.extra?._gap as Float64Array | undefined;
          if (synthetic && seedRow && neighbourRow && gap) {
            // Synthetic rows follow the real ones (appendSynthetic), so they are one tail slice.
            const first = synthetic.indexOf(1);
            if (first >= 0)
              lineageRows = await registry.recordLineage(
                input.runId,
                input.lineage.sha256,
                seedRow.subarray(first),
                neighbourRow.subarray(first),
                gap.subarray(first),
              );
          }
        }
        return { lineageRows };
      });
    },

    async registryFinishRun(input: {
      runId: string;
      outcome: RetrainOutcome | 'failed' | 'cancelled';
      finishedAt: string;
      reportUri?: string;
      /** Absent from retrains that started before stage timings were recorded. */
      stageTimings?: StageTiming[];
    }): Promise<void> {
      await registry.finishRun(input.runId, {
        finishedAt: input.finishedAt,
        status: input.outcome === 'failed' || input.outcome === 'cancelled' ? input.outcome : 'succeeded',
        outcome: input.outcome,
        ...(input.reportUri ? { reportUri: input.reportUri } : {}),
      });
      if (input.stageTimings) await registry.recordStageTimings(input.runId, input.stageTimings);
    },

    async registryPromote(input: { modelName: string; modelSha256: string; runId: string; at: string }): Promise<void> {
      // The serving directory refuses a bad name, and one that cannot be made fails here: both before the champion
      // alias moves, so nothing is written.
      await prepareServingDir(servingDir, input.modelName);
      await promoteAndPublish(registry, servingDir, input.modelName, input.modelSha256, input.runId, input.at);
    },

    /** Start a canary or move it to its next step, and publish the new weight to the scoring service. */
    async registrySetCanary(input: {
      rolloutId: string;
      modelName: string;
      challengerSha256: string;
      championSha256: string | null;
      weight: number;
      step: number;
      sinceMs: number;
      at: string;
    }): Promise<{ revision: number }> {
      await registry.setCanary(input);
      return { revision: (await publishServingState(registry, servingDir, input.modelName, input.at)).revision };
    },

    /**
     * End a canary: `promoted` moves the champion alias to the challenger (the previous champion stays in the
     * promotions table for a rollback); `rolled-back` sets the weight to 0 and archives the challenger.
     */
    async registryFinishCanary(input: {
      rolloutId: string;
      modelName: string;
      challengerSha256: string;
      runId: string;
      status: 'promoted' | 'rolled-back';
      reason: string;
      windows: unknown;
      at: string;
    }): Promise<void> {
      const finish = () => registry.finishCanary(input.rolloutId, input.status, input.reason, input.windows, input.at);
      if (input.status === 'promoted') {
        await prepareServingDir(servingDir, input.modelName);
        await promoteAndPublish(registry, servingDir, input.modelName, input.challengerSha256, input.runId, input.at, finish);
        return;
      }
      await finish();
      await publishServingState(registry, servingDir, input.modelName, input.at);
    },

    /**
     * Closes what a retrain that ended without its own cleanup left open (terminated from Temporal's UI, or out of
     * time): a run still 'running' is finished as failed, and a canary of it still running is rolled back, so the
     * champion alone is served again. Nothing changes for a run that closed its own records.
     */
    async registryCloseAbandonedRun(input: { runId: string; rolloutId: string; modelName: string; reason: string; at: string }): Promise<{
      runFinished: boolean;
      canaryRolledBack: boolean;
    }> {
      const run = await registry.getRun(input.runId);
      const runFinished = run?.status === 'running';
      if (runFinished) await registry.finishRun(input.runId, { finishedAt: input.at, status: 'failed', outcome: 'failed' });
      const canary = (await registry.canaries(input.modelName)).find((c) => c.rolloutId === input.rolloutId && c.status === 'running');
      if (canary) {
        await registry.finishCanary(canary.rolloutId, 'rolled-back', input.reason, canary.windows, input.at);
        await publishServingState(registry, servingDir, input.modelName, input.at);
      }
      return { runFinished, canaryRolledBack: canary !== undefined };
    },

    /** Who approved or rejected what, and when. */
    /** A canary waits for a human: listed with its windows so far until a decision for its stage is recorded. */
    async registryRequestApproval(input: { runId: string; rolloutId: string; stage: string; windows: unknown; at: string }): Promise<void> {
      await registry.recordApprovalRequest({
        runId: input.runId,
        stage: input.stage,
        rolloutId: input.rolloutId,
        requestedAt: input.at,
        windows: input.windows,
      });
    },

    async registryRecordApproval(input: ApprovalRecord): Promise<void> {
      await registry.recordApproval(input);
    },

    async registryRecordDrift(input: {
      modelName: string;
      at: string;
      evidence: DriftEvidence | { reason: string } | object;
      source: string;
      runId?: string;
    }): Promise<void> {
      await registry.recordDriftEvent({
        modelName: input.modelName,
        at: input.at,
        source: input.source,
        evidence: input.evidence,
        runId: input.runId ?? null,
      });
    },
  });
}

export type RegistryActivities = ReturnType<typeof createRegistryActivities>;
