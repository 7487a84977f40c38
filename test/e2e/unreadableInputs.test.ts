// Inputs DuckDB cannot read as they are, past the rows its sniffer saw or before any: each is refused with exit 2, a
// line that says what is wrong in the user's words (before: DuckDB's own text, "CSV Error on Line: 25002", "The CSV
// Parser state machine reached an invalid state", "No magic bytes found", "No files found that match the pattern"),
// and no output file.

import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cliProcess.js';

let dir: string;

/** `n` data lines of x1, x2, y (every 20th positive). */
const rows = (n: number) => Array.from({ length: n }, (_, i) => `${((i * 37) % 101) / 10},${((i * 13) % 7) / 3},${i % 20 === 0 ? 1 : 0}`);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-unreadable-'));
  const many = rows(25_100);
  writeFileSync(join(dir, 'extra-late.csv'), `x1,x2,y\n${many.map((l, i) => (i === 25_000 ? `${l},7` : l)).join('\n')}\n`);
  writeFileSync(join(dir, 'line-endings.csv'), `x1,x2,y\n${many.slice(0, 25_000).join('\n')}\r\n${many.slice(25_000).join('\r\n')}\r\n`);
  writeFileSync(join(dir, 'text.parquet'), `x1,x2,y\n${rows(50).join('\n')}\n`);
  mkdirSync(join(dir, 'folder.csv'));
  execFileSync('mkfifo', [join(dir, 'pipe.csv')]);
  // 40 rows; x1 a DECIMAL(50, 10) (made by pyarrow: see test/fixtures/MANIFEST.md).
  copyFileSync(join(fixtures, 'wide-decimal.parquet'), join(dir, 'wide-decimal.parquet'));
  // A header of numbers, as pandas writes a frame whose columns were never named.
  writeFileSync(join(dir, 'number-header.csv'), `0,1,2\n${rows(60).join('\n')}\n`);
  writeFileSync(join(dir, 'CAPITALS.CSV.GZ'), gzipSync(`x1,x2,y\n${rows(60).join('\n')}\n`));
});

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('an input that cannot be read as it is', () => {
  const cases: [string, string, RegExp][] = [
    [
      'a line with an extra field past the sniffed rows',
      'extra-late.csv',
      /^could not read extra-late\.csv: line 25002 has 4 fields where the header has 3; expected the same number of fields on every line/,
    ],
    [
      'line endings that change part-way',
      'line-endings.csv',
      /^could not read line-endings\.csv: its lines could not be split into fields .*\(line endings that change part-way/,
    ],
    [
      'a CSV file named .parquet',
      'text.parquet',
      /^could not read text\.parquet: it is not a Parquet file \(it has no Parquet footer\); a CSV file must be named \.csv$/,
    ],
    ['a directory named .csv', 'folder.csv', /^input folder\.csv is a directory; expected a CSV or Parquet file$/],
    ['a named pipe', 'pipe.csv', /^input pipe\.csv is not a regular file \(a pipe or a device\)/],
  ];
  it.each(cases)('%s: exit 2, said in words, nothing written', async (_what, input, message) => {
    const r = await runCli(['fit', '--input', input, '--label', 'y', '--kind', 'logreg', '--out', 'model.json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.replace(/^rareflow fit: /, '').trim()).toMatch(message);
    expect(existsSync(join(dir, 'model.json'))).toBe(false);
  });
});

describe('a column the reader would read as wrong numbers', () => {
  const message =
    /^column "x1" of .*wide-decimal\.parquet is a DECIMAL\(50, 10\); expected at most 38 digits, .*write the column as DOUBLE/;
  it('fit and predict refuse a Parquet DECIMAL past 38 digits, naming the column, and write nothing', async () => {
    const fit = await runCli(['fit', '--input', 'wide-decimal.parquet', '--label', 'y', '--kind', 'logreg', '--out', 'd.json'], {
      cwd: dir,
    });
    expect(fit.code, fit.stderr).toBe(2);
    expect(fit.stderr.replace(/^rareflow fit: /, '').trim()).toMatch(message);
    expect(existsSync(join(dir, 'd.json'))).toBe(false);
    // A model of the same columns from a CSV: its scoring file's decimals are refused the same way.
    writeFileSync(join(dir, 'plain.csv'), `x1,x2,y\n${rows(60).join('\n')}\n`);
    const model = await runCli(['fit', '--input', 'plain.csv', '--label', 'y', '--kind', 'logreg', '--out', 'plain.json'], { cwd: dir });
    expect(model.code, model.stderr).toBe(0);
    const predict = await runCli(['predict', '--model', 'plain.json', '--input', 'wide-decimal.parquet', '--out', 'p.csv'], { cwd: dir });
    expect(predict.code, predict.stderr).toBe(2);
    expect(predict.stderr.replace(/^rareflow predict: /, '').trim()).toMatch(message);
    expect(existsSync(join(dir, 'p.csv'))).toBe(false);
  });
});

describe('a header of numbers', () => {
  it('is read as the header, not as a first data row', async () => {
    const fit = await runCli(['fit', '--input', 'number-header.csv', '--label', '2', '--kind', 'logreg', '--out', 'n.json', '--json'], {
      cwd: dir,
    });
    expect(fit.code, fit.stderr).toBe(0);
    const model = JSON.parse(readFileSync(join(dir, 'n.json'), 'utf8')) as { featureNames: string[]; training: { rows: number } };
    expect(model.featureNames).toEqual(['0', '1']);
    expect(model.training.rows).toBe(60);
    const predict = await runCli(['predict', '--model', 'n.json', '--input', 'number-header.csv', '--out', 'n.csv'], { cwd: dir });
    expect(predict.code, predict.stderr).toBe(0);
    expect(readFileSync(join(dir, 'n.csv'), 'utf8').trim().split('\n')).toHaveLength(61);
  });
});

it('a gzip CSV named in capitals is read like one named .csv.gz', async () => {
  const fit = await runCli(['fit', '--input', 'CAPITALS.CSV.GZ', '--label', 'y', '--kind', 'logreg', '--out', 'c.json'], { cwd: dir });
  expect(fit.code, fit.stderr).toBe(0);
  expect((JSON.parse(readFileSync(join(dir, 'c.json'), 'utf8')) as { training: { rows: number } }).training.rows).toBe(60);
});
