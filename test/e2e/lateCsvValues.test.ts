// A CSV's column types come from its first 20,480 rows. Values past them must be read as they are or refused by
// name, never rounded or dropped: a decimal in a column of whole numbers, text in a column of numbers (whose read
// ended early, silently, before streamed reads were checked), ±Infinity under a logistic regression's SQL scoring.

import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cliProcess.js';

const ROWS = 60_000;

/** x0 continuous, n whole numbers up to row `decimalsFrom` and 3.7 after it, label 1 on about one row in ten. */
function csv(path: string, opts: { decimalsFrom?: number; textAt?: number; infinityAt?: number }): void {
  const lines = ['n,x0,x1,label'];
  for (let i = 0; i < ROWS; i++) {
    const n = opts.decimalsFrom !== undefined && i >= opts.decimalsFrom ? '3.7' : String(i % 50);
    const x0 = i === opts.textAt ? 'abc' : i === opts.infinityAt ? 'Infinity' : ((i * 37) % 101) / 100;
    const y = (i * 37) % 101 > 90 ? 1 : 0;
    lines.push(`${n},${x0},${((i * 13) % 17) / 10},${y}`);
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

describe('CSV values past the rows the column types come from', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rareflow-late-'));
    csv(join(dir, 'good.csv'), {});
    csv(join(dir, 'decimals.csv'), { decimalsFrom: 50_000 });
    csv(join(dir, 'text.csv'), { textAt: 50_000 });
    csv(join(dir, 'infinity.csv'), { infinityAt: 50_000 });
    for (const kind of ['logreg', 'forest']) {
      const trees = kind === 'forest' ? ['--trees', '10'] : [];
      const r = await runCli(['train', '--input', 'good.csv', '--label', 'label', '--kind', kind, ...trees, '--out', `${kind}.json`], {
        cwd: dir,
      });
      expect(r.code, r.stderr).toBe(0);
    }
  }, 120_000);

  it('reads a late decimal in a column of whole numbers as it is, not rounded', async () => {
    const r = await runCli(['train', '--input', 'decimals.csv', '--label', 'label', '--kind', 'logreg', '--out', 'dec.json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const model = JSON.parse(readFileSync(join(dir, 'dec.json'), 'utf8')) as { model: { standardiser: { mean: number[] } } };
    let sum = 0;
    for (let i = 0; i < ROWS; i++) sum += i >= 50_000 ? 3.7 : i % 50;
    // Rounded to 4, the mean would be 3,000 / 60,000 = 0.05 higher.
    expect(model.model.standardiser.mean[0]).toBeCloseTo(sum / ROWS, 6);
  });

  it('scores a late decimal as the number it is', async () => {
    const lines = readFileSync(join(dir, 'decimals.csv'), 'utf8').trimEnd().split('\n');
    writeFileSync(join(dir, 'tail.csv'), `${[lines[0], ...lines.slice(50_001, 50_101)].join('\n')}\n`);
    for (const input of ['decimals.csv', 'tail.csv']) {
      const r = await runCli(['predict', '--model', 'forest.json', '--input', input, '--out', `${input}.scores.csv`], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
    }
    // The tail alone has decimals from its first row, so it is read as numbers: the same scores as inside the whole file.
    const whole = readFileSync(join(dir, 'decimals.csv.scores.csv'), 'utf8').trimEnd().split('\n').slice(50_001, 50_101);
    const tail = readFileSync(join(dir, 'tail.csv.scores.csv'), 'utf8').trimEnd().split('\n').slice(1);
    expect(whole).toEqual(tail);
  });

  it('refuses text past the first rows by file, column, value and line, and writes no output', async () => {
    for (const kind of ['logreg', 'forest']) {
      const r = await runCli(['predict', '--model', `${kind}.json`, '--input', 'text.csv', '--out', `text-${kind}.csv`], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/text\.csv: column "x0" holds "abc" on line 50002/);
      expect(existsSync(join(dir, `text-${kind}.csv`))).toBe(false);
    }
    for (const args of [
      ['train', '--input', 'text.csv', '--label', 'label', '--kind', 'logreg', '--out', 'text.json'],
      ['fit', '--input', 'text.csv', '--label', 'label', '--budget', '5s', '--out', 'text-fit.json'],
    ]) {
      const r = await runCli(args, { cwd: dir });
      expect(r.code, r.stdout).toBe(2);
      expect(r.stderr).toMatch(/column "x0" holds "abc" on line 50002/);
      expect(r.stderr).not.toMatch(/changed while it was read|sample_size/);
    }
  }, 120_000);

  it('refuses Infinity under logistic regression as under the other kinds', async () => {
    for (const kind of ['logreg', 'forest']) {
      const r = await runCli(['predict', '--model', `${kind}.json`, '--input', 'infinity.csv', '--out', `inf-${kind}.csv`], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/column "x0".*Infinity.*data row 50001/);
      expect(existsSync(join(dir, `inf-${kind}.csv`))).toBe(false);
    }
  });
});
