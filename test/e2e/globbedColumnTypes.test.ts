// CSV files read together whose column reads as another type in a later file (a label of 0/1 in one, yes/no in
// another; numbers in one, codes in another) are refused naming both files, the column and what each holds, with what
// to do, in place of DuckDB's "Schema mismatch between globbed files". Files past the rows DuckDB sniffs, since
// shorter ones are typed together and their label met as two spellings of one class (a message of its own).

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profileLabelledInput } from '../../data/inputProfile.js';
import { runCli } from '../support/cliProcess.js';

let dir: string;
const ROWS = 25_000;

function csv(path: string, row: (i: number) => string): void {
  const lines = ['f0,f1,label'];
  for (let i = 0; i < ROWS; i++) lines.push(row(i));
  writeFileSync(join(dir, path), `${lines.join('\n')}\n`);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-globbed-types-'));
  mkdirSync(join(dir, 'labels'));
  mkdirSync(join(dir, 'features'));
  csv('labels/a.csv', (i) => `${(i * 7) % 101},${i % 9},${i % 20 === 0 ? 1 : 0}`);
  csv('labels/b.csv', (i) => `${(i * 3) % 101},${i % 9},${i % 20 === 0 ? 'yes' : 'no'}`);
  csv('features/a.csv', (i) => `${(i * 7) % 101},${i % 9},${i % 20 === 0 ? 1 : 0}`);
  csv('features/b.csv', (i) => `${(i * 3) % 101},c${i % 9},${i % 20 === 0 ? 1 : 0}`);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('globbed CSV files whose column types differ', () => {
  it('sample names the files, the column and what each holds', async () => {
    const r = await runCli(
      ['sample', '--input', 'labels/*.csv', '--label', 'label', '--target-size', '1000', '--nr', '50', '--out', 'out.csv'],
      { cwd: dir },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain('Schema mismatch');
    expect(r.stderr.trim()).toBe(
      'rareflow sample: could not read labels/*.csv: column "label" holds whole numbers in labels/a.csv but true/false or yes/no values in labels/b.csv, and files read together must hold one kind of value in each column; write "label" the same way in every file (0/1 in one and yes/no in another are two spellings of one class), or read the files in separate runs',
    );
  });

  it('the input profile of a pipeline run says the same of a feature column', async () => {
    const failed = await profileLabelledInput([join(dir, 'features/*.csv')], { label: 'label' }).catch((err: unknown) => err as Error);
    expect((failed as Error).message).toMatch(
      /^could not read .*features\/\*\.csv: column "f1" holds whole numbers in .*features\/a\.csv but text in .*features\/b\.csv, and files read together must hold one kind of value in each column/,
    );
  });
});
