// Categories a scoring input holds that the model never saw in training. Such a row scores as none of the model's
// categories (all its one-hot features 0), which is a defined answer but can be a very different one, so batch scoring
// counts them per column and says so, with an example.

import { inputColumnsOf, type ModelArtifact } from '../core/models/modelArtifact.js';
import { categoryMatchSql } from './columnTypes.js';
import { sqlIdentifier, toNumber, withDuckDB } from './duckdbConnection.js';
import { describeColumns } from './inputSources.js';

/** Known categories listed in a warning before "…". */
const LISTED_CATEGORIES = 5;

/**
 * One warning per categorical column of `model` whose values in `source` (the table function reading `input`)
 * include values not seen in training; empty (and no scan) when the model reads no categorical column. Missing cells
 * (null, or a missing-value marker in a CSV) are not counted: the model's missing-value policy covers them.
 */
export async function unseenCategoryWarnings(model: ModelArtifact, input: string, source: string): Promise<string[]> {
  const categorical = inputColumnsOf(model).flatMap((c) => (c.kind === 'categorical' ? [c] : []));
  if (categorical.length === 0) return [];
  // Matched as the scoring projections match them (categoryMatchSql): a column read as numbers compares as numbers.
  const typeOf = new Map((await describeColumns(input)).map((c) => [c.name, c.type]));
  const aggregates = categorical.flatMap((c) => {
    const ident = sqlIdentifier(c.name);
    const text = `CAST(${ident} AS VARCHAR)`;
    const type = typeOf.get(c.name) ?? 'VARCHAR';
    const unseen =
      c.categories.length > 0
        ? `${ident} IS NOT NULL AND NOT (${c.categories.map((v) => `coalesce(${categoryMatchSql(ident, type, v)}, false)`).join(' OR ')})`
        : `${text} IS NOT NULL`;
    return [`count(*) FILTER (WHERE ${unseen})`, `any_value(${text}) FILTER (WHERE ${unseen})`];
  });
  const row = await withDuckDB(async (conn) => {
    const r = await conn.runAndReadAll(`SELECT count(*), ${aggregates.join(', ')} FROM ${source}`);
    return r.getRowsJS()[0] ?? [];
  });
  const rows = toNumber(row[0] ?? 0);
  const warnings: string[] = [];
  categorical.forEach((c, i) => {
    const count = toNumber(row[1 + 2 * i] ?? 0);
    if (count === 0) return;
    const known = c.categories.slice(0, LISTED_CATEGORIES).map((v) => `"${v}"`);
    if (c.categories.length > LISTED_CATEGORIES) known.push('…');
    warnings.push(
      `column "${c.name}" of ${input}: ${count} of ${rows} rows ${count === 1 ? 'holds' : 'hold'} a value the model never saw in training (such as "${String(row[2 + 2 * i])}"); ${count === 1 ? 'it scores' : 'they score'} as none of its categories (${known.join(', ')})`,
    );
  });
  return warnings;
}
