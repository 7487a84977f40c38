// Neighbour recall of an approximate index against exact search on a sample of rows, for stats and bench reports.

import { InvalidInputError } from '../invalidInputError.js';
import type { NeighborIndex } from './neighborIndex.js';

export interface NeighbourRecall {
  /** Share of the exact k nearest neighbours that the approximate index also returned, over all sampled rows. */
  recall: number;
  /** Sampled rows. */
  sampled: number;
  k: number;
}

/**
 * recall@k = Σ_i |approx_k(i) ∩ exact_k(i)| / (k · |sample|), each row queried excluding itself.
 * @param sample indexed rows to query; both indexes must be built over the same rows
 */
export function neighbourRecall(approx: NeighborIndex, exact: NeighborIndex, sample: Int32Array, k = 10): NeighbourRecall {
  if (approx.rows !== exact.rows || approx.cols !== exact.cols) {
    throw new InvalidInputError(
      'indexes',
      `both indexes must cover the same matrix; got ${approx.rows}×${approx.cols} and ${exact.rows}×${exact.cols}.`,
    );
  }
  if (sample.length === 0) throw new InvalidInputError('sample', 'sample must hold at least one row id; got none.');
  const a = approx.queryRows(sample, k);
  const e = exact.queryRows(sample, k);
  let hits = 0;
  for (let i = 0; i < sample.length; i++) {
    const base = i * k;
    for (let j = base; j < base + k; j++) {
      const r = e.indices[j]!;
      for (let m = base; m < base + k; m++) {
        if (a.indices[m] === r) {
          hits++;
          break;
        }
      }
    }
  }
  return { recall: hits / (k * sample.length), sampled: sample.length, k };
}
