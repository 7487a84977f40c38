import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { InvalidInputError } from '../../core/invalidInputError.js';
import { describeColumns, fileSha256 } from '../../data/inputSources.js';
import { readLabelledDataset } from '../../data/datasetReader.js';
import { scanLabelledBatches } from '../../data/labelledBatchScan.js';
import { generateSyntheticDataset } from '../../data/syntheticData.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rareflow-generate-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('generateSyntheticDataset', () => {
  test('the same seed gives the same file, byte for byte; another seed does not', async () => {
    const opts = { rows: 20_000, positiveRate: 0.05, features: 6, categorical: 2, seed: 3 };
    await generateSyntheticDataset({ ...opts, out: join(dir, 'a.parquet'), batchRows: 5000 });
    await generateSyntheticDataset({ ...opts, out: join(dir, 'b.parquet'), batchRows: 7000 });
    await generateSyntheticDataset({ ...opts, seed: 4, out: join(dir, 'c.parquet') });
    const a = await fileSha256(join(dir, 'a.parquet'));
    expect(await fileSha256(join(dir, 'b.parquet'))).toBe(a);
    expect(await fileSha256(join(dir, 'c.parquet'))).not.toBe(a);
    expect(await describeColumns(join(dir, 'a.parquet'))).toEqual([
      ...['f0', 'f1', 'f2', 'f3', 'f4', 'f5'].map((name) => ({ name, type: 'DOUBLE' })),
      { name: 'c0', type: 'VARCHAR' },
      { name: 'c1', type: 'VARCHAR' },
      { name: 'label', type: 'INTEGER' },
    ]);
  });

  test('positive rate is within tolerance and informative features are shifted for positives', async () => {
    const out = join(dir, 'rate.csv');
    const result = await generateSyntheticDataset({ rows: 50_000, positiveRate: 0.02, features: 10, informative: 4, seed: 9, out });
    // Binomial(50 000, 0.02): sd ≈ 31, so ±160 is five standard deviations.
    expect(Math.abs(result.positives - 1000)).toBeLessThan(160);
    const d = await readLabelledDataset(out, { label: 'label' });
    expect(d.rows).toBe(50_000);
    const mean = (cls: number, col: number) => {
      let s = 0;
      let n = 0;
      for (let i = 0; i < d.rows; i++) {
        if (d.data.y[i] === cls) {
          s += d.data.x.values[i * 10 + col]!;
          n++;
        }
      }
      return s / n;
    };
    // Shift per informative feature is 2.1 / sqrt(4) = 1.05; noise features are not shifted.
    expect(mean(1, 0) - mean(0, 0)).toBeGreaterThan(0.9);
    expect(mean(1, 0) - mean(0, 0)).toBeLessThan(1.2);
    expect(Math.abs(mean(1, 7) - mean(0, 7))).toBeLessThan(0.15);
  });

  test('a 300k-row file is generated in batches and streams back in full', async () => {
    const out = join(dir, 'big.parquet');
    const result = await generateSyntheticDataset({ rows: 300_000, positiveRate: 0.001, features: 5, seed: 1, out, batchRows: 40_000 });
    expect(result.rows).toBe(300_000);
    let scanned = 0;
    let positives = 0;
    const scan = await scanLabelledBatches(
      out,
      { label: 'label', positive: '1', features: ['f0', 'f1', 'f2', 'f3', 'f4'], batchRows: 65_536 },
      (_x, y, n) => {
        scanned += n;
        for (let i = 0; i < n; i++) positives += y[i]!;
        return false;
      },
    );
    expect(scan).toEqual({ scannedRows: 300_000, stoppedEarly: false });
    expect(scanned).toBe(300_000);
    expect(positives).toBe(result.positives);
  });

  test('drift raises the prior, and label noise keeps the positive rate', async () => {
    const drifted = await generateSyntheticDataset({
      rows: 40_000,
      positiveRate: 0.05,
      features: 3,
      drift: 1,
      seed: 5,
      out: join(dir, 'drift.parquet'),
    });
    expect(drifted.positives / 40_000).toBeGreaterThan(0.09);
    const noisy = await generateSyntheticDataset({
      rows: 40_000,
      positiveRate: 0.05,
      features: 3,
      labelNoise: 0.2,
      seed: 5,
      out: join(dir, 'noise.parquet'),
    });
    expect(Math.abs(noisy.positives / 40_000 - 0.05)).toBeLessThan(0.006);
  });

  test('bad parameters name their flag', async () => {
    const base = { rows: 10, positiveRate: 0.1, features: 2, seed: 1, out: join(dir, 'x.parquet') };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ rows: 0 }, '--rows must be an integer from 1'],
      [{ positiveRate: 0.7 }, '--positive-rate must be a number from 0.0001 to 0.5, got 0.7'],
      [{ features: 2.5 }, '--features must be an integer'],
      [{ informative: 3 }, '--informative must be an integer from 0 to 2, got 3'],
      [{ out: join(dir, 'x.json') }, '--out must end in .parquet or .csv'],
      [{ out: join(dir, 'missing', 'x.parquet') }, 'does not exist'],
    ];
    for (const [change, message] of cases) {
      const err = await generateSyntheticDataset({ ...base, ...change }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(InvalidInputError);
      expect((err as Error).message).toContain(message);
    }
  });
});
