// A pipeline run's input errors name the spec keys the user wrote (input.positive), not the command-line flags the
// same check names when it runs under `rareflow fit` (--positive).

import { ApplicationFailure } from '@temporalio/activity';
import { describe, expect, it } from 'vitest';
import { failingOnBadInput, inSpecWords } from '../../activities/activityRuntime.js';
import { InvalidInputError } from '../../core/invalidInputError.js';

describe('input errors of a pipeline run', () => {
  it('name input.positive, input.positiveWhen, input.label and input.categorical instead of their flags', () => {
    expect(inSpecWords('--positive "Yes" is not a value of label column "y", but "yes" is: pass --positive "yes"')).toBe(
      'input.positive "Yes" is not a value of label column "y", but "yes" is: pass input.positive "yes"',
    );
    expect(inSpecWords('--positive-when "x >" is not a usable predicate; check --label and --categorical')).toBe(
      'input.positiveWhen "x >" is not a usable predicate; check input.label and input.categorical',
    );
    // A message that already names both says the key once.
    expect(inSpecWords('label column "y" not found in a.csv. Pass --label (input.label in a pipeline spec) with one of them')).toBe(
      'label column "y" not found in a.csv. Pass input.label with one of them',
    );
    // The input files and the shards, as the data layer names them.
    expect(inSpecWords('--input: b.csv has other columns than a.csv; --shards 8 is more than the 1 CSV files')).toBe(
      'input.paths: b.csv has other columns than a.csv; sampling.shards 8 is more than the 1 CSV files',
    );
    // Other flags, and longer flags that start the same, are left as they are.
    expect(inSpecWords('--positive-rate 2 is above 0.5; --k 0')).toBe('--positive-rate 2 is above 0.5; --k 0');
  });

  it('leave the activity as a non-retryable InvalidInput failure in the spec words', async () => {
    const failed = await failingOnBadInput(async () => {
      throw new InvalidInputError('--positive', '--positive "Yes" is not a value of label column "y"');
    }).catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(ApplicationFailure);
    expect(failed).toMatchObject({
      message: 'input.positive "Yes" is not a value of label column "y"',
      type: 'InvalidInput',
      nonRetryable: true,
      details: ['input.positive'],
    });
  });
});
