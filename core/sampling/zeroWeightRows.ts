// Rows of weight 0 are set aside from the neighbour steps (the noise filter, minority typing, ADASYN): a row that
// does not count in training must not decide whether another row is noise, nor seed or steer synthetic rows. The
// step runs on the weighted rows; these map its row indices back to the whole input, where the set-aside rows are
// kept as they are.

import { takeRows, type LabelledData } from '../dataset.js';
import type { CleaningResult } from '../denoise/removalReason.js';
import type { MinorityTyping } from '../denoise/minorityTyping.js';
import type { AdasynLineage } from '../oversample/syntheticLineage.js';

/** Indices of the rows weighing more than 0, ascending; undefined when no row weighs 0 (nothing to set aside). */
export function rowsThatWeigh(weights: ArrayLike<number> | undefined): Int32Array | undefined {
  if (!weights) return undefined;
  let weighing = 0;
  for (let r = 0; r < weights.length; r++) if (weights[r]! > 0) weighing++;
  if (weighing === weights.length) return undefined;
  const out = new Int32Array(weighing);
  let i = 0;
  for (let r = 0; r < weights.length; r++) if (weights[r]! > 0) out[i++] = r;
  return out;
}

/**
 * The rows a neighbour step runs on: `source`, the rows weighing more than 0, with their indices in the whole input
 * (`weighing`, undefined when every row weighs and `source` is the input itself) and how many were set aside.
 */
export function weightedRowsOf(
  data: LabelledData,
  weights: ArrayLike<number> | undefined,
): { source: LabelledData; weighing: Int32Array | undefined; setAside: number } {
  const weighing = rowsThatWeigh(weights);
  return weighing
    ? { source: takeRows(data, weighing), weighing, setAside: data.y.length - weighing.length }
    : { source: data, weighing, setAside: 0 };
}

/** A cleaning of the `weighing` rows as one of all `rows`: removed rows renumbered, every set-aside row kept. */
export function cleaningOfAllRows<T extends CleaningResult>(cleaning: T, weighing: Int32Array, rows: number): T {
  const removed = Int32Array.from(cleaning.removed, (r) => weighing[r]!);
  const isRemoved = new Uint8Array(rows);
  for (const r of removed) isRemoved[r] = 1;
  const kept = new Int32Array(rows - removed.length);
  let i = 0;
  for (let r = 0; r < rows; r++) if (!isRemoved[r]) kept[i++] = r;
  return { ...cleaning, kept, removed };
}

/** Minority typing of the `weighing` rows, its row indices renumbered to the whole input. */
export function typingOfAllRows(typing: MinorityTyping, weighing: Int32Array): MinorityTyping {
  return { ...typing, minorityRows: Int32Array.from(typing.minorityRows, (r) => weighing[r]!) };
}

/** ADASYN lineage over the `weighing` rows, its seed and neighbour rows renumbered to the whole input. */
export function lineageOfAllRows(lineage: AdasynLineage, weighing: Int32Array | undefined): AdasynLineage {
  if (!weighing) return lineage;
  return {
    ...lineage,
    parent: Int32Array.from(lineage.parent, (r) => weighing[r]!),
    neighbour: Int32Array.from(lineage.neighbour, (r) => weighing[r]!),
  };
}
