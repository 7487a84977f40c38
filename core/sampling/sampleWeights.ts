// Per-row sample weights: the raw input column they come from, their check (finite, ≥ 0, some weight in each
// class) and their row selection, so the weights follow the rows through sampling, splitting and filtering.

import { InvalidInputError } from '../invalidInputError.js';

/** A raw input column of this exact name is a per-row weight, never a feature. */
export const SAMPLE_WEIGHT_COLUMN = 'sample_weight';

/** The smallest share of the total weight a class may carry: below it, a model fitted to the weights never predicts it. */
export const MIN_CLASS_WEIGHT_SHARE = 1e-9;

/**
 * Every weight finite and ≥ 0, one per row, and each class carrying some of the weight: at least one row of weight
 * > 0, and at least MIN_CLASS_WEIGHT_SHARE of the total (one row weighing 1e17 beside rows of 1 made a model that
 * called no row negative, one of 1e300 failed deep inside training). `where` names the weights in errors, e.g.
 * `column "sample_weight" of the training split`; `classes` names the classes of a label of three or more (each
 * row's class index, and the class values), else `y` is negative 0 / positive 1.
 */
export function checkSampleWeights(
  weights: ArrayLike<number>,
  y: Uint8Array,
  where: string,
  classes?: { classOf: ArrayLike<number>; classes: readonly string[] },
): void {
  if (weights.length !== y.length) {
    throw new InvalidInputError(where, `${where}: expected one weight per row (${y.length}), got ${weights.length}`);
  }
  const classOf = classes?.classOf ?? y;
  const names = classes ? classes.classes.map((c) => `class "${c}"`) : ['negative', 'positive'];
  const weighted = new Array<number>(names.length).fill(0);
  const sums = new Array<number>(names.length).fill(0);
  let largest = 0;
  let largestRow = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]!;
    if (!(w >= 0 && w < Infinity)) {
      throw new InvalidInputError(where, `${where}: expected a finite weight ≥ 0 on every row, got ${w} at row ${i}; fix or drop that row`);
    }
    if (w > largest) [largest, largestRow] = [w, i];
    const k = classOf[i]!;
    if (!(k >= 0 && k < names.length)) throw new Error(`checkSampleWeights: row ${i} has class ${k}, outside the ${names.length} classes`);
    if (w > 0) weighted[k]!++;
  }
  // Summed as shares of the largest weight, so weights near the largest double do not overflow to Infinity.
  for (let i = 0; i < weights.length; i++) sums[classOf[i]!]! += weights[i]! / largest;
  const rowsOf = (name: string) => (classes ? `row of ${name}` : `${name} row`);
  names.forEach((name, k) => {
    if (weighted[k] === 0) {
      throw new InvalidInputError(
        where,
        `${where}: every ${rowsOf(name)} has weight 0, so the ${name}${classes ? '' : ' class'} cannot be learned; expected at least one ${rowsOf(name)} with a weight > 0`,
      );
    }
  });
  const total = sums.reduce((t, v) => t + v, 0);
  names.forEach((name, k) => {
    const share = sums[k]! / total;
    if (share < MIN_CLASS_WEIGHT_SHARE) {
      throw new InvalidInputError(
        where,
        `${where}: the ${classes ? `rows of ${name}` : `${name} rows`} carry ${share.toExponential(1)} of the total weight, so a model fitted to these weights would never predict ${classes ? name : `the ${name} class`}; expected weights of comparable scale (the largest, ${largest}, is at row ${largestRow})`,
      );
    }
  });
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

/**
 * The positive share of 0/1 labels `y`, each row counted by its weight when `weights` are given, leaving out the rows
 * `leftOut` marks 1 (the synthetic rows of an oversampled file, which say nothing of the data's own share).
 */
export function positiveShare(y: Uint8Array, weights?: Float64Array, leftOut?: Uint8Array): number {
  let positive = 0;
  let total = 0;
  for (let i = 0; i < y.length; i++) {
    if (leftOut?.[i] === 1) continue;
    const w = weights ? weights[i]! : 1;
    total += w;
    if (y[i] === 1) positive += w;
  }
  return positive / total;
}

/**
 * `weights` scaled to a mean of 1 (divided by their largest first, so 1e300 or 1e-300 neither overflows nor
 * underflows): what a weight means is its size against the others, and the models' fixed constants (a forest's
 * smallest node weight, boosting's hessian floor, the sums a threshold is read from) would otherwise make the same
 * rows weighted by 1, 0.1 or 1e-6 give other models. Equal weights become exactly 1.
 */
export function weightsOfMeanOne(weights: Float64Array): Float64Array {
  let largest = 0;
  for (let i = 0; i < weights.length; i++) if (weights[i]! > largest) largest = weights[i]!;
  if (!(largest > 0) || !Number.isFinite(largest)) return weights;
  const out = new Float64Array(weights.length);
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += out[i] = weights[i]! / largest;
  const mean = sum / weights.length;
  for (let i = 0; i < out.length; i++) out[i] = out[i]! / mean;
  return out;
}
