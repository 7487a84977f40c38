// Temporal adapter of the validate stage (stages/validate.ts): the model, the test split and the champion in by
// reference, the JSON report and the HTML run report out by reference, memoised by input hashes and the gates.

import type { ArtifactRef, GateSpecJson, StageSummary, ValidationSummary } from '../core/pipelineTypes.js';
import { rowsNotSeen, type ChampionRows } from '../core/gates/championRows.js';
import { IntegrityError } from '../core/integrityError.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import type { ArtifactStore } from '../data/artifactStore.js';
import { loadDatasetArtifact, type DatasetArtifact } from '../data/datasetArtifacts.js';
import { loadModelArtifact } from '../data/modelArtifacts.js';
import { runStageInThread } from '../stages/stageThread.js';
import { parsePipelineGates, type PopulationClasses } from '../stages/validate.js';
import { cancellationSignal, failingOnBadInput, memoised, type ComputeDeps } from './activityRuntime.js';

export interface ValidateModelInput {
  model: ArtifactRef;
  test: ArtifactRef;
  gates: GateSpecJson;
  champion?: ArtifactRef;
  /** The champion's training and validation splits (registryChampion), so it is judged on rows it never saw. */
  championSeen?: ArtifactRef[];
  /** The stages so far, for the report's class counts per stage. */
  stages?: StageSummary[];
  /** The positives' share of the data the sample came from (positives seen / rows scanned), see stages/validate.ts. */
  populationPrevalence?: number;
  /** A multi-class sample's data: the rows of each class in the input (stages/validate.ts). */
  populationClasses?: PopulationClasses;
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

/** A positive share strictly between 0 and 1 (anything else leaves the test split's own mix). */
function validPrevalence(p: number | undefined): p is number {
  return typeof p === 'number' && p > 0 && p < 1;
}

export function validateModelActivities(deps: ComputeDeps) {
  const { artifacts } = deps;
  return {
    async validateModel(input: ValidateModelInput): Promise<ValidateModelResult> {
      return failingOnBadInput(() =>
        memoised(
          artifacts,
          {
            activity: 'validateModel',
            model: input.model.sha256,
            test: input.test.sha256,
            gates: input.gates,
            champion: input.champion?.sha256 ?? null,
            championSeen: (input.championSeen ?? []).map((r) => r.sha256),
            populationPrevalence: input.populationPrevalence ?? null,
            ...(input.populationClasses ? { populationClasses: input.populationClasses } : {}),
          },
          async () => {
            const gates = parsePipelineGates(input.gates);
            const model = await loadModelArtifact(artifacts, input.model);
            const test = await loadDatasetArtifact(artifacts, input.test);
            // A champion no longer in the store cannot be compared with: its gates are not judged (insufficient
            // evidence), never passed as if there were no champion.
            // A champion file damaged in place is set aside first (quarantine/), so it is said as such and judged
            // insufficient evidence; before, every retrain failed here on it, with another seed as with the same.
            if (input.champion !== undefined && (await artifacts.has(input.champion))) await artifacts.discardIfCorrupt(input.champion);
            const championKept = input.champion !== undefined && (await artifacts.has(input.champion));
            const champion =
              input.champion && championKept
                ? { model: await loadModelArtifact(artifacts, input.champion), sha256: input.champion.sha256 }
                : undefined;
            const championUnreadable =
              input.champion && !championKept
                ? (await artifacts.isQuarantined(input.champion))
                  ? `the champion's model file (${input.champion.sha256.slice(0, 12)}) failed verification (its bytes changed after it was written) and was set aside in the artifact store's quarantine/, so it could not be compared; the champion cannot be served or scored until it is retrained or restored`
                  : `the champion's model file (${input.champion.sha256.slice(0, 12)}) is no longer in the artifact store, so it could not be compared`
                : undefined;
            // On a worker thread: this thread stays free to heartbeat (and to serve the worker's other tasks).
            const done = await runStageInThread(
              {
                stage: 'validate',
                input: {
                  model,
                  modelSha256: input.model.sha256,
                  test: test.data,
                  testSha256: input.test.sha256,
                  gates,
                  ...(champion ? { champion, championRows: await championRowsOf(artifacts, test, input.championSeen ?? []) } : {}),
                  ...(championUnreadable ? { championUnreadable } : {}),
                  ...(input.stages ? { stages: input.stages } : {}),
                  ...(validPrevalence(input.populationPrevalence) ? { populationPrevalence: input.populationPrevalence } : {}),
                  ...(input.populationClasses ? { populationClasses: input.populationClasses } : {}),
                  ...(input.seed !== undefined ? { seed: input.seed } : {}),
                  ...(input.runId ? { runId: input.runId } : {}),
                },
              },
              undefined,
              cancellationSignal(),
            );
            const reportRef = await artifacts.putBytes(JSON.stringify(done.report, null, 1), 'validation-report', 'json');
            const htmlRef = await artifacts.putBytes(done.html, 'run-report', 'html');
            return { result: { report: reportRef, html: htmlRef, summary: done.summary }, outputs: { report: reportRef, html: htmlRef } };
          },
        ),
      );
    },
  };
}

/**
 * The test rows the champion was not trained on, from its run's recorded splits; `unknown` when its run recorded none
 * (a model promoted from outside a pipeline run), when they are no longer in the store, or when they have other
 * feature columns than this test split.
 */
async function championRowsOf(artifacts: ArtifactStore, test: DatasetArtifact, seen: ArtifactRef[]): Promise<ChampionRows> {
  if (seen.length === 0) return { kind: 'unknown', why: "the champion's run recorded no training rows" };
  const matrices = [];
  for (const ref of seen) {
    // One read, verified as it is read: a split that is gone or fails its sha256 leaves the champion's rows unknown
    // (a damaged old split must not fail this run's validation).
    let d: DatasetArtifact;
    try {
      d = await loadDatasetArtifact(artifacts, ref, { keepMissingFeatures: true });
    } catch (err) {
      if (!(err instanceof InvalidInputError) && !(err instanceof IntegrityError)) throw err;
      return { kind: 'unknown', why: `the champion's ${ref.kind} split is no longer in the store, or no longer what was stored` };
    }
    if (d.featureNames.join('\u0000') !== test.featureNames.join('\u0000')) {
      return { kind: 'unknown', why: `the champion's ${ref.kind} split has other columns than this test split` };
    }
    matrices.push(d.data.x);
  }
  return { kind: 'unseen', ...rowsNotSeen(test.data.x, matrices) };
}
