// Edited nearest neighbours (Wilson 1972), with imbalanced-learn's EditedNearestNeighbours semantics:
// a row of a cleaned class is removed when its k nearest neighbours disagree with its label.

import { classCounts, type LabelledData } from '../dataset.js';
import { InvalidInputError } from '../invalidInputError.js';
import { ExactNeighborIndex } from '../neighbors/exactNeighbors.js';
import type { NeighborIndex } from '../neighbors/neighborIndex.js';

export interface EditedNearestNeighboursOptions {
  /**
   * Neighbours examined per row, not counting the row itself.
   * @default 3
   */
  k?: number;
  /**
   * `'all'`: keep a row only when all k neighbours share its class. `'mode'`: keep it when the most common
   * neighbour label is its own; on a tie the lower label (0, negative) wins, as `scipy.stats.mode` does in
   * imbalanced-learn, so a tie keeps a negative row and removes a positive one.
   * @default 'all'
   */
  kindSel?: 'all' | 'mode';
  /**
   * Which classes may lose rows. `'majority'`: only negatives (label 0), imbalanced-learn's `'auto'` for a
   * binary cleaning sampler. `'all'`: both classes.
   * @default 'majority'
   */
  sampling?: 'majority' | 'all';
  /**
   * A neighbour index built over `data.x` (for example HNSW for large inputs).
   * @default an ExactNeighborIndex over data.x
   */
  index?: NeighborIndex;
}

export interface EditedNearestNeighboursResult {
  /** Surviving row indices, ascending. */
  kept: Int32Array;
  /** Rows removed per class: [negatives, positives]. */
  removedPerClass: [number, number];
}

/**
 * Remove rows whose neighbourhood disagrees with their label.
 *
 * Example: with k = 3 and kindSel 'all', a negative whose 3 nearest rows are two negatives and one positive
 * is removed; with kindSel 'mode' it is kept.
 *
 * References: D. L. Wilson, "Asymptotic properties of nearest neighbor rules using edited data",
 * IEEE Transactions on Systems, Man, and Cybernetics 2(3), 408–421, 1972.
 */
export function editedNearestNeighbours(
  data: LabelledData,
  opts: EditedNearestNeighboursOptions = {},
): EditedNearestNeighboursResult {
  const k = opts.k ?? 3;
  const kindSel = opts.kindSel ?? 'all';
  const sampling = opts.sampling ?? 'majority';
  const { rows, cols, values } = data.x;
  const [negatives, positives] = classCounts(data.y);
  if (negatives === 0 || positives === 0) {
    throw new InvalidInputError(
      'labels',
      `edited nearest neighbours needs both classes; got one class only (${negatives} negatives, ${positives} positives).`,
    );
  }
  if (!Number.isInteger(k) || k < 1 || k >= rows) {
    throw new InvalidInputError(
      '--k',
      `k must be an integer from 1 to one below the number of rows (${rows}); got k=${k}. Lower --k.`,
    );
  }
  if (kindSel !== 'all' && kindSel !== 'mode') {
    throw new InvalidInputError('kindSel', `kindSel must be 'all' or 'mode'; got ${String(kindSel)}.`);
  }
  if (sampling !== 'majority' && sampling !== 'all') {
    throw new InvalidInputError('sampling', `sampling must be 'majority' or 'all'; got ${String(sampling)}.`);
  }

  const candidates: number[] = [];
  for (let i = 0; i < rows; i++) if (sampling === 'all' || data.y[i] === 0) candidates.push(i);
  const q = candidates.length;
  const points = new Float64Array(q * cols);
  const self = new Int32Array(q);
  for (let i = 0; i < q; i++) {
    const r = candidates[i]!;
    points.set(values.subarray(r * cols, r * cols + cols), i * cols);
    self[i] = r;
  }
  const index = opts.index ?? new ExactNeighborIndex(data.x);
  const { indices } = index.query(points, q, k, { excludeSelf: self });

  const keep = new Uint8Array(rows).fill(1);
  const removedPerClass: [number, number] = [0, 0];
  for (let i = 0; i < q; i++) {
    const r = candidates[i]!;
    const label = data.y[r]!;
    let same = 0;
    for (let j = i * k; j < i * k + k; j++) if (data.y[indices[j]!] === label) same++;
    const other = k - same;
    const kept = kindSel === 'all' ? same === k : same > other || (same === other && label === 0);
    if (!kept) {
      keep[r] = 0;
      removedPerClass[label]!++;
    }
  }
  const kept = new Int32Array(rows - removedPerClass[0] - removedPerClass[1]);
  let at = 0;
  for (let r = 0; r < rows; r++) if (keep[r] === 1) kept[at++] = r;
  return { kept, removedPerClass };
}
