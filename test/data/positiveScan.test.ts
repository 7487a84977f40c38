// The label-column scan with a row-id sampler gives exactly the sample of the streaming row sampler, stops as
// early, resumes from a checkpoint to the same sample, and takes SQL predicates as the positive definition.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveSeed, seededRandom } from '../../core/random.js';
import { AdaptiveSampler } from '../../core/sampling/adaptiveSample.js';
import { createRowIdSampler, resumeRowIdSampler, type RowIdSampler } from '../../core/sampling/rowIdSamplers.js';
import { scanLabelledBatches } from '../../data/labelledBatchScan.js';
import { fetchRowsById, fileRowCounts, planShards, scanPositives, type ScanSegment } from '../../data/positiveScan.js';
import { generateSyntheticDataset } from '../../data/syntheticData.js';

let dir: string;
const features = ['f0', 'f1', 'f2'];
const files: Record<string, string> = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-scan-'));
  files.a = join(dir, 'a.parquet');
  files.b = join(dir, 'b.parquet');
  files.csv = join(dir, 'a.csv');
  await generateSyntheticDataset({ rows: 30_000, positiveRate: 0.01, features: 3, seed: 21, out: files.a });
  await generateSyntheticDataset({ rows: 20_000, positiveRate: 0.01, features: 3, seed: 22, out: files.b });
  await generateSyntheticDataset({ rows: 30_000, positiveRate: 0.01, features: 3, seed: 21, out: files.csv });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const def = { label: 'label', positive: '1' };

async function reference(paths: string[], targetSize: number, positiveTarget: number, seed: number) {
  const sampler = new AdaptiveSampler({ targetSize, positiveTarget, cols: 3, random: seededRandom(seed) });
  await scanLabelledBatches(paths, { label: 'label', positive: '1', features }, (x, y, n) => sampler.offerBatch(x, y, n));
  return sampler.result();
}

async function segmentsOf(paths: string[]): Promise<ScanSegment[]> {
  const counts = await fileRowCounts(paths);
  return planShards(paths, counts, 1)[0]!;
}

/** Rows of a sample as sorted strings, to compare samples regardless of row order. */
function rowsOf(x: { rows: number; cols: number; values: Float64Array }, y: Uint8Array): string[] {
  const out: string[] = [];
  for (let r = 0; r < x.rows; r++) out.push(`${y[r]}:${Array.from(x.values.subarray(r * x.cols, (r + 1) * x.cols)).join(',')}`);
  return out.sort();
}

async function sampleBy(sampler: RowIdSampler, segments: ScanSegment[]) {
  await scanPositives(segments, def, sampler);
  const s = sampler.result();
  const ids = Float64Array.from([...s.positiveRows, ...s.negativeRows]);
  const fetched = await fetchRowsById(segments, ids, features, def);
  return { s, fetched };
}

describe('scanPositives + fetchRowsById', () => {
  for (const [name, paths] of [
    ['two Parquet files', ['a', 'b']],
    ['a CSV file', ['csv']],
  ] as const) {
    it(`keeps exactly the rows of the streaming Algorithm 1 for the same seed (${name})`, async () => {
      const p = paths.map((k) => files[k]!);
      for (const [targetSize, positiveTarget] of [
        [2000, 150],
        [5000, 480],
        [900, 900],
      ] as const) {
        const ref = await reference(p, targetSize, positiveTarget, 7);
        const { s, fetched } = await sampleBy(
          createRowIdSampler({ kind: 'adaptive', targetSize, positiveTarget, random: seededRandom(7) }),
          await segmentsOf(p),
        );
        expect(s.scannedRows).toBe(ref.scannedRows);
        expect(s.complete).toBe(ref.complete);
        expect(s.warning).toBe(ref.warning);
        expect(rowsOf(fetched.data.x, fetched.data.y)).toEqual(rowsOf(ref.x, ref.y));
      }
    });
  }

  it('stops early at about Nr/r rows and reports the exhausted-data case', async () => {
    const segs = await segmentsOf([files.a!, files.b!]);
    const early = createRowIdSampler({ kind: 'adaptive', targetSize: 3000, positiveTarget: 100, random: seededRandom(1) });
    await scanPositives(segs, def, early);
    const r = early.result();
    expect(r.earlyStop).toBe(true);
    expect(r.positiveRows.length).toBe(100);
    expect(r.scannedRows).toBeLessThan(1.5 * (100 / 0.01));
    const short = createRowIdSampler({ kind: 'adaptive', targetSize: 3000, positiveTarget: 2000, random: seededRandom(1) });
    await scanPositives(segs, def, short);
    expect(short.result().scannedRows).toBe(50_000);
    expect(short.result().warning).toMatch(/data ran out after 50000 rows: the sample has \d+ of 2000 positives/);
  });

  it('resumes from a checkpoint taken mid-scan to the identical sample', async () => {
    for (const paths of [[files.a!, files.b!], [files.csv!]]) {
      const segs = await segmentsOf(paths);
      const opts = { kind: 'adaptive' as const, targetSize: 2500, positiveTarget: 400, random: seededRandom(deriveSeed(3, 'x')) };
      const whole = createRowIdSampler({ ...opts, random: seededRandom(deriveSeed(3, 'x')) });
      await scanPositives(segs, def, whole);
      const first = createRowIdSampler(opts);
      let progressCalls = 0;
      // Pause at the first progress report, as a killed activity would after its last heartbeat.
      const paused = await scanPositives(segs, def, first, { onProgress: () => ++progressCalls === 1 });
      expect(paused.done).toBe(false);
      const checkpoint = JSON.parse(JSON.stringify(first.checkpoint()));
      const resumed = resumeRowIdSampler({ kind: 'adaptive', targetSize: 2500, positiveTarget: 400 }, checkpoint);
      await scanPositives(segs, def, resumed, { from: paused.position });
      expect(paused.position.row).toBeGreaterThan(0);
      expect(resumed.result()).toEqual(whole.result());
    }
  });

  it('takes a SQL predicate as the positive definition, and names a bad predicate', async () => {
    const segs = await segmentsOf([files.a!]);
    const sampler = createRowIdSampler({ kind: 'adaptive', targetSize: 1000, positiveTarget: 200, random: seededRandom(2) });
    await scanPositives(segs, { label: 'label', predicate: 'f0 > 1.5' }, sampler);
    const s = sampler.result();
    const { data } = await fetchRowsById(segs, s.positiveRows, features, { label: 'label', predicate: 'f0 > 1.5' });
    for (let r = 0; r < data.x.rows; r++) expect(data.x.values[r * 3]!).toBeGreaterThan(1.5);
    expect(Array.from(data.y).every((v) => v === 1)).toBe(true);
    await expect(
      scanPositives(
        segs,
        { label: 'label', predicate: 'revenue >= 100' },
        createRowIdSampler({ kind: 'adaptive', targetSize: 10, positiveTarget: 1, random: seededRandom(1) }),
      ),
    ).rejects.toThrow(/--positive-when "revenue >= 100" is not a usable predicate on .*a\.parquet: .*revenue/);
    await expect(
      scanPositives(
        segs,
        { label: 'label', predicate: 'f0 >>> (' },
        createRowIdSampler({ kind: 'adaptive', targetSize: 10, positiveTarget: 1, random: seededRandom(1) }),
      ),
    ).rejects.toThrow(/not a usable predicate.*(Parser|syntax)/i);
  });

  it('plans row-range shards whose segments cover every row once', async () => {
    const counts = await fileRowCounts([files.a!, files.b!]);
    expect(counts).toEqual([30_000, 20_000]);
    const shards = planShards([files.a!, files.b!], counts, 3);
    const covered = shards.flat().reduce((a, s) => a + s.endRow - s.firstRow, 0);
    expect(covered).toBe(50_000);
    expect(shards.map((s) => s.reduce((a, x) => a + x.endRow - x.firstRow, 0))).toEqual([16_666, 16_667, 16_667]);
    expect(shards[1]).toEqual([
      { file: files.a, firstRow: 16_666, endRow: 30_000 },
      { file: files.b, firstRow: 0, endRow: 3_333 },
    ]);
    expect(() => planShards([files.csv!], [30_000], 2)).toThrow(/more than the 1 CSV files/);
  });

  it('baselines: first-come keeps the first rows; the dual reservoir and uniform sampling scan everything', async () => {
    const segs = await segmentsOf([files.a!, files.b!]);
    const first = createRowIdSampler({ kind: 'firstCome', targetSize: 400, positiveTarget: 50, random: seededRandom(1) });
    await scanPositives(segs, def, first);
    const f = first.result();
    expect(f.earlyStop).toBe(true);
    expect(Array.from(f.negativeRows.slice(0, 3))).toEqual([0, 1, 2].filter((i) => !f.positiveRows.includes(i)).slice(0, 3));
    const dual = createRowIdSampler({ kind: 'dualReservoir', targetSize: 400, positiveTarget: 50, random: seededRandom(1) });
    await scanPositives(segs, def, dual);
    expect(dual.result().scannedRows).toBe(50_000);
    expect(dual.result().positiveRows.length).toBe(50);
    const uniform = createRowIdSampler({ kind: 'uniform', targetSize: 5000, positiveTarget: 1, random: seededRandom(1) });
    await scanPositives(segs, def, uniform);
    const u = uniform.result();
    expect(u.positiveRows.length + u.negativeRows.length).toBe(5000);
    expect(u.positiveRows.length).toBeLessThan(100);
  });
});
