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
 * once; a replicate is a vector of row multiplicities, and AP and G-mean are swept over it in O(n).
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
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => scores[b]! - scores[a]!);
  const random = seededRandom(options.seed ?? 0);
  const weight = new Float64Array(n);
  const gMeans = new Float64Array(resamples);
  const aps = new Float64Array(resamples);
  const nPos = positives.length;
  const nNeg = negatives.length;
  for (let rep = 0; rep < resamples; rep++) {
    weight.fill(0);
    for (let k = 0; k < nPos; k++) weight[positives[random.nextInt(nPos)]!]!++;
    for (let k = 0; k < nNeg; k++) weight[negatives[random.nextInt(nNeg)]!]!++;
    let tp = 0;
    let seen = 0;
    let previousRecall = 0;
    let ap = 0;
    let tpAtThreshold = 0;
    let fpAtThreshold = 0;
    let k = 0;
    while (k < n) {
      const s = scores[order[k]!]!;
      while (k < n && scores[order[k]!] === s) {
        const r = order[k]!;
        const w = weight[r]!;
        if (yTrue[r] === 1) tp += w;
        seen += w;
        k++;
      }
      if (s >= threshold) {
        tpAtThreshold = tp;
        fpAtThreshold = seen - tp;
      }
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
  const prevalence = nPos / n;
  return { gMean: interval(gMeans), prAuc, prAucNormalised: [prAuc[0] - prevalence, prAuc[1] - prevalence], resamples, level };
}
