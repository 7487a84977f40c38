// A column the model marks boolean-like must hold booleans (or 0/1) in a file scored or evaluated with it, as /score
// requires: a 2 or 0.5 there is bad input, not a feature value the model never saw. The other way round, a column
// of true/false where the model learnt a number is read as 1/0 and said in a warning.

import { truthWordsSql } from '../core/features/booleanWords.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import { inputColumnsOf, type ModelArtifact } from '../core/models/modelArtifact.js';
import { describeColumns, formatOf, tableSource } from './inputSources.js';
import { withReadErrors } from './readErrors.js';
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlIdentifier, toNumber, withDuckDB } from './duckdbConnection.js';

/** Fails naming the column and the first data row where a boolean-like column of the model holds neither a boolean nor 0/1. */
export async function checkBooleanInputColumns(input: string, model: ModelArtifact): Promise<void> {
  const marked = inputColumnsOf(model).filter((c) => c.kind === 'numeric' && c.boolean === true);
  const format = formatOf(input);
  if (marked.length === 0 || format === 'arrow') return;
  const typeOf = new Map((await describeColumns(input)).map((c) => [c.name, c.type]));
  // BOOLEAN columns are 0/1 by construction; a missing column or a text one is reported by the reader itself.
  const numeric = marked.filter((c) => typeOf.has(c.name) && typeOf.get(c.name) !== 'BOOLEAN' && typeOf.get(c.name) !== 'VARCHAR');
  if (numeric.length === 0) return;
  await withReadErrors(input, () =>
    withDuckDB(async (c) => {
      const source = tableSource(format, [input]);
      for (const col of numeric) {
        const v = sqlIdentifier(col.name);
        const r = await c.runAndReadAll(
          `SELECT n, CAST(v AS VARCHAR) FROM (SELECT row_number() OVER () AS n, ${v} AS v FROM ${source}) WHERE v IS NOT NULL AND v NOT IN (0, 1) ORDER BY n LIMIT 1`,
        );
        const bad = r.getRowsJS()[0];
        if (bad) {
          throw new InvalidInputError(
            `column "${col.name}"`,
            `column "${col.name}" in ${input} holds ${String(bad[1])} at data row ${toNumber(bad[0])}; this model read it as a boolean-like column, so it expects true/false, yes/no or 1/0`,
          );
        }
      }
    }),
  );
}

/**
 * A warning per numeric column of the model that `input` holds as true/false (read as 1/0), where the model did not
 * learn it as a true/false column: a column of measurements (0.23 to 1.0, say) written as booleans scores as 0 and 1.
 */
export async function booleanForNumberWarnings(
  input: string,
  model: ModelArtifact,
  types?: ReadonlyMap<string, string>,
): Promise<string[]> {
  if (formatOf(input) === 'arrow') return [];
  const numbers = inputColumnsOf(model).filter((c) => c.kind === 'numeric' && c.boolean !== true);
  if (numbers.length === 0) return [];
  const typeOf = types ?? new Map((await describeColumns(input)).map((c) => [c.name, c.type]));
  return numbers
    .filter((c) => typeOf.get(c.name) === 'BOOLEAN')
    .map(
      (c) =>
        `column "${c.name}" of ${input} holds true/false values, read as 1/0, but the model did not learn it as a true/false column; check that it is the column the model was trained on`,
    );
}

/**
 * The 0/1 projection of a boolean-like column of the model that `source` holds as text (a Parquet column of
 * "yes"/"no", as the CSV the model learnt from spelt it), or undefined when some cell is none of those words (the
 * reader's refusal names it). An empty cell is missing, as in a number column.
 */
export async function booleanWordsProjection(connection: DuckDBConnection, source: string, column: string): Promise<string | undefined> {
  const ident = sqlIdentifier(column);
  const word = `lower(${ident})`;
  const known = `${word} IN (${truthWordsSql(1)}, ${truthWordsSql(0)})`;
  const other = (
    await connection.runAndReadAll(`SELECT 1 FROM ${source} WHERE ${ident} IS NOT NULL AND ${ident} <> '' AND NOT ${known} LIMIT 1`)
  ).getRowsJS();
  if (other.length > 0) return undefined;
  return `CAST(CASE WHEN ${word} IN (${truthWordsSql(1)}) THEN 1 WHEN ${word} IN (${truthWordsSql(0)}) THEN 0 END AS DOUBLE)`;
}
