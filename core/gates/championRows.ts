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
 * The rows of `test` whose feature values appear in none of `seen` (the champion's training and validation rows),
 * matched exactly; the number left out. The feature columns of every matrix must be the same, in the same order.
 */
export function rowsNotSeen(test: FeatureMatrix, seen: readonly FeatureMatrix[]): { rows: Int32Array; excluded: number } {
  const keys = new Set<string>();
  for (const m of seen) for (let r = 0; r < m.rows; r++) keys.add(rowKey(m, r));
  const rows: number[] = [];
  for (let r = 0; r < test.rows; r++) if (!keys.has(rowKey(test, r))) rows.push(r);
  return { rows: Int32Array.from(rows), excluded: test.rows - rows.length };
}
