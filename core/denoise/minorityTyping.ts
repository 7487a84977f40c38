// Types each minority row as safe, borderline, rare or outlier by how many of its nearest neighbours are of the
// majority class (seed 002, Definition 2, plus Napierala & Stefanowski's outliers), to report how hard the positive class is.

import { classCounts, type LabelledData } from '../dataset.js';
import { InvalidInputError } from '../invalidInputError.js';
import { ExactNeighborIndex } from '../neighbors/exactNeighbors.js';
import type { NeighborIndex, NeighborMatrix } from '../neighbors/neighborIndex.js';

export const MINORITY_TYPE = { safe: 0, borderline: 1, rare: 2, outlier: 3 } as const;
export type MinorityTypeName = keyof typeof MINORITY_TYPE;

export interface MinorityTypingOptions {
  /**
   * Neighbours examined per minority row, not counting the row itself. The thresholds are defined for 5.
   * @default 5
   */
  k?: number;
  /**
   * A neighbour index built over `data.x`. It is not closed here.
   * @default an ExactNeighborIndex over data.x, closed before returning
   */
  index?: NeighborIndex;
}

export interface MinorityTyping {
  /** Row indices of the minority (label 1) rows, ascending. */
  minorityRows: Int32Array;
  /** Majority (label 0) rows among each minority row's k nearest neighbours, aligned with `minorityRows`. */
  majorityNeighbours: Uint8Array;
  /** Type per minority row: 0 safe, 1 borderline, 2 rare, 3 outlier (see {@link MINORITY_TYPE}). */
  types: Uint8Array;
  counts: Record<MinorityTypeName, number>;
}

/**
 * With j majority rows among the k = 5 nearest neighbours (seed 002_6b51d0f936c7901b, Definition 2, split at 5 as
 * Napierala & Stefanowski do): safe j = 0–1, borderline j = 2–3, rare j = 4, outlier j = 5.
 * For other k the same fractions apply: safe 5j ≤ k, borderline 5j ≤ 3k, rare j < k, outlier j = k.
 *
 * References: K. Napierala and J. Stefanowski, "Types of minority class examples and their influence on
 * learning classifiers from imbalanced data", Journal of Intelligent Information Systems 46, 563–597, 2016.
 */
export function typeMinority(data: LabelledData, opts: MinorityTypingOptions = {}): MinorityTyping {
  const k = opts.k ?? 5;
  const rows = data.x.rows;
  const [negatives, positives] = classCounts(data.y);
  if (negatives === 0 || positives === 0) {
    throw new InvalidInputError(
      'labels',
      `minority typing needs both classes; got one class only (${negatives} negatives, ${positives} positives).`,
    );
  }
  if (!Number.isInteger(k) || k < 1 || k >= rows || k > 255) {
    throw new InvalidInputError(
      '--k',
      `k must be an integer from 1 to one below the number of rows (${rows}), at most 255; got k=${k}. Lower --k.`,
    );
  }

  const minorityRows = new Int32Array(positives);
  let at = 0;
  for (let r = 0; r < rows; r++) if (data.y[r] === 1) minorityRows[at++] = r;
  const index = opts.index ?? new ExactNeighborIndex(data.x as NeighborMatrix);
  let indices: Int32Array;
  try {
    indices = index.queryRows(minorityRows, k).indices;
  } finally {
    if (opts.index === undefined) index.close();
  }

  const majorityNeighbours = new Uint8Array(positives);
  const types = new Uint8Array(positives);
  const counts: Record<MinorityTypeName, number> = { safe: 0, borderline: 0, rare: 0, outlier: 0 };
  for (let i = 0; i < positives; i++) {
    let majority = 0;
    for (let j = i * k; j < i * k + k; j++) majority += data.y[indices[j]!] === 0 ? 1 : 0;
    let type: MinorityTypeName;
    if (5 * majority <= k) type = 'safe';
    else if (5 * majority <= 3 * k) type = 'borderline';
    else if (majority < k) type = 'rare';
    else type = 'outlier';
    majorityNeighbours[i] = majority;
    types[i] = MINORITY_TYPE[type];
    counts[type]++;
  }
  return { minorityRows, majorityNeighbours, types, counts };
}
