// The readers' declared-imputation mode: missing numeric features become NaN and a missing category none of the
// categories; labels and ±Infinity stay strictly checked, with the same messages as the default mode.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readLabelledDataset } from '../../data/datasetReader.js';
import { scanLabelledBatches } from '../../data/labelledBatchScan.js';
import { sqlString, withDuckDB } from '../../data/duckdbConnection.js';
import { failure } from '../support/invalidInputFailure.js';

let dir: string;
const csv = (name: string, text: string) => writeFile(join(dir, name), text).then(() => join(dir, name));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rareflow-missing-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('keepMissingFeatures', () => {
  test('reads empty, null and NaN feature values of CSV and Parquet as NaN; the default still rejects them', async () => {
    const path = await csv('gaps.csv', 'a,b,y\n1,,0\n,4,1\nnan,6,0\n7,8,0\n');
    const parquet = join(dir, 'gaps.parquet');
    await withDuckDB((c) => c.run(`COPY (SELECT * FROM read_csv(${sqlString(path)})) TO ${sqlString(parquet)} (FORMAT parquet)`));
    for (const file of [path, parquet]) {
      const d = await readLabelledDataset(file, { label: 'y', keepMissingFeatures: true });
      expect(Array.from(d.data.x.values)).toEqual([1, NaN, NaN, 4, NaN, 6, 7, 8]);
      expect(Array.from(d.data.y)).toEqual([0, 1, 0, 0]);
    }
    const strict = await failure(readLabelledDataset(path, { label: 'y' }));
    expect(strict.message).toMatch(
      /feature column "a" in .*gaps\.csv has an empty or null value at data row 2; expected a finite number on every row/,
    );
  });

  test('reads a missing category (empty or a marker such as "?") as none of the categories, and counts it', async () => {
    const path = await csv('cats.csv', 'a,c,y\n1,x,0\n2,,1\n3,?,0\n4,z,1\n5,NA,0\n');
    const d = await readLabelledDataset(path, { label: 'y', categorical: ['c'], keepMissingFeatures: true });
    expect(d.featureNames).toEqual(['a', 'c=x', 'c=z']);
    expect(Array.from(d.data.x.values)).toEqual([1, 1, 0, 2, 0, 0, 3, 0, 0, 4, 0, 1, 5, 0, 0]);
    expect(d.missingCategories).toEqual({ c: 3 });
    const strict = await failure(readLabelledDataset(path, { label: 'y', categorical: ['c'] }));
    expect(strict.message).toMatch(/feature column "c" in .*cats\.csv has an empty or null category at data row 2/);
  });

  test('reads a missing-value marker in a numeric CSV column as missing, keeping the column numeric', async () => {
    const path = await csv('marks.csv', 'a,b,y\n1,?,0\n2,NA,1\n3,5.5,0\n4,N/A,1\n');
    const d = await readLabelledDataset(path, { label: 'y', keepMissingFeatures: true });
    expect(d.featureNames).toEqual(['a', 'b']);
    expect(Array.from(d.data.x.values)).toEqual([1, NaN, 2, NaN, 3, 5.5, 4, NaN]);
    const strict = await failure(readLabelledDataset(path, { label: 'y' }));
    expect(strict.message).toMatch(/feature column "b" in .*marks\.csv has an empty or null value at data row 1; .*"\?", "NA"/);
  });

  test('keeps Infinity and a missing label as errors', async () => {
    const inf = await csv('inf.csv', 'a,b,y\n1,,0\ninf,4,1\n3,5,0\n');
    expect((await failure(readLabelledDataset(inf, { label: 'y', keepMissingFeatures: true }))).message).toMatch(
      /feature column "a" in .*inf\.csv has Infinity at data row 2/,
    );
    const label = await csv('label.csv', 'a,y\n1,0\n,\n3,1\n');
    expect((await failure(readLabelledDataset(label, { label: 'y', keepMissingFeatures: true }))).message).toMatch(
      /label column "y" in .*label\.csv has a missing value/,
    );
  });

  test('scanLabelledBatches keeps missing features as NaN across batches, and a missing label still fails', async () => {
    const path = await csv('scan.csv', 'a,b,y\n1,2,0\n,4,1\n5,,0\n7,8,1\n9,10,0\n');
    const rows: number[] = [];
    const labels: number[] = [];
    await scanLabelledBatches(
      path,
      { label: 'y', positive: '1', features: ['a', 'b'], batchRows: 2, keepMissingFeatures: true },
      (x, y) => {
        rows.push(...x);
        labels.push(...y);
        return false;
      },
    );
    expect(rows).toEqual([1, 2, NaN, 4, 5, NaN, 7, 8, 9, 10]);
    expect(labels).toEqual([0, 1, 0, 1, 0]);
    const strict = await failure(scanLabelledBatches(path, { label: 'y', positive: '1', features: ['a', 'b'] }, () => false));
    expect(strict.message).toMatch(/feature column "a" in .*scan\.csv has an empty or null value at data row 2/);
    const badLabel = await csv('scanlabel.csv', 'a,y\n1,0\n2,\n3,1\n');
    const labelErr = await failure(
      scanLabelledBatches(badLabel, { label: 'y', positive: '1', features: ['a'], keepMissingFeatures: true }, () => false),
    );
    expect(labelErr.message).toMatch(/label column "y" in .*scanlabel\.csv has a missing value/);
  });
});
