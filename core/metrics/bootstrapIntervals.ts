// Seeded, class-stratified percentile bootstrap intervals for the metrics that have no closed-form interval:
// G-mean at a threshold and PR-AUC (average precision), plus its normalised form AP − π.

import { InvalidInputError } from '../invalidInputError.js';
import { seededRandom } from '../random.js';
import { assertScoredLabels } from './rankingMetrics.js';

export interface BootstrapOptions {
  /**
   * Bootstrap resamples.
   * @default 1000
   */
  resamples?: number;
  /**
   * Two-sided coverage of the interval.
   * @default 0.95
   */
  level?: number;
  /**
   * Seed of the resampling.
   * @default 0
   */
  seed?: number;
  /**
   * How many times each negative counts in the PR-AUC (see ClassificationReportOptions): the resampling stays
   * stratified at the rows' own counts, and each replicate's average precision is that of the weighted mix.
   * @default 1
   */
  negativeWeight?: number;
}

export interface BootstrapIntervals {
  /** Percentile interval of √(TPR·TNR) at `threshold`; null unless both classes are present. */
  gMean: [number, number] | null;
  /** Percentile interval of the average precision; null unless both classes are present. */
  prAuc: [number, number] | null;
  /** Of AP − π; π is fixed by the stratified resampling, so this is `prAuc` shifted by π. */
  prAucNormalised: [number, number] | null;
  resamples: number;
  level: number;
}

/** The q-quantile of ascending `sorted` by linear interpolation between order statistics (numpy's default). */
export function quantileSorted(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * Resamples positives and negatives separately, with replacement and at their observed counts, so every
 * replicate has both classes and the same prevalence (the usual choice for rare classes). Scores are sorted
 * once; a replicate counts its draws per group of tied scores, and AP and G-mean are swept over the groups.
 */
export function bootstrapIntervals(
  yTrue: Uint8Array,
  scores: Float64Array,
  threshold: number,
  options: BootstrapOptions = {},
): BootstrapIntervals {
  assertScoredLabels(yTrue, scores);
  if (typeof threshold !== 'number' || !Number.isFinite(threshold)) {
    throw new InvalidInputError('threshold', `threshold: expected a finite number, got ${String(threshold)}`);
  }
  const resamples = options.resamples ?? 1000;
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new InvalidInputError('resamples', `resamples: expected an integer ≥ 1, got ${String(resamples)}`);
  }
  const level = options.level ?? 0.95;
  if (typeof level !== 'number' || !(level > 0 && level < 1)) {
    throw new InvalidInputError('level', `level: expected a number in (0, 1), got ${String(level)}`);
  }
  const n = yTrue.length;
  const positives: number[] = [];
  const negatives: number[] = [];
  for (let i = 0; i < n; i++) (yTrue[i] === 1 ? positives : negatives).push(i);
  if (positives.length === 0 || negatives.length === 0) {
    return { gMean: null, prAuc: null, prAucNormalised: null, resamples, level };
  }
  // Rows sorted by descending score once, then grouped by tied score: a replicate only needs how many draws of
  // each class land in each group, so the draws count into two arrays of groups and the sweep runs over groups in
  // order (the same draws and the same sums as a sweep over rows, so the same intervals, several times faster).
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => scores[b]! - scores[a]!);
  const groupOf = new Uint32Array(n);
  let groups = 0;
  let groupsAtThreshold = 0;
  for (let k = 0; k < n; k++) {
    const s = scores[order[k]!]!;
    if (k > 0 && s !== scores[order[k - 1]!]) groups++;
    groupOf[order[k]!] = groups;
    if (s >= threshold) groupsAtThreshold = groups + 1;
  }
  groups++;
  const positiveGroup = Uint32Array.from(positives, (r) => groupOf[r]!);
  const negativeGroup = Uint32Array.from(negatives, (r) => groupOf[r]!);
  const random = seededRandom(options.seed ?? 0);
  const w = options.negativeWeight ?? 1;
  if (typeof w !== 'number' || !(w > 0) || !Number.isFinite(w)) {
    throw new InvalidInputError('negativeWeight', `negativeWeight: expected a finite number > 0, got ${String(w)}`);
  }
  const positivesIn = new Uint32Array(groups);
  const negativesIn = new Uint32Array(groups);
  const gMeans = new Float64Array(resamples);
  const aps = new Float64Array(resamples);
  const nPos = positives.length;
  const nNeg = negatives.length;
  const positiveDraws = new Uint32Array(nPos);
  const negativeDraws = new Uint32Array(nNeg);
  for (let rep = 0; rep < resamples; rep++) {
    positivesIn.fill(0);
    negativesIn.fill(0);
    random.fillInts(nPos, positiveDraws);
    for (let k = 0; k < nPos; k++) positivesIn[positiveGroup[positiveDraws[k]!]!]!++;
    random.fillInts(nNeg, negativeDraws);
    for (let k = 0; k < nNeg; k++) negativesIn[negativeGroup[negativeDraws[k]!]!]!++;
    let tp = 0;
    let fp = 0;
    let previousRecall = 0;
    let ap = 0;
    let tpAtThreshold = 0;
    let fpAtThreshold = 0;
    for (let g = 0; g < groups; g++) {
      tp += positivesIn[g]!;
      fp += negativesIn[g]!;
      if (g < groupsAtThreshold) {
        tpAtThreshold = tp;
        fpAtThreshold = fp;
      }
      const seen = tp + w * fp;
      if (seen === 0) continue;
      const recall = tp / nPos;
      ap += (recall - previousRecall) * (tp / seen);
      previousRecall = recall;
    }
    gMeans[rep] = Math.sqrt((tpAtThreshold / nPos) * ((nNeg - fpAtThreshold) / nNeg));
    aps[rep] = ap;
  }
  gMeans.sort();
  aps.sort();
  const alpha = (1 - level) / 2;
  const interval = (sorted: Float64Array): [number, number] => [quantileSorted(sorted, alpha), quantileSorted(sorted, 1 - alpha)];
  const prAuc = interval(aps);
  const prevalence = nPos / (nPos + w * nNeg);
  return { gMean: interval(gMeans), prAuc, prAucNormalised: [prAuc[0] - prevalence, prAuc[1] - prevalence], resamples, level };
}
