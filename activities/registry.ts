// Registry activities: the only writers of the DuckDB registry. They run on their own task queue, served by one
// worker, and every write is idempotent so a retried activity never duplicates a row.

import { readFile } from 'node:fs/promises';
import { classCounts } from '../core/dataset.js';
import type { ClassificationReport } from '../core/metrics/classMetrics.js';
import type { GateEvaluation } from '../core/gates/evaluateGates.js';
import type { ArtifactStore } from '../data/artifactStore.js';
import { codeVersion } from '../data/codeVersion.js';
import { loadDatasetArtifact } from '../data/datasetArtifacts.js';
import type { Registry, RunStart } from '../data/registry.js';
import type { ArtifactRef, DriftEvidence, RetrainOutcome } from '../workflows/contract.js';

export interface RegistryDeps {
  registry: Registry;
  artifacts: ArtifactStore;
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

export function createRegistryActivities(deps: RegistryDeps) {
  const { registry, artifacts } = deps;
  return {
    async registryStartRun(input: Omit<RunStart, 'codeVersion'>): Promise<void> {
      await registry.startRun({ ...input, codeVersion: codeVersion() });
    },

    async registryChampion(modelName: string): Promise<{ model: ArtifactRef } | null> {
      const c = await registry.champion(modelName);
      if (!c) return null;
      return { model: { sha256: c.modelSha256, uri: c.uri, bytes: 0, kind: 'model' } };
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
      for (const d of input.datasets) {
        const loaded = await loadDatasetArtifact(artifacts, d.ref);
        const [, positives] = classCounts(loaded.data.y);
        await registry.recordDataset({ sha256: d.ref.sha256, uri: d.ref.uri, rows: loaded.data.y.length, positives, role: d.role, runId: input.runId });
      }
      await registry.recordModel({
        modelSha256: input.model.sha256,
        modelName: input.modelName,
        runId: input.runId,
        uri: input.model.uri,
        kind: input.modelKind,
        threshold: input.threshold,
        createdAt: input.createdAt,
      });
      const report = JSON.parse(await readFile(artifacts.pathOf(input.report), 'utf8')) as {
        challenger: ClassificationReport;
        champion?: { model: string; report: ClassificationReport };
        evaluation: GateEvaluation;
      };
      await registry.recordMetrics(input.runId, input.model.sha256, 'test', flattenReport(report.challenger));
      if (report.champion) await registry.recordMetrics(input.runId, report.champion.model, 'test', flattenReport(report.champion.report));
      await registry.recordGateVerdict(input.runId, input.model.sha256, report.evaluation.verdict, report.evaluation.checks);
      let lineageRows = 0;
      if (input.lineage) {
        const augmented = await loadDatasetArtifact(artifacts, input.lineage);
        const synthetic = augmented.extra?._synthetic as Int32Array | undefined;
        const seedRow = augmented.extra?._seed_row as Int32Array | undefined;
        const neighbourRow = augmented.extra?._neighbor_row as Int32Array | undefined;
        const gap = augmented.extra?._gap as Float64Array | undefined;
        if (synthetic && seedRow && neighbourRow && gap) {
          // Synthetic rows follow the real ones (appendSynthetic), so they are one tail slice.
          const first = synthetic.indexOf(1);
          if (first >= 0) lineageRows = await registry.recordLineage(input.runId, input.lineage.sha256, seedRow.subarray(first), neighbourRow.subarray(first), gap.subarray(first));
        }
      }
      return { lineageRows };
    },

    async registryFinishRun(input: { runId: string; outcome: RetrainOutcome | 'failed'; finishedAt: string; reportUri?: string }): Promise<void> {
      await registry.finishRun(input.runId, {
        finishedAt: input.finishedAt,
        status: input.outcome === 'failed' ? 'failed' : 'succeeded',
        outcome: input.outcome,
        ...(input.reportUri ? { reportUri: input.reportUri } : {}),
      });
    },

    async registryPromote(input: { modelName: string; modelSha256: string; runId: string; at: string }): Promise<void> {
      await registry.promote(input.modelName, input.modelSha256, input.runId, input.at);
    },

    async registryRecordDrift(input: { modelName: string; at: string; evidence: DriftEvidence | { reason: string }; source: string; runId?: string }): Promise<void> {
      await registry.recordDriftEvent({ modelName: input.modelName, at: input.at, source: input.source, evidence: input.evidence, runId: input.runId ?? null });
    },
  };
}

export type RegistryActivities = ReturnType<typeof createRegistryActivities>;
