// The outer folds and per-fold metrics of the quality benches (quality.ts, missingValues.ts): stratified 5-fold
// assignment by seed, the model options of a fold's fit, and G-mean, minority recall and normalised PR-AUC (AP − π)
// at a threshold.

import { averagePrecision } from '../core/metrics/rankingMetrics.js';
import { takeRows, type LabelledData } from '../core/dataset.js';
import { deriveSeed, seededRandom } from '../core/random.js';
import type { ModelSpec } from '../workflows/contract.js';
import type { Metrics } from './qualitySummary.js';

export const FOLDS = 5;

/** Stratified fold of every row: each class shuffled by seed, then dealt round-robin. */
export function stratifiedFolds(y: Uint8Array, seed: number): Int32Array {
  const random = seededRandom(seed);
  const fold = new Int32Array(y.length);
  for (const cls of [0, 1]) {
    const rows: number[] = [];
    for (let i = 0; i < y.length; i++) if (y[i] === cls) rows.push(i);
    for (let i = rows.length - 1; i > 0; i--) {
      const j = random.nextInt(i + 1);
      [rows[i], rows[j]] = [rows[j]!, rows[i]!];
    }
    rows.forEach((r, k) => (fold[r] = k % FOLDS));
  }
  return fold;
}

export function metricsAt(y: Uint8Array, p: Float64Array, threshold: number): Metrics {
  let tp = 0,
    pos = 0,
    tn = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] === 1) {
      pos++;
      if (p[i]! >= threshold) tp++;
    } else if (p[i]! < threshold) tn++;
  }
  const tpr = tp / pos;
  const tnr = tn / (y.length - pos);
  return { gMean: Math.sqrt(tpr * tnr), recall: tpr, prAucNormalised: averagePrecision(y, p)! - pos / y.length };
}

/** fitModelArtifact's options for a bench fold: the model, numbered features, 0/1 labels, no file behind it. */
export function foldFitOptions(model: ModelSpec, featureNames: string[], seed: number) {
  return {
    model,
    featureNames,
    labelName: 'label',
    labels: { positive: '1', negative: '0' },
    modelName: 'cv',
    seed,
    runId: 'cv',
    datasetSha256: '',
  };
}

/** The outer fold of every row of dataset `name` in repeat `repeat`, the same in every bench. */
export function repeatFolds(y: Uint8Array, name: string, repeat: number): Int32Array {
  return stratifiedFolds(y, deriveSeed(1, repeat === 0 ? `folds ${name}` : `folds ${name} repeat ${repeat}`));
}

/** The training rows (every fold but `k`) and test rows (fold `k`) of `data`. */
export function foldSplit(data: LabelledData, fold: Int32Array, k: number): { train: LabelledData; test: LabelledData } {
  const trainRows: number[] = [];
  const testRows: number[] = [];
  for (let i = 0; i < fold.length; i++) (fold[i] === k ? testRows : trainRows).push(i);
  return { train: takeRows(data, trainRows), test: takeRows(data, testRows) };
}
