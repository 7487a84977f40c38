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
  it('gives a span in the largest unit it is a whole number of', () => {
    expect(spanText(30 * 86_400_000)).toBe('30 d');
    expect(spanText(36 * 3_600_000)).toBe('36 h');
    expect(spanText(90 * 60_000)).toBe('90 min');
    expect(spanText(2000)).toBe('2.0 s');
  });
});
