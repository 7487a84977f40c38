// Temporal adapter of the validate stage (stages/validate.ts): the model, the test split and the champion in by
// reference, the JSON report and the HTML run report out by reference, memoised by input hashes and the gates.

import type { ArtifactRef, GateSpecJson, StageSummary, ValidationSummary } from '../core/pipelineTypes.js';
import { loadDatasetArtifact } from '../data/datasetArtifacts.js';
import { loadModelArtifact } from '../data/modelArtifacts.js';
import { runStageInThread } from '../stages/stageThread.js';
import { parsePipelineGates } from '../stages/validate.js';
import { cancellationSignal, failingOnBadInput, memoised, type ComputeDeps } from './activityRuntime.js';

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
          },
          async () => {
            const gates = parsePipelineGates(input.gates);
            const model = await loadModelArtifact(artifacts, input.model);
            const test = await loadDatasetArtifact(artifacts, input.test);
            // A champion no longer in the store is not compared with.
            const champion =
              input.champion && (await artifacts.has(input.champion))
                ? { model: await loadModelArtifact(artifacts, input.champion), sha256: input.champion.sha256 }
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
                  ...(champion ? { champion } : {}),
                  ...(input.stages ? { stages: input.stages } : {}),
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
