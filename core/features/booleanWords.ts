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
