// Temporal adapter of the oversample stage (stages/oversample.ts): the clean training split in by reference, the
// augmented split (lineage columns inside) out by reference, memoised by input hash and parameters.

import type { ArtifactRef, StageSummary } from '../core/pipelineTypes.js';
import { loadDatasetArtifact, sampleWeightsOf, saveDatasetArtifact } from '../data/datasetArtifacts.js';
import type { OversampleOptions } from '../stages/oversample.js';
import { runStageInThread } from '../stages/stageThread.js';
import { oneHotGroups } from '../core/features/oneHotFeatures.js';
import { cancellationSignal, failingOnBadInput, heartbeat, memoised, type ComputeDeps } from './activityRuntime.js';

export interface OversampleAdasynInput extends OversampleOptions {
  train: ArtifactRef;
  /** Categorical column → its categories (`input.categorical`): their one-hot features are never interpolated. */
  categorical?: Record<string, string[]>;
}

export interface OversampleAdasynResult {
  /** Training rows followed by synthetic rows; the lineage columns say which row is which and where it came from. */
  dataset: ArtifactRef;
  /** The same artifact: lineage travels inside the augmented dataset. */
  lineage: ArtifactRef;
  syntheticRows: number;
  summary: StageSummary;
}

export function adasynActivities(deps: ComputeDeps) {
  const { artifacts } = deps;
  return {
    async oversampleAdasyn(input: OversampleAdasynInput): Promise<OversampleAdasynResult> {
      return failingOnBadInput(() =>
        memoised(
          artifacts,
          { activity: 'oversampleAdasyn', ...input, train: input.train.sha256 },
          async (): Promise<{ result: OversampleAdasynResult; outputs: Record<string, ArtifactRef> }> => {
            const loaded = await loadDatasetArtifact(artifacts, input.train);
            const groups = input.categorical ? oneHotGroups(loaded.featureNames, input.categorical) : [];
            const options = groups.length ? { ...input, categoricalGroups: groups } : input;
            // On a worker thread: this thread stays free to heartbeat (and to serve the worker's other tasks).
            const done = await runStageInThread(
              { stage: 'oversample', data: loaded.data, options, weights: sampleWeightsOf(loaded) },
              heartbeat,
              cancellationSignal(),
            );
            if (!done.extra)
              return {
                result: { dataset: input.train, lineage: input.train, syntheticRows: 0, summary: done.summary },
                outputs: { dataset: input.train },
              };
            const ref = await saveDatasetArtifact(artifacts, 'train-augmented', {
              data: done.augmented,
              featureNames: loaded.featureNames,
              labelName: loaded.labelName,
              extra: done.extra,
            });
            return {
              result: { dataset: ref, lineage: ref, syntheticRows: done.syntheticRows, summary: done.summary },
              outputs: { dataset: ref },
            };
          },
        ),
      );
    },
  };
}
