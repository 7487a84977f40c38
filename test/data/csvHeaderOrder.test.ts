// CSV files read together must share one header: a file whose text and numeric columns trade places would read a
// numeric column as text, so it is refused naming both files; numbers that only trade places with numbers read right.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../core/invalidInputError.js';
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
