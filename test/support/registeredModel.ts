// One run and its model recorded in a registry, as a retrain records them before a promotion: the fixture of tests
// that promote, roll back or publish a model without training one.

import type { Registry } from '../../data/registry.js';
import type { ArtifactRef } from '../../workflows/contract.js';

export async function registerModel(registry: Registry, modelName: string, runId: string, model: ArtifactRef): Promise<void> {
  const at = '2026-01-01T00:00:00Z';
  await registry.startRun({
    runId,
    modelName,
    workflowId: runId,
    startedAt: at,
    seed: 1,
    params: {},
    inputHashes: {},
    codeVersion: 'test',
  });
  await registry.recordModel({
    modelSha256: model.sha256,
    modelName,
    runId,
    uri: model.uri,
    kind: 'logreg',
    threshold: 0.5,
    createdAt: at,
  });
}
