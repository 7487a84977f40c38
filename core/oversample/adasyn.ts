// ADASYN (He et al. 2008) and SMOTE as its uniform baseline: synthetic minority rows interpolated between minority
// neighbours, more of them where a minority row is surrounded by other classes. Returns the new rows with their lineage.

import type { FeatureMatrix, LabelledData } from '../dataset.js';
import { ExactNeighborIndex } from '../neighbors/exactNeighbors.js';
import type { NeighborIndex, NeighborMatrix } from '../neighbors/neighborIndex.js';
import type { RandomSource } from '../random.js';
import { roundHalfToEven } from './numpyRounding.js';
import { classRows, validateOversample } from './oversampleSettings.js';
import { stats, type OversampleStats } from './oversampleStats.js';
import { adasynAllocation, applyQuota, smoteAllocation } from './syntheticAllocation.js';
import { generate } from './syntheticGeneration.js';
import type { AdasynLineage } from './syntheticLineage.js';

export interface AdasynOptions {
  /**
   * K: neighbours per minority row, both for its hardness (among all rows) and for interpolation
   * (among minority rows). Must be below the number of minority rows.
   * @default 5
   */
  k?: number;
  /**
   * β: balance level in (0, 1]. G = (negatives − positives) · β synthetic rows are asked for; 1 balances the classes.
   * @default 1
   */
  beta?: number;
  /** Seeded generator for neighbour choice and interpolation steps. */
  random: RandomSource;
  /**
   * A neighbour index built over all of `data.x`, for the hardness step. It is not closed here.
   * @default an ExactNeighborIndex over data.x, closed before returning
   */
  index?: NeighborIndex;
  /**
   * A neighbour index built over the minority rows only, in ascending row order, for the interpolation step.
   * @default an ExactNeighborIndex over those rows
   */
  minorityIndex?: NeighborIndex;
  /**
   * Quota: at most this many synthetic rows (> 0). A larger allocation is scaled down proportionally to exactly
   * the quota, and `quotaMessage` says so.
   * @default no quota
   */
  maxSyntheticRows?: number;
  /**
   * Quota as a ratio (> 0): at most this many synthetic rows per input row (0.5: the output is at most 1.5× the input).
   * Combined with `maxSyntheticRows`, the lower bound applies.
   * @default no quota
   */
  maxSyntheticRatio?: number;
  /**
   * Columns holding category codes. They still count in distances as given (encode them in core/features first),
   * but are never interpolated: a synthetic row takes the most common value among its seed row's K minority
   * neighbours (SMOTE-NC), ties to the smallest value.
   * @default none
   */
  categoricalColumns?: number[];
  /**
   * One-hot column groups, one per categorical feature (the reader's `colour=red`, `colour=blue`, … columns of
   * `colour`). Never interpolated: a synthetic row takes the category most common among its seed row's K minority
   * neighbours (SMOTE-NC), ties to the group's first column, so each group keeps exactly one 1. For distances that
   * treat a category change as one step, build the indexes with core/neighbors/distanceSpace.ts's groups.
   * @default none
   */
  categoricalGroups?: number[][];
  /**
   * Reject constant (zero-variance) feature columns as bad input. A pipeline that has its own feature checks may
   * turn this off: a constant column does not change distances and interpolates to itself.
   * @default true
   */
  rejectConstantFeatures?: boolean;
}

export interface AdasynResult {
  /** Synthetic rows, label 1; grouped by parent in ascending parent order. */
  synthetic: FeatureMatrix;
  lineage: AdasynLineage;
  /** g_i: synthetic rows generated from each minority row (aligned with `minorityRows`). */
  perRowCount: Int32Array;
  /** Input row indices of the minority rows, ascending. */
  minorityRows: Int32Array;
  /** Δ_i: rows of another class among each minority row's K nearest neighbours (aligned with `minorityRows`). */
  majorityNeighbours: Int32Array;
  /** r_i = Δ_i / K: share of other-class rows among each minority row's K nearest neighbours. */
  hardness: Float64Array;
  /** G: synthetic rows the balance level asks for, before any quota. */
  requested: number;
  /** Set when a quota scaled the allocation down, saying by how much. */
  quotaMessage?: string;
  /** Set when no synthetic row is generated, saying why. */
  warning?: string;
  stats: OversampleStats;
}

/**
 * ADASYN as in He et al. 2008 (seed 001_b07967c92bdc92f7, "How does ADASYN work", steps 1–5):
 * 1. d = m_s / m_l; G = rint((m_l − m_s) · β).
 * 2. For each minority row i, Δ_i = negatives among its K nearest rows of the whole input (itself excluded);
 *    r_i = Δ_i / K; r̂_i = r_i / Σ r.
 * 3. g_i = rint(r̂_i · G), half to even. r_i, Σ r (numpy's pairwise summation) and r̂_i are computed in the same
 *    float64 operations as imbalanced-learn, so counts match it exactly; Σ g_i may differ from G by rounding.
 * 4. Each synthetic row of i picks one of i's K nearest minority rows z uniformly and a step λ ~ U[0, 1):
 *    x_new = x_i + λ (x_z − x_i).
 *
 * When Σ r = 0 (no minority row has a negative neighbour) imbalanced-learn raises a RuntimeError. Here the
 * result is empty with a `warning` instead: the data is valid, just well separated, and a pipeline can go on
 * without oversampling. An empty result with a warning is also returned when G ≤ 0 or every g_i rounds to 0.
 *
 * Example: 4 negatives, 2 positives, K = 1, β = 1 gives G = 2; if one positive has Δ = 1 and the other Δ = 0,
 * the first gets g = 2 and the second none.
 *
 * References: H. He, Y. Bai, E. A. Garcia and S. Li, "ADASYN: Adaptive synthetic sampling approach for
 * imbalanced learning", IEEE International Joint Conference on Neural Networks, 1322–1328, 2008.
 */
export function adasyn(data: LabelledData, opts: AdasynOptions): AdasynResult {
  const s = validateOversample(data, opts, 'ADASYN');
  const minorityRows = classRows(data.y, 1, s.positives);
  const requested = roundHalfToEven((s.negatives - s.positives) * s.beta);

  // Step 2: hardness from the K nearest rows of the whole input.
  const index = opts.index ?? new ExactNeighborIndex(data.x as NeighborMatrix);
  let all: Int32Array;
  try {
    all = index.queryRows(minorityRows, s.k).indices;
  } finally {
    if (opts.index === undefined) index.close();
  }
  const delta = new Int32Array(s.positives);
  for (let i = 0; i < s.positives; i++) {
    let d = 0;
    for (let j = i * s.k; j < i * s.k + s.k; j++) if (data.y[all[j]!] !== 1) d++;
    delta[i] = d;
  }
  const { counts, hardness, warning } = adasynAllocation(delta, s.k, requested, s.positives, s.negatives, s.beta);
  const quota = applyQuota(counts, s.quota, s.quotaName);
  const { distances, ...generated } = generate(data.x, minorityRows, quota.counts, s.k, opts.random, s.categorical, opts.minorityIndex);
  const result: AdasynResult = {
    ...generated,
    perRowCount: quota.counts,
    minorityRows,
    majorityNeighbours: delta,
    hardness,
    requested,
    stats: stats(data.x.rows, generated.synthetic.rows, distances),
  };
  if (quota.message !== undefined) result.quotaMessage = quota.message;
  if (warning !== undefined) result.warning = warning;
  return result;
}

export type SmoteOptions = Omit<AdasynOptions, 'index'>;

/**
 * SMOTE (Chawla et al. 2002) as ADASYN's baseline: the same G = rint((m_l − m_s) · β) rows, allocated uniformly:
 * every minority row gets ⌊G / m_s⌋ and the remaining G mod m_s rows go to distinct minority rows drawn at random.
 * `majorityNeighbours` and `hardness` are zero: SMOTE does not look at other classes.
 *
 * References: N. V. Chawla, K. W. Bowyer, L. O. Hall and W. P. Kegelmeyer, "SMOTE: Synthetic minority
 * over-sampling technique", Journal of Artificial Intelligence Research 16, 321–357, 2002.
 */
export function smote(data: LabelledData, opts: SmoteOptions): AdasynResult {
  const s = validateOversample(data, opts, 'SMOTE');
  const minorityRows = classRows(data.y, 1, s.positives);
  const requested = roundHalfToEven((s.negatives - s.positives) * s.beta);
  const { counts, warning } = smoteAllocation(requested, s.positives, s.negatives, s.beta, opts.random);
  const quota = applyQuota(counts, s.quota, s.quotaName);
  const generated = generate(data.x, minorityRows, quota.counts, s.k, opts.random, s.categorical, opts.minorityIndex);
  const { distances, ...rest } = generated;
  const result: AdasynResult = {
    ...rest,
    perRowCount: quota.counts,
    minorityRows,
    majorityNeighbours: new Int32Array(s.positives),
    hardness: new Float64Array(s.positives),
    requested,
    stats: stats(data.x.rows, generated.synthetic.rows, distances),
  };
  if (quota.message !== undefined) result.quotaMessage = quota.message;
  if (warning !== undefined) result.warning = warning;
  return result;
}
