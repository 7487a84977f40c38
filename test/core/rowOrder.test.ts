// The order check behind order-safe sampling: few false alarms on rows in random order, detection of files ordered
// by a predictive feature or drifting over time, and the block feed that replaces file order.

import { describe, expect, it } from 'vitest';
import { seededRandom, type RandomSource } from '../../core/random.js';
import { createRowIdSampler, type RowIdSampler } from '../../core/sampling/rowIdSamplers.js';
import {
  decideRowOrder,
  feedBlocks,
  positiveSpreadPValue,
  randomBlockOrder,
  type BlockFeatureSummary,
} from '../../core/sampling/rowOrder.js';

interface Rows {
  y: Uint8Array;
  x: Float64Array[]; // per feature
}

function normal(r: RandomSource): number {
  return Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next());
}

/** n rows, rate positives, `features` features of which the first is shifted by 1.5 for positives. */
function generate(n: number, rate: number, features: number, r: RandomSource): Rows {
  const y = new Uint8Array(n);
  const x = Array.from({ length: features }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    y[i] = r.next() < rate ? 1 : 0;
    for (let f = 0; f < features; f++) x[f]![i] = normal(r) + (f === 0 && y[i] ? 1.5 : 0) + (f === 1 ? Math.exp(normal(r)) : 0);
  }
  return { y, x };
}

function permute(rows: Rows, order: ArrayLike<number>): Rows {
  const n = rows.y.length;
  const y = new Uint8Array(n);
  const x = rows.x.map(() => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    y[i] = rows.y[order[i]!]!;
    rows.x.forEach((col, f) => (x[f]![i] = col[order[i]!]!));
  }
  return { y, x };
}

/** What data/rowOrderScan.ts computes in DuckDB, here in JS: row i is in block floor(i·B/n). */
function decide(rows: Rows, blocks = 32) {
  const n = rows.y.length;
  const blockRows = new Float64Array(blocks);
  const positives = new Float64Array(blocks);
  const features: BlockFeatureSummary[] = rows.x.map((_, f) => ({
    name: `f${f}`,
    blocks: Array.from({ length: blocks }, () => ({ n: 0, mean: 0, m2: 0 })),
  }));
  for (let i = 0; i < n; i++) {
    const b = Math.floor((i * blocks) / n);
    blockRows[b]! += 1;
    positives[b]! += rows.y[i]!;
    rows.x.forEach((col, f) => {
      const acc = features[f]!.blocks[b]!;
      acc.n++;
      const d = col[i]! - acc.mean;
      acc.mean += d / acc.n;
      acc.m2 += d * (col[i]! - acc.mean);
    });
  }
  return decideRowOrder(blockRows, positives, features);
}

describe('row order check', () => {
  it('raises at most 2 false alarms in 200 files whose rows are in random order (level 0.001)', () => {
    const r = seededRandom(11);
    let alarms = 0;
    for (let t = 0; t < 200; t++) {
      const d = decide(generate(4000, 0.03, 3, r));
      expect(d.tests.length).toBe(4); // positives and three features were all tested
      if (d.ordered) alarms++;
    }
    expect(alarms).toBeLessThanOrEqual(2);
  });

  it('detects rows sorted by a feature that predicts the label, naming the positives', () => {
    const rows = generate(20_000, 0.02, 3, seededRandom(3));
    const byFeature = Array.from({ length: 20_000 }, (_, i) => i).sort((a, b) => rows.x[0]![a]! - rows.x[0]![b]!);
    const d = decide(permute(rows, byFeature));
    expect(d.ordered).toBe(true);
    expect(d.reason).toMatch(/^rows are not in random order: positives \(p = .*\).*not spread evenly over row positions/);
    expect(d.tests.find((t) => t.what === 'positives')!.pValue).toBeLessThan(1e-10);
  });

  it('detects a feature drifting over row positions even when positives are spread evenly', () => {
    const rows = generate(20_000, 0.02, 2, seededRandom(4));
    for (let i = 0; i < 20_000; i++) rows.x[0]![i]! += (0.4 * i) / 20_000; // a slow trend, as over time
    const d = decide(rows);
    expect(d.ordered).toBe(true);
    expect(d.reason).toContain('feature f0 means');
    expect(d.reason).not.toMatch(/: positives/);
  });

  it('does not test positives it cannot judge (fewer than 10 of them)', () => {
    expect(positiveSpreadPValue([100, 100, 100], [3, 2, 4])).toBeUndefined();
    expect(positiveSpreadPValue([100, 100], [0, 0])).toBeUndefined();
    expect(positiveSpreadPValue([100, 100], [10, 10])).toBeCloseTo(1, 6);
  });
});

describe('random block feed', () => {
  class Recorder implements RowIdSampler {
    readonly kind = 'firstCome' as const;
    scannedRows = 0;
    seen: Array<[number, number]> = [];
    negatives(first: number, count: number) {
      for (let i = 0; i < count; i++) this.seen.push([first + i, 0]);
      this.scannedRows += count;
      return false;
    }
    positive(row: number) {
      this.seen.push([row, 1]);
      this.scannedRows++;
      return false;
    }
    result(): never {
      throw new Error('unused');
    }
    checkpoint(): never {
      throw new Error('unused');
    }
  }

  it('feeds every row once, block by block in a seeded order, with positives where they are', () => {
    const positives = Float64Array.from([0, 5, 999, 1000, 2500, 3499]);
    const order = randomBlockOrder(3500, 1000, seededRandom(2));
    expect(Array.from(order).sort()).toEqual([0, 1, 2, 3]);
    expect(Array.from(randomBlockOrder(3500, 1000, seededRandom(2)))).toEqual(Array.from(order));
    const rec = new Recorder();
    expect(feedBlocks(rec, positives, 3500, 1000, order)).toBe(false);
    expect(rec.seen.length).toBe(3500);
    expect(new Set(rec.seen.map(([row]) => row)).size).toBe(3500);
    expect(
      rec.seen
        .filter(([, y]) => y === 1)
        .map(([row]) => row)
        .sort((a, b) => a - b),
    ).toEqual(Array.from(positives));
    // Rows of one block arrive together, in the shuffled block order.
    const blocksSeen = [...new Set(rec.seen.map(([row]) => Math.floor(row / 1000)))];
    expect(blocksSeen).toEqual(Array.from(order));

    // Shuffled within blocks too: the same blocks in the same order, each block's rows in a random order.
    const shuffledRec = new Recorder();
    expect(feedBlocks(shuffledRec, positives, 3500, 1000, order, seededRandom(9))).toBe(false);
    expect([...new Set(shuffledRec.seen.map(([row]) => Math.floor(row / 1000)))]).toEqual(Array.from(order));
    expect(shuffledRec.seen.map(([row]) => row).sort((a, b) => a - b)).toEqual(Array.from({ length: 3500 }, (_, i) => i));
    expect(
      shuffledRec.seen
        .filter(([, y]) => y === 1)
        .map(([row]) => row)
        .sort((a, b) => a - b),
    ).toEqual(Array.from(positives));
    const firstBlock = shuffledRec.seen.slice(0, order[0] === 3 ? 500 : 1000).map(([row]) => row);
    expect(firstBlock).not.toEqual([...firstBlock].sort((a, b) => a - b));
  });

  it('stops where Algorithm 1 stops, having read only part of the rows', () => {
    const positives = Float64Array.from({ length: 500 }, (_, i) => i * 20 + 7); // 1 in 20 of 10,000 rows
    const sampler = createRowIdSampler({ kind: 'adaptive', targetSize: 400, positiveTarget: 50, random: seededRandom(1) });
    expect(feedBlocks(sampler, positives, 10_000, 1000, randomBlockOrder(10_000, 1000, seededRandom(5)))).toBe(true);
    const s = sampler.result();
    expect(s.complete).toBe(true);
    expect(s.scannedRows).toBeLessThan(10_000);
    expect(s.positiveRows.length).toBe(50);
    expect(s.negativeRows.length).toBe(350);
  });
});
