// A labelled table with one-hot features of a categorical column is written back with that column of words (CSV and
// Parquet), where its first one-hot feature was; a row with none of them set is written empty (null).

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeLabelledTable } from '../../data/datasetWriter.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-writeback-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('categorical columns written back', () => {
  it('as one column of categories, a row of no category empty, numeric features as they were', async () => {
    const featureNames = ['a', 'color=blue', 'color=red', 'b'];
    // prettier-ignore
    const values = Float64Array.from([
      1.5, 0, 1, 10,
      2.5, 1, 0, 20,
      3.5, 0, 0, 30,
    ]);
    const path = join(dir, 'back.csv');
    await writeLabelledTable(path, {
      data: { x: { rows: 3, cols: 4, values }, y: Uint8Array.from([1, 0, 0]) },
      featureNames,
      labelName: 'label',
      labelValues: ['no', 'yes'],
      categorical: { color: ['blue', 'red'] },
    });
    expect(readFileSync(path, 'utf8').trim().split('\n')).toEqual([
      'a,color,b,label',
      '1.5,red,10.0,yes',
      '2.5,blue,20.0,no',
      '3.5,,30.0,no',
    ]);
  });
});
