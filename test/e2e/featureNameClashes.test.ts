// Column names that would give a model two features of one name are refused before anything is written: names
// differing only by case (DuckDB reads names without regard to case and renames the second), and a column named
// like another column's one-hot feature, or two categorical columns whose one-hot features share a name.

import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cliProcess.js';
import { profileLabelledInput } from '../../data/inputProfile.js';

describe('feature names that clash', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rareflow-clash-'));
    const rows = (header: string, row: (i: number) => string) =>
      `${[header, ...Array.from({ length: 60 }, (_, i) => row(i))].join('\n')}\n`;
    writeFileSync(
      join(dir, 'case.csv'),
      rows('X0,x0,label', (i) => `${i % 7},${(i * 3) % 11},${i % 5 === 0 ? 1 : 0}`),
    );
    writeFileSync(
      join(dir, 'onehot.csv'),
      rows('x0,color,color=red,label', (i) => `${i % 7},${['red', 'blue'][i % 2]},${(i * 3) % 11},${i % 5 === 0 ? 1 : 0}`),
    );
    writeFileSync(
      join(dir, 'twocat.csv'),
      rows('x0,c,c=a,label', (i) => `${i % 7},${['a=b', 'z'][i % 2]},${['b', 'y'][i % 3 === 0 ? 0 : 1]},${i % 5 === 0 ? 1 : 0}`),
    );
  });

  it('refuses two categorical columns whose categories make one feature name, naming both (no column has that name)', async () => {
    const r = await runCli(
      ['train', '--input', 'twocat.csv', '--label', 'label', '--kind', 'logreg', '--categorical', 'c,c=a', '--out', 'twocat.json'],
      { cwd: dir },
    );
    expect(r.code, r.stdout).toBe(2);
    expect(r.stderr).toBe(
      'rareflow train: the categories of columns "c" and "c=a" in twocat.csv both make a feature named "c=a=b"; expected distinct feature names: rename one of the two columns\n',
    );
    expect(existsSync(join(dir, 'twocat.json'))).toBe(false);
  });

  it('refuses two column names that differ only by case', async () => {
    const r = await runCli(['train', '--input', 'case.csv', '--label', 'label', '--kind', 'logreg', '--out', 'case.json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/column names "X0" and "x0" in the header of case\.csv differ only by case/);
    expect(existsSync(join(dir, 'case.json'))).toBe(false);
  });

  it('refuses a column named like the one-hot feature of a categorical column, in train and fit', async () => {
    for (const args of [
      ['train', '--input', 'onehot.csv', '--label', 'label', '--kind', 'logreg', '--categorical', 'color', '--out', 'onehot.json'],
      ['fit', '--input', 'onehot.csv', '--label', 'label', '--budget', '5s', '--out', 'onehot.json'],
    ]) {
      const r = await runCli(args, { cwd: dir });
      expect(r.code, r.stdout).toBe(2);
      expect(r.stderr).toMatch(
        /categories of column "color" make a feature named "color=red", and onehot\.csv also has a column of that name/,
      );
      expect(existsSync(join(dir, 'onehot.json'))).toBe(false);
    }
  });

  it('is refused by the pipeline before sampling, as by train', async () => {
    const profile = (file: string, categorical: string[]) =>
      profileLabelledInput([join(dir, file)], { label: 'label', positive: '1', categorical });
    await expect(profile('twocat.csv', ['c', 'c=a'])).rejects.toThrow(
      /^the categories of columns "c" and "c=a" in \S+twocat\.csv both make a feature named "c=a=b"/,
    );
    await expect(profile('onehot.csv', ['color'])).rejects.toThrow(
      /^the categories of column "color" make a feature named "color=red", and \S+onehot\.csv also has a column of that name/,
    );
  });
});
