// A CSV header cell with no name (`a,b,,label`) was read as DuckDB's `column2`, and a model learnt a feature of a name
// the file never gives. Every command that reads a CSV's columns as features or a label refuses it, naming the file
// and the position of the cell.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cliProcess.js';

let dir: string;

const body = Array.from({ length: 200 }, (_, i) => `${(i * 7) % 13},${(i * 3) % 11},${(i * 5) % 17},${i % 10 === 0 ? 1 : 0}`);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-unnamed-columns-'));
  writeFileSync(join(dir, 'unnamed.csv'), ['a,b,,label', ...body, ''].join('\n'));
  // A row index saved without a name, as pandas writes one by default: the first cell is empty.
  writeFileSync(join(dir, 'index.csv'), [',a,b,label', ...body.map((r, i) => `${i},${r.split(',').slice(1).join(',')}`), ''].join('\n'));
  writeFileSync(join(dir, 'named.csv'), ['a,b,column2,label', ...body, ''].join('\n'));
  const trained = await runCli(['train', '--input', 'named.csv', '--label', 'label', '--kind', 'logreg', '--out', 'model.json'], {
    cwd: dir,
  });
  expect(trained.code, trained.stderr).toBe(0);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const refusal = (file: string, position: number, readAs: string) =>
  `column ${position} of the header of ${file} has no name (the reader would make up "${readAs}", a name the file does not give, and a model would learn and ask for it under that name); expected a name in every header cell: write a name in that cell, or drop the column (a row index saved without a name, as pandas' to_csv writes one unless given index=False, is such a column)`;

describe('a CSV header cell with no name', () => {
  const commands: Array<[string, string[]]> = [
    ['fit', ['fit', '--input', 'unnamed.csv', '--label', 'label', '--out', 'm.json']],
    ['train', ['train', '--input', 'unnamed.csv', '--label', 'label', '--kind', 'logreg', '--out', 'm.json']],
    ['sample', ['sample', '--input', 'unnamed.csv', '--label', 'label', '--target-size', '100', '--nr', '5', '--out', 's.csv']],
    ['denoise', ['denoise', '--input', 'unnamed.csv', '--label', 'label', '--out', 'd.csv']],
    ['adasyn', ['adasyn', '--input', 'unnamed.csv', '--label', 'label', '--out', 'o.csv']],
    ['evaluate', ['evaluate', '--model', 'model.json', '--input', 'unnamed.csv', '--label', 'label']],
    ['predict', ['predict', '--model', 'model.json', '--input', 'unnamed.csv', '--out', 'p.csv']],
  ];
  for (const [name, args] of commands) {
    it(`is refused by ${name}, naming the file and the cell's position`, async () => {
      const r = await runCli(args, { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/column 3 of the header of \S*unnamed\.csv has no name \(the reader would make up "column2"/);
    });
  }

  it('says what to do with a row index saved without a name', async () => {
    const r = await runCli(['fit', '--input', 'index.csv', '--label', 'label', '--out', 'm.json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`rareflow fit: ${refusal('index.csv', 1, 'column0')}`);
  });
});
