// Gzip-compressed CSV input (.csv.gz): read like .csv, globs of them profiled as one input, and a file that is
// not gzip or is cut short refused by name before DuckDB reads part of it.

import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readLabelledDataset } from '../../data/datasetReader.js';
import { profileLabelledInput } from '../../data/inputProfile.js';
import { describeColumns, formatOf } from '../../data/inputSources.js';
import { failure } from '../support/invalidInputFailure.js';

let dir: string;
const rows = (from: number, n: number) =>
  'a,b,y\n' + Array.from({ length: n }, (_, i) => `${from + i},${(from + i) * 2},${(from + i) % 10 === 0 ? 1 : 0}`).join('\n') + '\n';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rareflow-gzip-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('.csv.gz input', () => {
  test('is a CSV by its extension, whatever the case', () => {
    expect(formatOf('x/data.csv.gz')).toBe('csv');
    expect(formatOf('DATA.CSV.GZ')).toBe('csv');
    expect(() => formatOf('data.json.gz')).toThrow(/expected \.csv, \.csv\.gz, \.parquet or \.arrow/);
  });

  test('reads the same rows as the uncompressed file', async () => {
    const text = rows(0, 200);
    await writeFile(join(dir, 'plain.csv'), text);
    await writeFile(join(dir, 'packed.csv.gz'), gzipSync(text));
    const plain = await readLabelledDataset(join(dir, 'plain.csv'), { label: 'y' });
    const packed = await readLabelledDataset(join(dir, 'packed.csv.gz'), { label: 'y' });
    expect(packed.featureNames).toEqual(['a', 'b']);
    expect(Array.from(packed.data.x.values)).toEqual(Array.from(plain.data.x.values));
    expect(Array.from(packed.data.y)).toEqual(Array.from(plain.data.y));
  });

  test('a glob of .csv.gz files is profiled as one input', async () => {
    await mkdir(join(dir, 'parts'));
    for (let p = 0; p < 3; p++) await writeFile(join(dir, 'parts', `part-${p}.csv.gz`), gzipSync(rows(p * 100, 100)));
    const profile = await profileLabelledInput([join(dir, 'parts', '*.csv.gz')], { label: 'y', hashFiles: false });
    expect(profile.files).toHaveLength(3);
    expect(profile.rows).toBe(300);
    expect(profile.positives).toBe(30);
  });

  test('a file that is not gzip is refused by name', async () => {
    const path = join(dir, 'notgzip.csv.gz');
    await writeFile(path, rows(0, 20));
    const err = await failure(describeColumns(path));
    expect(err.message).toBe(
      `input file ${path} is not a readable gzip file (it does not start with a gzip header); expected a whole gzip-compressed CSV: download or compress it again, or name it .csv if it is not compressed`,
    );
  });

  test('a truncated file is refused by name, never read as fewer rows', async () => {
    const whole = gzipSync(rows(0, 5000));
    const path = join(dir, 'cut.csv.gz');
    await writeFile(path, whole.subarray(0, Math.floor(whole.length / 2)));
    const err = await failure(readLabelledDataset(path, { label: 'y' }));
    expect(err.message).toContain(`input file ${path} is not a readable gzip file (it ends before the end of its compressed data`);
    // The same file inside a glob is refused too.
    await mkdir(join(dir, 'cut'));
    await writeFile(join(dir, 'cut', 'a.csv.gz'), whole);
    await writeFile(join(dir, 'cut', 'b.csv.gz'), await readFile(path));
    const globErr = await failure(profileLabelledInput([join(dir, 'cut', '*.csv.gz')], { label: 'y', hashFiles: false }));
    expect(globErr.message).toContain(`input file ${join(dir, 'cut', 'b.csv.gz')} is not a readable gzip file`);
  });

  test('a glob given to a one-file reader says so', async () => {
    const err = await failure(describeColumns(join(dir, 'none', '*.csv.gz')));
    expect(err.message).toContain('is a glob, and this command reads one file');
  });
});
