// Datasets as artifacts: an Arrow IPC file in the content-addressed store, saved and loaded by reference.

import type { LabelledData } from '../core/dataset.js';
import type { ArtifactRef } from '../workflows/contract.js';
import { readDatasetArrow, writeDatasetArrow } from './arrowDataset.js';
import type { ArtifactStore } from './artifactStore.js';

export interface DatasetArtifact {
  data: LabelledData;
  featureNames: string[];
  labelName: string;
  extra?: Record<string, Int32Array | Float64Array>;
}

export async function saveDatasetArtifact(store: ArtifactStore, kind: string, d: DatasetArtifact): Promise<ArtifactRef> {
  const temp = store.tempPath('arrow');
  await writeDatasetArrow(temp, d);
  return store.putFile(temp, kind, 'arrow');
}

export async function loadDatasetArtifact(store: ArtifactStore, ref: ArtifactRef): Promise<DatasetArtifact> {
  return readDatasetArrow(store.pathOf(ref));
}
