// Summary of an oversampling run: synthetic share and the seed-to-neighbour distances of the synthetic rows.

import type { FeatureMatrix } from '../dataset.js';
import { nthSmallest } from '../orderStatistics.js';

/** Summary statistics of the euclidean distance from each synthetic row's seed row to its neighbour row. */
export interface DistanceStats {
  min: number;
  mean: number;
  median: number;
  max: number;
}

export interface OversampleStats {
  syntheticRows: number;
  /** Synthetic rows ÷ all output rows (input + synthetic). */
  syntheticShare: number;
  /** Seed-to-neighbour distances of the synthetic rows; all 0 when none was made. */
  neighbourDistance: DistanceStats;
}

export function seedDistance(x: FeatureMatrix, a: number, b: number): number {
  let d = 0;
  for (let c = 0; c < x.cols; c++) {
    const diff = x.values[a * x.cols + c]! - x.values[b * x.cols + c]!;
    d += diff * diff;
  }
  return Math.sqrt(d);
}

export function stats(inputRows: number, syntheticRows: number, distances: Float64Array): OversampleStats {
  const neighbourDistance: DistanceStats = { min: 0, mean: 0, median: 0, max: 0 };
  const n = distances.length;
  if (syntheticRows > 0) {
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      const d = distances[i]!;
      sum += d;
      if (d < min) min = d;
      if (d > max) max = d;
    }
    const work = Float64Array.from(distances);
    const mid = n >> 1;
    const upper = nthSmallest(work, mid);
    neighbourDistance.min = min;
    neighbourDistance.max = max;
    neighbourDistance.mean = sum / n;
    // With an even count the lower middle is the largest value left below `mid` after the selection.
    let lower = -Infinity;
    if (n % 2 === 0) for (let i = 0; i < mid; i++) if (work[i]! > lower) lower = work[i]!;
    neighbourDistance.median = n % 2 === 1 ? upper : (lower + upper) / 2;
  }
  return { syntheticRows, syntheticShare: syntheticRows / (inputRows + syntheticRows), neighbourDistance };
}
