// The one glob reading shared by s3:// listings and the output-over-input check.

import { describe, expect, it } from 'vitest';
import { globPattern } from '../../core/globPattern.js';

describe('globPattern', () => {
  it('matches * and ? within a segment, ** across, [...] and [!...] as sets, the rest literally', () => {
    expect(globPattern('data/x*.csv').test('data/x2.csv')).toBe(true);
    expect(globPattern('data/x*.csv').test('data/sub/x2.csv')).toBe(false);
    expect(globPattern('data/**.parquet').test('data/a/b/c.parquet')).toBe(true);
    expect(globPattern('part-?.csv').test('part-1.csv')).toBe(true);
    expect(globPattern('[xz].csv').test('z.csv')).toBe(true);
    expect(globPattern('[!xz].csv').test('z.csv')).toBe(false);
    expect(globPattern('a.b(1)+.csv').test('a.b(1)+.csv')).toBe(true);
    expect(globPattern('a.b.csv').test('aXb.csv')).toBe(false);
  });
});
