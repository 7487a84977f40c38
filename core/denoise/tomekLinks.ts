// Tomek links (Tomek 1976): pairs of rows of different classes that are each other's nearest neighbour; removing the
// majority member (or both) clears the class boundary, as imbalanced-learn's TomekLinks does.

import { classCounts, type LabelledData } from '../dataset.js';
import { InvalidInputError } from '../invalidInputError.js';
import { ExactNeighborIndex } from '../neighbors/exactNeighbors.js';
import type { NeighborIndex, NeighborMatrix } from '../neighbors/neighborIndex.js';
import { cleaningResult, REMOVAL_REASON, type CleaningResult } from './removalReason.js';

export interface TomekLinksOptions {
  /**
   * `'majority'`: remove only the negative (label 0) member of each link, imbalanced-learn's `'auto'`.
   * `'all'`: remove both members.
   * @default 'majority'
   */
  sampling?: 'majority' | 'all';
  /**
   * A neighbour index built over `data.x`. It is not closed here.
   * @default an ExactNeighborIndex over data.x, closed before returning
   */
  index?: NeighborIndex;
}

export interface TomekLinksResult extends CleaningResult {
  /** Links found, as pairs [negative row, positive row], flattened, ascending by negative row. */
  links: Int32Array;
}

/**
 * Rows i and j form a link when nn(i) = j, nn(j) = i and their labels differ; nn is the exact nearest other row,
 * equal distances going to the lower row.
 *
 * References: I. Tomek, "Two modifications of CNN", IEEE Transactions on Systems, Man, and Cybernetics 6(11),
 * 769–772, 1976.
 */
export function tomekLinks(data: LabelledData, opts: TomekLinksOptions = {}): TomekLinksResult {
  const sampling = opts.sampling ?? 'majority';
  if (sampling !== 'majority' && sampling !== 'all') {
    throw new InvalidInputError('sampling', `sampling must be 'majority' or 'all'; got ${String(sampling)}.`);
  }
  const rows = data.x.rows;
  const [negatives, positives] = classCounts(data.y);
  if (negatives === 0 || positives === 0) {
    throw new InvalidInputError(
      'labels',
      `Tomek links need both classes; got one class only (${negatives} negatives, ${positives} positives).`,
    );
  }
  const all = new Int32Array(rows);
  for (let r = 0; r < rows; r++) all[r] = r;
  const index = opts.index ?? new ExactNeighborIndex(data.x as NeighborMatrix);
  let nearest: Int32Array;
  try {
    nearest = index.queryRows(all, 1).indices;
  } finally {
    if (opts.index === undefined) index.close();
  }
  const keep = new Uint8Array(rows).fill(1);
  let linkCount = 0;
  for (let i = 0; i < rows; i++) {
    const j = nearest[i]!;
    if (data.y[i] === 0 && data.y[j] === 1 && nearest[j] === i) linkCount++;
  }
  const links = new Int32Array(2 * linkCount);
  let at = 0;
  for (let i = 0; i < rows; i++) {
    const j = nearest[i]!;
    if (data.y[i] !== 0 || data.y[j] !== 1 || nearest[j] !== i) continue;
    links[at++] = i;
    links[at++] = j;
    keep[i] = 0;
    if (sampling === 'all') keep[j] = 0;
  }
  return { ...cleaningResult(keep, data.y, REMOVAL_REASON.tomekLink), links };
}
