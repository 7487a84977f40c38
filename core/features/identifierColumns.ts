// Feature columns that are a row number or an id: a row counter (each value one more than the last) or whole numbers
// different on every row. A model splits on them as if they meant something; `fit` and the pipeline's split stage
// warn, each saying how its user leaves such a column out.

import type { FeatureMatrix } from '../dataset.js';

/**
 * A warning per feature column that is a row number or an id, saying what the command does with it (`use`) and how
 * to leave it out (`remedy`): `fit` takes "exclude", the single-step commands a file without it.
 */
export function identifierColumnWarnings(x: FeatureMatrix, names: readonly string[], use: string, remedy: string): string[] {
  return [
    ...rowNumberColumns(x, names).map(
      (name) =>
        `column "${name}" counts the rows (each value one more than the last): a row number or id, and ${use}; leave it out ${remedy} if it carries no meaning`,
    ),
    ...idLikeColumns(x, names).map(
      (name) =>
        `column "${name}" holds a different whole number on every row, as an id does, and ${use}; leave it out ${remedy} if it is an id`,
    ),
  ];
}

/** Fewer rows than this, and distinct whole numbers on every row say little. */
const ID_LIKE_MIN_ROWS = 100;

/**
 * Feature columns of whole numbers, a different one on every row (a row counter aside, said by rowNumberColumns):
 * ids saved in random or shuffled order, which a model would split on as if they meant something.
 */
function idLikeColumns(x: FeatureMatrix, names: readonly string[]): string[] {
  if (x.rows < ID_LIKE_MIN_ROWS) return [];
  const counters = new Set(rowNumberColumns(x, names));
  return names.filter((name, c) => {
    if (counters.has(name)) return false;
    const seen = new Set<number>();
    for (let r = 0; r < x.rows; r++) {
      const v = x.values[r * x.cols + c]!;
      if (!Number.isInteger(v) || seen.has(v)) return false;
      seen.add(v);
    }
    return true;
  });
}

/** Feature columns whose values go up by exactly 1 from row to row: a row number or id saved as a column. */
function rowNumberColumns(x: FeatureMatrix, names: readonly string[]): string[] {
  if (x.rows < 3) return [];
  return names.filter((_, c) => {
    for (let r = 1; r < x.rows; r++) if (x.values[r * x.cols + c]! !== x.values[(r - 1) * x.cols + c]! + 1) return false;
    return true;
  });
}
