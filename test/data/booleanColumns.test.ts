// The one rule for boolean-like columns on the data side: readers and the pipeline's input profile name the columns
// read as booleans (their 0/1 feature), and a drift retrain's export writes them back as booleans.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLabelledDataset } from '../../data/datasetReader.js';
import { sqlString, withDuckDB } from '../../data/duckdbConnection.js';
import { profileLabelledInput } from '../../data/inputProfile.js';
import { ServingLog } from '../../data/servingLog.js';
import { exportLabelledServingWindow } from '../../data/servingLogExport.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-bool-data-'));
  writeFileSync(
    join(dir, 'rows.csv'),
    'amount,member,verified,label\n1.5,Yes,True,1\n0.2,no,FALSE,0\n0.3,NO,false,0\n2.1,yes,TRUE,1\n0.1,No,False,0\n',
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('boolean-like columns in data/', () => {
  it('the reader and the input profile read Yes/No and True/False as 0/1 and name those columns', async () => {
    const d = await readLabelledDataset(join(dir, 'rows.csv'), { label: 'label' });
    expect(d.featureNames).toEqual(['amount', 'member', 'verified']);
    expect(d.booleanColumns).toEqual(['member', 'verified']);
    expect(Array.from(d.data.x.values)).toEqual([1.5, 1, 1, 0.2, 0, 0, 0.3, 0, 0, 2.1, 1, 1, 0.1, 0, 0]);
    const profile = await profileLabelledInput([join(dir, 'rows.csv')], { label: 'label', hashFiles: false });
    expect(profile.booleanColumns).toEqual(['member', 'verified']);
  });

  it('a labelled serving window (the data of a drift retrain) exports a boolean-like column as BOOLEAN', async () => {
    const servingDir = join(dir, 'serving');
    const log = await ServingLog.open({ servingDir, modelName: 'm' });
    log.logPrediction('a', 1000, 'champion', 'sha', 0.9, true, 'ok', 10, JSON.stringify({ amount: 1.5, member: 1 }));
    log.logPrediction('b', 1001, 'champion', 'sha', 0.1, false, 'ok', 10, JSON.stringify({ amount: 0.2, member: 0 }));
    log.logFeedback('a', 1002, 'dos', true);
    log.logFeedback('b', 1003, 'normal', false);
    await log.close();
    const out = join(dir, 'window.parquet');
    const written = await exportLabelledServingWindow({
      servingDir,
      modelName: 'm',
      fromMs: 0,
      toMs: 10_000,
      columns: [
        { name: 'amount', numeric: true },
        { name: 'member', numeric: true, boolean: true },
      ],
      labelName: 'label',
      labels: { positive: 'dos', negative: 'normal' },
      out,
    });
    expect(written).toEqual({ rows: 2, positives: 1, skipped: 0 });
    const rows = await withDuckDB(async (c) => ({
      types: (await c.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(out)})`)).getRowsJS().map((r) => [r[0], r[1]]),
      values: (await c.runAndReadAll(`SELECT * FROM read_parquet(${sqlString(out)})`)).getRowsJS(),
    }));
    expect(rows.types).toEqual([
      ['amount', 'DOUBLE'],
      ['member', 'BOOLEAN'],
      ['label', 'VARCHAR'],
    ]);
    expect(rows.values).toEqual([
      [1.5, true, 'dos'],
      [0.2, false, 'normal'],
    ]);
  });

  it('a boolean-like column with one stray value is refused naming that value, not its first "no"', async () => {
    writeFileSync(join(dir, 'stray.csv'), 'amount,member,label\n1.5,yes,1\n0.2,no,0\n0.3,NO,0\n2.1,unknown,1\n0.1,No,0\n');
    await expect(readLabelledDataset(join(dir, 'stray.csv'), { label: 'label' })).rejects.toThrow(
      'has type VARCHAR (first non-numeric value "unknown" at data row 4)',
    );
  });

  it('a column of numbers not all written plainly is refused naming the first such value, not with no value at all', async () => {
    writeFileSync(join(dir, 'plus.csv'), 'amount,member,label\n1.5,1,1\n0.2,0,0\n+3,1,0\n2.1,0,1\n');
    await expect(readLabelledDataset(join(dir, 'plus.csv'), { label: 'label' })).rejects.toThrow(
      'has type VARCHAR (every value reads as a number, but some are not written as plain numbers, such as "+3" at data row 3: a plus sign, spaces, leading zeros or digit separators; write them as plain numbers, such as 3 or -1.5)',
    );
  });
});
