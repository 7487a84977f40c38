// Inputs DuckDB cannot read as they are, past the rows its sniffer saw or before any: each is refused with exit 2, a
// line that says what is wrong in the user's words (before: DuckDB's own text, "CSV Error on Line: 25002", "The CSV
// Parser state machine reached an invalid state", "No magic bytes found", "No files found that match the pattern"),
// and no output file.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
});

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
