// Order-safe sampling. Algorithm 1 (seed 003) stops early once its sample is full, which is an unbiased sample
// only when rows arrive in random order. Files are often ordered (by attack type, by time, by a key), so before
// the early stop is trusted we test whether positives and a few feature means are spread evenly over row
// positions; when they are not, the sampler is fed whole row blocks in a seeded random order instead, which keeps
// early stop (and its cost proportional to the rows read) while making every block equally likely to be read.

import { chiSquareSurvival } from '../drift/chiSquare.js';
import { InvalidInputError } from '../invalidInputError.js';
import { randomPermutation, type RandomSource } from '../random.js';
import type { RowIdSampler } from './rowIdSamplers.js';

/** How a shard's rows were fed to the sampler, and why. JSON-plain: it travels in activity results. */
export interface SamplingOrder {
  /** `sequential`: file order; `random-blocks`: row blocks in a seeded random order. */
  mode: 'sequential' | 'random-blocks';
  /** One sentence for the stage note and `--json`. */
  reason: string;
  /** The order tests that were run (absent when the order was forced). */
  tests?: OrderTest[];
  /** Rows per block when `random-blocks` (the last block may be shorter). */
  blockRows?: number;
}

export interface OrderTest {
  /** `positives` or `feature NAME`. */
  what: string;
  pValue: number;
}

/** Per test block: rows, and for each summarised feature the count, mean and sum of squared deviations. */
export interface BlockFeatureSummary {
  name: string;
  /** One entry per test block, in row order. */
  blocks: Array<{ n: number; mean: number; m2: number }>;
}

export interface RowOrderOptions {
  /**
   * Family-wise false-alarm rate of the order check on a file whose rows are in random order (Bonferroni over
   * the positive test and one test per summarised feature).
   * @default 0.001
   */
  alpha?: number;
  /**
   * Smallest expected positives per block for the chi-square test (Cochran's rule); adjacent blocks are merged
   * to reach it, and with fewer than two such blocks the positive test is not run.
   * @default 5
   */
  minExpected?: number;
}

/**
 * Chi-square test that the positives are spread over the blocks in proportion to their rows. Blocks are merged
 * into `g` equal groups of adjacent blocks so every group expects ≥ minExpected positives. Returns undefined when
 * too few positives (or blocks) make the test meaningless.
 */
export function positiveSpreadPValue(blockRows: ArrayLike<number>, blockPositives: ArrayLike<number>, minExpected = 5): number | undefined {
  const B = blockRows.length;
  let n = 0;
  let p = 0;
  for (let b = 0; b < B; b++) {
    n += blockRows[b]!;
    p += blockPositives[b]!;
  }
  if (n === 0 || p === 0 || p === n) return undefined;
  const groups = Math.min(B, Math.floor(Math.min(p, n - p) / minExpected));
  if (groups < 2) return undefined;
  const rows = new Float64Array(groups);
  const pos = new Float64Array(groups);
  for (let b = 0; b < B; b++) {
    const g = Math.floor((b * groups) / B);
    rows[g] += blockRows[b]!;
    pos[g] += blockPositives[b]!;
  }
  const rate = p / n;
  let stat = 0;
  for (let g = 0; g < groups; g++) {
    // Pearson's statistic over both cells of each group (positives and negatives): a 2×g contingency test.
    const ep = rows[g]! * rate;
    const en = rows[g]! - ep;
    if (ep > 0) stat += (pos[g]! - ep) ** 2 / ep;
    if (en > 0) stat += (rows[g]! - pos[g]! - en) ** 2 / en;
  }
  return chiSquareSurvival(stat, groups - 1);
}

/**
 * One-way analysis of variance of a feature over the blocks: F = between-block mean square / within-block mean
 * square. With the many rows of a file the within-block degrees of freedom are large, so (B − 1)·F is referred to
 * χ²(B − 1). Returns undefined for a constant feature or fewer than two non-empty blocks.
 */
export function featureSpreadPValue(blocks: ReadonlyArray<{ n: number; mean: number; m2: number }>): number | undefined {
  let n = 0;
  let sum = 0;
  let within = 0;
  let used = 0;
  for (const b of blocks) {
    if (!(b.n > 0) || !Number.isFinite(b.mean) || !Number.isFinite(b.m2)) continue;
    n += b.n;
    sum += b.n * b.mean;
    within += b.m2;
    used++;
  }
  if (used < 2 || n - used < 1 || !(within > 0)) return undefined;
  const grand = sum / n;
  let between = 0;
  for (const b of blocks) if (b.n > 0 && Number.isFinite(b.mean) && Number.isFinite(b.m2)) between += b.n * (b.mean - grand) ** 2;
  const f = between / (used - 1) / (within / (n - used));
  if (!Number.isFinite(f)) return undefined;
  return chiSquareSurvival((used - 1) * f, used - 1);
}

/**
 * Decides the order to sample in: random blocks when any test rejects "rows are in random order" at the
 * Bonferroni-corrected level, sequential otherwise.
 */
export function decideRowOrder(
  blockRows: ArrayLike<number>,
  blockPositives: ArrayLike<number>,
  features: readonly BlockFeatureSummary[],
  options: RowOrderOptions = {},
): { ordered: boolean; tests: OrderTest[]; reason: string } {
  const alpha = options.alpha ?? 0.001;
  if (!(alpha > 0 && alpha < 1)) throw new InvalidInputError('alpha', `alpha: expected a rate in (0, 1), got ${alpha}`);
  const tests: OrderTest[] = [];
  const pPos = positiveSpreadPValue(blockRows, blockPositives, options.minExpected ?? 5);
  if (pPos !== undefined) tests.push({ what: 'positives', pValue: round(pPos) });
  for (const f of features) {
    const p = featureSpreadPValue(f.blocks);
    if (p !== undefined) tests.push({ what: `feature ${f.name}`, pValue: round(p) });
  }
  if (tests.length === 0) {
    return { ordered: false, tests, reason: 'too few positives and no varying summarised feature to test the row order; file order kept' };
  }
  const level = alpha / tests.length;
  const failing = tests.filter((t) => t.pValue < level).sort((a, b) => a.pValue - b.pValue);
  if (failing.length === 0) {
    return {
      ordered: false,
      tests,
      reason: `positives and feature means are spread evenly over row positions (smallest p = ${formatP(Math.min(...tests.map((t) => t.pValue)))}, level ${formatP(level)})`,
    };
  }
  const named = failing.map((t) => `${t.what === 'positives' ? 'positives' : `${t.what} means`} (p = ${formatP(t.pValue)})`);
  return {
    ordered: true,
    tests,
    reason: `rows are not in random order: ${named.slice(0, 3).join(', ')}${named.length > 3 ? ` and ${named.length - 3} more` : ''} are not spread evenly over row positions`,
  };
}

export function formatP(p: number): string {
  if (p === 0) return '< 1e-300';
  return p < 1e-3 ? p.toExponential(0) : p.toPrecision(2);
}

/**
 * Rows per random block: one row per block up to 2^20 rows (every row in a random order), else as many as keep the
 * blocks at about 2^20. The sampler is fed row ids (a kept row's features are fetched afterwards), so a block is only
 * the grain of the shuffle: it costs one entry of the block order (4 bytes), not a read. Coarse blocks (1/1000 of
 * the rows, at least 1000, as before) let an early stop read a few contiguous runs of a file sorted by a feature:
 * on 50,000 rows sorted by a feature the sample held no row beyond ±1.4 of its N(0, 1) values.
 */
export function randomBlockRows(totalRows: number): number {
  return Math.max(1, Math.ceil(totalRows / MAX_RANDOM_BLOCKS));
}

/** The most blocks of a random order: its permutation holds one 4-byte entry each. */
const MAX_RANDOM_BLOCKS = 2 ** 20;

/** Block indexes 0..⌈total/blockRows⌉−1 in a seeded random order (Fisher–Yates). */
export function randomBlockOrder(totalRows: number, blockRows: number, random: RandomSource): Int32Array {
  if (!Number.isInteger(blockRows) || blockRows < 1)
    throw new InvalidInputError('blockRows', `blockRows: expected an integer ≥ 1, got ${blockRows}`);
  return randomPermutation(Math.ceil(totalRows / blockRows), random);
}

/**
 * Feeds `sampler` the rows [0, totalRows) whose positives are the sorted ids `positiveIds`, block by block in
 * `blockOrder`. With `withinBlock`, each block's rows come in a seeded random order too, so a stop part-way through
 * a block (or a block holding every positive, as in a file sorted by class) keeps a random part of it, not its
 * first rows; without it, rows come in file order within a block. Returns true when the sampler stopped early.
 */
export function feedBlocks(
  sampler: RowIdSampler,
  positiveIds: Float64Array,
  totalRows: number,
  blockRows: number,
  blockOrder: ArrayLike<number>,
  withinBlock?: RandomSource,
): boolean {
  const isPositive = withinBlock ? new Uint8Array(blockRows) : undefined;
  const perm = withinBlock ? new Int32Array(blockRows) : undefined;
  for (let i = 0; i < blockOrder.length; i++) {
    const start = blockOrder[i]! * blockRows;
    const end = Math.min(totalRows, start + blockRows);
    if (withinBlock && isPositive && perm) {
      const n = end - start;
      isPositive.fill(0, 0, n);
      for (let k = lowerBound(positiveIds, start); k < positiveIds.length && positiveIds[k]! < end; k++)
        isPositive[positiveIds[k]! - start] = 1;
      for (let r = 0; r < n; r++) perm[r] = r;
      for (let r = n - 1; r > 0; r--) {
        const j = withinBlock.nextInt(r + 1);
        const t = perm[r]!;
        perm[r] = perm[j]!;
        perm[j] = t;
      }
      for (let r = 0; r < n; r++) {
        const local = perm[r]!;
        if (isPositive[local] ? sampler.positive(start + local) : sampler.negatives(start + local, 1)) return true;
      }
      continue;
    }
    let next = start;
    for (let k = lowerBound(positiveIds, start); k < positiveIds.length && positiveIds[k]! < end; k++) {
      const row = positiveIds[k]!;
      if (row > next && sampler.negatives(next, row - next)) return true;
      if (sampler.positive(row)) return true;
      next = row + 1;
    }
    if (end > next && sampler.negatives(next, end - next)) return true;
  }
  return false;
}

function lowerBound(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Two significant digits: enough to read a p-value, short in `--json`. */
function round(p: number): number {
  return Number(p.toPrecision(2));
}
