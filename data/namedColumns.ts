// Column names a user gives (input.exclude, input.features, --categorical) checked against the input's columns: a
// name that is not there would otherwise be skipped in silence (an exclusion that excludes nothing).

import { InvalidInputError } from '../core/invalidInputError.js';
import { closestName } from '../core/spec/closestName.js';

/**
 * Every name in `names` (from `what`) is one of `columns` of `input`, and not `label` unless `labelAllowed` (naming
 * the label is harmless in an exclusion); else refused, with the closest column name when one is near.
 */
export function requireNamedColumns(
  names: readonly string[],
  what: string,
  input: string,
  label: string,
  columns: readonly string[],
  labelAllowed = false,
): void {
  for (const name of names) {
    if (name === label && !labelAllowed) {
      throw new InvalidInputError(what, `${what} names "${name}", which is the label column of ${input}; it cannot also be a feature`);
    }
    if (columns.includes(name) || name === label) continue;
    const near = closestName(name, columns);
    throw new InvalidInputError(
      what,
      `${what} names "${name}", which is not a column of ${input}${near ? `; did you mean "${near}"?` : '.'} Its columns are ${columns.join(', ')}`,
    );
  }
}
