// The columns `rareflow fit` reads from its input: which are numeric features, which text columns become
// categorical (few distinct values) or are left out, and the label of every row when it has several classes.

import { refuseWeightColumnAsFeature, SAMPLE_WEIGHT_COLUMN } from '../core/sampling/sampleWeights.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import { numericType, PLAIN_NUMBER } from '../data/columnTypes.js';
import { sqlCountWhere, sqlIdentifier, sqlOnlyWhere, sqlString, toNumber, withDuckDB } from '../data/duckdbConnection.js';
import { describeColumns, formatOf, labelledSource, tableSource, type ColumnDescription } from '../data/inputSources.js';
import { withReadErrors } from '../data/readErrors.js';
import { rejectNonClassLabel } from '../data/labelClasses.js';
import { requireNamedColumns } from '../data/namedColumns.js';
import { isReservedColumn } from '../data/reservedColumns.js';

/** Text columns with more distinct values than this are left out (ids, free text) instead of one-hot encoded. */
const MAX_AUTO_CATEGORIES = 50;
/**
 * Files joined with their header rows (exports concatenated as they were) hold the header again inside the file:
 * every column, numbers too, then reads as text, and each holds its own name. Refused as that, rather than as
 * columns of too many categories or numbers written with a decimal comma.
 */
function rejectRepeatedHeader(
  input: string,
  text: readonly ColumnDescription[],
  numericColumns: number,
  ownName: ReadonlyMap<string, number>,
): void {
  // A repeated header turns every column into text: a column still read as numbers rules it out.
  if (numericColumns > 0 || text.length === 0 || !text.every((c) => (ownName.get(c.name) ?? 0) > 0)) return;
  const rows = Math.max(...text.map((c) => ownName.get(c.name)!));
  throw new InvalidInputError(
    `file ${input}`,
    `${input}: ${rows === 1 ? 'a row repeats' : `${rows} rows repeat`} the header inside the file (column "${text[0]!.name}" holds the value "${text[0]!.name}"), as files joined with their header rows do; expected one header row: remove the repeated ones`,
  );
}

/** A text column whose values are numbers but for at most this share is numeric with a few stray cells. */
const MOSTLY_NUMBERS = 0.1;
/** A number written with a decimal comma or thousands separators ("1,5", "12,345.6", "1 234"), which DuckDB reads as text. */
const NUMBER_WITH_SEPARATORS = /^\s*[-+]?\d{1,3}([,' ]\d{3})*([.,]\d+)?\s*$|^\s*[-+]?\d+,\d+\s*$/;

/** A value that reads as text only for its decimal comma or thousands separators (not a plain "12"). */
function numberWithSeparators(value: string | undefined): value is string {
  return value !== undefined && NUMBER_WITH_SEPARATORS.test(value) && /[,' ]/.test(value.trim());
}

/** The share of a wide text column's values (over 50 distinct) that may not be numbers for it to be called numbers with stray cells. */
const MOSTLY_NUMBERS_LEFT_OUT = 0.5;

/** Whether a text column is numbers but for a few cells (at most MOSTLY_NUMBERS of its values, and some). */
function numbersWithStrayCells(odd: { count: number; values: number }): boolean {
  return odd.count > 0 && odd.count <= MOSTLY_NUMBERS * odd.values;
}

/** "3 of its 1484 values are not finite numbers (such as "n.a.")". */
function strayCells(odd: { count: number; values: number; example: string }): string {
  return `${odd.count} of its ${odd.values} values ${odd.count === 1 ? 'is not a finite number' : 'are not finite numbers'} (such as "${odd.example}")`;
}

/** Numeric columns stay; text columns become categorical when they have few distinct values, else are left out. */
export async function chooseColumns(input: string, label: string, declared: string[], exclude: string[], selected?: string[]) {
  const format = formatOf(input);
  const columns = await describeColumns(input);
  if (!columns.some((c) => c.name === label)) {
    throw new InvalidInputError(
      `label column "${label}"`,
      `label column "${label}" not found in ${input}; available columns: ${columns.map((c) => c.name).join(', ')}. Pass --label with one of them`,
    );
  }
  // A named column that is not in the file would otherwise be skipped in silence: an exclusion that excludes nothing.
  const names = columns.map((c) => c.name);
  requireNamedColumns(exclude, 'input.exclude', input, label, names, true);
  requireNamedColumns(declared, '--categorical (or input.categorical)', input, label, names);
  if (selected) requireNamedColumns(selected, 'input.features', input, label, names);
  if (names.includes(SAMPLE_WEIGHT_COLUMN) && !exclude.includes(SAMPLE_WEIGHT_COLUMN)) {
    const lists = [
      { key: 'input.features', names: selected },
      { key: '--categorical (or input.categorical)', names: declared },
    ];
    refuseWeightColumnAsFeature(SAMPLE_WEIGHT_COLUMN, lists, input);
  }
  const features: string[] = [];
  const categorical: string[] = [];
  const leftOut: string[] = [];
  const ignored: string[] = [];
  // Columns that may become features: not the label, not excluded, not rareflow's bookkeeping (Arrow files are numeric).
  const considered = columns.filter(
    (c) =>
      c.name !== label &&
      !exclude.includes(c.name) &&
      (selected ? selected.includes(c.name) : !isReservedColumn(c.name)) &&
      format !== 'arrow',
  );
  const text = considered.filter((c) => !declared.includes(c.name) && !numericType.test(c.type));
  const numeric = considered.filter((c) => numericType.test(c.type));
  // One aggregate over the file counts the distinct values of every text column and the values of every numeric one.
  const distinct = new Map<string, number>();
  const example = new Map<string, string>();
  const present = new Map<string, number>();
  // Per text column: its values that are not finite numbers, how many, and how many values it has.
  const notNumber = new Map<string, { count: number; values: number; example: string }>();
  // Per text column: the rows holding the column's own name, as a header row repeated inside the file does.
  const ownName = new Map<string, number>();
  // Per text column: a value that reads as a number but is not written as a plain one.
  const unplain = new Map<string, string>();
  if (text.length + numeric.length > 0) {
    await withReadErrors(input, () =>
      withDuckDB(async (conn) => {
        const TEXT_AGGREGATES = 7;
        const aggregates = [
          ...text.flatMap((c) => {
            const col = sqlIdentifier(c.name);
            const bad = `coalesce(isfinite(TRY_CAST(${col} AS DOUBLE)), false) = false`;
            return [
              `count(DISTINCT ${col})`,
              `CAST(any_value(${col}) AS VARCHAR)`,
              `count(${sqlOnlyWhere(bad, col)})`,
              `count(${col})`,
              `CAST(any_value(${sqlOnlyWhere(bad, col)}) AS VARCHAR)`,
              sqlCountWhere(`CAST(${col} AS VARCHAR) = ${sqlString(c.name)}`),
              // A number the reader's typing does not take as one (`+3`, ` 12 `, `0012`): it makes the column text.
              `CAST(any_value(${sqlOnlyWhere(`TRY_CAST(${col} AS DOUBLE) IS NOT NULL AND NOT regexp_full_match(CAST(${col} AS VARCHAR), ${sqlString(PLAIN_NUMBER)})`, col)}) AS VARCHAR)`,
            ];
          }),
          ...numeric.map((c) => sqlCountWhere(`NOT isnan(CAST(${sqlIdentifier(c.name)} AS DOUBLE))`)),
        ];
        // Rows in all last: a header alone reads as text columns empty on every row, which would be blamed instead.
        const r = await conn.runAndReadAll(
          `SELECT ${[...aggregates, 'count(*)'].join(', ')} FROM ${tableSource(format as 'csv' | 'parquet', [input])}`,
        );
        const row = r.getRowsJS()[0] ?? [];
        if (toNumber(row[aggregates.length]) === 0) {
          throw new InvalidInputError(
            `file ${input}`,
            `${input} has no data rows (only a header: ${columns.map((c) => c.name).join(', ')}); expected at least one labelled row`,
          );
        }
        text.forEach((c, i) => {
          const at = TEXT_AGGREGATES * i;
          distinct.set(c.name, toNumber(row[at]));
          if (row[at + 1] !== null && row[at + 1] !== undefined) example.set(c.name, String(row[at + 1]));
          notNumber.set(c.name, { count: toNumber(row[at + 2]), values: toNumber(row[at + 3]), example: String(row[at + 4] ?? '') });
          ownName.set(c.name, toNumber(row[at + 5]));
          if (row[at + 6] !== null && row[at + 6] !== undefined) unplain.set(c.name, String(row[at + 6]));
        });
        numeric.forEach((c, i) => present.set(c.name, toNumber(row[TEXT_AGGREGATES * text.length + i])));
      }),
    );
  }
  rejectRepeatedHeader(input, text, numeric.length, ownName);
  const warnings: string[] = [];
  for (const c of columns) {
    if (c.name === label || exclude.includes(c.name) || c.name === SAMPLE_WEIGHT_COLUMN) continue;
    if (selected && !selected.includes(c.name)) continue;
    if (isReservedColumn(c.name) && !selected?.includes(c.name)) {
      ignored.push(c.name);
      continue;
    }
    const n = distinct.get(c.name);
    if ((n === 0 || present.get(c.name) === 0) && !declared.includes(c.name)) {
      // Every cell empty (or a missing-value marker): nothing to learn, and no category to encode.
      leftOut.push(`${c.name} (empty on every row)`);
      warnings.push(`column "${c.name}" of ${input} is left out: it is empty, NaN or a missing-value marker on every row`);
      continue;
    }
    if (n !== undefined && n > MAX_AUTO_CATEGORIES) {
      leftOut.push(`${c.name} (${c.type === 'VARCHAR' ? 'text' : c.type} with ${n} distinct values)`);
      const value = example.get(c.name);
      const odd = notNumber.get(c.name);
      if (DATE_TYPE.test(c.type) || datesAsText(value)) {
        warnings.push(`column "${c.name}" of ${input} is left out: ${datesNote(DATE_TYPE.test(c.type) ? c.type : `such as "${value}"`)}`);
      } else if (odd && odd.count > 0 && odd.count <= MOSTLY_NUMBERS_LEFT_OUT * odd.values) {
        // Up to half its values: a column of numbers with words for missing ones ("None", "-" on 11% of rows), whose
        // advice was once to write the numbers with a decimal point, which they were.
        warnings.push(
          `column "${c.name}" of ${input} is left out: it reads as text because ${strayCells(odd)}; fix those cells, or leave them empty to have them filled as missing values, to keep the column as a number`,
        );
      } else if (odd?.count === 0 && unplain.has(c.name)) {
        warnings.push(`column "${c.name}" of ${input} is left out: ${unplainNumbers(unplain.get(c.name)!)}`);
      } else if (numberWithSeparators(value)) {
        warnings.push(
          `column "${c.name}" of ${input} is left out: it reads as text (${n} distinct values, such as "${value}"); if it holds numbers, write them with a decimal point and without thousands separators`,
        );
      }
      continue;
    }
    const odd = notNumber.get(c.name);
    if (!declared.includes(c.name) && (DATE_TYPE.test(c.type) || datesAsText(example.get(c.name)))) {
      warnings.push(
        `column "${c.name}" of ${input} holds dates or times (${DATE_TYPE.test(c.type) ? c.type : `such as "${example.get(c.name)}"`}) and is encoded as ${n} categories, one a value: a date the training rows do not hold scores as none of them; ${DERIVE_FROM_DATES}`,
      );
    } else if (!declared.includes(c.name) && odd && numbersWithStrayCells(odd)) {
      warnings.push(
        `column "${c.name}" of ${input} reads as text because ${strayCells(odd)}, so its ${n} values are encoded as categories; fix those cells, or leave them empty to have them filled as missing values, to keep it a number`,
      );
    } else if (!declared.includes(c.name) && odd?.count === 0 && unplain.has(c.name)) {
      warnings.push(`column "${c.name}" of ${input} is encoded as ${n} categories: ${unplainNumbers(unplain.get(c.name)!)}`);
    } else if (!declared.includes(c.name) && numberWithSeparators(example.get(c.name))) {
      warnings.push(
        `column "${c.name}" of ${input} reads as text (${n} distinct values, such as "${example.get(c.name)}"), so its values are encoded as categories; if it holds numbers, write them with a decimal point and without thousands separators`,
      );
    }
    if (declared.includes(c.name) || n !== undefined) categorical.push(c.name);
    features.push(c.name);
  }
  if (features.length === 0) {
    throw new InvalidInputError(
      `file ${input}`,
      `${input} has no feature column to learn from: ${leftOut.length ? `every column but the label is text with too many distinct values to be categories (${leftOut.join(', ')})` : 'it holds only the label'}; expected numeric columns${warnings.length ? ` (${warnings.join('; ')})` : ''}`,
    );
  }
  // Every column read as text that looks like numbers written with a decimal comma or thousands separators, and no
  // column read as numbers: a model of the few such columns that became categories would not be the model asked for.
  const separated = text.filter((c) => numberWithSeparators(example.get(c.name)));
  if (numeric.length === 0 && separated.length > 0 && separated.length === text.length) {
    throw new InvalidInputError(
      `file ${input}`,
      `${input} has no column read as numbers, and every other column holds numbers written with a decimal comma or thousands separators (such as "${example.get(separated[0]!.name)}" in "${separated[0]!.name}"), which read as text; expected numbers with a decimal point and without thousands separators`,
    );
  }
  const weighted = columns.some((c) => c.name === SAMPLE_WEIGHT_COLUMN) && !exclude.includes(SAMPLE_WEIGHT_COLUMN);
  // A weight column spelt otherwise (Sample_Weight, sample-weight) is an ordinary feature: said, since weighing by it
  // was most likely meant.
  const lookalike = weighted ? undefined : features.find((f) => f.toLowerCase().replace(/[\s-]/g, '_') === SAMPLE_WEIGHT_COLUMN);
  if (lookalike)
    warnings.push(
      `column "${lookalike}" of ${input} is learnt as a feature, not used as row weights: only a column named exactly "${SAMPLE_WEIGHT_COLUMN}" weighs rows`,
    );
  return { features, categorical, leftOut, weighted, ignored, warnings };
}

/** DuckDB's date and time types. */
const DATE_TYPE = /^(DATE|TIME|TIMESTAMP)/;

/**
 * Text that is a date written day or month first (`01/07/2024`, `7.1.2024 10:30`): read as spelt, not parsed (see
 * data/csvDialect.ts), and still a column of dates to say so of.
 */
function datesAsText(value: string | undefined): boolean {
  return value !== undefined && /^\s*\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*$/.test(value);
}

/** What to do with a column of dates or times instead. */
const DERIVE_FROM_DATES = 'derive numbers from it (a day of the week, days since an event) as columns of their own';

/** What fit makes of a column of dates or times left out, and what to do instead. */
function datesNote(type: string): string {
  return `it holds dates or times (${type}), which fit does not learn from as such; ${DERIVE_FROM_DATES}`;
}

/** A number as the reader types it: an optional minus, digits with at most one point, an optional exponent. */

/** Why a column of numbers reads as text, with one of its values that makes it so. */
function unplainNumbers(value: string): string {
  return `it reads as text, though every value in it reads as a number, because some are not written as plain numbers (such as ${JSON.stringify(value)}: a plus sign, spaces around it or leading zeros); write them as plain numbers (3, -1.5) to keep it a number, or leave them as they are if it is a code`;
}

/** The label of every row as a class index, in file order, and the sorted class values (with `positive`: two classes). */
export async function labelValuesInOrder(
  input: string,
  label: string,
  positive?: string,
): Promise<{ classOf: Int32Array; classes: string[] }> {
  const format = formatOf(input);
  if (format === 'arrow') return { classOf: new Int32Array(0), classes: [] };
  return withReadErrors(input, () =>
    withDuckDB(async (c) => {
      const source = await labelledSource(c, format, [input], label);
      const reader = await c.runAndReadAll(
        `SELECT CAST(${sqlIdentifier(label)} AS VARCHAR) AS v, count(*) FROM ${source} WHERE ${sqlIdentifier(label)} IS NOT NULL GROUP BY 1 ORDER BY 1`,
      );
      const counted = reader.getRowsJS().map((r) => ({ value: String(r[0]), count: toNumber(r[1]) }));
      // (One class spelled in several ways is refused by the dataset reader, which checks every label.)
      // Without --positive every value is a class: a continuous target or an id would become hundreds of them.
      if (positive === undefined) rejectNonClassLabel(label, input, counted);
      const classes = counted.map((r) => r.value);
      if (classes.length <= 2) return { classOf: new Int32Array(0), classes };
      const index = new Map(classes.map((v, i) => [v, i]));
      const values = await c.runAndReadAll(`SELECT CAST(${sqlIdentifier(label)} AS VARCHAR) FROM ${source}`);
      const rows = values.getRowsJS();
      return { classOf: Int32Array.from(rows, (r) => index.get(String(r[0])) ?? -1), classes };
    }),
  );
}
