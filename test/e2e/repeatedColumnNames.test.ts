// Column names DuckDB would read under a name of its own, and other ways a command read a column the user did not
// mean: a header name with spaces around it beside the same name (DuckDB trims it and renames the real one
// `x0_1`), a repeat beside a column already named like DuckDB's rename (`a,a_1,a`), a Parquet file with a repeated
// or case-repeated column, a header cell with no name (read as `column<n>`, beside a column named so or alone), an
// input file name that the reader takes as a pattern, and `evaluate --label` naming one
// of the model's own inputs. Each was read without a word; each is now refused naming the file and the column.

import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluateCommand } from '../../client/evaluateCommand.js';
import { fitCommand } from '../../client/fitCommand.js';
import { withDuckDB } from '../../data/duckdbConnection.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-repeated-names-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rows = (header: string, width: number) =>
  `${header}\n${Array.from({ length: 60 }, (_, i) => `${Array.from({ length: width }, (_, j) => ((i * (j + 3)) % 7) + 0.5).join(',')},${i % 6 === 0 ? 1 : 0}`).join('\n')}\n`;

/** A Parquet file whose columns are named `names` as written, though DuckDB would rename a repeat when writing. */
async function parquetNamed(name: string, names: [string, string]): Promise<string> {
  const path = join(dir, name);
  await withDuckDB((c) =>
    c.run(
      `COPY (SELECT (i % 7) + 0.5 AS x0abc, (i % 5) + 0.25 AS x9abc, CAST(i % 6 = 0 AS INTEGER) AS label FROM range(60) t(i)) TO '${path}' (FORMAT parquet)`,
    ),
  );
  // Same-length names keep the footer valid: the second column takes the name asked for.
  const bytes = readFileSync(path);
  writeFileSync(path, Buffer.from(bytes.toString('latin1').replaceAll('x0abc', names[0]).replaceAll('x9abc', names[1]), 'latin1'));
  return path;
}

const fitted = (input: string) => fitCommand({ input, label: 'label', out: join(dir, 'out.json'), model: 'logreg' });

describe('columns read under another name', () => {
  it('refuses a CSV header name that repeats once the spaces around it are dropped, or beside a column named like a rename', async () => {
    const spaced = join(dir, 'spaced.csv');
    writeFileSync(spaced, rows('x0 ,x0,label', 2));
    await expect(fitted(spaced)).rejects.toThrow(
      /column name "x0" appears more than once in the header of .*spaced\.csv \(spaces around a name do not count\)/,
    );
    const renamed = join(dir, 'renamed.csv');
    writeFileSync(renamed, rows('a,a_1,a,label', 3));
    await expect(fitted(renamed)).rejects.toThrow(/column name "a" appears more than once in the header of .*renamed\.csv/);
    expect(existsSync(join(dir, 'out.json'))).toBe(false);
  });

  it('refuses a header cell with no name, beside a column named as such a cell is read or alone', async () => {
    // `a,,column1` read as a, column1, column1_1: the model learnt the user's "column1" from the unnamed column.
    const clash = join(dir, 'unnamed-clash.csv');
    writeFileSync(clash, rows('a,,column1,label', 3));
    await expect(fitted(clash)).rejects.toThrow(
      /column 2 of the header of .*unnamed-clash\.csv has no name \(the reader would make up "column1"/,
    );
    expect(existsSync(join(dir, 'out.json'))).toBe(false);
    // Alone, it was read as "column1", a feature the file never names (see unnamedColumns.test.ts).
    const alone = join(dir, 'unnamed.csv');
    writeFileSync(alone, rows('a,,label', 2));
    await expect(fitted(alone)).rejects.toThrow(/column 2 of the header of .*unnamed\.csv has no name/);
    expect(existsSync(join(dir, 'out.json'))).toBe(false);
  });

  it('refuses a Parquet file with a repeated or case-repeated column, and reads distinct ones', async () => {
    await expect(fitted(await parquetNamed('repeated.parquet', ['x0abc', 'x0abc']))).rejects.toThrow(
      /column name "x0abc" appears more than once in the columns of .*repeated\.parquet/,
    );
    await expect(fitted(await parquetNamed('cased.parquet', ['x0abc', 'X0ABC']))).rejects.toThrow(
      /column names "x0abc" and "X0ABC" in the columns of .*cased\.parquet differ only by case/,
    );
    await fitted(await parquetNamed('distinct.parquet', ['x0abc', 'x9abc']));
    expect((JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as { featureNames: string[] }).featureNames).toEqual([
      'x0abc',
      'x9abc',
    ]);
  });

  it('refuses an input file whose name the reader would take as a pattern', async () => {
    const base = join(dir, 'base.csv');
    writeFileSync(base, rows('x0,x1,label', 2));
    copyFileSync(base, join(dir, 'yA.csv'));
    const patterned = join(dir, 'y?.csv');
    copyFileSync(base, patterned);
    await expect(fitted(patterned)).rejects.toThrow(/input file name .*y\?\.csv holds \*, \? or \[, which the reader takes as a pattern/);
  });

  it('refuses evaluate --label naming one of the model’s inputs', async () => {
    const input = join(dir, 'eval.csv');
    writeFileSync(input, rows('x0,x1,label', 2));
    const model = join(dir, 'eval.json');
    await fitCommand({ input, label: 'label', out: model, model: 'logreg' });
    await expect(evaluateCommand({ model, input, label: 'x1' })).rejects.toThrow(
      '--label x1: column "x1" is one of the inputs the model reads, not a label; the model was trained to predict "label"',
    );
  });
});
