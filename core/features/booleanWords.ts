// The one list of words a boolean-like column may hold, lower-cased, each with its 0/1: what DuckDB reads as a
// boolean in a CSV (true/false, t/f, yes/no) and 1/0. `predict` and `evaluate` read a text column of them for a
// column the model learnt as a boolean, and `/score` takes them in a request; not y/n, which DuckDB reads as text.

export const TRUTH_OF_WORD: ReadonlyMap<string, 0 | 1> = new Map<string, 0 | 1>([
  ['true', 1],
  ['t', 1],
  ['yes', 1],
  ['1', 1],
  ['false', 0],
  ['f', 0],
  ['no', 0],
  ['0', 0],
]);

/** The words of truth value `truth`, as a SQL list of strings (`'true', 't', …`); `withDigits` false leaves out 1/0. */
export function truthWordsSql(truth: 0 | 1, withDigits = true): string {
  return [...TRUTH_OF_WORD]
    .filter(([w, v]) => v === truth && (withDigits || !/^[01]$/.test(w)))
    .map(([w]) => `'${w}'`)
    .join(', ');
}

/**
 * The category of each truth value when a categorical column's categories are two words of opposite truth (`no`/`yes`,
 * `false`/`true`, `F`/`T`, in any case: a yes/no column read as text, or a boolean column's cast), else undefined. Such
 * a column matches a boolean or another spelling of the same truth (`True` for `yes`) by its value, as `predict` and
 * `/score` both do.
 */
export function truthCategories(categories: readonly string[]): Map<0 | 1, string> | undefined {
  if (categories.length !== 2) return undefined;
  const byTruth = new Map<0 | 1, string>();
  for (const c of categories) {
    const truth = /^[01]$/.test(c) ? undefined : TRUTH_OF_WORD.get(c.toLowerCase());
    if (truth === undefined || byTruth.has(truth)) return undefined;
    byTruth.set(truth, c);
  }
  return byTruth;
}
