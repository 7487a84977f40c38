import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readLabelledDataset } from '../../data/datasetReader.js';
import { scanLabelledBatches } from '../../data/labelledBatchScan.js';
import { sqlString, withDuckDB } from '../../data/duckdbConnection.js';
import { failure } from '../support/invalidInputFailure.js';

// Inputs longer than one DuckDB chunk (2048 rows): values are copied chunk by chunk while the next is fetched,
// and a missing value in a later chunk is still named by its data row.

let dir: string;
const rows = 10_000;

async function parquet(name: string, select: string): Promise<string> {
  const path = join(dir, name);
  await withDuckDB((c) => c.run(`COPY (${select}) TO ${sqlString(path)} (FORMAT parquet)`));
  return path;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rareflow-chunks-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('reading many chunks', () => {
  test('every row arrives in order, numbers of every width as doubles', async () => {
    const path = await parquet(
      'many.parquet',
      `SELECT i::DOUBLE / 8 AS a, (i % 7)::TINYINT AS b, (i * 3)::INTEGER AS c, (i % 5)::FLOAT AS d, (i % 10 = 0)::INTEGER AS y FROM range(${rows}) t(i)`,
    );
    const d = await readLabelledDataset(path, { label: 'y' });
    expect(d.rows).toBe(rows);
    const expected = new Float64Array(rows * 4);
    for (let i = 0; i < rows; i++) expected.set([i / 8, i % 7, i * 3, i % 5], i * 4);
    expect(d.data.x.values).toEqual(expected);
    expect(Array.from(d.data.y)).toEqual(Array.from({ length: rows }, (_, i) => (i % 10 === 0 ? 1 : 0)));
  });

  test('a null in a later chunk names its column and data row', async () => {
    const path = await parquet(
      'late-null.parquet',
      `SELECT i::DOUBLE AS a, CASE WHEN i = 9000 THEN NULL ELSE i::DOUBLE END AS b, (i % 10 = 0)::INTEGER AS y FROM range(${rows}) t(i)`,
    );
    const err = await failure(readLabelledDataset(path, { label: 'y' }));
    expect(err.message).toBe(
      `feature column "b" in ${path} has an empty or null value at data row 9001; expected a finite number on every row: fill or drop such rows first, or have them filled by the model (train it with --missing median in fit or train; features.missing in a pipeline spec)`,
    );
  });

  test('an infinite value names its column, value and data row', async () => {
    const path = await parquet(
      'late-inf.parquet',
      `SELECT CASE WHEN i = 4999 THEN 'Infinity'::DOUBLE ELSE i::DOUBLE END AS a, (i % 10 = 0)::INTEGER AS y FROM range(${rows}) t(i)`,
    );
    const err = await failure(readLabelledDataset(path, { label: 'y' }));
    expect(err.message).toContain('feature column "a"');
    expect(err.message).toContain('has Infinity at data row 5000');
    // No missing-value policy fills an infinity: the advice is to fix the data, not to train with a fill.
    expect(err.message).toContain('replace it with a finite number or drop the row');
    expect(err.message).not.toContain('--missing median');
  });

  test('a scan batch that starts inside a chunk finds a missing label by its row', async () => {
    const path = await parquet(
      'late-label.parquet',
      `SELECT i::DOUBLE AS a, CASE WHEN i = 6999 THEN NULL ELSE (i % 10 = 0)::INTEGER END AS y FROM range(${rows}) t(i)`,
    );
    const seen: number[] = [];
    const err = await failure(
      scanLabelledBatches(path, { label: 'y', positive: '1', features: ['a'], batchRows: 3000 }, (x, _y, n) => {
        for (let i = 0; i < n; i++) seen.push(x[i]!);
        return false;
      }),
    );
    expect(err.message).toContain('at data row 7000 of the scan');
    expect(seen).toEqual(Array.from({ length: 6000 }, (_, i) => i));
  });
});

describe('columns and exclude', () => {
  test('exclude keeps a column out of the default features; columns lists every column', async () => {
    const path = join(dir, 'weighted.csv');
    await writeFile(path, 'a,sample_weight,b,y\n1,0.5,2,0\n3,2,4,1\n');
    const d = await readLabelledDataset(path, { label: 'y', exclude: ['sample_weight'] });
    expect(d.featureNames).toEqual(['a', 'b']);
    expect(Array.from(d.data.x.values)).toEqual([1, 2, 3, 4]);
    expect(d.columns).toEqual(['a', 'sample_weight', 'b', 'y']);
    const named = await readLabelledDataset(path, { label: 'y', exclude: ['sample_weight'], features: ['sample_weight'] });
    expect(Array.from(named.data.x.values)).toEqual([0.5, 2]);
  });
});
