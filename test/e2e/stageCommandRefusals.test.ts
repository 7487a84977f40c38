// What the single-step data commands refuse or warn about before a wrong output could be written. `denoise` and
// `adasyn` write a `.arrow` label as 1 (positive) or 0: a label whose values are not those (text classes, or 0/1
// with --positive 0, which would swap the classes) is refused as `sample` refuses it, before any work; a positive
// class larger than the rest gets a warning (the noise filter would thin the real rare class). `train` on features
// that never vary, `sample` onto a path its own input glob matches, a text column `sample` cannot read, and a sample
// whose shards split the positives unevenly.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cliProcess.js';

let dir: string;
const run = (args: string[]) => runCli(args, { cwd: dir });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-stage-arrow-'));
  // yeast3 with 1 for its 1,321 negatives and 0 for its 163 positives: the rare class is 0.
  const yeast = readFileSync(join(process.cwd(), 'test/fixtures/yeast3.csv'), 'utf8');
  writeFileSync(join(dir, 'zero-rare.csv'), yeast.replace(/,positive$/gm, ',0').replace(/,negative$/gm, ',1'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('denoise and adasyn to .arrow', () => {
  it('refuse a label that .arrow would rewrite, writing nothing', async () => {
    for (const command of ['denoise', 'adasyn']) {
      const r = await run([command, '--input', 'zero-rare.csv', '--label', 'label', '--positive', '0', '--out', `${command}.arrow`]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        `.arrow: a .arrow file stores the label as 1 (positive) or 0 (any other class), but label column "label" holds "0", "1" with positive "0", so "0", "1" would be rewritten; write .csv or .parquet, which keep each row's label value`,
      );
      expect(existsSync(join(dir, `${command}.arrow`))).toBe(false);
    }
    const yeast = join(process.cwd(), 'test/fixtures/yeast3.csv');
    const text = await run(['denoise', '--input', yeast, '--label', 'label', '--out', 'text.arrow']);
    expect(text.code).toBe(2);
    expect(text.stderr).toContain('so "positive", "negative" would be rewritten');
  });

  it('warn when the positive class is the larger one, and write a .csv keeping the values', async () => {
    const r = await run(['denoise', '--input', 'zero-rare.csv', '--label', 'label', '--out', 'den.csv', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json<{ warnings: string[] }>().warnings[0]).toBe(
      'the positive class "1" is the larger class (1321 of 1484 rows): thresholds, gates and sampling treat the positive class as the rare one; if the rare class is "0", pass --positive "0"',
    );
    const labels = new Set(
      readFileSync(join(dir, 'den.csv'), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',').at(-1)),
    );
    expect([...labels].sort()).toEqual(['0', '1']);
  });
});

describe('other stage-command refusals', () => {
  it('train refuses a file where no feature varies, as fit does, writing no model', async () => {
    const rows = Array.from({ length: 200 }, (_, i) => `${i % 10 === 0 ? 1 : 0},1.0,2.0`);
    writeFileSync(join(dir, 'constant.csv'), ['y,a,b', ...rows, ''].join('\n'));
    const r = await run(['train', '--input', 'constant.csv', '--label', 'y', '--kind', 'forest', '--out', 'constant.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('constant.csv: every feature column holds one value on every row (a, b)');
    expect(existsSync(join(dir, 'constant.json'))).toBe(false);
  });

  it('train warns about a class of a handful of rows, as fit does', async () => {
    const yeast = readFileSync(join(process.cwd(), 'test/fixtures/yeast3.csv'), 'utf8').trim().split(/\r?\n/);
    const [header, ...rows] = yeast;
    const two = [...rows.filter((l) => l.endsWith('negative')), ...rows.filter((l) => l.endsWith('positive')).slice(0, 2)];
    writeFileSync(join(dir, 'two-positives.csv'), `${[header, ...two].join('\n')}\n`);
    const r = await run(['train', '--input', 'two-positives.csv', '--label', 'label', '--kind', 'logreg', '--out', 'two.json', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json<{ warnings: string[] }>().warnings).toContain(
      'class "positive" has only 2 rows: the model and its threshold rest on too few examples to be trusted; gather more rows of it',
    );
  });

  it('sample refuses an output its own input glob matches (a later run would read it back in)', async () => {
    writeFileSync(join(dir, 'part1.csv'), readFileSync(join(process.cwd(), 'test/fixtures/yeast3.csv')));
    const r = await run(['sample', '--input', 'part*.csv', '--label', 'label', '--target-size', '500', '--out', 'part-sample.csv']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'rareflow sample: --out part-sample.csv matches the glob given to --input (part*.csv); a later run would read this output back in as input: choose a path outside the glob for --out\n',
    );
    const elsewhere = await run(['sample', '--input', 'part*.csv', '--label', 'label', '--target-size', '500', '--out', 'sample.csv']);
    expect(elsewhere.code, elsewhere.stderr).toBe(0);
  });

  it('sample with several shards whose classes sit unevenly samples again as one shard and says so', async () => {
    // yeast3 in two CSV files (a shard each): the negatives in one, the positives with the rest in the other.
    const yeast = readFileSync(join(process.cwd(), 'test/fixtures/yeast3.csv'), 'utf8').trim().split(/\r?\n/);
    const [header, ...rows] = yeast;
    const negatives = rows.filter((l) => l.endsWith('negative'));
    const positives = rows.filter((l) => l.endsWith('positive'));
    writeFileSync(join(dir, 'split-a.csv'), `${[header, ...negatives.slice(0, 700)].join('\n')}\n`);
    writeFileSync(join(dir, 'split-b.csv'), `${[header, ...negatives.slice(700), ...positives].join('\n')}\n`);
    const r = await run([
      'sample',
      '--input',
      'split-a.csv',
      '--input',
      'split-b.csv',
      '--label',
      'label',
      '--target-size',
      '1000',
      '--nr',
      '100',
      '--shards',
      '2',
      '--out',
      'two.parquet',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    // Two shards kept 50 positives of the 163 in split-b (their share of Nr = 100) and 500 rows of split-a: the
    // input holds what the targets ask for, and one shard over both files keeps it.
    const j = r.json<{ warnings: string[]; positives: number; negatives: number; shards: number }>();
    expect(j.positives).toBe(100);
    expect(j.positives + j.negatives).toBe(1000);
    expect(j.shards).toBe(1);
    expect(j.warnings[0]).toMatch(
      /^the 2 shards kept 50 of the \d+ positives they met \(each keeps at most its share of the targets, and the classes sit unevenly across them\): sampled again as one shard over all the input$/,
    );
  });

  it('sample names what it can do with a text column (it has no exclude or categorical flag)', async () => {
    writeFileSync(
      join(dir, 'text.csv'),
      ['a,kind,label', ...Array.from({ length: 40 }, (_, i) => `${i},k${i % 3},${i % 8 === 0 ? 1 : 0}`), ''].join('\n'),
    );
    const r = await run(['sample', '--input', 'text.csv', '--label', 'label', '--target-size', '30', '--out', 's.csv']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'expected a number; rareflow sample reads numeric feature columns only: write the input without "kind", or sample it in a pipeline run, whose spec leaves it out with input.exclude or learns its categories with input.categorical',
    );
  });
});
