// Which test rows a champion may be judged on: those it was not trained on. A challenger's test split is drawn anew
// each retrain (another seed, another sample, new data), so without this many of its rows can be rows the champion
// learnt from, and the champion then scores far above its real level on them and blocks every honest challenger.

import type { FeatureMatrix } from '../dataset.js';

/** The test rows to compare the champion on, or why the comparison cannot be trusted to leave its training rows out. */
export type ChampionRows = { kind: 'unseen'; rows: Int32Array; excluded: number } | { kind: 'unknown'; why: string };

function rowKey(x: FeatureMatrix, r: number): string {
  return x.values.subarray(r * x.cols, (r + 1) * x.cols).join(',');
}

/**
 * The rows of `test` that are not rows of `seen` (the champion's training and validation rows); the number left out.
 * A row counts as the same row when its feature values occur exactly once in `seen` and once in `test`: on measured
 * features that is one record met twice. Values that recur (every feature a category or a small count) are common
 * patterns that new data holds too, and stay. The feature columns of every matrix must be the same, in one order.
 */
export function rowsNotSeen(test: FeatureMatrix, seen: readonly FeatureMatrix[]): { rows: Int32Array; excluded: number } {
  const seenCounts = new Map<string, number>();
  for (const m of seen) {
    for (let r = 0; r < m.rows; r++) {
      const key = rowKey(m, r);
      seenCounts.set(key, (seenCounts.get(key) ?? 0) + 1);
    }
  }
  const testKeys = Array.from({ length: test.rows }, (_, r) => rowKey(test, r));
  const testCounts = new Map<string, number>();
  for (const k of testKeys) testCounts.set(k, (testCounts.get(k) ?? 0) + 1);
  const rows: number[] = [];
  testKeys.forEach((k, r) => {
    if (!(seenCounts.get(k) === 1 && testCounts.get(k) === 1)) rows.push(r);
  });
  return { rows: Int32Array.from(rows), excluded: test.rows - rows.length };
}
