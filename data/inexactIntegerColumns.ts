// Feature columns of 64-bit (or wider) whole numbers holding a value a double cannot hold exactly (beyond 2⁵³: a
// timestamp in nanoseconds, a large id). Features are read as doubles, so such a value is rounded wherever rareflow
// writes rows back (the kept rows of `denoise`, the input rows of `adasyn`) and in what a model learns and scores
// (neighbouring values read alike); every command that reads such a column as a feature says so.

import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlIdentifier, sqlOnlyWhere } from './duckdbConnection.js';
import { csvTextColumnSource, sniffedTypes } from './inputSources.js';

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
  csvPath?: string,
): Promise<InexactInteger[]> {
  const typeOf = await sniffedTypes(connection, plainSource);
  const wide = names.filter((name) => WIDE_INTEGER.test(typeOf.get(name) ?? ''));
  const pastLong = csvPath === undefined ? [] : await wholeNumbersTypedDouble(connection, plainSource, csvPath, names, typeOf);
  if (wide.length === 0) return pastLong;
  const firstInexact = wide.map((name) => {
    const col = sqlIdentifier(name);
    return `any_value(${sqlOnlyWhere(`TRY_CAST(${col}::DOUBLE AS HUGEINT) IS DISTINCT FROM ${col}::HUGEINT`, `${col}::VARCHAR`)})`;
  });
  const reader = await connection.runAndReadAll(`SELECT ${firstInexact.join(', ')} FROM ${plainSource}`);
  const row = reader.getRows()[0] ?? [];
  return [
    ...wide.flatMap((column, i) => {
      const value = row[i];
      return value === null || value === undefined
        ? []
        : [{ column, value: String(value), asDouble: BigInt(Number(String(value))).toString() }];
    }),
    ...pastLong,
  ];
}

/** 2⁵³: from here on, a double no longer holds every whole number. */
const EXACT_LIMIT = 9007199254740992;

/**
 * CSV columns DuckDB typed DOUBLE because their whole numbers pass what BIGINT holds (20-digit ids past 2⁶³): read
 * as doubles, 12345678901234567890 and …891 are one value, and `fit` once called such an id column one of "one value
 * on every row". Only columns with a value past 2⁵³ have their text read (one scan for the largest values first).
 */
async function wholeNumbersTypedDouble(
  connection: DuckDBConnection,
  plainSource: string,
  csvPath: string,
  names: readonly string[],
  typeOf: Map<string, string>,
): Promise<InexactInteger[]> {
  const doubles = names.filter((name) => typeOf.get(name) === 'DOUBLE');
  if (doubles.length === 0) return [];
  const largest = (
    await connection.runAndReadAll(`SELECT ${doubles.map((n) => `max(abs(${sqlIdentifier(n)}))`).join(', ')} FROM ${plainSource}`)
  )
    .getRowsJS()[0]!
    .map((v) => Number(v));
  const found: InexactInteger[] = [];
  for (const [i, column] of doubles.entries()) {
    if (!(largest[i]! >= EXACT_LIMIT) || !Number.isFinite(largest[i])) continue;
    const col = sqlIdentifier(column);
    const reader = await connection.runAndReadAll(
      `SELECT v FROM (SELECT trim(${col}) AS v FROM ${csvTextColumnSource(csvPath, column)}) ` +
        `WHERE regexp_full_match(v, '[-+]?[0-9]{16,}') AND TRY_CAST(v AS DOUBLE) IS NOT NULL ` +
        `AND TRY_CAST(TRY_CAST(v AS DOUBLE) AS HUGEINT) IS DISTINCT FROM TRY_CAST(v AS HUGEINT) LIMIT 1`,
    );
    const value = reader.getRowsJS()[0]?.[0];
    if (value !== undefined && value !== null)
      found.push({ column, value: String(value), asDouble: BigInt(Number(String(value))).toString() });
  }
  return found;
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
