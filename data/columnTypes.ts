// What a column's DuckDB type allows: which types are numbers, where a text column first holds a non-number,
// the SQL for a missing value of a type, and the categories of a declared categorical column.

import type { DuckDBConnection } from '@duckdb/node-api';
import { truthCategories, truthWordsSql } from '../core/features/booleanWords.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import { categoriesLearntFromNumbers, categoriesOfOneNumber, categoryNumber, isWideWholeNumber } from '../core/features/oneHotFeatures.js';
import { sqlDouble, sqlIdentifier, sqlString, toNumber } from './duckdbConnection.js';

/** Most categories a declared categorical column may have before one-hot encoding is refused. */
const maxCategories = 1000;

/** DuckDB types read as numbers (BOOLEAN as 0/1); any other feature type must be declared categorical. */
export const numericType =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL\(\d+,\s*\d+\)|BOOLEAN)$/;

/** The words DuckDB reads as a boolean in a CSV (any case). */
const BOOLEAN_WORDS = `${truthWordsSql(1, false)}, ${truthWordsSql(0, false)}`;

/**
 * Where a text column first holds something that is not a finite number, as ` (first non-numeric value "abc" at data
 * row 1701)`: a column of numbers read as text because of one stray value is then fixed in one edit.
 */
export async function firstTextValue(connection: DuckDBConnection, source: string, column: string): Promise<string> {
  const col = sqlIdentifier(column);
  // A column of true/false words (a boolean with one stray value) is named by the value that is neither a number nor
  // such a word, not by its first "no".
  const rows = (
    await connection.runAndReadAll(
      `SELECT n, v, TRY_CAST(v AS DOUBLE) IS NOT NULL FROM (SELECT row_number() OVER () AS n, CAST(${col} AS VARCHAR) AS v FROM ${source}) WHERE v IS NOT NULL AND v <> '' AND (TRY_CAST(v AS DOUBLE) IS NULL OR isinf(TRY_CAST(v AS DOUBLE))) ORDER BY lower(v) IN (${BOOLEAN_WORDS}), n LIMIT 1`,
    )
  ).getRowsJS();
  const first = rows[0];
  if (!first) {
    // No value fails to read as a number: every cell is empty (an all-empty CSV column reads as text).
    const filled = await connection.runAndReadAll(
      `SELECT count(*) FROM ${source} WHERE ${col} IS NOT NULL AND ${nonEmptyText(`CAST(${col} AS VARCHAR)`)}`,
    );
    if (toNumber(filled.getRowsJS()[0]?.[0] ?? 0) === 0) return ' (empty on every row)';
    // Every value reads as a number, but the reader's typing did not take some as one (`+5`, ` 12 `, `0012`, `1_000`).
    const unplain = (
      await connection.runAndReadAll(
        `SELECT n, v FROM (SELECT row_number() OVER () AS n, CAST(${col} AS VARCHAR) AS v FROM ${source}) WHERE v IS NOT NULL AND v <> '' AND NOT regexp_full_match(v, ${sqlString(PLAIN_NUMBER)}) ORDER BY n LIMIT 1`,
      )
    ).getRowsJS()[0];
    return unplain
      ? ` (every value reads as a number, but some are not written as plain numbers, such as ${JSON.stringify(String(unplain[1]))} at data row ${toNumber(unplain[0])}: a plus sign, spaces, leading zeros or digit separators; write them as plain numbers, such as 3 or -1.5)`
      : '';
  }
  const text = String(first[1]);
  // Text such as "inf" reads as a number but not a finite one: said so, since no feature may hold it.
  const what = first[2] === true ? 'first value that is not a finite number' : 'first non-numeric value';
  return ` (${what} ${JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)} at data row ${toNumber(first[0])})`;
}

/** A number as the reader's typing takes one: no sign but a leading minus, no spaces, leading zeros or separators. */
export const PLAIN_NUMBER = '-?(0|[1-9][0-9]*)?(\\.[0-9]*)?([eE][-+]?[0-9]+)?';

/** SQL that is true where a value is missing: null, empty text, or NaN for floating columns. */
export function missingValueCondition(column: string, type: string): string {
  if (type === 'VARCHAR') return `(${column} IS NULL OR ${column} = '')`;
  if (type === 'FLOAT' || type === 'DOUBLE') return `(${column} IS NULL OR isnan(${column}))`;
  return `(${column} IS NULL)`;
}

/** DuckDB's whole-number types. */
export const INTEGER_TYPE = /^U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)$/;

/**
 * Refuses a scoring input whose column `name` is read as decimals (DOUBLE, FLOAT, DECIMAL) when the model's categories
 * of it include whole numbers past 2^53: as decimals, neighbouring ids are the same value and no cell can be matched
 * to its own category.
 */
export function wholeNumberCategoryCheck(input: string, name: string, type: string, categories: readonly string[]): void {
  const same = numericType.test(type) ? categoriesOfOneNumber(categories) : undefined;
  if (same !== undefined) {
    throw new InvalidInputError(
      `column "${name}"`,
      `column "${name}" in ${input} is read as numbers (${type}), but the model's categories "${same[0]}" and "${same[1]}" of it are ` +
        `the same number, which a number cannot tell apart (it would set both); expected the column as text, as the training file held it`,
    );
  }
  const wide = categories.find(isWideWholeNumber);
  if (wide === undefined || !numericType.test(type) || INTEGER_TYPE.test(type)) return;
  throw new InvalidInputError(
    `column "${name}"`,
    `column "${name}" in ${input} is read as ${type}, but the model's categories of it are whole numbers past 2^53 ` +
      `(such as ${wide}) that a decimal cannot tell apart; expected whole numbers only, or text, in that column`,
  );
}

/**
 * SQL true where `text` (a column cast to VARCHAR) is not the empty string. Not `text <> ''`: DuckDB rewrites a
 * comparison of a cast with a constant into one in the column's own type, where '' is no TIMESTAMP WITH TIME ZONE,
 * and the test was NULL on every row: a categorical column of such timestamps learnt no category, and a batch of
 * unseen ones was not counted.
 */
export function nonEmptyText(text: string): string {
  return `length(${text}) > 0`;
}

/** The distinct non-empty values of a declared categorical column, sorted; more than {@link maxCategories} is bad input. */
export async function categoriesOf(connection: DuckDBConnection, source: string, path: string, name: string): Promise<string[]> {
  await refuseMergedWholeNumbers(connection, source, path, name);
  const text = `CAST(${sqlIdentifier(name)} AS VARCHAR)`;
  const reader = await connection.runAndReadAll(
    `SELECT DISTINCT ${text} AS v FROM ${source} WHERE ${text} IS NOT NULL AND ${nonEmptyText(text)} LIMIT ${maxCategories + 1}`,
  );
  const values = reader.getRowsJS().map((r) => String(r[0]));
  if (values.length > maxCategories) {
    throw new InvalidInputError(
      `categorical column "${name}"`,
      `categorical column "${name}" in ${path} has more than ${maxCategories} distinct values, expected a few categories to one-hot encode; drop it from --categorical and --features, or bucket it first`,
    );
  }
  return values.sort((p, q) => (p < q ? -1 : p > q ? 1 : 0));
}

/**
 * SQL that is true where column `ident` (of DuckDB type `type`) holds `category`, a category of a model. A column the
 * scoring file holds as numbers compares as numbers: categories "1", "2" learnt from whole numbers still match when
 * one decimal among the first rows makes DuckDB read the column as DOUBLE (its text would be "1.0"). `categories`
 * are all the column's categories.
 */
export function categoryMatchSql(ident: string, type: string, category: string, categories: readonly string[]): string {
  const value = categoryNumber(category);
  // Past 2^53 neighbouring whole numbers share a double: compared by their exact digits (checked by wholeNumberCategoryCheck).
  if (INTEGER_TYPE.test(type) && isWideWholeNumber(category))
    return `TRY_CAST(${ident} AS HUGEINT) = TRY_CAST(${sqlString(category.trim())} AS HUGEINT)`;
  if (numericType.test(type) && value !== undefined) return `TRY_CAST(${ident} AS DOUBLE) = ${sqlDouble(value)}`;
  // Categories a model learnt from a column of numbers (spelt as a number is written: "1.5", "2.0", "3") match a text
  // column by value too, as a numeric one does: the same rates written "1.50" in a Parquet file were all unseen by a
  // model fitted on the CSV, which reads them as numbers. The text itself still matches.
  if (value !== undefined && !numericType.test(type) && categoriesLearntFromNumbers(categories))
    return `(CAST(${ident} AS VARCHAR) = ${sqlString(category)} OR TRY_CAST(${ident} AS DOUBLE) = ${sqlDouble(value)})`;
  // Two categories of opposite truth (`false`/`true` of a Parquet BOOLEAN, `no`/`yes` of a text column): the same
  // column elsewhere arrives as a boolean or other words (a CSV's `True`), so it matches by truth value too.
  const truth = truthCategories(categories);
  if (truth !== undefined) {
    const truthValue = truth.get(1) === category ? 1 : 0;
    return `(CAST(${ident} AS VARCHAR) = ${sqlString(category)} OR lower(CAST(${ident} AS VARCHAR)) IN (${truthWordsSql(truthValue, false)}))`;
  }
  return `CAST(${ident} AS VARCHAR) = ${sqlString(category)}`;
}

/**
 * Refuses a categorical column read as decimals (a CSV column of 20-digit ids is sniffed as DOUBLE) that holds whole
 * numbers past 2^53: there, neighbouring codes read as one value, and distinct categories would merge into one
 * without a word.
 */
async function refuseMergedWholeNumbers(connection: DuckDBConnection, source: string, path: string, name: string): Promise<void> {
  const ident = sqlIdentifier(name);
  const type = String((await connection.runAndReadAll(`DESCRIBE SELECT ${ident} FROM ${source}`)).getRowObjectsJS()[0]?.column_type);
  if (type !== 'DOUBLE' && type !== 'FLOAT') return;
  const wide = (
    await connection.runAndReadAll(
      `SELECT CAST(${ident} AS VARCHAR) FROM ${source} WHERE abs(${ident}) >= ${2 ** 53} AND ${ident} = trunc(${ident}) AND NOT isinf(${ident}) LIMIT 1`,
    )
  ).getRowsJS()[0]?.[0];
  if (wide === undefined) return;
  throw new InvalidInputError(
    `categorical column "${name}"`,
    `categorical column "${name}" in ${path} is read as ${type} and holds whole numbers past 2^53 (first ${String(wide)}), ` +
      `where neighbouring codes read as the same value and distinct categories would merge; expected codes of at most ` +
      `15 digits, or text (such as the code with a letter in front)`,
  );
}
