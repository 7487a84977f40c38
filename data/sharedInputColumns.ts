// Files read together (a glob, or several input paths) must share their columns. CSV files must share one header:
// DuckDB matches their columns by name but types them by position over all the files, so a file whose text and
// numeric columns trade places reads a numeric column as text (and the error blames the column, not the order).
// Parquet files carry their own schema and are matched by name, but must hold the same columns. Refused up front,
// naming both files.

import type { DuckDBConnection } from '@duckdb/node-api';
import { InvalidInputError } from '../core/invalidInputError.js';
import { numericType } from './columnTypes.js';
import { HEADER } from './csvDialect.js';
import { sqlString } from './duckdbConnection.js';

/** The header row of one CSV file as DuckDB reads it (its own dialect, every field as text). */
async function headerOf(connection: DuckDBConnection, file: string): Promise<string[]> {
  const row = (
    await connection.runAndReadAll(`SELECT * FROM read_csv(${sqlString(file)}, header = false, comment = '', all_varchar = true) LIMIT 1`)
  ).getRowsJS()[0];
  return (row ?? []).map((v) => (v === null ? '' : String(v).trim()));
}

/** The type DuckDB gives each column of one CSV file read alone, in file order. */
async function typesOf(connection: DuckDBConnection, file: string): Promise<string[]> {
  const rows = (await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_csv(${sqlString(file)}, ${HEADER})`)).getRowObjectsJS();
  return rows.map((r) => String(r.column_type));
}

/**
 * Refuses CSV `files` (two or more) whose headers differ, naming the first file that differs from the first. The
 * same columns in another order are let through when every position holds the same type in both files, or numbers
 * in both (which widen to one numeric type), which DuckDB reads right.
 */
export async function requireOneCsvHeader(connection: DuckDBConnection, files: readonly string[], what: string): Promise<void> {
  if (files.length < 2) return;
  const first = await headerOf(connection, files[0]!);
  let firstTypes: string[] | undefined;
  for (const file of files.slice(1)) {
    const header = await headerOf(connection, file);
    if (header.join('\u0000') === first.join('\u0000')) continue;
    const sameNames = header.length === first.length && [...header].sort().join('\u0000') === [...first].sort().join('\u0000');
    if (sameNames) {
      firstTypes ??= await typesOf(connection, files[0]!);
      const types = await typesOf(connection, file);
      // Numbers beside numbers widen to one numeric type; text beside a number would read the number as text.
      if (types.every((t, i) => t === firstTypes![i] || (numericType.test(t) && numericType.test(firstTypes![i]!)))) continue;
    }
    throw new InvalidInputError(
      what,
      `${what}: ${file} has ${sameNames ? 'its columns in another order than' : 'other columns than'} ${files[0]} ` +
        `(${header.join(', ')} against ${first.join(', ')}); CSV files read together must share one header: write them ` +
        `with the same columns in the same order (Parquet files are matched by column name)`,
    );
  }
}

/**
 * Refuses Parquet `files` (two or more) that do not hold the same columns, naming the first file that differs from
 * the first and the columns it lacks or adds. DuckDB reads them with the first file's columns: a later file without
 * one failed the run at sampling as if it had been replaced, and a column only later files hold was dropped unread.
 */
export async function requireSameParquetColumns(connection: DuckDBConnection, files: readonly string[], what: string): Promise<void> {
  if (files.length < 2) return;
  const namesOf = async (file: string) =>
    (await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(file)})`))
      .getRowObjectsJS()
      .map((r) => String(r.column_name));
  const first = await namesOf(files[0]!);
  for (const file of files.slice(1)) {
    const names = await namesOf(file);
    const lacks = first.filter((c) => !names.includes(c));
    const adds = names.filter((c) => !first.includes(c));
    if (lacks.length === 0 && adds.length === 0) continue;
    const parts = [
      ...(lacks.length ? [`lacks ${lacks.map((c) => `"${c}"`).join(', ')}`] : []),
      ...(adds.length ? [`adds ${adds.map((c) => `"${c}"`).join(', ')}`] : []),
    ];
    throw new InvalidInputError(
      what,
      `${what}: ${file} has other columns than ${files[0]} (it ${parts.join(' and ')}); Parquet files read together must hold the same columns: write them with one schema, or read them in separate runs`,
    );
  }
}
