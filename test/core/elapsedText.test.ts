// Durations as people read them: a stage's elapsed time, and a setting's span in its own round unit.

import { describe, expect, it } from 'vitest';
import { elapsedText, spanText } from '../../core/elapsedText.js';

describe('elapsedText', () => {
  it('reads milliseconds, seconds, minutes and hours', () => {
    expect(elapsedText(850)).toBe('850 ms');
    expect(elapsedText(12_340)).toBe('12.3 s');
    expect(elapsedText(245_000)).toBe('4 min 05 s');
    expect(elapsedText(7_380_000)).toBe('2 h 03 min');
    expect(elapsedText(-1)).toBe('—');
  });
});

describe('spanText', () => {
  it('gives a span in its largest units, rounded to the second', () => {
    expect([2000, 45_000, 90_000, 3_600_000, 5_580_000, 30 * 86_400_000, 90_000_000].map(spanText)).toEqual([
      '2s',
      '45s',
      '1m',
      '1h',
      '1h 33m',
      '30d',
      '1d 1h',
    ]);
  });
});
