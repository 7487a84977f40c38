// The same rows give the same scores whatever the file's format and whatever values one batch happens to hold, when
// a feature column holds yes/no or true/false words. A CSV reader types such a column BOOLEAN, a Parquet file keeps the
// words (or a real BOOLEAN): before, a model trained on one scored the other as unseen categories ("false" where the
// file said "no"), or refused the words it listed as accepted, and a batch without the column's third value scored
// every row as unseen.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelArtifact } from '../../core/models/modelArtifact.js';
import { withDuckDB } from '../../data/duckdbConnection.js';
import { RequestFeatureEncoder } from '../../infra/requestFeatureEncoder.js';
import { runCli } from '../support/cliProcess.js';

let dir: string;
const run = (args: string[]) => runCli(args, { cwd: dir, env: { RAREFLOW_HOME: join(dir, 'home') } });

/** Rows whose label leans on `flag`: `flagOf(i)` spells row i's flag. */
function rows(n: number, offset: number, flagOf: (i: number) => string): string {
  const lines = ['x,flag,label'];
  for (let i = offset; i < offset + n; i++) {
    const flag = flagOf(i);
    const x = ((i * 37) % 23) / 10;
    const positive = (flag === 'yes' || flag === 'true' ? i % 3 !== 0 : i % 11 === 0) && x > 0.5;
    lines.push(`${x.toFixed(2)},${flag},${positive ? 'fraud' : 'ok'}`);
  }
  return `${lines.join('\n')}\n`;
}
const yesNo = (i: number) => (i % 3 === 0 ? 'yes' : 'no');
const yesNoUnknown = (i: number) => (i % 7 === 0 ? 'unknown' : yesNo(i));

async function parquetCopy(csv: string, parquet: string, select = '*'): Promise<void> {
  await withDuckDB((c) =>
    c.run(
      `COPY (SELECT ${select} FROM read_csv('${join(dir, csv)}', header = true, all_varchar = true)) TO '${join(dir, parquet)}' (FORMAT parquet)`,
    ),
  );
}

/** The `score` column of a predict output. */
const scores = (file: string) =>
  readFileSync(join(dir, file), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => Number(l.split(',')[0]));

async function predict(model: string, input: string, out: string): Promise<{ scores: number[]; stdout: string }> {
  const r = await run(['predict', '--model', model, '--input', input, '--out', out, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return { scores: scores(out), stdout: r.stdout };
}

/** Fits a logistic model on `train` (with `flags`) and returns it with the flag column's input column. */
async function fitLogistic(train: string, out: string, flags: string[] = []): Promise<ModelArtifact> {
  const fit = await run(['fit', '--input', train, '--label', 'label', '--kind', 'logreg', ...flags, '--out', out]);
  expect(fit.code, fit.stderr).toBe(0);
  return JSON.parse(readFileSync(join(dir, out), 'utf8')) as ModelArtifact;
}

/** Scores the Parquet and the CSV copy of one batch with `model`: the same scores, and no unseen category in either. */
async function expectFormatsAlike(model: string, parquet: string, csv: string): Promise<void> {
  const fromParquet = await predict(model, parquet, `${model}-pq.csv`);
  const fromCsv = await predict(model, csv, `${model}-csv.csv`);
  expect(fromParquet.stdout).not.toContain('never saw');
  expect(fromCsv.stdout).not.toContain('never saw');
  expect(fromCsv.scores).toEqual(fromParquet.scores);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-boolean-words-'));
  writeFileSync(join(dir, 'train.csv'), rows(600, 0, yesNo));
  writeFileSync(join(dir, 'score.csv'), rows(60, 600, yesNo));
  writeFileSync(join(dir, 'train3.csv'), rows(600, 0, yesNoUnknown));
  await parquetCopy('train.csv', 'train.parquet', 'CAST(x AS DOUBLE) AS x, flag, label');
  await parquetCopy('score.csv', 'score.parquet', 'CAST(x AS DOUBLE) AS x, flag, label');
  // A real BOOLEAN column in Parquet, and its CSV copy spelt True/False as pandas writes it.
  writeFileSync(
    join(dir, 'trainTF.csv'),
    rows(600, 0, (i) => (i % 3 === 0 ? 'true' : 'false')),
  );
  await parquetCopy('trainTF.csv', 'trainTF.parquet', 'CAST(x AS DOUBLE) AS x, CAST(flag AS BOOLEAN) AS flag, label');
  writeFileSync(
    join(dir, 'scoreTF.csv'),
    rows(60, 600, (i) => (i % 3 === 0 ? 'True' : 'False')),
  );
  await parquetCopy('scoreTF.csv', 'scoreTF.parquet', 'CAST(x AS DOUBLE) AS x, CAST(flag AS BOOLEAN) AS flag');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('yes/no feature columns across formats', () => {
  it('a model whose column also held "unknown" scores a batch of yes/no alone as those categories', async () => {
    const fit = await run(['fit', '--input', 'train3.csv', '--label', 'label', '--kind', 'logreg', '--out', 'm3.json']);
    expect(fit.code, fit.stderr).toBe(0);
    const model = JSON.parse(readFileSync(join(dir, 'm3.json'), 'utf8')) as ModelArtifact;
    expect(model.inputColumns?.find((c) => c.name === 'flag')).toMatchObject({ kind: 'categorical', categories: ['no', 'unknown', 'yes'] });
    const alone = await predict('m3.json', 'score.csv', 'p3.csv');
    expect(alone.stdout).not.toContain('never saw');
    // The same rows with one "unknown" row after them: the CSV is then read as text, and each row keeps its score.
    writeFileSync(join(dir, 'score-plus.csv'), `${readFileSync(join(dir, 'score.csv'), 'utf8')}1.00,unknown,ok\n`);
    const plus = await predict('m3.json', 'score-plus.csv', 'p3plus.csv');
    expect(plus.scores.slice(0, alone.scores.length)).toEqual(alone.scores);
  });

  it('a model fitted on the CSV scores the Parquet copy (words as text) as the CSV, in predict and evaluate', async () => {
    const fit = await run(['fit', '--input', 'train.csv', '--label', 'label', '--kind', 'logreg', '--out', 'mcsv.json']);
    expect(fit.code, fit.stderr).toBe(0);
    const fromCsv = await predict('mcsv.json', 'score.csv', 'pc.csv');
    const fromParquet = await predict('mcsv.json', 'score.parquet', 'pp.csv');
    expect(fromParquet.scores).toEqual(fromCsv.scores);
    const evaluate = async (input: string) => {
      const r = await run(['evaluate', '--model', 'mcsv.json', '--input', input, '--label', 'label', '--json']);
      expect(r.code === 0 || r.code === 1, r.stderr).toBe(true);
      return r.json<{ report: unknown }>().report;
    };
    expect(await evaluate('score.parquet')).toEqual(await evaluate('score.csv'));
    // A word outside the boolean ones is still refused, naming it.
    writeFileSync(join(dir, 'score-y.csv'), 'x,flag\n1.0,y\n');
    await parquetCopy('score-y.csv', 'score-y.parquet', 'CAST(x AS DOUBLE) AS x, flag');
    const refused = await run(['predict', '--model', 'mcsv.json', '--input', 'score-y.parquet', '--out', 'py.csv']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('column "flag" in score-y.parquet must be true/false, yes/no, t/f or 1/0');
    expect(refused.stderr).toContain('"y"');
  });

  it('a model fitted on the Parquet file (categories yes/no) scores the CSV copy as the Parquet file', async () => {
    const model = await fitLogistic('train.parquet', 'mpq.json');
    await expectFormatsAlike('mpq.json', 'score.parquet', 'score.csv');
    // The same rows with the flag as a Parquet BOOLEAN or a CSV's True/False: matched by truth value.
    const asWords = (await predict('mpq.json', 'score.csv', 'words.csv')).scores;
    for (const [input, out] of [
      ['scoreTF.parquet', 'tf-pq.csv'],
      ['scoreTF.csv', 'tf-csv.csv'],
    ] as const) {
      const r = await predict('mpq.json', input, out);
      expect(r.stdout).not.toContain('never saw');
      expect(r.scores).toEqual(asWords);
    }
    const encoder = new RequestFeatureEncoder(model, 'mpq.json');
    const encoded = (flag: unknown) => (expect(encoder.encode({ x: 1, flag })).toBeNull(), [...encoder.row]);
    expect([encoded('True'), encoded(true), encoded('no'), encoded(false)]).toEqual([
      encoded('yes'),
      encoded('yes'),
      encoded('F'),
      encoded('no'),
    ]);
  });

  it('--categorical on a CSV column of yes/no keeps the words as its categories', async () => {
    const model = await fitLogistic('train.csv', 'mcat.json', ['--categorical', 'flag']);
    expect(model.inputColumns?.find((c) => c.name === 'flag')).toMatchObject({ kind: 'categorical', categories: ['no', 'yes'] });
    await expectFormatsAlike('mcat.json', 'score.parquet', 'score.csv');
  });

  it('categories of a Parquet BOOLEAN (true/false) match a CSV spelling them True/False', async () => {
    const model = await fitLogistic('trainTF.parquet', 'mtf.json', ['--categorical', 'flag']);
    expect(model.inputColumns?.find((c) => c.name === 'flag')).toMatchObject({ kind: 'categorical', categories: ['false', 'true'] });
    await expectFormatsAlike('mtf.json', 'scoreTF.parquet', 'scoreTF.csv');
    // /score the same way: "True", "yes" and the JSON true name the category "true".
    const encoder = new RequestFeatureEncoder(model, 'mtf.json');
    const encoded = (flag: unknown) => {
      expect(encoder.encode({ x: 1, flag })).toBeNull();
      return { row: [...encoder.row], warnings: [...encoder.warnings] };
    };
    const asTrue = encoded(true);
    expect(asTrue.warnings).toEqual([]);
    expect(encoded('True')).toEqual(asTrue);
    expect(encoded('yes')).toEqual(asTrue);
    expect(encoded('f')).toEqual(encoded(false));
    expect(encoded('1').warnings).toHaveLength(1);
  });

  it('a category the model learnt as "?" is named when a CSV reads it as missing', async () => {
    writeFileSync(
      join(dir, 'trainQ.csv'),
      rows(600, 0, (i) => (i % 3 === 0 ? '?' : 'no')),
    );
    await parquetCopy('trainQ.csv', 'trainQ.parquet', 'CAST(x AS DOUBLE) AS x, flag, label');
    const fit = await run(['fit', '--input', 'trainQ.parquet', '--label', 'label', '--kind', 'logreg', '--out', 'mq.json']);
    expect(fit.code, fit.stderr).toBe(0);
    writeFileSync(join(dir, 'scoreQ.csv'), 'x,flag\n1.0,?\n0.5,no\n');
    const r = await predict('mq.json', 'scoreQ.csv', 'pq.csv');
    const { warnings } = JSON.parse(r.stdout) as { warnings: string[] };
    expect(warnings.join('\n')).toContain('The model learnt "?" as a category, but a CSV cell "?" reads as missing');
  });
});
