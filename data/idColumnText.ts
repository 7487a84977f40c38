// The id column `predict --id` copies beside each score: read as the input spells it, and written under its own type
// when every value is of that type.

import { sqlIdentifier, withDuckDB } from './duckdbConnection.js';
import { csvTextColumnSource, type TableFormat } from './inputSources.js';

/** Where the scorers read the id from, and the SQL type it is written under. */
export interface IdColumnRead {
  /** The scoring source, with the id column beside the features. */
  source: string;
  /** The column of `source` holding the id. */
  column: string;
  /** The output column's name: the input's. */
  name: string;
  /** The output column's SQL type. */
  type: string;
}

/** A column name no input can hold beside the others: the id as the file spells it, joined row by row. */
const ID_TEXT_COLUMN = '__rareflow_id_as_spelt';

/**
 * The id column `id` of the input `path` (its SQL type `type` as sniffed), read by `source`. A Parquet id is read as
 * stored. A CSV id is read as text with only an empty cell missing, row by row beside `source` (a second scan of the
 * file): the feature reader takes `NA`, `?` or `NULL` as a missing value, and an id spelt so would come out empty. The
 * id keeps its sniffed type (a number stays a number in a Parquet output) unless a cell is not of that type, such as
 * `NA` in a column of whole numbers, or would not be written back as spelt: 20-digit ids that DuckDB types as DOUBLE
 * (all 300 of them came out as `1.2345678901234567e+19`), `1.10` or `007`. Then it is written as text, as spelt.
 */
export async function idColumnRead(format: TableFormat, path: string, source: string, id: string, type: string): Promise<IdColumnRead> {
  if (format === 'parquet') return { source, column: id, name: id, type };
  const text = csvTextColumnSource(path, id);
  const joined = `(SELECT * FROM ${source} POSITIONAL JOIN (SELECT ${sqlIdentifier(id)} AS ${sqlIdentifier(ID_TEXT_COLUMN)} FROM ${text}))`;
  if (type === 'VARCHAR') return { source: joined, column: ID_TEXT_COLUMN, name: id, type };
  const notOfType = await withDuckDB(async (c) => {
    const column = sqlIdentifier(id);
    const reader = await c.runAndReadAll(
      `SELECT count(*) FROM (SELECT ${column} AS v, TRY_CAST(${column} AS ${type}) AS typed FROM ${text}) ` +
        `WHERE v <> '' AND (typed IS NULL OR CAST(typed AS VARCHAR) <> v)`,
    );
    return Number(reader.getRowsJS()[0]?.[0] ?? 0);
  });
  return { source: joined, column: ID_TEXT_COLUMN, name: id, type: notOfType > 0 ? 'VARCHAR' : type };
}
