// Files read together share their columns. CSV files must share one header: a file whose text and numeric columns
// trade places would read a numeric column as text, so it is refused naming both files; numbers that only trade places
// with numbers read right. Parquet files must hold the same columns: before, a file without one failed the run at
// sampling as if it had been replaced, and a column only a later file held was dropped unread.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../core/invalidInputError.js';
import { withDuckDB } from '../../data/duckdbConnection.js';
import { profileLabelledInput } from '../../data/inputProfile.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-header-order-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function csv(name: string, header: string, row: (i: number) => string): string {
  const path = join(dir, name);
  writeFileSync(path, [header, ...Array.from({ length: 200 }, (_, i) => row(i)), ''].join('\n'));
  return path;
}

describe('CSV files read together', () => {
  it('refuses a file whose text and numeric columns trade places, naming both files', async () => {
    const a = csv('a1.csv', 'f0,c0,label', (i) => `${i / 7},${'xyz'[i % 3]},${i % 10 === 0 ? 1 : 0}`);
    const b = csv('a2.csv', 'c0,f0,label', (i) => `${'xyz'[i % 3]},${i / 7},${i % 10 === 0 ? 1 : 0}`);
    const read = profileLabelledInput([join(dir, 'a*.csv')], { label: 'label' });
    await expect(read).rejects.toBeInstanceOf(InvalidInputError);
    await expect(profileLabelledInput([a, b], { label: 'label' })).rejects.toThrow(
      `--input: ${b} has its columns in another order than ${a} (c0, f0, label against f0, c0, label); CSV files read together must share one header`,
    );
    const other = csv('b2.csv', 'f0,c1,label', (i) => `${i / 7},${'xyz'[i % 3]},${i % 10 === 0 ? 1 : 0}`);
    await expect(profileLabelledInput([a, other], { label: 'label' })).rejects.toThrow(`${other} has other columns than ${a}`);
  });

  it('reads numbers that only trade places with numbers, each under its own name', async () => {
    const a = csv('n1.csv', 'f0,f1,label', (i) => `${i},${1000 + i / 3},${i % 10 === 0 ? 1 : 0}`);
    const b = csv('n2.csv', 'f1,f0,label', (i) => `${1000 + i / 3},${i},${i % 10 === 0 ? 1 : 0}`);
    const profile = await profileLabelledInput([a, b], { label: 'label' });
    expect(profile.rows).toBe(400);
    expect(profile.featureNames).toEqual(['f0', 'f1']);
  });
});

describe('Parquet files read together', () => {
  it('refuses a file that lacks or adds a column, naming both files and the columns; takes another column order', async () => {
    const parquet = async (name: string, select: string) => {
      const path = join(dir, name);
      await withDuckDB((c) => c.run(`COPY (SELECT ${select} FROM range(200) t(i)) TO '${path}' (FORMAT parquet)`));
      return path;
    };
    const label = 'CASE WHEN i % 10 = 0 THEN 1 ELSE 0 END AS label';
    const a = await parquet('p1.parquet', `i / 7 AS f0, i % 5 AS f1, ${label}`);
    const lacks = await parquet('p2.parquet', `i / 7 AS f0, ${label}`);
    const adds = await parquet('p3.parquet', `i / 7 AS f0, i % 5 AS f1, i % 3 AS f2, ${label}`);
    const reordered = await parquet('p4.parquet', `${label}, i % 5 AS f1, i / 7 AS f0`);
    await expect(profileLabelledInput([a, lacks], { label: 'label' })).rejects.toThrow(
      `--input: ${lacks} has other columns than ${a} (it lacks "f1"); Parquet files read together must hold the same columns`,
    );
    await expect(profileLabelledInput([a, adds], { label: 'label' })).rejects.toThrow(`${adds} has other columns than ${a} (it adds "f2")`);
    const profile = await profileLabelledInput([a, reordered], { label: 'label' });
    expect([profile.rows, profile.featureNames]).toEqual([400, ['f0', 'f1']]);
  });
});
