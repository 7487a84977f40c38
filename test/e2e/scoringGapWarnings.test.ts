// Cells that predict and evaluate score with a stand-in are counted and said: a missing number scored as the
// model's training fill, a categorical cell with no category scored as none of its categories; and a column of
// true/false where the model learnt a number.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cliProcess.js';
import { sqlString, withDuckDB } from '../../data/duckdbConnection.js';

describe('cells scored with a stand-in', () => {
  let dir: string;
  const rows = (cell: (i: number) => string) =>
    [
      'a,color,label',
      ...Array.from({ length: 200 }, (_, i) => `${cell(i)},${['red', 'blue', 'green'][i % 3]},${i % 10 === 0 ? 1 : 0}`),
    ].join('\n');
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rareflow-gaps-'));
    writeFileSync(join(dir, 'train.csv'), `${rows((i) => String((i * 7) % 13))}\n`);
    // Three rows without a number, two without a category.
    writeFileSync(
      join(dir, 'score.csv'),
      `${rows((i) => (i < 3 ? '' : String((i * 7) % 13)))
        .split('\n')
        .map((line, i) => (i === 10 || i === 11 ? line.replace(/,(red|blue|green),/, ',,') : line))
        .join('\n')}\n`,
    );
    const r = await runCli(
      [
        'train',
        '--input',
        'train.csv',
        '--label',
        'label',
        '--kind',
        'logreg',
        '--categorical',
        'color',
        '--missing',
        'median',
        '--out',
        'm.json',
      ],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(0);
  }, 60_000);

  it('predict and evaluate count them per column', async () => {
    const runs = [
      await runCli(['predict', '--model', 'm.json', '--input', 'score.csv', '--out', 'p.csv', '--json'], { cwd: dir }),
      await runCli(['evaluate', '--model', 'm.json', '--input', 'score.csv', '--label', 'label', '--json'], { cwd: dir }),
    ];
    for (const r of runs) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.json<{ warnings: string[] }>().warnings).toEqual([
        expect.stringMatching(
          /^column "a" of score\.csv: 3 of 200 rows have no value .*; they score with the model's fill [-\d.e]+ \(the median of its training rows\)$/,
        ),
        expect.stringMatching(/^column "color" of score\.csv: 2 of 200 rows have no category .*; they score as none of its categories$/),
      ]);
    }
    const clean = await runCli(['predict', '--model', 'm.json', '--input', 'train.csv', '--out', 'clean.csv', '--json'], { cwd: dir });
    expect(clean.json()).not.toHaveProperty('warnings');
    // A CSV column empty on every row reads as text: for a model with a fill, every cell is a gap, scored as the fill
    // exactly as a file that writes NaN in each.
    writeFileSync(join(dir, 'empty-a.csv'), `${rows(() => '')}\n`);
    writeFileSync(join(dir, 'nan-a.csv'), `${rows(() => 'NaN')}\n`);
    const empty = await runCli(['predict', '--model', 'm.json', '--input', 'empty-a.csv', '--out', 'e.csv', '--json'], { cwd: dir });
    expect(empty.code, empty.stderr).toBe(0);
    expect(empty.json<{ warnings: string[] }>().warnings).toEqual([
      expect.stringMatching(/^column "a" of empty-a\.csv: 200 of 200 rows have no value /),
    ]);
    await runCli(['predict', '--model', 'm.json', '--input', 'nan-a.csv', '--out', 'n.csv'], { cwd: dir });
    expect(readFileSync(join(dir, 'e.csv'), 'utf8')).toBe(readFileSync(join(dir, 'n.csv'), 'utf8'));
    // A Parquet file holds an empty category as "" (not null): one warning, no category, not also an unseen value "".
    await withDuckDB((c) =>
      c.run(
        `COPY (SELECT a, CASE WHEN color = 'red' THEN '' ELSE color END AS color FROM read_csv(${sqlString(join(dir, 'train.csv'))})) TO ${sqlString(join(dir, 'blank.parquet'))} (FORMAT parquet)`,
      ),
    );
    const blank = await runCli(['predict', '--model', 'm.json', '--input', 'blank.parquet', '--out', 'b.csv', '--json'], { cwd: dir });
    expect(blank.json<{ warnings: string[] }>().warnings).toEqual([
      expect.stringMatching(/^column "color" of blank\.parquet: 67 of 200 rows have no category /),
    ]);
  });

  it('says when a column the model learnt as a number holds true/false, and not when it learnt true/false', async () => {
    const flags = (i: number) => (i % 2 === 0 ? 'true' : 'false');
    writeFileSync(join(dir, 'flags.csv'), `${rows(flags)}\n`);
    const numeric = await runCli(['predict', '--model', 'm.json', '--input', 'flags.csv', '--out', 'f.csv', '--json'], { cwd: dir });
    expect(numeric.code, numeric.stderr).toBe(0);
    expect(numeric.json<{ warnings: string[] }>().warnings).toEqual([
      expect.stringMatching(
        /^column "a" of flags\.csv holds true\/false values, read as 1\/0, but the model did not learn it as a true\/false column/,
      ),
    ]);
    const trained = await runCli(
      ['train', '--input', 'flags.csv', '--label', 'label', '--kind', 'logreg', '--categorical', 'color', '--out', 'b.json'],
      {
        cwd: dir,
      },
    );
    expect(trained.code, trained.stderr).toBe(0);
    const same = await runCli(['predict', '--model', 'b.json', '--input', 'flags.csv', '--out', 'g.csv', '--json'], { cwd: dir });
    expect(same.json()).not.toHaveProperty('warnings');
  });

  it('matches categories learnt from whole numbers in a scoring column that one decimal makes read as numbers', async () => {
    const coded = [
      'a,code,label',
      ...Array.from({ length: 300 }, (_, i) => `${(i * 7) % 13},${1 + (i % 3)},${i % 3 === 2 && i % 2 === 0 ? 1 : 0}`),
    ];
    writeFileSync(join(dir, 'coded.csv'), `${coded.join('\n')}\n`);
    const trained = await runCli(
      ['train', '--input', 'coded.csv', '--label', 'label', '--kind', 'logreg', '--categorical', 'code', '--out', 'c.json'],
      {
        cwd: dir,
      },
    );
    expect(trained.code, trained.stderr).toBe(0);
    writeFileSync(join(dir, 'whole.csv'), 'a,code\n4,1\n4,2\n4,3\n');
    writeFileSync(join(dir, 'decimal.csv'), 'a,code\n4,1\n4,2\n4,3\n4,2.5\n');
    const whole = await runCli(['predict', '--model', 'c.json', '--input', 'whole.csv', '--out', 'whole-scores.csv'], { cwd: dir });
    const decimal = await runCli(['predict', '--model', 'c.json', '--input', 'decimal.csv', '--out', 'decimal-scores.csv', '--json'], {
      cwd: dir,
    });
    expect(whole.code, whole.stderr).toBe(0);
    expect(decimal.code, decimal.stderr).toBe(0);
    const scores = (file: string) => readFileSync(join(dir, file), 'utf8').trim().split('\n').slice(1);
    expect(scores('decimal-scores.csv').slice(0, 3)).toEqual(scores('whole-scores.csv'));
    expect(decimal.json<{ warnings: string[] }>().warnings).toEqual([
      expect.stringMatching(/^column "code" of decimal\.csv: 1 of 4 rows holds a value the model never saw in training \(such as "2\.5"\)/),
    ]);
  });
});
