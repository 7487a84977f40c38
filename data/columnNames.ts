// Column names as a file writes them, checked before any command reads a column by its name: a header cell with no
// name, and a name written twice (or twice but for case), which DuckDB would read under names of its own (`column2`,
// `x0_1`) that a model would then learn, and a later file would have to repeat, without the user ever naming them.

import { InvalidInputError } from '../core/invalidInputError.js';

/**
 * A CSV header cell with no name is read as `column<n>` (`a,b,,label`: `column2`), a name the file does not give: a
 * model learnt a feature of that name without a word, and beside a column really named so, one of the two was read
 * under yet another name. Refused, naming each such cell by its position (1 is the first column) and the file.
 */
export function rejectUnnamedColumns(header: readonly string[], columns: ReadonlyArray<{ name: string }>, what: string): void {
  const unnamed = header.flatMap((h, i) => (h === '' ? [i] : []));
  if (unnamed.length === 0) return;
  const positions = unnamed.map((i) => i + 1);
  const listed = positions.length === 1 ? `column ${positions[0]}` : `columns ${positions.slice(0, -1).join(', ')} and ${positions.at(-1)}`;
  const readAs = unnamed.map((i) => `"${columns[i]!.name}"`).join(', ');
  throw new InvalidInputError(
    listed,
    `${listed} of the header of ${what} ${positions.length === 1 ? 'has' : 'have'} no name (the reader would make up ${readAs}, ` +
      `a name the file does not give, and a model would learn and ask for it under that name); expected a name in every header cell: ` +
      `write a name in ${positions.length === 1 ? 'that cell' : 'those cells'}, or drop the ${positions.length === 1 ? 'column' : 'columns'} ` +
      `(a row index saved without a name, as pandas' to_csv writes one unless given index=False, is such a column)`,
  );
}

/**
 * Column names are read without regard to case (`X0,x0` reads as `X0`, `x0_1`), so names differing only by case
 * repeat too; DuckDB reads a repeated name under a name of its own (`x0_1`), which a model would then learn or read.
 */
export function rejectRepeatedNames(names: readonly string[], where: string, repeatNote = ''): void {
  const seen = new Map<string, string>();
  for (const h of names) {
    const first = seen.get(h.toLowerCase());
    if (first !== undefined) {
      throw new InvalidInputError(
        `column "${h}"`,
        first === h
          ? `column name "${h}" appears more than once in ${where}${repeatNote}; expected distinct column names: rename the repeated column`
          : `column names "${first}" and "${h}" in ${where} differ only by case, and column names are read without regard to case; expected names that differ otherwise: rename one of them`,
      );
    }
    seen.set(h.toLowerCase(), h);
  }
}
