// fit trains on --input and --label: a config's input block that says otherwise is said in a warning, and a
// predicate defining the positives, which fit cannot apply, is refused.

import { describe, expect, it } from 'vitest';
import { checkConfigInput } from '../../client/fitConfigInput.js';
import { InvalidInputError } from '../../core/invalidInputError.js';

const flags = { input: 'cards.csv', label: 'fraud', positive: 'yes' };

describe("fit's config input block", () => {
  it('says which of its data keys fit does not read', () => {
    expect(checkConfigInput({ paths: ['x-*.csv'], label: 'is_fraud', positive: 'Y' }, flags)).toEqual([
      'input.paths of the config is not read by fit: it trains on --input cards.csv',
      'input.label of the config ("is_fraud") is not read by fit: it trains on --label fraud',
      'input.positive of the config ("Y") is overridden by --positive yes',
    ]);
    expect(checkConfigInput({ label: 'fraud', positive: 'yes', exclude: ['id'] }, flags)).toEqual([]);
    expect(checkConfigInput({ positive: 'Y' }, { input: 'cards.csv', label: 'fraud' })).toEqual([]);
  });

  it('refuses a predicate for the positives', () => {
    expect(() => checkConfigInput({ positiveWhen: 'amount > 100' }, flags)).toThrow(InvalidInputError);
    expect(() => checkConfigInput({ positiveWhen: 'amount > 100' }, flags)).toThrow(/^input\.positiveWhen: fit takes the positive class/);
  });
});
