// Per-row sample weights: the raw input column they come from, their check (finite, ≥ 0, some weight in each
// class) and their row selection, so the weights follow the rows through sampling, splitting and filtering.

import { InvalidInputError } from '../invalidInputError.js';

/** A raw input column of this exact name is a per-row weight, never a feature. */
export const SAMPLE_WEIGHT_COLUMN = 'sample_weight';

/**
 * Every weight finite and ≥ 0, one per row, and at least one weight > 0 in each class (a class whose rows all
 * weigh 0 cannot be learned). `where` names the weights in errors, e.g. `column "sample_weight" of the training split`.
 */
export function checkSampleWeights(weights: ArrayLike<number>, y: Uint8Array, where: string): void {
  if (weights.length !== y.length) {
    throw new InvalidInputError(where, `${where}: expected one weight per row (${y.length}), got ${weights.length}`);
  }
  let positiveWeightedNegatives = 0;
  let positiveWeightedPositives = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]!;
    if (!(w >= 0 && w < Infinity)) {
      throw new InvalidInputError(where, `${where}: expected a finite weight ≥ 0 on every row, got ${w} at row ${i}; fix or drop that row`);
    }
    if (w > 0) {
      if (y[i] === 1) positiveWeightedPositives++;
      else positiveWeightedNegatives++;
    }
  }
  for (const [count, className] of [
    [positiveWeightedNegatives, 'negative'],
    [positiveWeightedPositives, 'positive'],
  ] as const) {
    if (count === 0) {
      throw new InvalidInputError(
        where,
        `${where}: every ${className} row has weight 0, so the ${className} class cannot be learned; expected at least one ${className} row with a weight > 0`,
      );
    }
  }
}

/** The weights of rows `indices`, in that order (the weights' side of takeRows). */
export function takeSampleWeights(weights: Float64Array, indices: ArrayLike<number>): Float64Array {
  const out = new Float64Array(indices.length);
  for (let i = 0; i < indices.length; i++) out[i] = weights[indices[i]!]!;
  return out;
}

/**
 * The weight column (`sample_weight`) named as a feature or a categorical column too: refused, since it would be read as the weight
 * either way. `lists` are the keys (or flags) that name features and their columns; `what` names the input.
 */
export function refuseWeightColumnAsFeature(
  column: string,
  lists: ReadonlyArray<{ key: string; names: readonly string[] | undefined }>,
  what: string,
): void {
  const listed = lists.find((l) => l.names?.includes(column));
  if (listed === undefined) return;
  throw new InvalidInputError(
    `feature column "${column}"`,
    `column "${column}" in ${what} holds per-row sample weights, so it cannot also be a feature; remove it from ${listed.key} (or rename the column to use it as a feature, or list it under input.exclude to train unweighted)`,
  );
}
