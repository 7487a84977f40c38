// `rareflow fit` then `rareflow predict` as a user runs them, on a real dataset (yeast3) and on a file with a
// categorical column: round trip, CSV/Parquet parity, input order, unseen categories, and the bad-input cases.

import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withDuckDB } from '../../data/duckdbConnection.js';
import { runCli } from '../support/cliProcess.js';

let dir: string;
const run = (args: string[]) => runCli(args, { cwd: dir });
const yeast = join(process.cwd(), 'test/fixtures/yeast3.csv');

function csvColumn(path: string, column: string): string[] {
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split(/\r?\n/);
  const at = header!.split(',').indexOf(column);
  return lines.map((l) => l.split(',')[at]!);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-fit-'));
  // The same rows as Parquet, with an id column, to check CSV/Parquet parity and id pass-through.
  await withDuckDB((c) =>
    c.run(`COPY (SELECT row_number() OVER () AS row_id, * FROM read_csv('${yeast}')) TO '${join(dir, 'yeast3.parquet')}' (FORMAT parquet)`),
  );
  const lines = ['amount,channel,label'];
  for (let i = 0; i < 400; i++) {
    const positive = i % 10 === 0;
    lines.push(
      `${(positive ? 3 : 0) + ((i * 37) % 17) / 10},${positive ? (i % 20 === 0 ? 'web' : 'app') : ['web', 'app', 'shop'][i % 3]},${positive ? 1 : 0}`,
    );
  }
  writeFileSync(join(dir, 'channels.csv'), `${lines.join('\n')}\n`);
  // Overlapping classes with a sample_weight column (1 or 2) before the label.
  const weighted = ['amount,channel,sample_weight,label'];
  for (let i = 0; i < 400; i++) {
    const positive = i % 10 === 0;
    weighted.push(`${(positive ? 1.5 : 0) + ((i * 37) % 17) / 6},${['web', 'app', 'shop'][i % 3]},${1 + (i % 2)},${positive ? 1 : 0}`);
  }
  writeFileSync(join(dir, 'channels-weighted.csv'), `${weighted.join('\n')}\n`);
  writeFileSync(join(dir, 'channels-unweighted.csv'), `${weighted.map((l) => l.replace(/,[^,]+(,[^,]+)$/, '$1')).join('\n')}\n`);
  writeFileSync(join(dir, 'channels-new.csv'), 'amount,channel\n3.1,kiosk\n0.2,web\n');
  writeFileSync(join(dir, 'one-class.csv'), 'a,label\n1,0\n2,0\n3,0\n');
  writeFileSync(join(dir, 'text-amount.csv'), 'amount,channel\n3.1,web\nabc,web\n');
  writeFileSync(join(dir, 'empty-amount.csv'), 'amount,channel\n,web\n,app\n');
  const [yeastHeader, ...yeastRows] = readFileSync(yeast, 'utf8').trim().split('\n');
  writeFileSync(join(dir, 'yeast-empty-mcg.csv'), [yeastHeader, ...yeastRows.map((r) => r.replace(/^[^,]*/, ''))].join('\n'));
  writeFileSync(join(dir, 'not-a-model.json'), '{"hello": 1}');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fit and predict', () => {
  it('fit reports each stage and writes a sealed model; predict scores every row in input order', async () => {
    // The balanced random forest (auto may choose a vote, which has no out-of-bag scores of its own).
    const f = await run(['fit', '--input', yeast, '--label', 'label', '--kind', 'forest', '--out', 'yeast.json', '--json']);
    expect(f.code, f.stderr).toBe(0);
    const fit = f.json<{ sha256: string; stages: Array<{ stage: string }>; positiveLabel: string }>();
    // No noise filter, no ADASYN by default (see client/pipelineSpec.ts).
    expect(fit.stages.map((s) => s.stage)).toEqual(['read', 'train']);
    expect(fit.positiveLabel).toBe('positive');
    // The forest's out-of-bag scores of its training rows, at the model's threshold.
    const trained = (fit.stages[1] as { outOfBag?: { rows: number; gMean: number; prAuc: number; threshold: number } }).outOfBag!;
    expect(trained.rows).toBeGreaterThan(1400);
    expect(trained.gMean).toBeGreaterThan(0.7);
    expect(trained.prAuc).toBeGreaterThan(0.4);
    expect(JSON.parse(readFileSync(join(dir, 'yeast.json'), 'utf8')).training.outOfBag).toEqual(trained);
    const p = await run(['predict', '--model', 'yeast.json', '--input', yeast, '--out', 'pred.csv', '--json']);
    expect(p.code, p.stderr).toBe(0);
    expect(p.json().rows).toBe(1484);
    const scores = csvColumn(join(dir, 'pred.csv'), 'score').map(Number);
    const preds = csvColumn(join(dir, 'pred.csv'), 'pred');
    expect(scores).toHaveLength(1484);
    const labels = csvColumn(yeast, 'label');
    // In input order: positives score higher on average than negatives, and pred follows the threshold.
    const mean = (want: string) =>
      scores.filter((_, i) => labels[i] === want).reduce((a, b) => a + b, 0) / labels.filter((l) => l === want).length;
    expect(mean('positive')).toBeGreaterThan(mean('negative') + 0.3);
    const threshold = JSON.parse(readFileSync(join(dir, 'yeast.json'), 'utf8')).threshold as number;
    // pred is the class value as the label column spells it.
    expect(preds.every((v, i) => v === (scores[i]! >= threshold ? 'positive' : 'negative'))).toBe(true);
  });

  it('runs the stages a config turns on: ENN, ADASYN and logistic regression', async () => {
    writeFileSync(
      join(dir, 'stages.json'),
      JSON.stringify({ denoise: { method: 'enn' }, adasyn: { enabled: true }, model: { kind: 'logreg', threshold: 'prevalence' } }),
    );
    const f = await run(['fit', '--input', yeast, '--label', 'label', '--config', 'stages.json', '--out', 'yeast-lr.json', '--json']);
    expect(f.code, f.stderr).toBe(0);
    const fit = f.json<{ stages: Array<{ stage: string; removedPositives?: number; syntheticRows?: number }>; model: string }>();
    expect(fit.model).toBe('logreg');
    expect(fit.stages.map((s) => s.stage)).toEqual(['read', 'enn', 'adasyn', 'train']);
    expect(fit.stages[1]!.removedPositives).toBe(0);
    expect(fit.stages[2]!.syntheticRows).toBeGreaterThan(0);
    const p = await run(['predict', '--model', 'yeast-lr.json', '--input', yeast, '--out', 'pred-lr.csv', '--json']);
    expect(p.code, p.stderr).toBe(0);
    expect(p.json().rows).toBe(1484);
    // Logistic regression is scored inside DuckDB: pred is the class value there too, and counted as such.
    const scores = csvColumn(join(dir, 'pred-lr.csv'), 'score').map(Number);
    const preds = csvColumn(join(dir, 'pred-lr.csv'), 'pred');
    const threshold = JSON.parse(readFileSync(join(dir, 'yeast-lr.json'), 'utf8')).threshold as number;
    expect(preds.every((v, i) => v === (scores[i]! >= threshold ? 'positive' : 'negative'))).toBe(true);
    expect(p.json<{ predictedPositive: number }>().predictedPositive).toBe(preds.filter((v) => v === 'positive').length);
  });

  it('writes pred as the label was read, 1.0 and 0.0, whichever way the model is scored', async () => {
    const lines = ['a,b,label'];
    for (let i = 0; i < 300; i++)
      lines.push(`${(i % 10 === 0 ? 2 : 0) + ((i * 37) % 17) / 10},${(i * 13) % 7},${i % 10 === 0 ? '1.0' : '0.0'}`);
    writeFileSync(join(dir, 'decimal-label.csv'), `${lines.join('\n')}\n`);
    for (const kind of ['logreg', 'forest']) {
      const f = await run(['fit', '--input', 'decimal-label.csv', '--label', 'label', '--kind', kind, '--out', `decimal-${kind}.json`]);
      expect(f.code, f.stderr).toBe(0);
      expect(JSON.parse(readFileSync(join(dir, `decimal-${kind}.json`), 'utf8')).positiveLabel).toBe('1.0');
      const p = await run(['predict', '--model', `decimal-${kind}.json`, '--input', 'decimal-label.csv', '--out', `decimal-${kind}.csv`]);
      expect(p.code, p.stderr).toBe(0);
      expect(new Set(csvColumn(join(dir, `decimal-${kind}.csv`), 'pred')), kind).toEqual(new Set(['1.0', '0.0']));
    }
  });

  it('gives identical scores for a CSV and a Parquet copy, with the id column first', async () => {
    const p = await run([
      'predict',
      '--model',
      'yeast.json',
      '--input',
      'yeast3.parquet',
      '--out',
      'pred.parquet',
      '--id',
      'row_id',
      '--json',
    ]);
    expect(p.code, p.stderr).toBe(0);
    const fromParquet = await withDuckDB(async (c) =>
      (await c.runAndReadAll(`SELECT * FROM read_parquet('${join(dir, 'pred.parquet')}')`)).getRowsJS(),
    );
    expect(
      Object.keys(
        (
          await withDuckDB(async (c) =>
            (await c.runAndReadAll(`SELECT * FROM read_parquet('${join(dir, 'pred.parquet')}') LIMIT 1`)).getRowObjectsJS(),
          )
        )[0]!,
      ),
    ).toEqual(['row_id', 'score', 'pred']);
    const fromCsv = csvColumn(join(dir, 'pred.csv'), 'score').map(Number);
    expect(fromParquet.map((r) => Number(r[0]))).toEqual(Array.from({ length: 1484 }, (_, i) => i + 1));
    expect(fromParquet.map((r) => r[1])).toEqual(fromCsv);
    // An id named like an output column would be renamed in the output: refused, nothing written.
    const clash = await run(['predict', '--model', 'yeast.json', '--input', 'yeast3.parquet', '--out', 'clash.csv', '--id', 'Score']);
    expect(clash.code).toBe(2);
    expect(clash.stderr).toContain('--id: the output already has a column "score" (score, pred)');
    expect(existsSync(join(dir, 'clash.csv'))).toBe(false);
  });

  it('one-hot encodes a text column and scores an unseen category without failing, saying so', async () => {
    const f = await run(['fit', '--input', 'channels.csv', '--label', 'label', '--out', 'channels.json', '--json']);
    expect(f.code, f.stderr).toBe(0);
    const model = JSON.parse(readFileSync(join(dir, 'channels.json'), 'utf8'));
    expect(model.inputColumns).toEqual([
      { name: 'amount', kind: 'numeric' },
      { name: 'channel', kind: 'categorical', categories: ['app', 'shop', 'web'] },
    ]);
    const p = await run(['predict', '--model', 'channels.json', '--input', 'channels-new.csv', '--out', 'channels-pred.csv', '--json']);
    expect(p.code, p.stderr).toBe(0);
    expect(p.json<{ warnings: string[] }>().warnings).toEqual([
      'column "channel" of channels-new.csv: 1 of 2 rows holds a value the model never saw in training (such as "kiosk"); it scores as none of its categories ("app", "shop", "web")',
    ]);
    writeFileSync(join(dir, 'channels-labelled.csv'), 'amount,channel,label\n3.1,kiosk,1\n0.2,web,0\n0.4,kiosk,0\n');
    const e = await run(['evaluate', '--model', 'channels.json', '--input', 'channels-labelled.csv', '--label', 'label', '--json']);
    expect(e.code, e.stderr).toBe(0);
    expect(e.json<{ warnings: string[] }>().warnings).toEqual([
      'column "channel" of channels-labelled.csv: 2 of 3 rows hold a value the model never saw in training (such as "kiosk"); they score as none of its categories ("app", "shop", "web")',
    ]);
    const scores = csvColumn(join(dir, 'channels-pred.csv'), 'score').map(Number);
    expect(scores).toHaveLength(2);
    expect(scores[0]!).toBeGreaterThan(scores[1]!);
    // A 0/1 label keeps 0/1 predictions, as integers in Parquet.
    const q = await run(['predict', '--model', 'channels.json', '--input', 'channels-new.csv', '--out', 'channels-pred.parquet']);
    expect(q.code, q.stderr).toBe(0);
    const rows = await withDuckDB(async (c) =>
      (await c.runAndReadAll(`SELECT typeof(pred), pred FROM read_parquet('${join(dir, 'channels-pred.parquet')}')`)).getRowsJS(),
    );
    expect(rows.map((r) => r[0])).toEqual(['INTEGER', 'INTEGER']);
    expect(rows.every((r) => r[1] === 0 || r[1] === 1)).toBe(true);
  });

  it('weighs rows by a sample_weight column (never a feature) and runs ENN and ADASYN over a categorical column', async () => {
    writeFileSync(
      join(dir, 'weighted.json'),
      JSON.stringify({ denoise: { method: 'enn' }, adasyn: { enabled: true }, model: { kind: 'logreg' } }),
    );
    const f = await run([
      'fit',
      '--input',
      'channels-weighted.csv',
      '--label',
      'label',
      '--config',
      'weighted.json',
      '--out',
      'weighted.model.json',
      '--json',
    ]);
    expect(f.code, f.stderr).toBe(0);
    const fit = f.json<{ stages: Array<{ stage: string; sampleWeight?: string; syntheticRows?: number }> }>();
    expect(fit.stages.map((s) => s.stage)).toEqual(['read', 'enn', 'adasyn', 'train']);
    expect(fit.stages[0]!.sampleWeight).toBe('sample_weight');
    expect(fit.stages[2]!.syntheticRows).toBeGreaterThan(0);
    const model = JSON.parse(readFileSync(join(dir, 'weighted.model.json'), 'utf8'));
    expect(model.inputColumns.map((c: { name: string }) => c.name)).toEqual(['amount', 'channel']);
    // Weighted and unweighted fits of the same rows differ.
    const plain = await run([
      'fit',
      '--input',
      'channels-unweighted.csv',
      '--label',
      'label',
      '--config',
      'weighted.json',
      '--out',
      'plain.model.json',
      '--json',
    ]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'plain.model.json'), 'utf8')).model).not.toEqual(model.model);
  });

  it('fits a multi-class label one-vs-rest and predicts score_<class> columns and the class value', async () => {
    const ecoli = join(process.cwd(), 'test/fixtures/ecoli_multiclass.csv');
    const f = await run(['fit', '--input', ecoli, '--label', 'label', '--kind', 'forest', '--out', 'ecoli.json', '--json']);
    expect(f.code, f.stderr).toBe(0);
    const classes = f.json<{ classes: string[] }>().classes;
    expect(classes).toEqual(['cp', 'im', 'imL', 'imS', 'imU', 'om', 'omL', 'pp']);
    // The read stage counts the rows of each class (positive and negative would name two of eight).
    const read = f.json<{ stages: Array<Record<string, unknown>> }>().stages[0]!;
    expect(read).toMatchObject({ stage: 'read', rowsPerClass: { cp: 143, im: 77, imL: 2, imS: 2, imU: 35, om: 20, omL: 5, pp: 52 } });
    expect(read).not.toHaveProperty('positives');
    // Each class's forest reports its out-of-bag summary in its train stage; the file's training block holds none.
    const trainStages = f.json<{ stages: Array<{ stage: string; outOfBag?: unknown }> }>().stages.filter((s) => s.stage.endsWith('train'));
    expect(trainStages.map((s) => s.outOfBag !== undefined)).toEqual(classes.map(() => true));
    expect(JSON.parse(readFileSync(join(dir, 'ecoli.json'), 'utf8')).training.outOfBag).toBeUndefined();
    const p = await run(['predict', '--model', 'ecoli.json', '--input', ecoli, '--out', 'ecoli-pred.csv', '--json']);
    expect(p.code, p.stderr).toBe(0);
    const header = readFileSync(join(dir, 'ecoli-pred.csv'), 'utf8').split('\n')[0];
    expect(header).toBe(`${classes.map((c) => `score_${c}`).join(',')},pred`);
    const pred = csvColumn(join(dir, 'ecoli-pred.csv'), 'pred');
    const truth = csvColumn(ecoli, 'label');
    expect(pred).toHaveLength(336);
    // Scored on its own training rows, the one-vs-rest forest gets most classes right, rare ones included.
    expect(pred.filter((v, i) => v === truth[i]).length / 336).toBeGreaterThan(0.8);
    expect(new Set(pred).size).toBeGreaterThan(3);
  });

  it('train --threshold gmean-oob fits a forest on every row and takes the threshold from its out-of-bag scores', async () => {
    const args = ['train', '--input', yeast, '--label', 'label', '--kind', 'forest', '--sampling', 'bootstrap', '--trees', '30'];
    const t = await run([...args, '--threshold', 'gmean-oob', '--out', 'yeast-oob.json', '--json']);
    expect(t.code, t.stderr).toBe(0);
    const out = t.json<{ rows: number; threshold: number; thresholdReason: string; outOfBag: { rows: number; threshold: number } }>();
    expect(out.rows).toBe(1484);
    expect(out.thresholdReason).toMatch(/^G-mean-optimal threshold on the out-of-bag scores of \d+ training rows/);
    expect(out.outOfBag.threshold).toBe(out.threshold);
    expect(out.outOfBag.rows).toBeGreaterThan(1400);
    // The held-out gmean policy trains on 75% of the rows.
    const held = await run([...args, '--threshold', 'gmean', '--out', 'yeast-gmean.json', '--json']);
    expect(held.json<{ rows: number }>().rows).toBe(1113);
    const logreg = await run([
      'train',
      '--input',
      yeast,
      '--label',
      'label',
      '--kind',
      'logreg',
      '--threshold',
      'gmean-oob',
      '--out',
      'x.json',
    ]);
    expect(logreg.code).toBe(2);
    expect(logreg.stderr).toMatch(/gmean-oob threshold policy: expected a forest .* got logreg; choose gmean for a held-out split/);
  });

  const bad: Array<[string, string[], RegExp]> = [
    [
      'a file that is not a rareflow model',
      ['predict', '--model', 'not-a-model.json', '--input', yeast, '--out', 'b1.csv'],
      /not-a-model\.json is not a usable rareflow model: expected "format": "rareflow-model"/,
    ],
    [
      'an input missing a feature column',
      ['predict', '--model', 'channels.json', '--input', yeast, '--out', 'b2.csv'],
      /has no column "amount", which the model reads/,
    ],
    [
      'a non-numeric value in a numeric column',
      ['predict', '--model', 'channels.json', '--input', 'text-amount.csv', '--out', 'b3.csv'],
      /column "amount" .* must be numeric .* data row 2/,
    ],
    [
      'a numeric column empty on every row',
      ['predict', '--model', 'channels.json', '--input', 'empty-amount.csv', '--out', 'b7.csv'],
      /^rareflow predict: column "amount" in empty-amount\.csv must be numeric for this model, but is VARCHAR \(empty on every row\)\n?$/,
    ],
    [
      'a model feature that is text (evaluate: no advice on flags evaluate lacks)',
      ['evaluate', '--model', 'yeast.json', '--input', 'yeast-empty-mcg.csv', '--label', 'label', '--report', 'b8'],
      /^rareflow evaluate: feature column "Mcg" in yeast-empty-mcg\.csv has type VARCHAR \(empty on every row\), expected a number; the model was trained on it as a number\n?$/,
    ],
    ['a label with one class (fit)', ['fit', '--input', 'one-class.csv', '--label', 'label', '--out', 'b4.json'], /only one class \(0\)/],
    [
      'an output directory that does not exist',
      ['predict', '--model', 'yeast.json', '--input', yeast, '--out', 'nope/b5.csv'],
      /--out: the directory .* does not exist/,
    ],
  ];
  for (const [what, args, message] of bad) {
    it(`rejects ${what} with exit 2 and no output`, async () => {
      const r = await run(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(existsSync(join(dir, args[args.indexOf('--out') + 1]!))).toBe(false);
    });
  }

  it('rejects a model whose content no longer matches its sha256 seal', async () => {
    const model = JSON.parse(readFileSync(join(dir, 'yeast.json'), 'utf8'));
    model.threshold = 0.01;
    writeFileSync(join(dir, 'tampered.json'), JSON.stringify(model));
    const r = await run(['predict', '--model', 'tampered.json', '--input', yeast, '--out', 'b6.csv']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/content sha256 is [0-9a-f]{64}, but the file says [0-9a-f]{64}: it was changed or damaged/);
  });

  it('rejects a model with a key written twice (the first was dropped and the seal still matched), and reads one reformatted', async () => {
    const text = readFileSync(join(dir, 'yeast.json'), 'utf8');
    writeFileSync(join(dir, 'twice.json'), text.replace(/^\{/, '{"threshold":0.9,'));
    const r = await run(['predict', '--model', 'twice.json', '--input', yeast, '--out', 'b7.csv']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /--model twice\.json: key "threshold" appears twice at the top level \(line 1, column \d+\); JSON keeps only the last/,
    );
    expect(existsSync(join(dir, 'b7.csv'))).toBe(false);
    writeFileSync(join(dir, 'pretty.json'), JSON.stringify(JSON.parse(text), null, 2));
    expect((await run(['predict', '--model', 'pretty.json', '--input', yeast, '--out', 'b8.csv'])).code).toBe(0);
  });
});
