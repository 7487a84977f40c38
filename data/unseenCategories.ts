// Categories a scoring input holds that the model never saw in training. Such a row scores as none of the model's
// categories (all its one-hot features 0), which is a defined answer but can be a very different one, so batch scoring
// counts them per column and says so, with an example.

import { inputColumnsOf, type ModelArtifact } from '../core/models/modelArtifact.js';
import { categoryMatchSql, nonEmptyText } from './columnTypes.js';
import { sqlCountWhere, sqlIdentifier, sqlOnlyWhere, toNumber } from './duckdbConnection.js';
import type { InputCheck } from './scoringInputChecks.js';

/** Known categories listed in a warning before "…". */
const LISTED_CATEGORIES = 5;

/**
 * The check of the categorical columns of `model` for values not seen in training, as aggregates over the scoring
 * input and the warnings read from their values (one per column that has such values); undefined when the model
 * reads no categorical column. `typeOf` gives the input's column types. Missing cells (null, an empty string as a
 * Parquet file holds one, or a missing-value marker in a CSV) are not counted here: scoringInputGaps.ts counts them.
 */
export function unseenCategoryCheck(model: ModelArtifact, input: string, typeOf: ReadonlyMap<string, string>): InputCheck | undefined {
  const categorical = inputColumnsOf(model).flatMap((c) => (c.kind === 'categorical' ? [c] : []));
  if (categorical.length === 0) return undefined;
  // Matched as the scoring projections match them (categoryMatchSql): a column read as numbers compares as numbers.
  const aggregates = categorical.flatMap((c) => {
    const ident = sqlIdentifier(c.name);
    const text = `CAST(${ident} AS VARCHAR)`;
    const type = typeOf.get(c.name) ?? 'VARCHAR';
    const unseen =
      c.categories.length > 0
        ? `${ident} IS NOT NULL AND ${nonEmptyText(text)} AND NOT (${c.categories.map((v) => `coalesce(${categoryMatchSql(ident, type, v, c.categories)}, false)`).join(' OR ')})`
        : `${text} IS NOT NULL AND ${nonEmptyText(text)}`;
    return [sqlCountWhere(unseen), `any_value(${sqlOnlyWhere(unseen, text)})`];
  });
  const warnings = (values: readonly unknown[], rows: number): string[] =>
    categorical.flatMap((c, i) => {
      const count = toNumber(values[2 * i] ?? 0);
      if (count === 0) return [];
      const known = c.categories.slice(0, LISTED_CATEGORIES).map((v) => `"${v}"`);
      if (c.categories.length > LISTED_CATEGORIES) known.push('…');
      return [
        `column "${c.name}" of ${input}: ${count} of ${rows} rows ${count === 1 ? 'holds' : 'hold'} a value the model never saw in training (such as "${String(values[2 * i + 1])}"); ${count === 1 ? 'it scores' : 'they score'} as none of its categories (${known.join(', ')})`,
      ];
    });
  return { aggregates, warnings };
}
