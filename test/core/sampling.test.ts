import { describe, it, expect } from 'vitest';
import {
  AdaptiveSampler,
  mergeShardSamples,
  positiveTargetFor,
  positiveTargetWithRoom,
  shardTargets,
  type AdaptiveSampleResult,
} from '../../core/sampling/adaptiveSample.js';
import { stratifiedSplit } from '../../core/sampling/stratifiedSplit.js';
import { InvalidInputError } from '../../core/invalidInputError.js';
import { seededRandom } from '../../core/random.js';
import { classCounts } from '../../core/dataset.js';

/** One-column stream whose feature value is the row's position, so kept rows can be traced. */
function stream(labels: number[]): { x: Float64Array; y: Uint8Array } {
  return { x: Float64Array.from(labels.map((_, i) => i)), y: Uint8Array.from(labels) };
}

/** Σ (O − E)² / E over cells with a common expected count. */
function chiSquare(observed: number[], expected: number): number {
  return observed.reduce((s, o) => s + ((o - expected) * (o - expected)) / expected, 0);
}

// Upper 0.1% point of the chi-square distribution with 19 and 11 degrees of freedom.
const CHI2_999_DF19 = 43.82;
const CHI2_999_DF11 = 31.26;

function thrown(f: () => unknown): InvalidInputError {
  try {
    f();
  } catch (e) {
    if (e instanceof InvalidInputError) return e;
    throw e;
  }
  throw new Error('expected an InvalidInputError');
}

describe('AdaptiveSampler', () => {
  it('keeps every negative with equal probability (reservoir uniformity, chi-square)', () => {
    // One positive, then 20 negatives into a negative reservoir of N − Nr = 5.
    const labels = [1, ...Array<number>(20).fill(0)];
    const { x, y } = stream(labels);
    const runs = 4000;
    const kept = Array<number>(20).fill(0);
    for (let seed = 1; seed <= runs; seed++) {
      const sampler = new AdaptiveSampler({ targetSize: 6, positiveTarget: 1, cols: 1, random: seededRandom(seed) });
      sampler.offerBatch(x, y, labels.length);
      const s = sampler.result();
      expect(s.x.rows).toBe(6);
      for (let r = 0; r < s.x.rows; r++) if (s.y[r] === 0) kept[s.x.values[r]! - 1]!++;
    }
    expect(kept.reduce((a, b) => a + b, 0)).toBe(runs * 5);
    expect(chiSquare(kept, (runs * 5) / 20)).toBeLessThan(CHI2_999_DF19);
  });

  it('reservoir-samples positives uniformly when they are abundant (step 1(b)iiB)', () => {
    // 12 positives reach Nr = 3 before the 7 negatives fill the sample; the 13th row onward are negatives.
    const labels = [...Array<number>(12).fill(1), ...Array<number>(7).fill(0), 1];
    const { x, y } = stream(labels);
    const runs = 3000;
    const kept = Array<number>(12).fill(0);
    for (let seed = 1; seed <= runs; seed++) {
      const sampler = new AdaptiveSampler({ targetSize: 10, positiveTarget: 3, cols: 1, random: seededRandom(seed) });
      expect(sampler.offerBatch(x, y, labels.length)).toBe(true);
      const s = sampler.result();
      for (let r = 0; r < s.x.rows; r++) if (s.y[r] === 1) kept[s.x.values[r]!]!++;
    }
    expect(chiSquare(kept, (runs * 3) / 12)).toBeLessThan(CHI2_999_DF11);
  });

  it('stops at the first positive after the sample is full, across batches', () => {
    // N = 4, Nr = 2. Positives at 1 and 4 fill Lp; negatives 0 and 2 fill Ln; the positive at 6 stops the scan.
    const { x, y } = stream([0, 1, 0, 0, 1, 0, 1, 0, 1, 1]);
    const sampler = new AdaptiveSampler({ targetSize: 4, positiveTarget: 2, cols: 1, random: seededRandom(7) });
    expect(sampler.offerBatch(x.subarray(0, 4), y.subarray(0, 4), 4)).toBe(false);
    expect(sampler.scannedRows).toBe(4);
    expect(sampler.offerBatch(x.subarray(4), y.subarray(4), 6)).toBe(true);
    expect(sampler.scannedRows).toBe(7);
    expect(sampler.offerBatch(x, y, 10)).toBe(true);
    const s = sampler.result();
    expect(s).toMatchObject({ scannedRows: 7, negativesSeen: 4, positivesSeen: 3, complete: true });
    expect(s.warning).toBeUndefined();
    expect(Array.from(s.y)).toEqual([1, 1, 0, 0]);
    expect(Array.from(s.x.values.subarray(0, 2))).toEqual([1, 4]);
    const negatives = Array.from(s.x.values.subarray(2));
    expect(new Set(negatives).size).toBe(2);
    for (const v of negatives) expect([0, 2, 3, 5]).toContain(v);
  });

  it('warns when the data runs out before the target (step 2)', () => {
    const { x, y } = stream([0, 1, 0, 0, 1, 0]);
    const sampler = new AdaptiveSampler({ targetSize: 10, positiveTarget: 3, cols: 1, random: seededRandom(1) });
    expect(sampler.offerBatch(x, y, 6)).toBe(false);
    const s = sampler.result();
    expect(s.complete).toBe(false);
    expect(s.x.rows).toBe(6);
    expect(classCounts(s.y)).toEqual([4, 2]);
    expect(s.scannedRows).toBe(6);
    expect(s.warning).toBe(
      'data ran out after 6 rows: the sample has 2 of 3 positives and 4 of 7 negatives (6 of 10 rows). ' +
        'Add data, or lower --params or --target-size.',
    );
  });

  it('stores rows of several columns intact', () => {
    const cols = 3;
    const x = Float64Array.from([0, 0.5, -1, 1, 1.5, -2, 2, 2.5, -3]);
    const y = Uint8Array.from([0, 1, 0]);
    const sampler = new AdaptiveSampler({ targetSize: 3, positiveTarget: 1, cols, random: seededRandom(1) });
    sampler.offerBatch(x, y, 3);
    const s = sampler.result();
    expect(s.complete).toBe(true);
    expect(Array.from(s.x.values)).toEqual([1, 1.5, -2, 0, 0.5, -1, 2, 2.5, -3]);
  });

  it('rejects a bad target size or positive target with a message naming it', () => {
    const e = thrown(() => new AdaptiveSampler({ targetSize: 0, positiveTarget: 1, cols: 1, random: seededRandom(1) }));
    expect(e.subject).toBe('--target-size');
    expect(e.message).toContain('target size must be an integer ≥ 1; got 0');
    expect(() => new AdaptiveSampler({ targetSize: 2.5, positiveTarget: 1, cols: 1, random: seededRandom(1) })).toThrow(/target size/);
    expect(() => new AdaptiveSampler({ targetSize: 100, positiveTarget: 150, cols: 1, random: seededRandom(1) })).toThrow(
      'positive target Nr must be an integer from 1 to the target size N (100); got Nr=150.',
    );
    expect(positiveTargetFor(40)).toBe(2000);
    expect(() => positiveTargetFor(0)).toThrow(/params/);
  });

  it('raises Nr to the positives the sample has room for when the negatives all fit', () => {
    // 3M rows with 59,898 positives and a target of 3M: every row fits, so every positive is wanted.
    expect(positiveTargetWithRoom(1050, 3_000_000, 3_000_000, 59_898)).toBe(59_898);
    // 100k rows (40k positives) for a target of 90k: the 60k negatives fit, and 30k places are left for positives.
    expect(positiveTargetWithRoom(1050, 90_000, 100_000, 40_000)).toBe(30_000);
    // Negatives that fill their N − Nr places: Algorithm 1 as written.
    expect(positiveTargetWithRoom(1050, 20_000, 1_000_000, 50_000)).toBe(1050);
    expect(positiveTargetWithRoom(1050, 20_000, 19_000, 50)).toBe(1050);
    // The exact boundary: negatives = N − Nr leave no room beyond Nr.
    expect(positiveTargetWithRoom(1000, 20_000, 24_000, 5000)).toBe(1000);
  });

  it('takes an input no larger than the target whole, even with fewer positives than Nr asks for', () => {
    // 20,000 rows, 450 positives, Nr 550: 19,550 negatives need 19,550 places, so Nr gives way to the 450 there are.
    expect(positiveTargetWithRoom(550, 20_000, 20_000, 450)).toBe(450);
    // 19,950 rows: 19,500 negatives leave 500 places, more than the 450 positives.
    expect(positiveTargetWithRoom(550, 20_000, 19_950, 450)).toBe(500);
    // With several shards Nr never falls (each shard's share of the positives is unknown, and each needs one).
    expect(positiveTargetWithRoom(550, 20_000, 20_000, 2, 4)).toBe(550);
    expect(positiveTargetWithRoom(550, 20_000, 20_000, 2)).toBe(2);
    // Never below the positives.
    for (const [nr, n, rows, p] of [
      [550, 20_000, 20_000, 450],
      [20, 5000, 5000, 300],
      [1050, 3_000_000, 3_000_000, 59_898],
    ] as const) {
      const target = positiveTargetWithRoom(nr, n, rows, p);
      expect(target).toBeGreaterThanOrEqual(p);
      expect(n - target).toBeGreaterThanOrEqual(rows - p);
    }
  });
});

describe('shardTargets and mergeShardSamples', () => {
  it('splits N and Nr across shards so the shares sum to the totals', () => {
    expect(shardTargets(10, 7, 3)).toEqual([
      { targetSize: 4, positiveTarget: 3 },
      { targetSize: 3, positiveTarget: 2 },
      { targetSize: 3, positiveTarget: 2 },
    ]);
    for (const [n, nr, s] of [
      [200_000, 2000, 7],
      [13, 13, 4],
      [101, 5, 5],
      [9, 3, 1],
    ] as const) {
      const shares = shardTargets(n, nr, s);
      expect(shares).toHaveLength(s);
      expect(shares.reduce((a, t) => a + t.targetSize, 0)).toBe(n);
      expect(shares.reduce((a, t) => a + t.positiveTarget, 0)).toBe(nr);
      for (const t of shares) {
        expect(t.positiveTarget).toBeGreaterThanOrEqual(1);
        expect(t.positiveTarget).toBeLessThanOrEqual(t.targetSize);
      }
    }
    expect(() => shardTargets(100, 3, 4)).toThrow('shards must be at most the positive target Nr (3)');
  });

  it('concatenates shard samples, shuffles rows with labels attached, and sums the counters', () => {
    const shard = (offset: number, warning?: string): AdaptiveSampleResult => {
      const r: AdaptiveSampleResult = {
        x: { rows: 4, cols: 2, values: Float64Array.from([0, 1, 2, 3, 4, 5, 6, 7].map((v) => v + offset)) },
        y: Uint8Array.from([1, 0, 0, 1]),
        scannedRows: 10,
        negativesSeen: 6,
        positivesSeen: 4,
        complete: warning === undefined,
      };
      if (warning !== undefined) r.warning = warning;
      return r;
    };
    const merged = mergeShardSamples([shard(0), shard(100, 'ran out')], seededRandom(3));
    expect(merged).toMatchObject({ scannedRows: 20, negativesSeen: 12, positivesSeen: 8, complete: false });
    expect(merged.warning).toBe('shard 1: ran out');
    const pairs: string[] = [];
    for (let r = 0; r < 8; r++) pairs.push(`${merged.x.values[2 * r]},${merged.x.values[2 * r + 1]}:${merged.y[r]}`);
    const expected = ['0,1:1', '2,3:0', '4,5:0', '6,7:1', '100,101:1', '102,103:0', '104,105:0', '106,107:1'];
    expect([...pairs].sort()).toEqual([...expected].sort());
    expect(pairs).not.toEqual(expected);
    const again = mergeShardSamples([shard(0), shard(100, 'ran out')], seededRandom(3));
    expect(Array.from(again.x.values)).toEqual(Array.from(merged.x.values));
  });
});

describe('stratifiedSplit', () => {
  it('keeps the class ratio in every split and covers every row once, indices ascending', () => {
    const y = new Uint8Array(1000);
    for (let i = 0; i < 1000; i += 10) y[i + 3] = 1;
    const split = stratifiedSplit(y, { train: 0.6, validation: 0.2, test: 0.2 }, seededRandom(11));
    expect(classCounts(y.filter((_, i) => split.train.includes(i)))).toEqual([540, 60]);
    expect(classCounts(y.filter((_, i) => split.validation.includes(i)))).toEqual([180, 20]);
    expect(classCounts(y.filter((_, i) => split.test.includes(i)))).toEqual([180, 20]);
    const all = [...split.train, ...split.validation, ...split.test].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    for (const part of [split.train, split.validation, split.test]) {
      for (let i = 1; i < part.length; i++) expect(part[i]!).toBeGreaterThan(part[i - 1]!);
    }
    const again = stratifiedSplit(y, { train: 0.6, validation: 0.2, test: 0.2 }, seededRandom(11));
    expect(Array.from(again.test)).toEqual(Array.from(split.test));
  });

  it('gives each split a positive when there are exactly 3, and rejects fewer', () => {
    const y = Uint8Array.from([0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    const split = stratifiedSplit(y, { train: 0.8, validation: 0.1, test: 0.1 }, seededRandom(5));
    for (const part of [split.train, split.validation, split.test]) {
      expect(Array.from(part).filter((i) => y[i] === 1)).toHaveLength(1);
    }
    expect(split.train.length + split.validation.length + split.test.length).toBe(20);
    y[11] = 0;
    expect(() => stratifiedSplit(y, { train: 0.8, validation: 0.1, test: 0.1 }, seededRandom(5))).toThrow(
      'at least 3 positive rows are needed; got 2',
    );
  });

  it('rejects fractions that do not sum to 1', () => {
    const y = Uint8Array.from([0, 1, 0, 1, 0, 1]);
    expect(() => stratifiedSplit(y, { train: 0.7, validation: 0.2, test: 0.2 }, seededRandom(1))).toThrow(
      /must sum to 1; got 0.7 \+ 0.2 \+ 0.2/,
    );
  });
});

describe('row-id samplers', () => {
  it('keep negatives uniformly over the stream: chi-square over position deciles across many seeds', async () => {
    const { createRowIdSampler, offerLabels } = await import('../../core/sampling/rowIdSamplers.js');
    // 10 positives spread early, then 990 negatives; reservoir of N − Nr = 100 negatives.
    const labels = new Uint8Array(1000);
    for (let i = 0; i < 10; i++) labels[i * 7] = 1;
    const deciles = Array<number>(10).fill(0);
    const runs = 600;
    for (let seed = 1; seed <= runs; seed++) {
      const s = createRowIdSampler({ kind: 'adaptive', targetSize: 110, positiveTarget: 10, random: seededRandom(seed) });
      offerLabels(s, 0, labels, labels.length);
      const r = s.result();
      expect(r.positiveRows.length).toBe(10);
      expect(r.negativeRows.length).toBe(100);
      for (const id of r.negativeRows) deciles[Math.floor(id / 100)]!++;
    }
    // Negatives per decile differ slightly (positives sit in the first decile), so compare with the exact share.
    const negativesPerDecile = Array.from(
      { length: 10 },
      (_, d) => Array.from(labels.subarray(d * 100, d * 100 + 100)).filter((v) => v === 0).length,
    );
    const total = runs * 100;
    const chi = deciles.reduce((acc, o, d) => {
      const e = (total * negativesPerDecile[d]!) / 990;
      return acc + ((o - e) * (o - e)) / e;
    }, 0);
    // Upper 0.1% point of chi-square with 9 degrees of freedom.
    expect(chi).toBeLessThan(27.88);
  });

  it('stop at the same row as the row sampler and report the exhausted-data case identically', async () => {
    const { createRowIdSampler, offerLabels } = await import('../../core/sampling/rowIdSamplers.js');
    const labels = [0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 0];
    const rowSampler = new AdaptiveSampler({ targetSize: 5, positiveTarget: 2, cols: 1, random: seededRandom(4) });
    const { x, y } = stream(labels);
    rowSampler.offerBatch(x, y, labels.length);
    const ids = createRowIdSampler({ kind: 'adaptive', targetSize: 5, positiveTarget: 2, random: seededRandom(4) });
    offerLabels(ids, 0, Uint8Array.from(labels), labels.length);
    const a = rowSampler.result();
    const b = ids.result();
    // The row sampler's single feature is the row position, so kept rows must be the same ids.
    expect([...b.positiveRows, ...b.negativeRows]).toEqual(Array.from(a.x.values));
    // Full after row 5 (2 positives, 3 negatives); the next positive (row 6) stops the scan.
    expect(b.scannedRows).toBe(7);
    expect(b.earlyStop).toBe(true);
    const short = createRowIdSampler({ kind: 'adaptive', targetSize: 50, positiveTarget: 10, random: seededRandom(4) });
    offerLabels(short, 0, Uint8Array.from(labels), labels.length);
    expect(short.result().warning).toBe(
      'data ran out after 12 rows: the sample has 5 of 10 positives and 7 of 40 negatives (12 of 50 rows). Add data, or lower --params or --target-size.',
    );
  });
});
