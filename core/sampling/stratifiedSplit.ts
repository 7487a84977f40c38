// Stratified train/validation/test split: each class is shuffled (or ordered by a key of each row's content) and cut
// by the same fractions, so every split keeps the class ratio and holds at least one row of each class.

import { InvalidInputError } from '../invalidInputError.js';
import { shuffleInPlace, type RandomSource } from '../random.js';

export interface SplitFractions {
  /** Share of each class that goes to training, in [0, 1]. */
  train: number;
  /** Share of each class for validation (threshold tuning, early stopping), in [0, 1]. */
  validation: number;
  /** Share of each class held out for the final test, in [0, 1]. */
  test: number;
}

/** Row indices of each split, ascending. */
export interface StratifiedSplit {
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
}

const SPLITS = ['train', 'validation', 'test'] as const;
const FRACTION_TOLERANCE = 1e-9;

/**
 * Split rows by class. Within a class of n rows, split s gets floor(n·f_s) rows and the rows left over go
 * one each to the splits with the largest remainders n·f_s − floor(n·f_s) (ties: train, validation, test), so
 * the counts sum to n exactly. A split with a non-zero fraction that would get no row of a class takes one
 * from the largest split. A class with fewer rows than there are non-empty splits is rejected.
 */
export function stratifiedSplit(
  y: Uint8Array,
  fractions: SplitFractions,
  random: RandomSource,
  /** Multi-class labels: the class values, `y` holding indices into them. @default 0/1 labels (negative, positive) */
  classValues?: readonly string[],
  /**
   * A key per row (rowContentKeys): each class is ordered by key instead of shuffled, so a row's role depends on
   * its content, and the same row takes the same role in another sample of the same data. @default shuffled
   */
  rankKeys?: Uint32Array,
): StratifiedSplit {
  let sum = 0;
  for (const name of SPLITS) {
    const f = fractions[name];
    if (!Number.isFinite(f) || f < 0 || f > 1) {
      throw new InvalidInputError(`fractions.${name}`, `the ${name} fraction must be a number in [0, 1]; got ${f}.`);
    }
    sum += f;
  }
  if (Math.abs(sum - 1) > FRACTION_TOLERANCE) {
    throw new InvalidInputError(
      'fractions',
      `train, validation and test fractions must sum to 1; got ${fractions.train} + ${fractions.validation} + ` +
        `${fractions.test} = ${sum}.`,
    );
  }
  const shares = SPLITS.map((name) => fractions[name]);
  const nonEmpty = shares.filter((f) => f > 0).length;

  const k = classValues ? classValues.length : 2;
  const byClass: number[][] = Array.from({ length: k }, () => []);
  for (let i = 0; i < y.length; i++) {
    const label = y[i]!;
    if (label >= k) {
      throw new InvalidInputError(
        'labels',
        classValues ? `labels must be class indices 0..${k - 1}; row ${i} has ${label}.` : `labels must be 0 or 1; row ${i} has ${label}.`,
      );
    }
    byClass[label]!.push(i);
  }
  const classNames = classValues ? classValues.map((v) => `"${v}"`) : ['negative', 'positive'];
  const perSplit: number[][] = [[], [], []];
  for (let label = 0; label < k; label++) {
    const rows = byClass[label]!;
    if (rows.length < nonEmpty) {
      throw new InvalidInputError(
        'labels',
        `each of the ${nonEmpty} non-empty splits needs at least one ${classNames[label]} row, so at least ` +
          `${nonEmpty} ${classNames[label]} rows are needed; got ${rows.length}. Add rows of that class, or leave its rows out of the input.`,
      );
    }
    if (rankKeys) rows.sort((a, b) => rankKeys[a]! - rankKeys[b]! || a - b);
    else shuffleInPlace(rows, random);
    const counts = apportion(rows.length, shares);
    let at = 0;
    for (let s = 0; s < 3; s++) {
      for (let i = 0; i < counts[s]!; i++) perSplit[s]!.push(rows[at + i]!);
      at += counts[s]!;
    }
  }
  const sorted = perSplit.map((rows) => Int32Array.from(rows).sort());
  return { train: sorted[0]!, validation: sorted[1]!, test: sorted[2]! };
}

function apportion(n: number, shares: number[]): number[] {
  const counts = shares.map((f) => Math.floor(n * f));
  let left = n - counts.reduce((a, b) => a + b, 0);
  const byRemainder = [0, 1, 2].sort((a, b) => {
    const ra = n * shares[a]! - counts[a]!;
    const rb = n * shares[b]! - counts[b]!;
    return rb - ra || a - b;
  });
  for (let i = 0; left > 0; i = (i + 1) % 3) {
    if (shares[byRemainder[i]!]! > 0) {
      counts[byRemainder[i]!]!++;
      left--;
    }
  }
  for (let s = 0; s < 3; s++) {
    if (shares[s]! > 0 && counts[s] === 0) {
      let largest = 0;
      for (let t = 1; t < 3; t++) if (counts[t]! > counts[largest]!) largest = t;
      counts[largest]!--;
      counts[s] = 1;
    }
  }
  return counts;
}
