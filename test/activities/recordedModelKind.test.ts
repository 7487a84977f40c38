import { describe, expect, test } from 'vitest';
import { recordedModelKind } from '../../activities/registry.js';

const file = (o: unknown) => Buffer.from(JSON.stringify(o));

describe('the model kind the registry records', () => {
  test('an explicit kind is recorded as it is', () => {
    expect(recordedModelKind('forest', file({ model: { kind: 'forest' } }))).toBe('forest');
  });
  test('auto records the candidate its inner folds chose, from the model file', () => {
    expect(recordedModelKind('auto', file({ model: { kind: 'logreg' }, selection: { chosen: 'enn-logreg-weighted' } }))).toBe(
      'auto:enn-logreg-weighted',
    );
    // A soft vote that won is named by its members.
    expect(
      recordedModelKind('auto', file({ model: { kind: 'vote' }, selection: { chosen: 'vote(logreg-weighted+balanced-forest)' } })),
    ).toBe('auto:vote(logreg-weighted+balanced-forest)');
    // A model file without a selection block (the budget fallback writes one; older files may not) names its kind.
    expect(recordedModelKind('auto', file({ model: { kind: 'forest' } }))).toBe('auto:forest');
  });
});
