// The pipeline spec's `features` block: the missing-value policy, checked with errors naming the field.

import { describe, expect, it } from 'vitest';
import { resolvePipelineSpec } from '../../client/pipelineSpec.js';

const base = { modelName: 'm', input: { paths: ['data.csv'], label: 'y' } };

describe('pipeline spec features', () => {
  it('takes a declared policy and leaves the spec unchanged without one', () => {
    expect(resolvePipelineSpec({ ...base, features: { missing: 'median' } }, 'spec.json').features).toEqual({ missing: 'median' });
    expect(resolvePipelineSpec({ ...base, features: { missing: 'constant', fillValue: -1 } }, 'spec.json').features).toEqual({
      missing: 'constant',
      fillValue: -1,
    });
    expect('features' in resolvePipelineSpec(base, 'spec.json')).toBe(false);
  });

  it('names the field and what it expects', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ missing: 'mode' }, /^spec\.json: features\.missing: expected "reject", "mean", "median" or "constant", got "mode"$/],
      [{ missing: 'constant', fillValue: 'zero' }, /^spec\.json: features\.fillValue: expected a finite number, got "zero"$/],
      [{ missing: 'mean', fillValue: 1 }, /^spec\.json: features\.fillValue is the fill of "missing": "constant"/],
      [{ imputer: 'mean' }, /^spec\.json: features\.imputer: unknown key \(features takes missing, fillValue\)$/],
      ['median', /^spec\.json: features: expected an object with missing, fillValue, got "median"$/],
    ];
    for (const [features, message] of cases) expect(() => resolvePipelineSpec({ ...base, features }, 'spec.json')).toThrow(message);
  });
});
