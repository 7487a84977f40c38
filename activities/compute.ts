// The compute activities of one worker, built from their dependencies (tests pass a temp artifact root).

import { adaptiveSampleActivities } from './adaptiveSample.js';
import { adasynActivities } from './adasyn.js';
import { canaryAnalysisActivities } from './canaryAnalysis.js';
import type { ComputeDeps } from './activityRuntime.js';
import { describeInputActivities } from './describeInput.js';
import { driftCheckActivities } from './driftCheck.js';
import { filterLabelNoiseActivities } from './filterLabelNoise.js';
import { trainModelActivities } from './trainModel.js';
import { validateModelActivities } from './validateModel.js';

export function createComputeActivities(deps: ComputeDeps) {
  return {
    ...describeInputActivities(),
    ...adaptiveSampleActivities(deps),
    ...filterLabelNoiseActivities(deps),
    ...adasynActivities(deps),
    ...trainModelActivities(deps),
    ...validateModelActivities(deps),
    ...canaryAnalysisActivities(deps),
    ...driftCheckActivities(deps),
  };
}

export type ComputeActivities = ReturnType<typeof createComputeActivities>;
