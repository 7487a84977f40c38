// Repeated stratified k-fold cross-validation folds: each class is shuffled per repeat and dealt round-robin to the
// folds, so every fold keeps the class ratio. The plan lowers the fold count when a class has fewer rows than folds.

import { InvalidInputError } from '../invalidInputError.js';
import { deriveSeed, seededRandom, shuffleInPlace } from '../random.js';

/** One fold of one repeat: the rows a model is fitted on and the rows it is scored on, ascending. */
export interface InnerFold {
  repeat: number;
  fold: number;
  train: Int32Array;
  validation: Int32Array;
}

export interface FoldPlan {
  folds: number;
  repeats: number;
  /** Why the plan differs from the request (a class too small for the folds asked), when it does. */
  note?: string;
}

/**
 * The folds that fit the data: `folds` lowered to the smaller class's row count (each validation fold needs a row of
 * each class); null when a class has fewer than 2 rows, since no fold could then score both classes.
 */
export function planFolds(y: Uint8Array, folds: number, repeats: number): FoldPlan | null {
  if (!Number.isInteger(folds) || folds < 2) throw new InvalidInputError('folds', `folds: expected an integer ≥ 2, got ${folds}`);
  if (!Number.isInteger(repeats) || repeats < 1) throw new InvalidInputError('repeats', `repeats: expected an integer ≥ 1, got ${repeats}`);
  let positives = 0;
  for (let i = 0; i < y.length; i++) positives += y[i]!;
  const smallest = Math.min(positives, y.length - positives);
  if (smallest < 2) return null;
  if (smallest >= folds) return { folds, repeats };
  return {
    folds: smallest,
    repeats,
    note: `${smallest}-fold instead of ${folds}-fold: the smaller class has only ${smallest} rows`,
  };
}

/**
 * The folds of repeat `repeat`: class rows shuffled by a seed derived from (`seed`, repeat), dealt to folds in turn.
 * `y` holds class indices: 0/1, or 0..K−1 for a multi-class label (the binary folds do not depend on K).
 */
export function stratifiedFolds(y: Uint8Array, folds: number, repeat: number, seed: number): InnerFold[] {
  const random = seededRandom(deriveSeed(seed, `inner folds repeat ${repeat}`));
  const foldOf = new Int32Array(y.length);
  let classes = 2;
  for (let i = 0; i < y.length; i++) classes = Math.max(classes, y[i]! + 1);
  for (let label = 0; label < classes; label++) {
    const rows: number[] = [];
    for (let i = 0; i < y.length; i++) if (y[i] === label) rows.push(i);
    shuffleInPlace(rows, random);
    for (let p = 0; p < rows.length; p++) foldOf[rows[p]!] = p % folds;
  }
  const out: InnerFold[] = [];
  for (let f = 0; f < folds; f++) {
    const train: number[] = [];
    const validation: number[] = [];
    for (let i = 0; i < y.length; i++) (foldOf[i] === f ? validation : train).push(i);
    out.push({ repeat, fold: f, train: Int32Array.from(train), validation: Int32Array.from(validation) });
  }
  return out;
}
