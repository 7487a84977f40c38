// Temporal adapter of input checking: resolves globs, checks the label, classes, feature types and missing values
// in SQL, and fixes the feature list, the positive label and Nr before any sampling starts.

import { positiveTargetFor } from '../core/sampling/adaptiveSample.js';
import { profileLabelledInput, type InputProfile } from '../data/inputProfile.js';
import type { PipelineSpec } from '../workflows/contract.js';
import { failingOnBadInput } from './activityRuntime.js';

export interface DescribeInputResult extends InputProfile {
  /** M of Algorithm 1. */
  params: number;
  /** Nr = positivesPerParameter · M, capped at the target size. */
  positiveTarget: number;
}

export function describeInputActivities() {
  return {
    async describeInput(input: { input: PipelineSpec['input']; sampling: PipelineSpec['sampling'] }): Promise<DescribeInputResult> {
      return failingOnBadInput(async () => {
        const profile = await profileLabelledInput(input.input.paths, {
          label: input.input.label,
          ...(input.input.positive !== undefined ? { positive: input.input.positive } : {}),
          ...(input.input.features ? { features: input.input.features } : {}),
          ...(input.input.exclude ? { exclude: input.input.exclude } : {}),
        });
        const params = input.sampling.params ?? profile.featureNames.length + 1;
        const positiveTarget = Math.min(positiveTargetFor(params, input.sampling.positivesPerParameter ?? 50), input.sampling.targetSize);
        return { ...profile, params, positiveTarget };
      });
    },
  };
}
