// A pipeline spec with both input.positive and input.positiveWhen defines the positive class twice: refused.

import { describe, expect, it } from 'vitest';
import { resolvePipelineSpec } from '../../client/pipelineSpec.js';

describe('a pipeline spec defining the positives twice', () => {
  it('is refused by its key', () => {
    const base = { modelName: 'm', input: { paths: ['a.csv'], label: 'y' } };
    expect(() => resolvePipelineSpec({ ...base, input: { ...base.input, positive: '1', positiveWhen: 'x > 1' } }, 'spec.json')).toThrow(
      /^spec\.json: input\.positive and input\.positiveWhen both define the positive class; give one of them$/,
    );
    expect(resolvePipelineSpec({ ...base, input: { ...base.input, positiveWhen: 'x > 1' } }, 'spec.json').input.positiveWhen).toBe('x > 1');
  });
});
