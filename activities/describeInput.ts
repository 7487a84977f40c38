// Temporal adapter of the describe stage (stages/describe.ts): input errors become non-retryable failures.

import { describeStage, type DescribeInputRequest, type DescribeInputResult } from '../stages/describe.js';
import { failingOnBadInput } from './activityRuntime.js';

export function describeInputActivities() {
  return {
    async describeInput(input: DescribeInputRequest): Promise<DescribeInputResult> {
      return failingOnBadInput(() => describeStage(input));
    },
  };
}
