// Models as artifacts: a sealed model file in the content-addressed store, read by reference, verified against its
// sha256 and parsed (a file that is not a valid model names its path).

import { parseModelArtifact, type ModelArtifact } from '../core/models/modelArtifact.js';
import type { ArtifactRef } from '../core/pipelineTypes.js';
import type { ArtifactStore } from './artifactStore.js';

export async function loadModelArtifact(artifacts: ArtifactStore, ref: ArtifactRef): Promise<ModelArtifact> {
  const bytes = await artifacts.readVerified(ref);
  const path = artifacts.pathOf(ref);
  return parseModelArtifact(JSON.parse(bytes.toString('utf8')), path);
}
