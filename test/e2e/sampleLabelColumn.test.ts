// What `rareflow sample` writes in its label column: every sampled row keeps its own label value as the input spells
// it, whatever --positive chooses (an absent positive, a three-class label, a positive of 0, true/false labels); a
// .arrow output, whose label is 1/0, only where that is the value itself; and --positive-when writes a new 0/1
// column, never over an input column.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDatasetArrow } from '../../data/arrowDataset.js';
import { withDuckDB } from '../../data/duckdbConnection.js';
import { runCli } from '../support/cliProcess.js';

let dir: string;
const run = (args: string[]) => runCli(args, { cwd: dir });

const ROWS = 300;
/** Row i has `a` = i (so an output row names its input row) and the label `labelOf(i)`. */
function writeInput(name: string, labelOf: (i: number) => string): void {
  const lines = ['a,b,label'];
  for (let i = 0; i < ROWS; i++) lines.push(`${i},${((i * 37) % 23) / 10},${labelOf(i)}`);
  writeFileSync(join(dir, name), `${lines.join('\n')}\n`);
}
const twoClass = (i: number) => (i % 10 === 0 ? '1' : '0');
const threeClass = (i: number) => (i % 10 === 0 ? '1' : i % 3 === 0 ? '2' : '0');
const trueFalse = (i: number) => (i % 10 === 0 ? 'true' : 'false');

/** The rows of a written CSV as header → text maps. */
function csvRows(name: string): Array<Record<string, string>> {
  const [header, ...lines] = readFileSync(join(dir, name), 'utf8').trim().split('\n');
  const names = header!.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [names[i]!, v])));
}

/** Every sampled row holds the label of its input row; returns the count of each label value written. */
function expectLabelsKept(name: string, labelOf: (i: number) => string): Record<string, number> {
  const rows = csvRows(name);
  expect(rows.length).toBeGreaterThan(0);
  const counts: Record<string, number> = {};
  for (const row of rows) {
    expect(row.label, `row a=${row.a}`).toBe(labelOf(Number(row.a)));
    counts[row.label!] = (counts[row.label!] ?? 0) + 1;
  }
  return counts;
}

const sample = (input: string, out: string, ...rest: string[]) =>
  run(['sample', '--input', input, '--label', 'label', '--target-size', '200', '--nr', '20', ...rest, '--out', out, '--json']);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-sample-labels-'));
  writeInput('two.csv', twoClass);
  writeInput('three.csv', threeClass);
  writeInput('truefalse.csv', trueFalse);
  writeInput('ids.csv', (i) => String(i));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sample keeps each row’s label value', () => {
  it('with a --positive no row holds: no positives, a warning, and the labels as they were', async () => {
    const r = await sample('two.csv', 'absent.csv', '--positive', '2');
    expect(r.code, r.stderr).toBe(0);
    const s = r.json<{ positives: number; warnings: string[] }>();
    expect(s.positives).toBe(0);
    expect(s.warnings.join('\n')).toMatch(/no row with the positive value "2"/);
    const counts = expectLabelsKept('absent.csv', twoClass);
    expect(Object.keys(counts).sort()).toEqual(['0', '1']);
  });

  it('with true/false labels and a --positive they do not hold (1, a spelling of true, is refused naming it)', async () => {
    const one = await sample('truefalse.csv', 'one-tf.csv', '--positive', '1');
    expect(one.code, one.stderr).toBe(2);
    expect(one.stderr).toContain('but "true" is');
    const r = await sample('truefalse.csv', 'absent-tf.csv', '--positive', 'maybe');
    expect(r.code, r.stderr).toBe(0);
    const counts = expectLabelsKept('absent-tf.csv', trueFalse);
    expect(Object.keys(counts).sort()).toEqual(['false', 'true']);
  });

  it('with three classes: the other two stay apart, and the positives are the rows of the chosen class', async () => {
    const r = await sample('three.csv', 'three-out.csv', '--positive', '1');
    expect(r.code, r.stderr).toBe(0);
    const counts = expectLabelsKept('three-out.csv', threeClass);
    expect(Object.keys(counts).sort()).toEqual(['0', '1', '2']);
    expect(counts['1']).toBe(r.json<{ positives: number }>().positives);
    expect(counts['1']).toBe(20);
    expect(r.json<{ warnings: string[] }>().warnings).toContain(
      'label column "label" holds 3 values: "0", "2" are sampled as negatives against "1" (each row keeps its value); if one of them is the positive class spelt another way, make the spellings the same first',
    );
  });

  it('with --positive 0: the 0 rows are the positives and still read 0', async () => {
    const r = await sample('two.csv', 'zero.csv', '--positive', '0');
    expect(r.code, r.stderr).toBe(0);
    expect(expectLabelsKept('zero.csv', twoClass)['0']).toBe(20);
    // The larger class named as the positive one is said, as fit and train say it.
    expect(r.json<{ warnings: string[] }>().warnings).toContain(
      'the positive class "0" is the larger class (270 of 300 rows): adaptive sampling keeps positives as the rare class; if the rare class is another value, pass --positive with it',
    );
  });

  it('writes .arrow (label 1 = positive) for a 0/1 label with positive 1, and refuses it where 1/0 would rewrite the values', async () => {
    const ok = await sample('two.csv', 'ok.arrow', '--positive', '1');
    expect(ok.code, ok.stderr).toBe(0);
    const d = await readDatasetArrow(join(dir, 'ok.arrow'));
    expect(d.data.y.length).toBe(200);
    for (let r = 0; r < d.data.y.length; r++) expect(String(d.data.y[r])).toBe(twoClass(d.data.x.values[r * d.data.x.cols]!));

    for (const [input, positive] of [
      ['two.csv', '0'],
      ['three.csv', '1'],
      ['truefalse.csv', 'true'],
    ] as const) {
      const r = await sample(input, 'refused.arrow', '--positive', positive);
      expect(r.code, `${input} --positive ${positive}`).toBe(2);
      expect(r.stderr).toMatch(/--out .*refused\.arrow: a \.arrow file stores the label as 1 \(positive\) or 0.*write \.csv or \.parquet/);
      expect(existsSync(join(dir, 'refused.arrow'))).toBe(false);
    }
  });
});

describe('sample refuses labels it could not keep', () => {
  it('a label of more distinct values than a sample holds, pointing to --positive-when', async () => {
    const r = await sample('ids.csv', 'ids-out.csv', '--positive', '5');
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(
      /^rareflow sample: label column "label" in ids\.csv has 300 distinct values; a sample keeps each row's label value and can hold at most 256 of them: .*--positive-when/,
    );
    expect(existsSync(join(dir, 'ids-out.csv'))).toBe(false);
  });
});

/** `sample --positive-when "a >= 150"` of two.csv into a new column `label`, written to `out`. */
const when = (label: string, out: string) =>
  run([
    'sample',
    '--input',
    'two.csv',
    '--label',
    label,
    '--positive-when',
    'a >= 150',
    '--target-size',
    '200',
    '--nr',
    '20',
    '--out',
    out,
    '--json',
  ]);

describe('sample --positive-when writes a new 0/1 column', () => {
  // A feature, the real label, and a feature's name in other case (column names are read without regard to case).
  for (const [label, column] of [
    ['a', 'a'],
    ['label', 'label'],
    ['A', 'a'],
  ] as const) {
    it(`refuses --label ${label}, input column ${column}, before writing anything`, async () => {
      const out = `taken-${label}-${column}.csv`;
      const r = await when(label, out);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(
        new RegExp(
          `--label "${label}" names column "${column}" of two\\.csv; with --positive-when, --label is the name of the new 0/1 column`,
        ),
      );
      expect(existsSync(join(dir, out))).toBe(false);
    });
  }

  it('adds the column under a new name and leaves every input column as it was', async () => {
    const r = await when('big', 'when.csv');
    expect(r.code, r.stderr).toBe(0);
    const [header] = readFileSync(join(dir, 'when.csv'), 'utf8').split('\n');
    expect(header).toBe('a,b,label,big');
    const rows = csvRows('when.csv');
    expect(rows.filter((row) => row.big === '1')).toHaveLength(20);
    for (const row of rows) {
      expect(row.big).toBe(Number(row.a) >= 150 ? '1' : '0');
      expect(Number(row.label)).toBe(Number(twoClass(Number(row.a))));
    }
  });
});

describe("a Parquet sample keeps the label column's type", () => {
  /** Column name → type, and the label's values with their counts, of a written Parquet file. */
  const described = (name: string, label = 'label') =>
    withDuckDB(async (c) => {
      const path = join(dir, name).replaceAll("'", "''");
      const types = Object.fromEntries(
        (await c.runAndReadAll(`DESCRIBE SELECT * FROM '${path}'`)).getRowsJS().map((r) => [String(r[0]), String(r[1])]),
      );
      const values = (await c.runAndReadAll(`SELECT DISTINCT ${label} FROM '${path}' ORDER BY 1`)).getRowsJS().map((r) => r[0]);
      return { types, values };
    });

  it('an INTEGER, DOUBLE or BOOLEAN label stays one, a text label stays text, and --positive-when writes INTEGER', async () => {
    const source = join(dir, 'two.csv').replaceAll("'", "''");
    await withDuckDB(async (c) => {
      for (const [name, expr] of [
        ['int', 'label::INTEGER'],
        ['dbl', 'label::DOUBLE'],
        ['bool', 'label = 1'],
        ['txt', "CASE WHEN label = 1 THEN 'fraud' ELSE 'ok' END"],
      ] as const)
        await c.run(`COPY (SELECT a, b, ${expr} AS label FROM '${source}') TO '${join(dir, `${name}.parquet`)}'`);
    });
    for (const [name, positive, type, values] of [
      ['int', '1', 'INTEGER', [0, 1]],
      ['dbl', '1', 'DOUBLE', [0, 1]],
      ['bool', 'true', 'BOOLEAN', [false, true]],
      ['txt', 'fraud', 'VARCHAR', ['fraud', 'ok']],
    ] as const) {
      const r = await sample(`${name}.parquet`, `${name}-sample.parquet`, '--positive', positive);
      expect(r.code, r.stderr).toBe(0);
      const got = await described(`${name}-sample.parquet`);
      expect(got.types.label, name).toBe(type);
      expect(got.values, name).toEqual(values);
    }
    // A CSV reads its 0/1 label as BIGINT: so the Parquet sample writes it.
    expect((await sample('two.csv', 'two-sample.parquet')).code).toBe(0);
    expect((await described('two-sample.parquet')).types.label).toBe('BIGINT');
    const positiveWhen = await when('big', 'when.parquet');
    expect(positiveWhen.code, positiveWhen.stderr).toBe(0);
    expect(await described('when.parquet', 'big')).toMatchObject({ types: { big: 'INTEGER' }, values: [0, 1] });
  });
});
