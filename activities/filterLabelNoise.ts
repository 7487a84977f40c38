// Temporal adapter of the denoise stage (stages/denoise.ts): the training split in by reference, the kept rows
// (with `origin_row`) and the removed rows with their reasons out by reference, memoised by input hash and parameters.

import type { MinorityTyping } from '../core/denoise/minorityTyping.js';
import type { ArtifactRef, StageSummary } from '../core/pipelineTypes.js';
import { loadDatasetArtifact, sampleWeightColumn, sampleWeightsOf, saveDatasetArtifact } from '../data/datasetArtifacts.js';
import type { DenoiseOptions } from '../stages/denoise.js';
import { runStageInThread } from '../stages/stageThread.js';
import { oneHotGroups } from '../core/features/oneHotFeatures.js';
import { cancellationSignal, failingOnBadInput, heartbeat, memoised, type ComputeDeps } from './activityRuntime.js';

export interface FilterLabelNoiseInput extends DenoiseOptions {
  train: ArtifactRef;
  /** Categorical column → its categories (`input.categorical`): their one-hot features are never interpolated. */
  categorical?: Record<string, string[]>;
}

export interface FilterLabelNoiseResult {
  dataset: ArtifactRef;
  /** Removed rows of the input with a reason code each (core/denoise/removalReason.ts), as JSON. */
  removed: ArtifactRef;
  minorityTypes: MinorityTyping['counts'];
  summary: StageSummary;
}

export function filterLabelNoiseActivities(deps: ComputeDeps) {
  const { artifacts } = deps;
  return {
    async filterLabelNoise(input: FilterLabelNoiseInput): Promise<FilterLabelNoiseResult> {
      return failingOnBadInput(() =>
        memoised(artifacts, { activity: 'filterLabelNoise', ...input, train: input.train.sha256 }, async () => {
          const loaded = await loadDatasetArtifact(artifacts, input.train);
          const groups = input.categorical ? oneHotGroups(loaded.featureNames, input.categorical) : [];
          const options = groups.length ? { ...input, categoricalGroups: groups } : input;
          // On a worker thread: this thread stays free to heartbeat (and to serve the worker's other tasks).
          const done = await runStageInThread(
            { stage: 'denoise', data: loaded.data, options, weights: sampleWeightsOf(loaded) },
            heartbeat,
            cancellationSignal(),
          );
          const { cleaning } = done;
          const ref = await saveDatasetArtifact(artifacts, 'train-clean', {
            data: done.cleaned,
            featureNames: loaded.featureNames,
            labelName: loaded.labelName,
            extra: { origin_row: cleaning.kept, ...sampleWeightColumn(done.weights).extra },
          });
          const removed = await artifacts.putBytes(
            JSON.stringify({
              input: input.train.sha256,
              method: input.method,
              removed: Array.from(cleaning.removed),
              reasons: Array.from(cleaning.reasons),
            }),
            'removed-rows',
            'json',
          );
          const result: FilterLabelNoiseResult = { dataset: ref, removed, minorityTypes: done.minorityTypes, summary: done.summary };
          return { result, outputs: { dataset: ref, removed } };
        }),
      );
    },
  };
}
