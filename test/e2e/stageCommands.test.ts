// The stage commands as a user runs them: a process per command, one JSON object on stdout, exit codes 0/1/2,
// and the bad-input matrix (one clear line on stderr, exit 2, no output file).

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cliProcess.js';
import { featureMatrix } from '../../core/dataset.js';
import { writeDatasetArrow } from '../../data/arrowDataset.js';

let dir: string;
const run = (args: string[]) => runCli(args, { cwd: dir });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-cli-'));
  const g = await run([
    'generate',
    '--rows',
    '60000',
    '--positive-rate',
    '0.01',
    '--features',
    '6',
    '--seed',
    '5',
    '--out',
    'raw.parquet',
    '--json',
  ]);
  expect(g.code).toBe(0);
  writeFileSync(join(dir, 'one-class.csv'), 'a,b,label\n1,2,0\n3,4,0\n5,6,0\n');
  writeFileSync(join(dir, 'text.csv'), 'a,b,label\n1,x,0\n3,y,1\n5,z,0\n');
  writeFileSync(join(dir, 'empty.csv'), 'a,b,label\n1,2,0\n3,,1\n5,6,0\n');
  writeFileSync(join(dir, 'nan.csv'), 'a,b,label\n1,2,0\n3,4,1\n5,NaN,0\n');
  writeFileSync(join(dir, 'tiny.csv'), 'a,b,label\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n9,1,0\n2,2,0\n');
  writeFileSync(join(dir, 'constant.csv'), 'a,b,label\n1,5,0\n3,5,1\n5,5,0\n7,5,1\n9,5,0\n2,5,0\n');
  writeFileSync(join(dir, 'not-parquet.parquet'), 'this is not a parquet file\n');
  writeFileSync(join(dir, 'strict-gates.json'), JSON.stringify({ gates: [{ metric: 'precision', class: 'positive', min: 0.999 }] }));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('stage commands, chained on generated data', () => {
  it('generate writes the rows and positives it reports, reproducibly by seed', async () => {
    const a = await run([
      'generate',
      '--rows',
      '5000',
      '--positive-rate',
      '0.02',
      '--features',
      '3',
      '--seed',
      '9',
      '--out',
      'a.csv',
      '--json',
    ]);
    const b = await run([
      'generate',
      '--rows',
      '5000',
      '--positive-rate',
      '0.02',
      '--features',
      '3',
      '--seed',
      '9',
      '--out',
      'b.csv',
      '--json',
    ]);
    expect(a.code).toBe(0);
    expect(a.json().rows).toBe(5000);
    expect(a.json().positives).toBe(b.json().positives);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(join(dir, 'a.csv'), 'utf8')).toBe(readFileSync(join(dir, 'b.csv'), 'utf8'));
  });

  it('sample keeps Nr = 50·M positives, stops early and prints exactly its stats', async () => {
    const r = await run([
      'sample',
      '--input',
      'raw.parquet',
      '--label',
      'label',
      '--target-size',
      '3000',
      '--out',
      'sample.parquet',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const s = r.json<{
      positives: number;
      negatives: number;
      scannedRows: number;
      totalRows: number;
      earlyStop: boolean;
      shards: number;
      order: { mode: string };
      warnings: string[];
    }>();
    expect(Object.keys(s).sort()).toEqual([
      'earlyStop',
      'negatives',
      'order',
      'positives',
      'scannedRows',
      'seconds',
      'shards',
      'totalRows',
      'warnings',
    ]);
    expect(s.order.mode).toBe('sequential'); // generated rows are in random order
    expect(s.positives).toBe(350);
    expect(s.negatives).toBe(2650);
    expect(s.totalRows).toBe(60000);
    expect(s.earlyStop).toBe(true);
    expect(s.scannedRows).toBeLessThan(1.3 * (350 / 0.01));
    expect(s.warnings).toEqual([]);
  });

  it('sample splits Parquet rows into shards, each with N/S and Nr/S', async () => {
    const r = await run([
      'sample',
      '--input',
      'raw.parquet',
      '--label',
      'label',
      '--target-size',
      '3000',
      '--shards',
      '3',
      '--out',
      'sharded.parquet',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const s = r.json<{ positives: number; negatives: number; shards: number }>();
    expect(s.shards).toBe(3);
    expect(s.positives + s.negatives).toBe(3000);
    expect(s.positives).toBe(350);
  });

  it('sample on an input smaller than its target says so once, as information, not as a warning per shard', async () => {
    const r = await run([
      'sample',
      '--input',
      'raw.parquet',
      '--label',
      'label',
      '--target-size',
      '100000',
      '--shards',
      '3',
      '--out',
      'whole.parquet',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const s = r.json<{
      information: string;
      warnings: string[];
      totalRows: number;
      positives: number;
      negatives: number;
      shards: number;
    }>();
    // The sample has room for every row, so Nr is every positive of the input, not 350 by the one-in-50 rule. Each of
    // the 3 shards keeps at most its third of them, so one with more dropped some: the sample is taken again as one
    // shard, which keeps every row, and that is the one warning.
    expect(s.warnings).toHaveLength(1);
    expect(s.warnings[0]).toMatch(/^the 3 shards kept \d+ of the \d+ positives they met .*sampled again as one shard over all the input$/);
    expect(s.shards).toBe(1);
    const said =
      /^the input has 60000 rows, fewer than the sampling target of 100000: the data ran out before the target, so the sample holds (\d+) of them \((\d+) positives\)$/.exec(
        s.information,
      );
    expect(said, s.information).not.toBeNull();
    expect(Number(said![1])).toBe(60000);
    expect(Number(said![2])).toBe(s.positives);
    expect(s.positives).toBeGreaterThan(350);
    expect(s.positives + s.negatives).toBe(60000);
  });

  it('sample defines positives by a SQL predicate, and warns (not fails) on an absent positive value', async () => {
    const r = await run([
      'sample',
      '--input',
      'raw.parquet',
      '--label',
      'big_f0',
      '--positive-when',
      'f0 > 2.5',
      '--target-size',
      '2000',
      '--nr',
      '100',
      '--out',
      'pred.csv',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json().positives).toBe(100);
    const absent = await run([
      'sample',
      '--input',
      'raw.parquet',
      '--label',
      'label',
      '--positive',
      '7',
      '--target-size',
      '500',
      '--nr',
      '10',
      '--out',
      'absent.csv',
      '--json',
    ]);
    expect(absent.code, absent.stderr).toBe(0);
    expect(absent.json().positives).toBe(0);
    expect((absent.json().warnings as string[]).join(' ')).toMatch(/no row with the positive value "7"/);
  });

  it('denoise, adasyn, train and evaluate chain through files and report what they did', async () => {
    const d = await run(['denoise', '--input', 'sample.parquet', '--label', 'label', '--out', 'clean.parquet', '--json']);
    expect(d.code).toBe(0);
    expect(d.json().removedPositives).toBe(0);
    expect(d.json().rowsOut).toBe(3000 - (d.json().removedNegatives as number));
    const a = await run(['adasyn', '--input', 'clean.parquet', '--label', 'label', '--out', 'augmented.parquet', '--json']);
    expect(a.code).toBe(0);
    expect(a.json().rowsOut).toBe((a.json().rowsIn as number) + (a.json().syntheticRows as number));
    const t = await run(['train', '--input', 'augmented.parquet', '--label', 'label', '--kind', 'logreg', '--out', 'model.json', '--json']);
    expect(t.code).toBe(0);
    expect(t.json().sha256).toMatch(/^[0-9a-f]{64}$/);
    const e = await run(['evaluate', '--model', 'model.json', '--input', 'raw.parquet', '--label', 'label', '--json']);
    expect(e.code).toBe(0);
    const report = e.json<{ report: { perClass: { positive: { recall: number } }; gMean: number } }>().report;
    expect(report.perClass.positive.recall).toBeGreaterThan(0.6);
    expect(report.gMean).toBeGreaterThan(0.7);
    // adasyn's output holds made-up rows: figures on it would judge the model on them, so it is refused.
    const synthetic = await run(['evaluate', '--model', 'model.json', '--input', 'augmented.parquet', '--label', 'label', '--json']);
    expect(synthetic.code).toBe(2);
    expect(synthetic.stderr).toContain(
      `rareflow evaluate: --input augmented.parquet holds ${a.json().syntheticRows} synthetic rows (its _synthetic column is true on them: rareflow adasyn wrote it)`,
    );
    expect(synthetic.stdout).toBe('');
  });

  it('evaluate reads a rareflow Arrow dataset (0/1 labels, 1 the positive) for a model of a text label', async () => {
    const rows = Array.from(
      { length: 400 },
      (_, i) => `${(i % 23) / 4 + (i % 10 === 0 ? 3 : 0)},${i % 7},${i % 10 === 0 ? 'fraud' : 'ok'}`,
    );
    writeFileSync(join(dir, 'text-label.csv'), ['a,b,label', ...rows].join('\n'));
    const t = await run(['train', '--input', 'text-label.csv', '--label', 'label', '--kind', 'logreg', '--out', 'text-model.json']);
    expect(t.code, t.stderr).toBe(0);
    // As a run writes its test split: the features as doubles, the label 1 for "fraud".
    const x = new Float64Array(300 * 2);
    const y = new Uint8Array(300);
    for (let i = 0; i < 300; i++) {
      y[i] = i % 10 === 0 ? 1 : 0;
      x[i * 2] = (i % 23) / 4 + (y[i] ? 3 : 0);
      x[i * 2 + 1] = i % 7;
    }
    await writeDatasetArrow(join(dir, 'text.arrow'), {
      data: { x: featureMatrix(300, 2, x), y },
      featureNames: ['a', 'b'],
      labelName: 'label',
    });
    const onArrow = await run(['evaluate', '--model', 'text-model.json', '--input', 'text.arrow', '--label', 'label', '--json']);
    expect(onArrow.code, onArrow.stderr).toBe(0);
    expect(onArrow.json<{ report: { support: { positive: number } } }>().report.support.positive).toBe(30);
  });

  it('denoise reports minority types; renn and tomek run as alternatives; adasyn reports quota and distance stats', async () => {
    for (const method of ['enn', 'renn', 'tomek', 'confident']) {
      const d = await run([
        'denoise',
        '--input',
        'sample.parquet',
        '--label',
        'label',
        '--method',
        method,
        '--out',
        `clean-${method}.parquet`,
        '--json',
      ]);
      expect(d.code, d.stderr).toBe(0);
      const types = d.json<{ minorityTypes: Record<string, number> }>().minorityTypes;
      expect(types.safe + types.borderline + types.rare + types.outlier).toBe(350);
    }
    const a = await run([
      'adasyn',
      '--input',
      'clean.parquet',
      '--label',
      'label',
      '--exact',
      '--max-synthetic-ratio',
      '0.1',
      '--out',
      'quota.parquet',
      '--json',
    ]);
    expect(a.code, a.stderr).toBe(0);
    const j = a.json<{
      syntheticRows: number;
      rowsIn: number;
      quota: string;
      requestedRows: number;
      syntheticPerInputRow: number;
      syntheticShareOfOutput: number;
      warnings: string[];
      neighbors: string;
      neighbourDistance: { min: number; max: number };
      neighbourDistanceUnits: string;
    }>();
    expect(j.neighbors).toBe('exact');
    expect(j.syntheticRows).toBe(Math.floor(0.1 * j.rowsIn));
    expect(j.quota).toMatch(/quota/i);
    // The cap is synthetic rows per input row, read back under that name; the cut is a warning.
    expect(j.syntheticPerInputRow).toBeCloseTo(j.syntheticRows / j.rowsIn, 12);
    expect(j.syntheticShareOfOutput).toBeCloseTo(j.syntheticRows / (j.rowsIn + j.syntheticRows), 12);
    expect(j.warnings).toContain(`${j.syntheticRows} synthetic rows made where ADASYN asked for ${j.requestedRows}: ${j.quota}`);
    expect(j.neighbourDistance.max).toBeGreaterThan(j.neighbourDistance.min);
    expect(j.neighbourDistanceUnits).toBe('the features as the file holds them');
  });

  it("adasyn says when rounding each positive row's share made more rows than it asked for", async () => {
    const g = await run(['generate', '--rows', '400', '--positive-rate', '0.08', '--features', '3', '--seed', '4', '--out', 'round.csv']);
    expect(g.code, g.stderr).toBe(0);
    const a = await run(['adasyn', '--input', 'round.csv', '--label', 'label', '--out', 'round-out.csv', '--json']);
    expect(a.code, a.stderr).toBe(0);
    const j = a.json<{ requestedRows: number; syntheticRows: number; positives: number; negatives: number; warnings?: string[] }>();
    expect(j.syntheticRows).toBeGreaterThan(j.requestedRows);
    expect(j.warnings).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^${j.syntheticRows} synthetic rows made where ADASYN asked for ${j.requestedRows}: each positive row's share is rounded`,
        ),
      ),
    );
  });

  it("carries a sample_weight column through denoise and adasyn; synthetic rows take their seed row's weight", async () => {
    const lines = ['a,b,sample_weight,label'];
    for (let i = 0; i < 60; i++) {
      const positive = i % 6 === 0;
      lines.push(`${(positive ? 3 : 0) + (i % 7) / 7},${(positive ? 3 : 0) + (i % 5) / 5},${positive ? 10 + i : 1},${positive ? 1 : 0}`);
    }
    writeFileSync(join(dir, 'weighted.csv'), `${lines.join('\n')}\n`);
    const d = await run(['denoise', '--input', 'weighted.csv', '--label', 'label', '--out', 'weighted-clean.csv', '--json']);
    expect(d.code, d.stderr).toBe(0);
    expect(d.json().sampleWeight).toBe('carried');
    const a = await run(['adasyn', '--input', 'weighted-clean.csv', '--label', 'label', '--k', '3', '--out', 'weighted-aug.csv', '--json']);
    expect(a.code, a.stderr).toBe(0);
    const { readFileSync } = await import('node:fs');
    const [header, ...rows] = readFileSync(join(dir, 'weighted-aug.csv'), 'utf8').trim().split('\n');
    expect(header).toBe('a,b,sample_weight,label,_synthetic,_seed_row,_neighbor_row,_gap');
    const positiveWeights = new Set([0, 6, 12, 18, 24, 30, 36, 42, 48, 54].map((i) => 10 + i));
    const synthetic = rows.slice(a.json<{ rowsIn: number }>().rowsIn);
    expect(synthetic.length).toBe(a.json<{ syntheticRows: number }>().syntheticRows);
    // Every synthetic row is a positive whose weight is one of the positive seed rows' weights.
    for (const row of synthetic) {
      const [, , w, label] = row.split(',');
      expect(label).toBe('1');
      expect(positiveWeights.has(Number(w))).toBe(true);
    }
  });

  it('sample and train take sample_weight as a weight, never a feature', async () => {
    const s = await run([
      'sample',
      '--input',
      'weighted.csv',
      '--label',
      'label',
      '--target-size',
      '40',
      '--nr',
      '5',
      '--out',
      'weighted-sample.csv',
      '--json',
    ]);
    expect(s.code, s.stderr).toBe(0);
    const { readFileSync } = await import('node:fs');
    const [header, ...rows] = readFileSync(join(dir, 'weighted-sample.csv'), 'utf8').trim().split('\n');
    expect(header).toBe('a,b,sample_weight,label');
    // Each kept row keeps its own weight: positives weigh 10 + i (above 9), negatives 1.
    for (const row of rows) {
      const [, , w, label] = row.split(',');
      expect(label === '1' ? Number(w) >= 10 : Number(w) === 1).toBe(true);
    }
    const t = await run([
      'train',
      '--input',
      'weighted.csv',
      '--label',
      'label',
      '--kind',
      'logreg',
      '--out',
      'weighted-model.json',
      '--json',
    ]);
    expect(t.code, t.stderr).toBe(0);
    expect(t.json().sampleWeight).toBe('sample_weight');
    expect(JSON.parse(readFileSync(join(dir, 'weighted-model.json'), 'utf8')).featureNames).toEqual(['a', 'b']);
  });

  it('adasyn with the IVF index reports the lists probed and its estimated neighbour recall', async () => {
    const a = await run(['adasyn', '--input', 'raw.parquet', '--label', 'label', '--neighbors', 'ivf', '--out', 'ivf-aug.arrow', '--json']);
    expect(a.code, a.stderr).toBe(0);
    const j = a.json<{ neighbors: string; neighbourSearch: { probes: number; estimatedRecall: number; scannedShare: number } }>();
    expect(j.neighbors).toBe('ivf');
    expect(j.neighbourSearch.probes).toBeGreaterThan(0);
    expect(j.neighbourSearch.estimatedRecall).toBeGreaterThanOrEqual(0.965);
    expect(j.neighbourSearch.scannedShare).toBeGreaterThan(0);
    expect(j.neighbourSearch.scannedShare).toBeLessThanOrEqual(1);
  });

  it('adasyn keeps one category per synthetic row for a --categorical column, written back as that column', async () => {
    const lines = ['a,channel,label'];
    for (let i = 0; i < 90; i++) {
      const positive = i % 6 === 0;
      lines.push(`${(positive ? 1 : 0) + (i % 7) / 5},${['web', 'app', 'shop'][(i * 7) % 3]},${positive ? 1 : 0}`);
    }
    writeFileSync(join(dir, 'channels.csv'), `${lines.join('\n')}\n`);
    const a = await run([
      'adasyn',
      '--input',
      'channels.csv',
      '--label',
      'label',
      '--k',
      '3',
      '--categorical',
      'channel',
      '--out',
      'channels-aug.csv',
      '--json',
    ]);
    expect(a.code, a.stderr).toBe(0);
    const { syntheticRows, rowsIn } = a.json<{ syntheticRows: number; rowsIn: number }>();
    expect(syntheticRows).toBeGreaterThan(0);
    const { readFileSync } = await import('node:fs');
    const [header, ...rows] = readFileSync(join(dir, 'channels-aug.csv'), 'utf8').trim().split('\n');
    // The output reads like the input: one channel column of its words, not the one-hot features.
    expect(header).toBe('a,channel,label,_synthetic,_seed_row,_neighbor_row,_gap');
    expect(rows.slice(0, rowsIn).map((r) => r.split(',')[1])).toEqual(lines.slice(1).map((l) => l.split(',')[1]));
    for (const row of rows.slice(rowsIn)) expect(['web', 'app', 'shop']).toContain(row.split(',')[1]);
    // So the next step reads it with the same flag; the noise filter writes it back the same way.
    const d = await run([
      'denoise',
      '--input',
      'channels-aug.csv',
      '--label',
      'label',
      '--categorical',
      'channel',
      '--out',
      'channels-den.parquet',
    ]);
    expect(d.code, d.stderr).toBe(0);
    const t = await run([
      'train',
      '--input',
      'channels-den.parquet',
      '--label',
      'label',
      '--categorical',
      'channel',
      '--kind',
      'logreg',
      '--out',
      'channels.json',
    ]);
    expect(t.code, t.stderr).toBe(0);
    // Arrow files hold numbers only: there the one-hot features stay.
    const arrow = await run([
      'adasyn',
      '--input',
      'channels.csv',
      '--label',
      'label',
      '--categorical',
      'channel',
      '--out',
      'channels-aug.arrow',
    ]);
    expect(arrow.code, arrow.stderr).toBe(0);
    const fromArrow = await run(['train', '--input', 'channels-aug.arrow', '--label', 'label', '--kind', 'logreg', '--out', 'arrow.json']);
    expect(fromArrow.code, fromArrow.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'arrow.json'), 'utf8')).featureNames).toContain('channel=web');
  });

  it('evaluate exits 1 when gates from a file fail', async () => {
    const e = await run([
      'evaluate',
      '--model',
      'model.json',
      '--input',
      'raw.parquet',
      '--label',
      'label',
      '--gates',
      'strict-gates.json',
      '--json',
    ]);
    expect(e.code).toBe(1);
    expect(e.json().verdict).toBe('fail');
  });
});

describe('bad input: one line on stderr, exit 2, no output file', () => {
  const cases: Array<[string, string[], RegExp]> = [
    [
      'a missing file',
      ['denoise', '--input', 'missing.csv', '--label', 'label', '--out', 'o1.csv'],
      /input file missing\.csv does not exist/,
    ],
    [
      'an unknown label column',
      ['denoise', '--input', 'raw.parquet', '--label', 'is_fraud', '--out', 'o2.csv'],
      /label column "is_fraud" not found.*available columns: f0/,
    ],
    ['a label with one class', ['denoise', '--input', 'one-class.csv', '--label', 'label', '--out', 'o3.csv'], /only one class \(0\)/],
    [
      'a non-numeric feature not declared categorical',
      ['denoise', '--input', 'text.csv', '--label', 'label', '--out', 'o4.csv'],
      /feature column "b".*VARCHAR.*--categorical b/,
    ],
    [
      'an empty value',
      ['denoise', '--input', 'empty.csv', '--label', 'label', '--out', 'o5.csv'],
      /feature column "b".*empty or null value at data row 2/,
    ],
    ['a NaN value', ['denoise', '--input', 'nan.csv', '--label', 'label', '--out', 'o6.csv'], /feature column "b".*NaN at data row 3/],
    [
      'a target size below 1',
      ['sample', '--input', 'raw.parquet', '--label', 'label', '--target-size', '0', '--out', 'o7.parquet'],
      /--target-size: expected an integer ≥ 1, got "0"/,
    ],
    [
      'k at the number of minority rows',
      ['adasyn', '--input', 'tiny.csv', '--label', 'label', '--k', '2', '--out', 'o8.csv'],
      /below the number of minority rows \(2\); got k=2/,
    ],
    ['a beta above 1', ['adasyn', '--input', 'raw.parquet', '--label', 'label', '--beta', '1.5', '--out', 'o16.csv'], /β|beta/],
    [
      'a constant feature column',
      ['adasyn', '--input', 'constant.csv', '--label', 'label', '--k', '1', '--out', 'o17.csv'],
      /feature column 1: expected a feature that varies/,
    ],
    [
      'an output directory that does not exist',
      ['sample', '--input', 'raw.parquet', '--label', 'label', '--target-size', '10', '--out', 'no/such/dir/o9.parquet'],
      /--out: the directory .* does not exist/,
    ],
    [
      'a target size below Nr',
      ['sample', '--input', 'raw.parquet', '--label', 'label', '--target-size', '100', '--out', 'o11.parquet'],
      /--target-size 100 is below Nr = 350 positives/,
    ],
    [
      'a predicate naming an unknown column',
      [
        'sample',
        '--input',
        'raw.parquet',
        '--label',
        'label',
        '--positive-when',
        'revenue >= 100',
        '--target-size',
        '100',
        '--nr',
        '5',
        '--out',
        'o12.parquet',
      ],
      /--positive-when "revenue >= 100" is not a usable predicate.*revenue/,
    ],
    [
      'a predicate that does not parse',
      [
        'sample',
        '--input',
        'raw.parquet',
        '--label',
        'label',
        '--positive-when',
        'f0 >>> (',
        '--target-size',
        '100',
        '--nr',
        '5',
        '--out',
        'o13.parquet',
      ],
      /--positive-when "f0 >>> \(" is not a usable predicate/,
    ],
    [
      'more shards than CSV files',
      ['sample', '--input', 'tiny.csv', '--label', 'label', '--target-size', '4', '--nr', '2', '--shards', '2', '--out', 'o14.csv'],
      /--shards 2 is more than the 1 CSV files/,
    ],
    [
      'an unreadable file',
      ['sample', '--input', 'not-parquet.parquet', '--label', 'label', '--target-size', '10', '--out', 'o15.parquet'],
      /not-parquet\.parquet/,
    ],
    [
      'an unknown flag',
      ['sample', '--input', 'raw.parquet', '--label', 'label', '--target-size', '10', '--frobnicate', '--out', 'o10.parquet'],
      /unknown flag '--frobnicate'/,
    ],
  ];
  for (const [what, args, message] of cases) {
    it(`rejects ${what}`, async () => {
      const r = await run(args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(join(dir, args[args.indexOf('--out') + 1]!))).toBe(false);
    });
  }
});
