// Whether a file evaluated is one of the inputs of the retrain run that trained the model (its registry record's
// input hashes): the model learnt from a sample of that file's rows, so its figures there are partly in-sample. A
// pipeline model's own `training.datasetSha256` is its training split, which a user never holds as a file.

import type { ModelArtifact } from '../core/models/modelArtifact.js';
import { openRegistryForReading } from '../data/registryReadAccess.js';
import { loadConfig } from '../infra/rareflowConfig.js';

/**
 * The run id when `sha256` is among the input hashes the registry recorded for the run that trained `model`;
 * undefined when it is not, when the model names no run, or when no registry can be read (a model file evaluated away
 * from the registry that made it).
 */
export async function trainingRunOfInput(model: ModelArtifact, sha256: string): Promise<string | undefined> {
  const runId = model.training?.runId;
  // fit and train name no run: their models hold the training file's own hash.
  if (runId === undefined || runId === '' || runId === 'fit' || runId === 'local') return undefined;
  let reader;
  try {
    reader = await openRegistryForReading(loadConfig().registryPath);
  } catch {
    return undefined;
  }
  try {
    const run = await reader.registry.getRun(runId);
    return run !== undefined && Object.values(run.inputHashes).includes(sha256) ? runId : undefined;
  } catch {
    return undefined;
  } finally {
    await reader.close();
  }
}
