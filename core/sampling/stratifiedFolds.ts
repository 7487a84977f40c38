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

/** Smaller-class validation rows each candidate should be judged on in all, over its repeats (see steadyFoldPlan). */
export const MIN_VALIDATION_POSITIVES = 100;
/** The most repeats steadyFoldPlan asks for. */
export const MAX_STEADY_REPEATS = 10;
/** Smaller-class rows steadyFoldPlan gives each validation fold at least (when the class has that many for 2 folds). */
export const MIN_FOLD_POSITIVES = 2;

/**
 * planFolds, made steadier on a small class of m rows. Each repeat validates each of them once, so R repeats judge a
 * candidate's recall on R·m validations; its binomial standard error is at most 0.5/√(R·m) (worst case recall 1/2),
 * and R = ⌈100 / m⌉ (at most 10, never fewer than asked) brings the part of it that a new shuffle changes to about
 * 0.05 or less, the size of the differences between candidates. More repeats only average over shuffles: the rows
 * are the same, so they cannot remove the data's own noise. Folds are also lowered so that each holds at least two of
 * the m rows: a fold with one scores recall 0 or 1, a G-mean of 0 or √TNR, and its fold-to-fold spread (the
 * ranking's tie margin) is then mostly that coin.
 */
export function steadyFoldPlan(y: Uint8Array, folds: number, repeats: number): FoldPlan | null {
  const plan = planFolds(y, folds, repeats);
  if (!plan) return null;
  let positives = 0;
  for (let i = 0; i < y.length; i++) positives += y[i]!;
  const smallest = Math.min(positives, y.length - positives);
  const notes: string[] = [];
  let steadyFolds = plan.folds;
  const perFold = Math.max(2, Math.floor(smallest / MIN_FOLD_POSITIVES));
  if (perFold < steadyFolds) {
    steadyFolds = perFold;
    notes.push(
      `${perFold}-fold instead of ${folds}-fold: the smaller class has only ${smallest} rows, fewer than ${MIN_FOLD_POSITIVES} per fold`,
    );
  } else if (plan.note) notes.push(plan.note);
  const steadyRepeats = Math.min(MAX_STEADY_REPEATS, Math.max(repeats, Math.ceil(MIN_VALIDATION_POSITIVES / smallest)));
  if (steadyRepeats > repeats) {
    notes.push(
      `${steadyRepeats} repeats instead of ${repeats}: the smaller class has only ${smallest} rows, and each repeat ` +
        `validates each once (${MIN_VALIDATION_POSITIVES} validations in all are the aim, at most ${MAX_STEADY_REPEATS} repeats)`,
    );
  }
  return { folds: steadyFolds, repeats: steadyRepeats, ...(notes.length ? { note: notes.join('; ') } : {}) };
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
