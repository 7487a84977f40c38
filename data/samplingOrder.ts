// Chooses the row order of one shard's sampling scan and feeds the sampler in it: read every positive's row id,
// test (with per-block feature means from DuckDB) whether the rows are in random order, then feed file order
// when they are and seeded random row blocks (rows shuffled within each block) when they are not. See core/sampling/rowOrder.ts.

import { deriveSeed, seededRandom } from '../core/random.js';
import type { RowIdSampler } from '../core/sampling/rowIdSamplers.js';
import {
  decideRowOrder,
  feedBlocks,
  randomBlockOrder,
  randomBlockRows,
  type OrderTest,
  type SamplingOrder,
} from '../core/sampling/rowOrder.js';
import type { ScanPosition, ScanSegment } from './positiveScan.js';
import type { PositiveDefinition } from './positivePredicate.js';
import { collectPositiveIds, positivesPerBlock, summarizeFeatureBlocks } from './rowOrderScan.js';

export type SamplingOrderChoice = 'auto' | 'sequential' | 'random-blocks';

export const SAMPLING_ORDER_CHOICES: readonly SamplingOrderChoice[] = ['auto', 'sequential', 'random-blocks'];

/** Blocks of the order test: 32, or fewer so each holds at least 50 rows. */
const TEST_BLOCKS = 32;
/**
 * Feature columns summarised per block (spread over the feature list). Each costs one read of its column; a sorted
 * column's p-value is far below the Bonferroni level, so testing more loses no power where it matters.
 */
const SUMMARISED_FEATURES = 16;

/** Up to `k` feature names, evenly spaced over the list (the first and, with k ≥ 2, the last included). */
export function summarisedFeatures(featureNames: string[], k = SUMMARISED_FEATURES): string[] {
  if (featureNames.length <= k) return [...featureNames];
  return Array.from({ length: k }, (_, i) => featureNames[Math.round((i * (featureNames.length - 1)) / (k - 1))]!);
}

export interface OrderScanInput {
  segments: ScanSegment[];
  positive: PositiveDefinition;
  featureNames: string[];
  /** The shard's seed; the block order uses a seed derived from it. */
  seed: number;
  choice: Exclude<SamplingOrderChoice, 'sequential'>;
}

/** Feeds `sampler` the whole shard in the chosen order and says which order it was and why. */
export async function chooseSamplingOrder(
  input: OrderScanInput,
  sampler: RowIdSampler,
  onProgress?: (p: ScanPosition) => void | Promise<void>,
): Promise<SamplingOrder> {
  const total = input.segments.reduce((a, s) => a + s.endRow - s.firstRow, 0);
  const positiveIds = await collectPositiveIds(input.segments, input.positive, onProgress);
  let shuffle = input.choice === 'random-blocks';
  let reason = 'random row blocks were asked for';
  let tests: OrderTest[] | undefined;
  if (input.choice === 'auto') {
    const blocks = Math.max(2, Math.min(TEST_BLOCKS, Math.floor(total / 50)));
    const { rows, positives } = positivesPerBlock(positiveIds, Math.max(1, total), blocks);
    // A predicate defines positives from the row's columns; the label column itself is not a feature here.
    const tested = summarisedFeatures(input.featureNames);
    const features = await summarizeFeatureBlocks(input.segments, tested, blocks);
    const decision = decideRowOrder(rows, positives, features);
    shuffle = decision.ordered;
    reason = decision.reason;
    tests = decision.tests;
    // File order kept on the strength of some of the columns only: a file sorted by another one reads as random.
    if (!shuffle && tested.length < input.featureNames.length)
      reason += `; ${tested.length} of the ${input.featureNames.length} features were tested (${tested.join(', ')}), so a file sorted by another column still reads as random order: the random-blocks order reads any file in random blocks`;
  }
  if (shuffle) {
    const blockRows = randomBlockRows(total);
    const random = seededRandom(deriveSeed(input.seed, 'blockOrder'));
    feedBlocks(sampler, positiveIds, total, blockRows, randomBlockOrder(total, blockRows, random), random);
    return { mode: 'random-blocks', reason, ...(tests ? { tests } : {}), blockRows };
  }
  feedBlocks(sampler, positiveIds, total, Math.max(1, total), [0]);
  return { mode: 'sequential', reason, ...(tests ? { tests } : {}) };
}
