// Feature names that would repeat once categorical columns are one-hot encoded: a column literally named `color=red`
// beside the categories of `color`, or two categorical columns whose categories make one name. Refused before any
// work, by the readers of `fit`/`train` and by the pipeline's input profile alike.

import { InvalidInputError } from '../core/invalidInputError.js';

/**
 * A categorical column's one-hot feature `column=category` named like another column of the file (a numeric column
 * literally called `color=red` beside the categories of `color`) would give the model two features of one name, and
 * scoring could not tell them apart.
 */
export function rejectRepeatedFeatureNames(featureNames: readonly string[], sourceColumnOf: readonly string[], path: string): void {
  const from = new Map<string, string>();
  featureNames.forEach((name, i) => {
    const column = sourceColumnOf[i]!;
    const other = from.get(name);
    if (other === undefined) {
      from.set(name, column);
      return;
    }
    if (other !== name && column !== name) {
      // Two categorical columns whose categories make one name (`c` holding "a=b", `c=a` holding "b"): no column has it.
      throw new InvalidInputError(
        `column "${column}"`,
        `the categories of columns "${other}" and "${column}" in ${path} both make a feature named "${name}"; expected distinct feature names: rename one of the two columns`,
      );
    }
    const [categorical, plain] = other === name ? [column, other] : [other, column];
    throw new InvalidInputError(
      `column "${plain}"`,
      `the categories of column "${categorical}" make a feature named "${name}", and ${path} also has a column of that name; expected distinct feature names: rename the column "${plain}"`,
    );
  });
}
