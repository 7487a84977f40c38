// Temporal adapter of label-noise filtering: edited nearest neighbours over the training split.

import { classCounts, takeRows } from '../core/dataset.js';
import { editedNearestNeighbours } from '../core/denoise/editedNearestNeighbours.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import { loadDatasetArtifact, saveDatasetArtifact } from '../data/datasetArtifacts.js';
import type { ArtifactRef, StageSummary } from '../workflows/contract.js';
import { failingOnBadInput, heartbeat, memoised, secondsSince, type ComputeDeps } from './activityRuntime.js';

export interface FilterLabelNoiseInput {
  train: ArtifactRef;
  method: 'enn';
  /** Neighbours examined per row. @default 3 */
  k: number;
}

export interface FilterLabelNoiseResult {
  dataset: ArtifactRef;
  summary: StageSummary;
}

export function filterLabelNoiseActivities(deps: ComputeDeps) {
  const { artifacts } = deps;
  return {
    async filterLabelNoise(input: FilterLabelNoiseInput): Promise<FilterLabelNoiseResult> {
      return failingOnBadInput(() =>
        memoised(artifacts, { activity: 'filterLabelNoise', train: input.train.sha256, method: input.method, k: input.k }, async () => {
          if (input.method !== 'enn') {
            throw new InvalidInputError('denoise.method', `denoise.method must be "enn" or "none"; got "${String(input.method)}".`);
          }
          const started = performance.now();
          const loaded = await loadDatasetArtifact(artifacts, input.train);
          heartbeat({ stage: 'neighbours' });
          const { kept, removedPerClass } = editedNearestNeighbours(loaded.data, { k: input.k });
          const cleaned = takeRows(loaded.data, kept);
          const ref = await saveDatasetArtifact(artifacts, 'train-clean', {
            data: cleaned,
            featureNames: loaded.featureNames,
            labelName: loaded.labelName,
            extra: { origin_row: kept },
          });
          const [, positivesIn] = classCounts(loaded.data.y);
          const [, positivesOut] = classCounts(cleaned.y);
          const result: FilterLabelNoiseResult = {
            dataset: ref,
            summary: {
              stage: 'editedNearestNeighbours',
              rowsIn: loaded.data.y.length,
              rowsOut: cleaned.y.length,
              positivesIn,
              positivesOut,
              seconds: secondsSince(started),
              note: `k=${input.k}; removed ${removedPerClass[0]} negative and ${removedPerClass[1]} positive rows`,
            },
          };
          return { result, outputs: { dataset: ref } };
        }),
      );
    },
  };
}
