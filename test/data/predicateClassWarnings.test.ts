// A `--positive-when` predicate that every row satisfies (or none) gives a sample of one class: said, both ways; one
// that fails on the rows' values is refused by its flag, not blamed on the file.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { profileLabelledInput } from '../../data/inputProfile.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-predicate-classes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a predicate that leaves one class', () => {
  it('warns that the sample has no negatives, or no positives', async () => {
    const file = join(dir, 'rows.csv');
    writeFileSync(file, ['f0,f1', ...Array.from({ length: 50 }, (_, i) => `${i},${i % 7}`), ''].join('\n'));
    const warned = async (predicate: string) =>
      (await profileLabelledInput([file], { label: 'y', predicate, checkAllFeatureValues: false, hashFiles: false })).warnings;
    expect(await warned('true')).toContain('every row satisfies --positive-when "true": the sample has no negatives');
    expect(await warned('f0 >= 0')).toContain('every row satisfies --positive-when "f0 >= 0": the sample has no negatives');
    expect(await warned('f0 < 0')).toContain('no row satisfies --positive-when "f0 < 0": the sample has no positives');
    expect(await warned('f0 > 40')).toEqual([]);
  });

  it('names the predicate, not the file, when it fails on the rows', async () => {
    const file = join(dir, 'numbers.csv');
    writeFileSync(file, ['f0,f1', ...Array.from({ length: 50 }, (_, i) => `${i},${i % 7}`), ''].join('\n'));
    await expect(
      profileLabelledInput([file], { label: 'y', predicate: "f0 > 'abc'", checkAllFeatureValues: false, hashFiles: false }),
    ).rejects.toThrow(`--positive-when "f0 > 'abc'" fails on the rows of ${file}: Conversion Error`);
  });

  it('is refused where it is neither true nor false on some rows (a column it reads is missing), not read as negative', async () => {
    const file = join(dir, 'gaps.csv');
    writeFileSync(file, ['f0,f1', ...Array.from({ length: 50 }, (_, i) => `${i % 10 === 3 ? '' : i},${i % 7}`), ''].join('\n'));
    const profile = (predicate: string) =>
      profileLabelledInput([file], { label: 'y', predicate, checkAllFeatureValues: false, hashFiles: false });
    await expect(profile('f0 > 40')).rejects.toThrow(
      `--positive-when "f0 > 40" is neither true nor false on 5 rows of ${file} (a column it reads is missing there); expected true or false on every row, as a label needs a class on every row: write "coalesce(f0 > 40, false)" to count those rows as negatives, or fill the column`,
    );
    // Its own advice is taken.
    expect((await profile('coalesce(f0 > 40, false)')).positives).toBe(8);
  });
});
