// Temporal adapter of per-class validation: scores the held-out test split (never touched by synthetic rows),
// compares with the champion on the same rows, judges the gates and stores the full report. Metrics count every
// test row once: a `sample_weight` column weights training only, so gates mean the same with or without weights.

import { evaluateGates } from '../core/gates/evaluateGates.js';
import { parseGateSpec } from '../core/gates/gateSpec.js';
import { classCounts } from '../core/dataset.js';
import type { GateReport } from '../core/gates/evaluateGates.js';
import { bootstrapIntervals } from '../core/metrics/bootstrapIntervals.js';
import { classificationReport, type ClassificationReport } from '../core/metrics/classMetrics.js';
import { headlineMetrics, renderRunReport, runReportCurves } from '../core/report/runReport.js';
import { parseModelArtifact, scoreModel, type ModelArtifact } from '../core/models/modelArtifact.js';
import { loadDatasetArtifact } from '../data/datasetArtifacts.js';
import type { ArtifactRef, GateSpecJson, StageSummary, ValidationSummary } from '../workflows/contract.js';
import { failingOnBadInput, memoised, type ComputeDeps } from './activityRuntime.js';
import type { ArtifactStore } from '../data/artifactStore.js';

export interface ValidateModelInput {
  model: ArtifactRef;
  test: ArtifactRef;
  gates: GateSpecJson;
  champion?: ArtifactRef;
  /** The stages so far, for the report's class counts per stage. */
  stages?: StageSummary[];
  /** Seed of the bootstrap intervals. @default 1 */
  seed?: number;
  /** Shown in the report's title. */
  runId?: string;
}

export interface ValidateModelResult {
  report: ArtifactRef;
  /** The self-contained HTML run report (opens with no network). */
  html: ArtifactRef;
  summary: ValidationSummary;
}

export async function loadModelArtifact(artifacts: ArtifactStore, ref: ArtifactRef): Promise<ModelArtifact> {
  const bytes = await artifacts.readVerified(ref);
  const path = artifacts.pathOf(ref);
  return parseModelArtifact(JSON.parse(bytes.toString('utf8')), path);
}

export function validateModelActivities(deps: ComputeDeps) {
  const { artifacts } = deps;
  return {
    async validateModel(input: ValidateModelInput): Promise<ValidateModelResult> {
      return failingOnBadInput(() =>
        memoised(
          artifacts,
          { activity: 'validateModel', model: input.model.sha256, test: input.test.sha256, gates: input.gates, champion: input.champion?.sha256 ?? null },
          async () => {
            const spec = parseGateSpec(input.gates, 'pipeline spec "gates"');
            const model = await loadModelArtifact(artifacts, input.model);
            const test = await loadDatasetArtifact(artifacts, input.test);
            const scores = scoreModel(model, test.data.x);
            const challenger: GateReport = {
              ...classificationReport(test.data.y, scores, model.threshold),
              bootstrap: bootstrapIntervals(test.data.y, scores, model.threshold, { seed: input.seed ?? 1 }),
            };
            let champion: ClassificationReport | undefined;
            let championNote: string | undefined;
            if (input.champion && (await artifacts.has(input.champion))) {
              const championModel = await loadModelArtifact(artifacts, input.champion);
              if (championModel.featureNames.join('\u0000') === model.featureNames.join('\u0000')) {
                champion = classificationReport(test.data.y, scoreModel(championModel, test.data.x), championModel.threshold);
              } else {
                championNote = 'the champion reads other features, so it was not scored on this test split';
              }
            }
            const evaluation = evaluateGates(spec, challenger, champion);
            const report = {
              model: input.model.sha256,
              test: { sha256: input.test.sha256, rows: test.data.y.length },
              challenger,
              ...(champion && input.champion ? { champion: { model: input.champion.sha256, report: champion } } : {}),
              ...(championNote ? { championNote } : {}),
              gates: spec,
              evaluation,
            };
            const reportRef = await artifacts.putBytes(JSON.stringify(report, null, 1), 'validation-report', 'json');
            const [testNegatives, testPositives] = classCounts(test.data.y);
            const html = renderRunReport({
              title: `rareflow run report: ${model.modelName}`,
              details: [
                ...(input.runId ? [`run ${input.runId}`] : []),
                `model ${input.model.sha256.slice(0, 12)} (${model.model.kind}), threshold ${model.threshold.toFixed(4)}`,
                `held-out test split ${input.test.sha256.slice(0, 12)}: ${testPositives} positives, ${testNegatives} negatives (never met a synthetic row)`,
                `code ${model.training.codeVersion}, seed ${model.training.seed}`,
              ],
              classCounts: [
                ...(input.stages ?? []).flatMap((st, i) => [
                  ...(i === 0 ? [{ stage: `${st.stage}: in`, positives: st.positivesIn, negatives: st.rowsIn - st.positivesIn }] : []),
                  { stage: st.stage, positives: st.positivesOut, negatives: st.rowsOut - st.positivesOut },
                ]),
                { stage: 'test split', positives: testPositives, negatives: testNegatives },
              ],
              confusion: challenger.confusion,
              threshold: model.threshold,
              thresholdReason: model.thresholdReason,
              ...runReportCurves(test.data.y, scores),
              metrics: headlineMetrics(challenger),
              gates: evaluation,
            });
            const htmlRef = await artifacts.putBytes(html, 'run-report', 'html');
            const summary: ValidationSummary = {
              verdict: evaluation.verdict,
              reasons: evaluation.reasons,
              positive: {
                recall: challenger.perClass.positive.recall,
                precision: challenger.perClass.positive.precision,
                support: challenger.support.positive,
              },
              negative: {
                recall: challenger.perClass.negative.recall,
                precision: challenger.perClass.negative.precision,
                support: challenger.support.negative,
              },
              gMean: challenger.gMean,
              prAucNormalised: challenger.prAucNormalised,
              brier: challenger.brier,
              threshold: challenger.threshold,
              ...(champion && input.champion
                ? { champion: { modelSha256: input.champion.sha256, positiveRecall: champion.perClass.positive.recall, gMean: champion.gMean } }
                : {}),
            };
            return { result: { report: reportRef, html: htmlRef, summary }, outputs: { report: reportRef, html: htmlRef } };
          },
        ),
      );
    },
  };
}
