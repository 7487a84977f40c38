// Feature columns of 64-bit (or wider) whole numbers holding a value a double cannot hold exactly (beyond 2⁵³: a
// timestamp in nanoseconds, a large id). Features are read as doubles, so such a value is rounded wherever rareflow
// writes rows back (the kept rows of `denoise`, the input rows of `adasyn`) and in what a model learns and scores
// (neighbouring values read alike); every command that reads such a column as a feature says so.

import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlIdentifier, sqlOnlyWhere } from './duckdbConnection.js';
import { sniffedTypes } from './inputSources.js';

/** A column's first value that reads differently as a double, and that double's exact value. */
export interface InexactInteger {
  column: string;
  value: string;
  asDouble: string;
}

/** DuckDB integer types whose values may lie beyond a double's 2⁵³ whole numbers. */
const WIDE_INTEGER = /^(BIGINT|UBIGINT|HUGEINT|UHUGEINT)$/;

/**
 * One scan of `plainSource` (the file as DuckDB sniffs it, before rareflow reads its whole numbers as doubles) for
 * every wide-integer column among `names`.
 */
export async function inexactIntegerColumns(
  connection: DuckDBConnection,
  plainSource: string,
  names: readonly string[],
): Promise<InexactInteger[]> {
  const typeOf = await sniffedTypes(connection, plainSource);
  const wide = names.filter((name) => WIDE_INTEGER.test(typeOf.get(name) ?? ''));
  if (wide.length === 0) return [];
  const firstInexact = wide.map((name) => {
    const col = sqlIdentifier(name);
    return `any_value(${sqlOnlyWhere(`TRY_CAST(${col}::DOUBLE AS HUGEINT) IS DISTINCT FROM ${col}::HUGEINT`, `${col}::VARCHAR`)})`;
  });
  const reader = await connection.runAndReadAll(`SELECT ${firstInexact.join(', ')} FROM ${plainSource}`);
  const row = reader.getRows()[0] ?? [];
  return wide.flatMap((column, i) => {
    const value = row[i];
    return value === null || value === undefined
      ? []
      : [{ column, value: String(value), asDouble: BigInt(Number(String(value))).toString() }];
  });
}

/**
 * The warning for `found`, or none; `consequence` says what carries the rounded values ("the sampled rows carry the
 * rounded values", "the model learns from the rounded values").
 */
export function inexactIntegerWarnings(found: readonly InexactInteger[], consequence: string): string[] {
  return found.map(
    (f) =>
      `column "${f.column}" holds whole numbers beyond what a double holds exactly (${f.value} reads as ${f.asDouble}); ` +
      `features are read as doubles, so ${consequence}. If it is an id or a timestamp rather than ` +
      'a feature, leave it out of the file (or start its name with "_", which every rareflow command leaves out)',
  );
}
