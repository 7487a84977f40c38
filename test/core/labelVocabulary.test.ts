// The label vocabulary: exactly the stored classes, one normalisation for boolean-like classes, everything else refused.

import { describe, expect, it } from 'vitest';
import { booleanLikeValue, canonicalLabel, classifyLabel, labelVocabularyOf } from '../../core/labels/labelVocabulary.js';

const side = (v: ReturnType<typeof classifyLabel>) => ('refused' in v ? 'refused' : v.positive ? 'positive' : 'negative');

describe('label vocabulary', () => {
  it('text classes: exact values only, case and numbers included', () => {
    const v = labelVocabularyOf({ positiveLabel: 'fraud', negativeLabel: 'ok' });
    expect(v.booleanLike).toBe(false);
    expect(side(classifyLabel(v, 'fraud', 'label'))).toBe('positive');
    expect(side(classifyLabel(v, 'ok', 'label'))).toBe('negative');
    for (const bad of ['Fraud', 'OK', 1, 0, true, '', null, undefined, {}, []])
      expect(side(classifyLabel(v, bad, 'label'))).toBe('refused');
    expect(classifyLabel(v, 'Fraud', 'items[2].label')).toEqual({
      refused: 'items[2].label: expected "fraud" (positive) or "ok", got the string "Fraud"',
    });
  });

  it('"True" where the model stores "true" is the positive class, not a negative', () => {
    const v = labelVocabularyOf({ positiveLabel: 'true', negativeLabel: 'false' });
    expect(v.booleanLike).toBe(true);
    for (const t of ['true', 'True', 'TRUE', 'yes', 'Yes', 1, '1', '1.0', true])
      expect(side(classifyLabel(v, t, 'label')), String(t)).toBe('positive');
    for (const f of ['false', 'False', 'no', 'NO', 0, '0', false]) expect(side(classifyLabel(v, f, 'label')), String(f)).toBe('negative');
    for (const bad of ['maybe', 2, 't', 'y', ' true', -1]) expect(side(classifyLabel(v, bad, 'label')), String(bad)).toBe('refused');
    expect(classifyLabel(v, 'maybe', 'label')).toEqual({
      refused:
        'label: expected "true" (positive) or "false", also as true/false, yes/no (any case), 1/0 or a JSON boolean, got the string "maybe"',
    });
    expect(canonicalLabel(v, 'YES', true)).toBe('true');
    expect(canonicalLabel(v, 0, false)).toBe('false');
  });

  it('0/1 classes take numbers by value; a positive class "0" keeps its truth value', () => {
    const v = labelVocabularyOf({ positiveLabel: '1', negativeLabel: '0' });
    expect(side(classifyLabel(v, 1, 'label'))).toBe('positive');
    expect(side(classifyLabel(v, '1.0', 'label'))).toBe('positive');
    expect(side(classifyLabel(v, false, 'label'))).toBe('negative');
    const flipped = labelVocabularyOf({ positiveLabel: '0', negativeLabel: '1' });
    expect(side(classifyLabel(flipped, 'no', 'label'))).toBe('positive');
    expect(side(classifyLabel(flipped, true, 'label'))).toBe('negative');
  });

  it('several negative values (a multi-valued label with a chosen positive), and numeric classes that are not boolean-like', () => {
    const v = labelVocabularyOf({ positiveLabel: 'dos', negativeLabel: 'normal|probe' });
    expect(v.negatives).toEqual(['normal', 'probe']);
    expect(side(classifyLabel(v, 'probe', 'label'))).toBe('negative');
    expect(canonicalLabel(v, 'probe', false)).toBe('probe');
    expect(side(classifyLabel(v, 'r2l', 'label'))).toBe('refused');
    const numeric = labelVocabularyOf({ positiveLabel: '5', negativeLabel: '2' });
    expect(numeric.booleanLike).toBe(false);
    expect(side(classifyLabel(numeric, 5, 'label'))).toBe('positive');
    expect(side(classifyLabel(numeric, true, 'label'))).toBe('refused');
    expect(booleanLikeValue('No')).toBe(false);
    expect(booleanLikeValue('n')).toBe(null);
  });

  it('records a number given for a numeric class of a multi-class model as that class, not the first other class', () => {
    const v = labelVocabularyOf({ positiveLabel: '1', negativeLabel: '2|3' });
    expect(classifyLabel(v, 3, 'label')).toEqual({ positive: false });
    expect(canonicalLabel(v, 3, false)).toBe('3');
    expect(canonicalLabel(v, '3.0', false)).toBe('3');
    expect(canonicalLabel(v, 2, false)).toBe('2');
  });
});
