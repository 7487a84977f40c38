// Order-safe sampling on real files: a generated file sorted by the feature that predicts its label is detected
// and sampled in seeded random row blocks, so the sample (and a model trained on it) matches what a shuffled copy
// gives; the shuffled copy itself keeps file order. File order with early stop is the biased baseline.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classificationReport } from '../../core/metrics/classMetrics.js';
import { predictProbaLogistic, trainLogisticRegression } from '../../core/models/logisticRegression.js';
import { readLabelledDataset } from '../../data/datasetReader.js';
import { sqlString, withDuckDB } from '../../data/duckdbConnection.js';
import type { SamplingOrderChoice } from '../../data/samplingOrder.js';
import { sampleShard } from '../../data/shardSampling.js';
import { generateSyntheticDataset } from '../../data/syntheticData.js';

const ROWS = 60_000;
const features = ['f0', 'f1', 'f2', 'f3'];
let dir: string;
let sorted: string;
let shuffledCopy: string;
let whole: Awaited<ReturnType<typeof readLabelledDataset>>;
let sortFeature: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-order-'));
  const source = join(dir, 'gen.parquet');
  sorted = join(dir, 'sorted.parquet');
  shuffledCopy = join(dir, 'shuffled.parquet');
  await generateSyntheticDataset({ rows: ROWS, positiveRate: 0.03, features: 4, seed: 21, out: source });
  await withDuckDB(async (c) => {
    const src = `read_parquet(${sqlString(source)})`;
    const effects = (
      await c.runAndReadAll(
        `SELECT ${features.map((f) => `abs(avg(${f}) FILTER (WHERE label = 1) - avg(${f}) FILTER (WHERE label = 0)) / stddev_pop(${f})`).join(', ')} FROM ${src}`,
      )
    )
      .getRowsJS()[0]!
      .map(Number);
    sortFeature = effects.indexOf(Math.max(...effects));
    await c.run(`COPY (SELECT * FROM ${src} ORDER BY ${features[sortFeature]}) TO ${sqlString(sorted)} (FORMAT parquet)`);
    await c.run(
      `COPY (SELECT * EXCLUDE (k, file_row_number) FROM (SELECT *, hash(file_row_number + 5) AS k FROM read_parquet(${sqlString(source)}, file_row_number = true)) ORDER BY k) TO ${sqlString(shuffledCopy)} (FORMAT parquet)`,
    );
  });
  whole = await readLabelledDataset(source, { label: 'label', positive: '1', features });
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function sample(file: string, order: SamplingOrderChoice, seed = 3) {
  const s = (await sampleShard({
    segments: [{ file, firstRow: 0, endRow: ROWS }],
    positive: { label: 'label', positive: '1' },
    featureNames: features,
    targetSize: 6000,
    positiveTarget: 600,
    seed,
    shardIndex: 0,
    order,
  }))!;
  // Mean of the sort feature among the sampled negatives, in units of its whole-file spread: 0 when unbiased.
  const col = sortFeature;
  let sum = 0;
  let n = 0;
  for (let i = 0; i < s.data.y.length; i++)
    if (s.data.y[i] === 0) {
      sum += s.data.x.values[i * 4 + col]!;
      n++;
    }
  let wSum = 0;
  let wSq = 0;
  for (let i = 0; i < whole.rows; i++) {
    const v = whole.data.x.values[i * 4 + col]!;
    wSum += v;
    wSq += v * v;
  }
  const mean = wSum / whole.rows;
  const bias = (sum / n - mean) / Math.sqrt(wSq / whole.rows - mean * mean);
  const model = trainLogisticRegression(s.data, {});
  const gMean = classificationReport(whole.data.y, predictProbaLogistic(model, whole.data.x), 0.5).gMean!;
  return { s, bias, gMean };
}

describe('order-safe sampling of a file sorted by a predictive feature', () => {
  it('detects the order, samples random row blocks, and matches a shuffled copy; file order does not', async () => {
    const safe = await sample(sorted, 'auto');
    const reference = await sample(shuffledCopy, 'auto');
    const fileOrder = await sample(sorted, 'sequential');

    expect(safe.s.order.mode).toBe('random-blocks');
    expect(safe.s.order.reason).toMatch(/positives \(p = [^)]+\).*not spread evenly over row positions/);
    expect(safe.s.order.blockRows).toBe(1); // every row in a seeded random order (the shuffle's grain, not a read)
    expect(safe.s.earlyStop).toBe(true); // early stop is kept: only part of the file was read
    expect(safe.s.scannedRows).toBeLessThan(ROWS / 2);
    expect(reference.s.order.mode).toBe('sequential'); // no false alarm on the shuffled copy

    // Class balance: Nr of N in every complete sample; the sampled negatives cover the whole range of the sort feature.
    expect([safe.s.positives, safe.s.negatives]).toEqual([600, 5400]);
    expect(Math.abs(safe.bias)).toBeLessThan(0.1);
    expect(Math.abs(reference.bias)).toBeLessThan(0.1);
    expect(Math.abs(fileOrder.bias)).toBeGreaterThan(0.3); // about 0.45 here
    // Quality on the whole file: order-safe as good as shuffled (within 0.05 G-mean).
    expect(Math.abs(safe.gMean - reference.gMean)).toBeLessThan(0.05);
  });

  it('is reproducible by seed and varies with it', async () => {
    const a = await sample(sorted, 'auto', 8);
    const b = await sample(sorted, 'auto', 8);
    const c = await sample(sorted, 'auto', 9);
    expect(Array.from(b.s.data.x.values)).toEqual(Array.from(a.s.data.x.values));
    expect(b.s.scannedRows).toBe(a.s.scannedRows);
    expect(c.s.scannedRows).not.toBe(a.s.scannedRows);
  });

  it('samples a CSV copy in the same blocks as the Parquet file', async () => {
    const csv = join(dir, 'sorted.csv');
    await withDuckDB((c) => c.run(`COPY (SELECT * FROM read_parquet(${sqlString(sorted)})) TO ${sqlString(csv)} (FORMAT csv, HEADER)`));
    const fromParquet = await sample(sorted, 'auto', 8);
    const fromCsv = await sample(csv, 'auto', 8);
    expect(fromCsv.s.order.mode).toBe('random-blocks');
    expect(fromCsv.s.order.tests).toEqual(fromParquet.s.order.tests);
    expect(Array.from(fromCsv.s.data.y)).toEqual(Array.from(fromParquet.s.data.y));
    expect(fromCsv.s.scannedRows).toBe(fromParquet.s.scannedRows);
  });
});

describe('the row-order test of a wide file', () => {
  const WIDE_ROWS = 30_000;
  const names = Array.from({ length: 20 }, (_, i) => `f${i}`);
  // Features independent of a 3% label: only the column the file is sorted by is out of random order.
  const sortedBy = async (column: string) => {
    const file = join(dir, `wide-by-${column}.parquet`);
    await withDuckDB(async (c) => {
      await c.run('SELECT setseed(0.25)');
      await c.run(
        `COPY (SELECT * FROM (SELECT ${names.map((n) => `random() AS ${n}`).join(', ')}, CAST(random() < 0.03 AS INTEGER) AS label FROM range(${WIDE_ROWS})) ORDER BY ${column}) TO ${sqlString(file)} (FORMAT parquet)`,
      );
    });
    return (await sampleShard({
      segments: [{ file, firstRow: 0, endRow: WIDE_ROWS }],
      positive: { label: 'label', positive: '1' },
      featureNames: names,
      targetSize: 3000,
      positiveTarget: 300,
      seed: 1,
      shardIndex: 0,
      order: 'auto',
    }))!.order;
  };

  it('tests 16 of 20 features (4 before): a file sorted by one of them is read in random blocks', async () => {
    const order = await sortedBy('f9');
    expect(order.mode).toBe('random-blocks');
    expect(order.reason).toMatch(/feature f9 means \(p = [^)]+\) are not spread evenly/);
  });

  it('says which features it tested when it keeps file order, since a column it did not test may be sorted', async () => {
    const order = await sortedBy('f7');
    expect(order.mode).toBe('sequential');
    expect(order.reason).toContain(
      '16 of the 20 features were tested (f0, f1, f3, f4, f5, f6, f8, f9, f10, f11, f13, f14, f15, f16, f18, f19), so a file sorted by another column still reads as random order',
    );
  });
});
