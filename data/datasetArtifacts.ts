// Datasets as artifacts: an Arrow IPC file in the content-addressed store, saved and loaded by reference.
// Per-row sample weights travel as the extra column `sample_weight`.

import type { LabelledData } from '../core/dataset.js';
import { SAMPLE_WEIGHT_COLUMN } from '../core/sampling/sampleWeights.js';
import type { ArtifactRef } from '../core/pipelineTypes.js';
import { datasetFromArrowBytes, writeDatasetArrow, type ExtraColumns } from './arrowDataset.js';
import type { ArtifactStore } from './artifactStore.js';

export interface DatasetArtifact {
  data: LabelledData;
  featureNames: string[];
  labelName: string;
  extra?: ExtraColumns;
}

export async function saveDatasetArtifact(store: ArtifactStore, kind: string, d: DatasetArtifact): Promise<ArtifactRef> {
  const temp = store.tempPath('arrow');
  await writeDatasetArrow(temp, d);
  return store.putFile(temp, kind, 'arrow');
}

/**
 * The dataset of `ref`, its bytes checked against its sha256 first (an IntegrityError names a changed file).
 * With `keepMissingFeatures`, missing feature values read as NaN (samples before the pipeline's imputation).
 */
export async function loadDatasetArtifact(
  store: ArtifactStore,
  ref: ArtifactRef,
  opts: { keepMissingFeatures?: boolean } = {},
): Promise<DatasetArtifact> {
  return datasetFromArrowBytes(await store.readVerified(ref), store.pathOf(ref), opts);
}

/** The dataset's per-row sample weights (its `sample_weight` extra column), when it has them. */
export function sampleWeightsOf(d: DatasetArtifact): Float64Array | undefined {
  const w = d.extra?.[SAMPLE_WEIGHT_COLUMN];
  if (w === undefined) return undefined;
  return w instanceof Float64Array ? w : Float64Array.from(w);
}

/** The `extra` field that stores `weights` as the `sample_weight` column, or nothing when there are none. */
export function sampleWeightColumn(weights: Float64Array | undefined): { extra?: Record<string, Float64Array> } {
  return weights ? { extra: { [SAMPLE_WEIGHT_COLUMN]: weights } } : {};
}
