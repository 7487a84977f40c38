// The label column checked and read as classes: it exists, no row lacks it, it has two classes (or a chosen
// positive, or is multi-class where the caller allows it), which value is positive, and the SQL that tells a
// positive row or a row's class index.

import type { DuckDBConnection } from '@duckdb/node-api';
import { InvalidInputError } from '../core/invalidInputError.js';
import { booleanLikeValue, classReading } from '../core/labels/labelVocabulary.js';
import { numericType, missingValueCondition } from './columnTypes.js';
import { sqlDouble, sqlIdentifier, sqlString, toNumber } from './duckdbConnection.js';
import { describeSource } from './inputSources.js';
import { nextChunk } from './resultChunks.js';
import { streamQuery } from './checkedStream.js';

/** Columns of `source` and the label's type; an unknown label column is bad input listing what is there. */
export async function describeLabelledSource(connection: DuckDBConnection, source: string, what: string, label: string) {
  const columns = await describeSource(connection, source);
  const byName = new Map(columns.map((c) => [c.name, c.type]));
  const available = columns.map((c) => c.name).join(', ');
  const labelType = byName.get(label);
  // Before any column check: a CSV with a header alone reads as text columns, which would be blamed instead.
  if ((await connection.runAndReadAll(`SELECT 1 FROM ${source} LIMIT 1`)).getRowsJS().length === 0) {
    throw new InvalidInputError(
      `file ${what}`,
      `${what} has no data rows (only a header: ${available}); expected at least one labelled row`,
    );
  }
  if (labelType === undefined) {
    throw new InvalidInputError(
      `label column "${label}"`,
      `label column "${label}" not found in ${what}; available columns: ${available}. Pass --label (input.label in a pipeline spec) with one of them`,
    );
  }
  return { columns, byName, available, labelType };
}

/**
 * Class counts of the label, checked: some rows, no missing label, two classes or a chosen positive. With
 * `allowMultiClass`, three or more classes and no chosen positive are a multi-class label (`multiClass` true), whose
 * nominal positive is its rarest class.
 */
export async function checkedLabelClasses(
  connection: DuckDBConnection,
  source: string,
  what: string,
  label: string,
  labelType: string,
  requestedPositive: string | undefined,
  allowMultiClass = false,
  twoValuesOnly = false,
): Promise<{ counts: LabelCounts; positive: string; negatives: string[]; multiClass?: true }> {
  const labelBad = missingValueCondition(sqlIdentifier(label), labelType);
  const counts = await labelCounts(connection, source, label, labelBad);
  if (counts.rows === 0) throw new InvalidInputError(`file ${what}`, `${what} has no data rows; expected at least one labelled row`);
  if (counts.missing > 0) {
    const row = await firstMatchingRow(connection, source, labelBad);
    throw new InvalidInputError(
      `label column "${label}"`,
      `label column "${label}" in ${what} has a missing value (${missingLabelSpellings(labelType)}) at data row ${row}; expected a class value on every row: fill or drop such rows`,
    );
  }
  rejectLookalikeClasses(label, what, counts.classes);
  if (allowMultiClass && requestedPositive === undefined && counts.classes.length > 2) {
    rejectNonClassLabel(label, what, counts.classes);
    rejectSeparatorInClasses(label, what, counts.classes);
    const rarest = counts.classes.reduce((a, b) => (b.count < a.count ? b : a));
    return {
      counts,
      positive: rarest.value,
      negatives: counts.classes.filter((c) => c !== rarest).map((c) => c.value),
      multiClass: true,
    };
  }
  const chosen = choosePositive(label, counts.classes, requestedPositive, twoValuesOnly ? what : undefined);
  rejectSeparatorInClasses(
    label,
    what,
    chosen.negatives.map((value) => ({ value })),
  );
  return { counts, ...chosen };
}

/**
 * A model file names the classes against the positive one joined by "|" (`negativeLabel` "a|c"), and every reader of
 * it splits them there: a value on that side (or any class of a multi-class label) holding "|" would be read back as
 * two classes. Refused, naming the value; a chosen positive class may hold one.
 */
function rejectSeparatorInClasses(label: string, what: string, classes: ReadonlyArray<{ value: string }>): void {
  const joined = classes.find((c) => c.value.includes('|'));
  if (!joined) return;
  throw new InvalidInputError(
    `label column "${label}"`,
    `label column "${label}" in ${what} has the class value ${JSON.stringify(joined.value)}: a class value may not contain "|" (a model file lists the other classes joined by "|"); rename the class, e.g. ${JSON.stringify(joined.value.replaceAll('|', '/'))}`,
  );
}

/** More distinct label values than this cannot be classes a classifier learns (kr-vs-k's 18 are many). */
const MAX_CLASSES = 100;
/** Distinct numeric label values, some with a fraction, from which the label is read as a measurement. */
const MIN_MEASURED_VALUES = 10;

/**
 * A label whose values are mostly one row each, or more than MAX_CLASSES of them, is a continuous target or an id,
 * not classes: taken as classes it would train hundreds of one-row models. Refused, with the ways to a positive class.
 */
export function rejectNonClassLabel(label: string, what: string, classes: ReadonlyArray<{ value: string; count: number }>): void {
  if (classes.length <= 2) return;
  const single = classes.filter((c) => c.count === 1).length;
  // Many distinct numbers, some with a fraction (0.11, 0.17, …), are a measurement, even when each value repeats.
  const numbers = classes.map((c) => (c.value.trim() === '' ? Number.NaN : Number(c.value)));
  const measured =
    classes.length >= MIN_MEASURED_VALUES && numbers.every((n) => Number.isFinite(n)) && numbers.some((n) => !Number.isInteger(n));
  const fewRowsEach = classes.length > MAX_CLASSES || single * 2 > classes.length;
  if (!fewRowsEach && !measured) return;
  const why = fewRowsEach
    ? `${classes.length} distinct values (${single} of them on a single row)`
    : `${classes.length} distinct numbers, not all whole`;
  throw new InvalidInputError(
    `label column "${label}"`,
    `label column "${label}" in ${what} has ${why}: that is a continuous target or an id, not classes; pass --positive VALUE (or input.positive) for one class against the rest, or define the positive rows with input.positiveWhen (e.g. "${label} >= 10")`,
  );
}

/**
 * A label value of `source` that reads as `value` but is spelt differently (case, spaces, number format), if any; on
 * a label whose every value is a truth value (a Parquet BOOLEAN, yes/no), also the one of the same truth (`1` for
 * `true`: a sample taken with `--positive 1` there had no positives).
 */
export async function otherSpellingOf(
  connection: DuckDBConnection,
  source: string,
  label: string,
  value: string,
): Promise<string | undefined> {
  const reader = await connection.runAndReadAll(
    `SELECT DISTINCT CAST(${sqlIdentifier(label)} AS VARCHAR) FROM ${source} WHERE ${sqlIdentifier(label)} IS NOT NULL LIMIT 1000`,
  );
  const values = reader.getRowsJS().map((r) => String(r[0]));
  const spelt = values.find((v) => v !== value && classReading(v) === classReading(value));
  if (spelt !== undefined || !values.every((v) => booleanLikeValue(v) !== null)) return spelt;
  const truth = booleanLikeValue(value);
  return truth === null ? undefined : values.find((v) => booleanLikeValue(v) === truth);
}

/**
 * Label values that differ only in case, surrounding spaces or number formatting ("fraud" and "fraud ", "1" and
 * "1.0"), or that spell one truth value two ways ("true" and "1", "no" and "0": exports of two tools joined) would
 * train as separate classes: a positive of the other spelling counted as a negative, or a two-class label learned as
 * four classes. Refused.
 */
export function rejectLookalikeClasses(label: string, what: string, classes: ReadonlyArray<{ value: string; count: number }>): void {
  const grouped = (key: (value: string) => string | undefined) => {
    const groups = new Map<string, Array<{ value: string; count: number }>>();
    for (const c of classes) {
      const k = key(c.value);
      if (k !== undefined) groups.set(k, [...(groups.get(k) ?? []), c]);
    }
    return [...groups.values()].find((group) => group.length > 1);
  };
  const truthOf = (value: string) => {
    const truth = booleanLikeValue(value);
    return truth === null ? undefined : String(truth);
  };
  const clash = grouped(classReading) ?? grouped(truthOf);
  if (!clash) {
    rejectCutOffClass(label, what, classes);
    return;
  }
  throw new InvalidInputError(
    `label column "${label}"`,
    `label column "${label}" in ${what} spells one class in ${clash.length} ways (${clash.map((c) => `${JSON.stringify(c.value)} × ${c.count}`).join(', ')}); expected one spelling per class: make them the same, or they would be learned as different classes`,
  );
}

/**
 * A text class on a single row that is the start of another class ("negat" beside "negative") is what a file cut
 * off in its last row reads as: learned, it would turn a two-class label into three classes. Refused.
 */
function rejectCutOffClass(label: string, what: string, classes: ReadonlyArray<{ value: string; count: number }>): void {
  for (const c of classes) {
    if (c.count !== 1 || c.value.trim() === '' || Number.isFinite(Number(c.value))) continue;
    const whole = classes.find((o) => o !== c && o.count > 1 && o.value.startsWith(c.value));
    if (!whole) continue;
    throw new InvalidInputError(
      `label column "${label}"`,
      `label column "${label}" in ${what} holds ${JSON.stringify(c.value)} on a single row, the start of ${JSON.stringify(whole.value)} (× ${whole.count}): a file cut off in its last row reads so; expected whole class values: fix or drop that row`,
    );
  }
}

/** SQL that is true where the label equals `positive`, comparing numbers as numbers (so "1" matches 1.0). */
export function positiveCondition(column: string, type: string, positive: string): string {
  const asNumber = Number(positive);
  if (numericType.test(type) && type !== 'BOOLEAN' && positive.trim() !== '' && Number.isFinite(asNumber)) {
    return `(CAST(${column} AS DOUBLE) = ${sqlDouble(asNumber)})`;
  }
  return `(CAST(${column} AS VARCHAR) = ${sqlString(positive)})`;
}

/** SQL for a row's class index into `classes` (null for a value outside them: the file changed since it was described). */
export async function classIndexSql(
  connection: DuckDBConnection,
  source: string,
  what: string,
  label: string,
  classes: string[],
): Promise<string> {
  const { labelType } = await describeLabelledSource(connection, source, what, label);
  const column = sqlIdentifier(label);
  return `(CASE ${classes.map((v, i) => `WHEN ${positiveCondition(column, labelType, v)} THEN ${i}`).join(' ')} END)`;
}

export interface LabelCounts {
  rows: number;
  missing: number;
  /** Present class value (as text) → count, sorted by value. */
  classes: Array<{ value: string; count: number }>;
}

export async function labelCounts(connection: DuckDBConnection, source: string, label: string, bad: string): Promise<LabelCounts> {
  const reader = await connection.runAndReadAll(
    `SELECT CASE WHEN ${bad} THEN NULL ELSE CAST(${sqlIdentifier(label)} AS VARCHAR) END AS v, count(*) AS n FROM ${source} GROUP BY 1 ORDER BY 1`,
  );
  let rows = 0;
  let missing = 0;
  const classes: LabelCounts['classes'] = [];
  for (const [v, n] of reader.getRowsJS()) {
    const count = toNumber(n);
    rows += count;
    if (v === null) missing += count;
    else classes.push({ value: String(v), count });
  }
  return { rows, missing, classes };
}

/** 1-based data row of the first row where `condition` holds, streaming a single boolean column. */
export async function firstMatchingRow(connection: DuckDBConnection, source: string, condition: string): Promise<number> {
  const result = await streamQuery(connection, `SELECT ${condition} FROM ${source}`);
  let offset = 0;
  for (let chunk = await nextChunk(result); chunk !== null; chunk = await nextChunk(result)) {
    const v = chunk.getColumnVector(0);
    for (let i = 0; i < chunk.rowCount; i++) if (v.getItem(i) === true) return offset + i + 1;
    offset += chunk.rowCount;
  }
  return -1;
}

/**
 * `what` a missing label is, as the label's type reads it: NaN is missing in a number column, while in a text column
 * the text "NaN" is a class value like any other (only an empty cell or a marker the CSV reader knows is missing).
 */
function missingLabelSpellings(labelType: string): string {
  return labelType === 'FLOAT' || labelType === 'DOUBLE'
    ? 'null, empty, NaN or a missing-value marker such as "?" or "NA"'
    : 'null, empty or a missing-value marker such as "?" or "NA"';
}

/** Text class values that people write for a missing value, but that a text label holds as a class of its own. */
const MISSING_LOOKING = /^(nan|none|nil|-|n\.a\.|missing|unknown)$/i;

/** A note on the class values of `values` that read as a missing value, or '' when none does. */
export function missingLookingNote(values: string[]): string {
  const found = values.filter((v) => MISSING_LOOKING.test(v.trim()));
  if (found.length === 0) return '';
  const list = found.map((v) => JSON.stringify(v)).join(', ');
  return ` (${list} ${found.length === 1 ? 'is a class value here' : 'are class values here'}: in a text label only an empty cell or a marker such as "?" or "NA" is a missing value; if ${found.length === 1 ? 'it marks' : 'they mark'} rows without a label, drop those rows)`;
}

/**
 * The positive class of a label's classes: `requested`, or for two classes the 1/true or the rarer value. Three or
 * more classes without `requested` are refused; with `twoValuesOnly` (the file the command writes holds one value
 * per class, so `--positive` cannot merge the others: denoise, adasyn) the advice is to give a label of two values,
 * naming `twoValuesOnly`, the file.
 */
export function choosePositive(
  label: string,
  classes: LabelCounts['classes'],
  requested: string | undefined,
  twoValuesOnly?: string,
): { positive: string; negatives: string[] } {
  const values = classes.map((c) => c.value);
  if (classes.length === 1) {
    throw new InvalidInputError(
      `label column "${label}"`,
      `label column "${label}" has only one class (${values[0]}); a classifier needs rows of both classes: check --label and the input file`,
    );
  }
  let positive: string;
  if (requested !== undefined) {
    const match = values.find((v) => v === requested) ?? values.find((v) => sameNumber(v, requested));
    if (match === undefined) {
      // Quoted, so that a value with spaces around it (" yes") is seen as it is spelt in the file.
      const spelt = values.find((v) => classReading(v) === classReading(requested));
      const hint = spelt !== undefined ? `, but ${JSON.stringify(spelt)} is: pass --positive ${JSON.stringify(spelt)}` : '';
      throw new InvalidInputError(
        '--positive',
        `--positive "${requested}" is not a value of label column "${label}"${hint}; its values are: ` +
          `${values.map((v) => JSON.stringify(v)).join(', ')}${hint ? '' : '. Pass one of them'}`,
      );
    }
    positive = match;
  } else if (classes.length > 2) {
    const listed = `${values.slice(0, 10).join(', ')}${classes.length > 10 ? ', …' : ''}`;
    throw new InvalidInputError(
      `label column "${label}"`,
      twoValuesOnly !== undefined
        ? `label column "${label}" in ${twoValuesOnly} has ${classes.length} classes (${listed}), expected 2${missingLookingNote(values)}; this command writes each row's label value back, so it takes a label of two values only (--positive would make the others one class the output cannot write): rewrite the label with two values, one for the positive class and one for the rest, or drop the rows of the other values`
        : `label column "${label}" has ${classes.length} classes (${listed}), expected 2${missingLookingNote(values)}; pass --positive VALUE to choose the positive class (all others become negative)`,
    );
  } else {
    const [a, b] = classes as [LabelCounts['classes'][0], LabelCounts['classes'][0]];
    const pair = [a.value.toLowerCase(), b.value.toLowerCase()];
    if (pair[0] === 'false' && pair[1] === 'true') positive = b.value;
    else if (sameNumber(a.value, '0') && sameNumber(b.value, '1')) positive = b.value;
    else positive = a.count < b.count ? a.value : b.value;
  }
  return { positive, negatives: values.filter((v) => v !== positive) };
}

/** Whether two texts are the same finite number (`1` and `1.0`); empty text is no number. */
export function sameNumber(a: string, b: string): boolean {
  if (a.trim() === '' || b.trim() === '') return false;
  const x = Number(a);
  return Number.isFinite(x) && x === Number(b);
}
