// A number per row from its content alone (feature values and label), for a split that gives a row the same role
// in every retrain: a row in one retrain's training split is never in a later one's test split, so the champion and
// a challenger can be compared on test rows neither learnt from (stages/split.ts, core/gates/championRows.ts).

import type { LabelledData } from '../dataset.js';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * FNV-1a over each row's feature bytes (float64, little-endian), its label and how many equal rows came before it.
 * A unique row's key depends on its content alone; copies of one row (common where every feature is a category or a
 * small count) get keys of their own, so they spread over the splits as a shuffle would spread them instead of all
 * landing in one (which copy is where does not matter: they are the same row).
 */
export function rowContentKeys(d: LabelledData): Uint32Array {
  const { rows, cols, values } = d.x;
  const bytes = new Uint8Array(values.buffer, values.byteOffset, rows * cols * 8);
  const keys = new Uint32Array(rows);
  const copiesSoFar = new Map<number, number>();
  for (let r = 0; r < rows; r++) {
    let h = FNV_OFFSET;
    for (let b = r * cols * 8, end = b + cols * 8; b < end; b++) h = Math.imul(h ^ bytes[b]!, FNV_PRIME);
    h = Math.imul(h ^ d.y[r]!, FNV_PRIME);
    const copy = copiesSoFar.get(h) ?? 0;
    copiesSoFar.set(h, copy + 1);
    h = Math.imul(h ^ copy, FNV_PRIME);
    // A final mix, so rows that differ only in their last bytes do not get neighbouring keys.
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    keys[r] = h >>> 0;
  }
  return keys;
}
