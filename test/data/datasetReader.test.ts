import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { describeColumns, fileSha256 } from '../../data/inputSources.js';
import { readLabelledDataset } from '../../data/datasetReader.js';
import { scanLabelledBatches } from '../../data/labelledBatchScan.js';
import { sqlString, withDuckDB } from '../../data/duckdbConnection.js';
import { failure } from '../support/invalidInputFailure.js';

let dir: string;
const csv = (name: string, text: string) => writeFile(join(dir, name), text).then(() => join(dir, name));

async function parquetFrom(csvPath: string, name: string): Promise<string> {
  const out = join(dir, name);
  await withDuckDB((c) => c.run(`COPY (SELECT * FROM read_csv(${sqlString(csvPath)})) TO ${sqlString(out)} (FORMAT parquet)`));
  return out;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rareflow-reader-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readLabelledDataset', () => {
  test('reads a weight column in the same pass, never as a feature, and names a bad weight by file, column and row', async () => {
    const path = await csv('weighted.csv', 'a,sample_weight,b,y\n1,2,3,0\n4,0.5,6,1\n7,1,9,0\n');
    for (const p of [path, await parquetFrom(path, 'weighted.parquet')]) {
      const d = await readLabelledDataset(p, { label: 'y', weightColumn: 'sample_weight' });
      expect(d.featureNames).toEqual(['a', 'b']);
      expect(Array.from(d.data.x.values)).toEqual([1, 3, 4, 6, 7, 9]);
      expect(Array.from(d.sampleWeights!)).toEqual([2, 0.5, 1]);
    }
    // Without the column there are no weights; without the option the column is an ordinary feature.
    expect(
      (await readLabelledDataset(await csv('plain.csv', 'a,y\n1,0\n2,1\n'), { label: 'y', weightColumn: 'sample_weight' })).sampleWeights,
    ).toBeUndefined();
    expect((await readLabelledDataset(path, { label: 'y' })).featureNames).toEqual(['a', 'sample_weight', 'b']);
    const negative = await csv('negative.csv', 'a,sample_weight,y\n1,2,0\n4,-1,1\n7,,0\n');
    const err = await failure(readLabelledDataset(negative, { label: 'y', weightColumn: 'sample_weight' }));
    expect(err.message).toBe(
      `weight column "sample_weight" in ${negative} has -1 at data row 2; expected a finite number ≥ 0 on every row (0 leaves a row out of training): fix or drop such rows first`,
    );
    const empty = await csv('empty-weight.csv', 'a,sample_weight,y\n1,2,0\n4,1,1\n7,,0\n');
    expect(
      (await failure(readLabelledDataset(empty, { label: 'y', weightColumn: 'sample_weight', keepMissingFeatures: true }))).message,
    ).toContain('has an empty or null value at data row 3');
  });

  test('CSV and Parquet of the same table read to the same matrix and labels', async () => {
    const path = await csv('small.csv', 'a,b,y\n1.5,2,0\n-3,4.25,1\n5,6,0\n7,-8,0\n');
    const fromCsv = await readLabelledDataset(path, { label: 'y' });
    const fromParquet = await readLabelledDataset(await parquetFrom(path, 'small.parquet'), { label: 'y' });
    expect(Array.from(fromCsv.data.x.values)).toEqual([1.5, 2, -3, 4.25, 5, 6, 7, -8]);
    expect(Array.from(fromCsv.data.y)).toEqual([0, 1, 0, 0]);
    expect(fromCsv.featureNames).toEqual(['a', 'b']);
    expect(fromCsv.positiveLabel).toBe('1');
    expect(fromCsv.negativeLabel).toBe('0');
    expect(fromParquet.data.x.values).toEqual(fromCsv.data.x.values);
    expect(fromParquet.data.y).toEqual(fromCsv.data.y);
    expect(fromParquet.featureNames).toEqual(fromCsv.featureNames);
  });

  test('a file that does not exist is named in the error', async () => {
    const missing = join(dir, 'nope.csv');
    const err = await failure(readLabelledDataset(missing, { label: 'y' }));
    expect(err.message).toContain(missing);
    expect(err.message).toContain('does not exist');
  });

  test('an unknown label column lists the available columns', async () => {
    const path = await csv('label.csv', 'a,b,y\n1,2,0\n3,4,1\n');
    const err = await failure(readLabelledDataset(path, { label: 'target' }));
    expect(err.message).toContain('label column "target" not found');
    expect(err.message).toContain('available columns: a, b, y');
  });

  test('a label with one class is refused, naming the class', async () => {
    const path = await csv('one.csv', 'a,y\n1,0\n2,0\n3,0\n');
    const err = await failure(readLabelledDataset(path, { label: 'y' }));
    expect(err.message).toContain('label column "y" has only one class (0)');
  });

  test('three classes need --positive, and an absent --positive value is refused', async () => {
    const path = await csv('three.csv', 'a,kind\n1,cat\n2,dog\n3,cow\n4,dog\n');
    const noPositive = await failure(readLabelledDataset(path, { label: 'kind' }));
    expect(noPositive.message).toContain('has 3 classes (cat, cow, dog)');
    expect(noPositive.message).toContain('pass --positive');
    const absent = await failure(readLabelledDataset(path, { label: 'kind', positive: 'bird' }));
    expect(absent.message).toContain('--positive "bird" is not a value of label column "kind"');
    const ok = await readLabelledDataset(path, { label: 'kind', positive: 'dog' });
    expect(Array.from(ok.data.y)).toEqual([0, 1, 0, 1]);
    expect(ok.negativeLabel).toBe('cat|cow');
  });

  test('a --positive that the file spells with spaces or another case is refused, naming the spelling to pass', async () => {
    const path = await csv('spaced.csv', 'a,status\n1,no\n2, yes\n3,no\n4,no\n');
    const spaced = await failure(readLabelledDataset(path, { label: 'status', positive: 'yes' }));
    expect(spaced.message).toBe(
      '--positive "yes" is not a value of label column "status", but " yes" is: pass --positive " yes"; its values are: " yes", "no"',
    );
    const d = await readLabelledDataset(path, { label: 'status', positive: ' yes' });
    expect(Array.from(d.data.y)).toEqual([0, 1, 0, 0]);
  });

  test('with text labels the less frequent class is positive by default', async () => {
    const path = await csv('text.csv', 'a,status\n1,ok\n2,fraud\n3,ok\n4,ok\n');
    const d = await readLabelledDataset(path, { label: 'status' });
    expect(d.positiveLabel).toBe('fraud');
    expect(Array.from(d.data.y)).toEqual([0, 1, 0, 0]);
  });

  test('boolean labels take true as positive even when true is the majority', async () => {
    const path = await csv('bool.csv', 'a,flag\n1,true\n2,true\n3,false\n');
    const d = await readLabelledDataset(path, { label: 'flag' });
    expect(d.positiveLabel).toBe('true');
    expect(Array.from(d.data.y)).toEqual([1, 1, 0]);
  });

  test('a text feature not declared categorical names the column, its type and the fix', async () => {
    const path = await csv('text-feature.csv', 'a,colour,y\n1,red,0\n2,blue,1\n');
    const err = await failure(readLabelledDataset(path, { label: 'y' }));
    expect(err.message).toContain('feature column "colour"');
    expect(err.message).toContain('has type VARCHAR');
    expect(err.message).toContain('declare it with --categorical colour');
  });

  test('a declared categorical column is one-hot encoded in sorted category order', async () => {
    const path = await csv('cat.csv', 'a,colour,y\n1,red,0\n2,blue,1\n3,green,0\n4,red,1\n');
    const d = await readLabelledDataset(path, { label: 'y', categorical: ['colour'] });
    expect(d.featureNames).toEqual(['a', 'colour=blue', 'colour=green', 'colour=red']);
    expect(d.categorical).toEqual({ colour: ['blue', 'green', 'red'] });
    expect(Array.from(d.data.x.values)).toEqual([1, 0, 0, 1, 2, 1, 0, 0, 3, 0, 1, 0, 4, 0, 0, 1]);
  });

  test('an empty numeric cell names the column and the 1-based data row', async () => {
    const path = await csv('empty.csv', 'a,b,y\n1,2,0\n3,,1\n5,6,0\n');
    const err = await failure(readLabelledDataset(path, { label: 'y' }));
    expect(err.message).toContain('feature column "b"');
    expect(err.message).toContain('at data row 2');
  });

  test('a NaN feature value names the column and row', async () => {
    const path = await csv('nan.csv', 'a,b,y\n1,2,0\n3,4,1\n5,6,0\nNaN,8,1\n');
    const err = await failure(readLabelledDataset(path, { label: 'y' }));
    expect(err.message).toContain('feature column "a"');
    expect(err.message).toContain('NaN at data row 4');
  });

  test('an empty category and an empty label are refused with their rows', async () => {
    const cat = await csv('empty-cat.csv', 'a,colour,y\n1,red,0\n2,,1\n');
    const catErr = await failure(readLabelledDataset(cat, { label: 'y', categorical: ['colour'] }));
    expect(catErr.message).toContain('feature column "colour"');
    expect(catErr.message).toContain('empty or null category at data row 2');
    const label = await csv('empty-label.csv', 'a,y\n1,0\n2,1\n3,\n');
    const labelErr = await failure(readLabelledDataset(label, { label: 'y' }));
    expect(labelErr.message).toContain('label column "y"');
    expect(labelErr.message).toContain('at data row 3');
  });

  test('a file with a header and no rows is refused', async () => {
    const path = await parquetFrom(await csv('rows.csv', 'a,y\n1,0\n2,1\n'), 'rows.parquet');
    const empty = join(dir, 'empty.parquet');
    await withDuckDB((c) =>
      c.run(`COPY (SELECT * FROM read_parquet(${sqlString(path)}) WHERE false) TO ${sqlString(empty)} (FORMAT parquet)`),
    );
    const err = await failure(readLabelledDataset(empty, { label: 'y' }));
    expect(err.message).toContain('has no data rows');
  });

  test('describeColumns and fileSha256 report names, types and a stable hash', async () => {
    const path = await csv('describe.csv', 'a,b,y\n1.5,x,0\n2.5,y,1\n');
    expect(await describeColumns(path)).toEqual([
      { name: 'a', type: 'DOUBLE' },
      { name: 'b', type: 'VARCHAR' },
      { name: 'y', type: 'BIGINT' },
    ]);
    const sha = await fileSha256(path);
    expect(sha).toMatch(/^[0-9a-f]{64}$/);
    expect(await fileSha256(path)).toBe(sha);
  });
});

describe('scanLabelledBatches', () => {
  let big: string;
  const rows = 10_000;
  beforeAll(async () => {
    big = join(dir, 'scan.parquet');
    await withDuckDB((c) =>
      c.run(
        `COPY (SELECT i::DOUBLE AS f0, (2 * i)::DOUBLE AS f1, (i % 10 = 0)::INTEGER AS label FROM range(${rows}) t(i)) TO ${sqlString(big)} (FORMAT parquet)`,
      ),
    );
  });

  test('streams every row in order, in batches no larger than asked', async () => {
    const seen: number[] = [];
    let positives = 0;
    const sizes: number[] = [];
    const result = await scanLabelledBatches(big, { label: 'label', positive: '1', features: ['f1', 'f0'], batchRows: 3000 }, (x, y, n) => {
      sizes.push(n);
      for (let i = 0; i < n; i++) {
        seen.push(x[i * 2 + 1]!);
        expect(x[i * 2]).toBe(2 * x[i * 2 + 1]!);
        positives += y[i]!;
      }
      return false;
    });
    expect(result).toEqual({ scannedRows: rows, stoppedEarly: false });
    expect(sizes).toEqual([3000, 3000, 3000, 1000]);
    expect(seen).toEqual(Array.from({ length: rows }, (_, i) => i));
    expect(positives).toBe(rows / 10);
  });

  test('stops when the callback returns true', async () => {
    let calls = 0;
    const result = await scanLabelledBatches(
      [big, big],
      { label: 'label', positive: '1', features: ['f0'], batchRows: 1000 },
      () => ++calls === 3,
    );
    expect(calls).toBe(3);
    expect(result).toEqual({ scannedRows: 3000, stoppedEarly: true });
  });

  test('a glob that matches nothing is named in the error', async () => {
    const err = await failure(
      scanLabelledBatches(join(dir, 'none-*.parquet'), { label: 'label', positive: '1', features: ['f0'] }, () => false),
    );
    expect(err.message).toContain('none-*.parquet');
  });
});
