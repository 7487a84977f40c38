// How many synthetic rows each minority row gets: ADASYN's hardness-weighted allocation (steps 1–3), SMOTE's uniform
// one, and a quota that scales an allocation down to an exact total.

import type { RandomSource } from '../random.js';
import { numpyPairwiseSum, roundHalfToEven } from './numpyRounding.js';

// ADASYN steps 1–3 (seed 001: "Estimate the ratio of majority neighbors … Normalize difficulty scores"), in
// imbalanced-learn's float64 operation order: r = Δ / K; r /= Σ r; g = rint(r · G).
export function adasynAllocation(delta: Int32Array, k: number, requested: number, positives: number, negatives: number, beta: number) {
  const m = delta.length;
  const hardness = new Float64Array(m);
  for (let i = 0; i < m; i++) hardness[i] = delta[i]! / k;
  const counts = new Int32Array(m);
  let warning: string | undefined;
  const sum = numpyPairwiseSum(hardness, 0, m);
  if (requested <= 0) {
    warning =
      `ADASYN generated no rows: positives (${positives}) are not fewer than negatives (${negatives}) × beta ` +
      `(${beta}), so the balance level asks for G = ${requested} rows.`;
  } else if (sum === 0) {
    warning =
      `ADASYN generated no rows: no minority row has a negative among its ${k} nearest neighbours, so every ` +
      'hardness r_i is 0 and the weights r_i / Σr are undefined. The classes look well separated; skip ' +
      'oversampling, use SMOTE, or raise --k.';
  } else {
    let total = 0;
    for (let i = 0; i < m; i++) {
      const g = roundHalfToEven((hardness[i]! / sum) * requested);
      counts[i] = g;
      total += g;
    }
    if (total === 0) {
      warning = `ADASYN generated no rows: G = ${requested} spread over ${m} minority rows rounds to 0 for each.`;
    }
  }
  return { counts, hardness, warning };
}

/**
 * SMOTE's uniform allocation: every minority row gets ⌊G / m_s⌋ and the remaining G mod m_s rows go to distinct
 * minority rows drawn at random.
 */
export function smoteAllocation(
  requested: number,
  positives: number,
  negatives: number,
  beta: number,
  random: RandomSource,
): { counts: Int32Array; warning?: string } {
  const counts = new Int32Array(positives);
  if (requested <= 0) {
    return {
      counts,
      warning: `SMOTE generated no rows: positives (${positives}) are not fewer than negatives (${negatives}) × beta (${beta}).`,
    };
  }
  counts.fill(Math.floor(requested / positives));
  const order = Int32Array.from({ length: positives }, (_, i) => i);
  const extra = requested % positives;
  // Partial Fisher–Yates: the first `extra` slots become a uniform sample of distinct rows.
  for (let i = 0; i < extra; i++) {
    const j = i + random.nextInt(positives - i);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
    counts[order[i]!]!++;
  }
  return { counts };
}

// Scale counts down to exactly `quota` in total: ⌊g_i · quota / Σg⌋ each, then one more to the rows with the largest
// remainders (ties to the lower row), so the shares stay proportional.
export function applyQuota(counts: Int32Array, quota: number, quotaName: string): { counts: Int32Array; message?: string } {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  if (total <= quota) return { counts };
  const scale = quota / total;
  const out = new Int32Array(counts.length);
  const remainder = new Float64Array(counts.length);
  let given = 0;
  for (let i = 0; i < counts.length; i++) {
    const exact = counts[i]! * scale;
    out[i] = Math.floor(exact);
    remainder[i] = exact - out[i]!;
    given += out[i]!;
  }
  const order = Int32Array.from({ length: counts.length }, (_, i) => i).sort((a, b) => remainder[b]! - remainder[a]! || a - b);
  for (let j = 0; j < quota - given; j++) out[order[j]!]!++;
  return {
    counts: out,
    message: `the allocation of ${total} synthetic rows exceeds the quota (${quotaName}); each row's count was scaled by ${scale.toFixed(4)} to ${quota} rows in all.`,
  };
}
