// What `rareflow sample` writes in its label column, settled before the scan and written after it. The rule: the
// column keeps each sampled row's label value as the input spells it (`--positive` only says which rows count as
// positive, never what is written), so the next step reads the sample with the same --label and --positive as the
// input. With `--positive-when` the column is a new one, 1 where the predicate holds and 0 elsewhere, and its name
// (`--label`) must not be an input column's.

import { extname } from 'node:path';
import type { LabelledData } from '../core/dataset.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import { missingValueCondition } from '../data/columnTypes.js';
import {
  appendTableColumns,
  castColumn,
  copyTableAtomically,
  keptLabelType,
  createTable,
  requireDirectory,
  writeLabelledTable,
  type TableColumn,
} from '../data/datasetWriter.js';
import { sqlIdentifier, withDuckDB } from '../data/duckdbConnection.js';
import { describeSource, formatOf, labelledSource, tableSource, type TableFormat } from '../data/inputSources.js';
import { withReadErrors } from '../data/readErrors.js';
import { describeLabelledSource, firstMatchingRow, labelCounts, rejectLookalikeClasses, sameNumber } from '../data/labelClasses.js';

export interface SampleLabelColumn {
  /** The column's name (`--label`). */
  name: string;
  /** The values written, by class index: each sampled row's label is an index into them. */
  values: string[];
  /** The positive class's value; not among `values` when no input row holds it. */
  positive: string;
  /**
   * The input label's type when it is a number or a boolean (`BIGINT`, `DOUBLE`, `BOOLEAN`, …), so a Parquet sample
   * keeps it; absent for text, which is written as text.
   */
  sqlType?: string;
}

/** Class indices are fetched as one byte each (data/positiveScan.ts), so a sample keeps at most this many values. */
const MAX_LABEL_VALUES = 256;

const OUTPUT_EXTENSIONS = ['.parquet', '.csv', '.arrow'];

export interface SampleLabelRequest {
  /** The input files, globs expanded (the profile's `files`). */
  files: string[];
  /** How the input was given, for messages. */
  what: string;
  label: string;
  positiveWhen?: string;
  /** The profile's positive and negative values (negatives joined by `|`; empty when the positive is absent). */
  positiveLabel: string;
  negativeLabel: string;
  out: string;
}

/**
 * The label column of the sample, checked against the input and `--out` before anything is scanned or written:
 * a `--positive-when` name already taken by an input column, more label values than a sample keeps, or a `.arrow`
 * output (whose label is stored as 1 = positive, 0 = negative) that would rewrite the values, is refused.
 */
export async function settleSampleLabelColumn(r: SampleLabelRequest): Promise<SampleLabelColumn> {
  const ext = extname(r.out).toLowerCase();
  if (!OUTPUT_EXTENSIONS.includes(ext)) {
    throw new InvalidInputError(
      '--out',
      `--out ${r.out}: cannot tell the output format from the extension "${ext}"; expected .parquet, .csv or .arrow`,
    );
  }
  const format = formatOf(r.files[0]!) as TableFormat;
  if (r.positiveWhen !== undefined) {
    await requireNewColumnName(r, format);
    return { name: r.label, values: ['0', '1'], positive: '1', sqlType: 'INTEGER' };
  }
  // Two classes: the profile named both. Otherwise (three or more, or a positive no row holds) the values are read.
  const twoClasses = r.negativeLabel !== '' && !r.negativeLabel.includes('|');
  const label = await inputLabel(r, format, !twoClasses);
  const values = label.values ?? [r.negativeLabel, r.positiveLabel];
  if (values.length > MAX_LABEL_VALUES) {
    throw new InvalidInputError(
      `label column "${r.label}"`,
      `label column "${r.label}" in ${r.what} has ${values.length} distinct values; a sample keeps each row's label value and can hold at most ${MAX_LABEL_VALUES} of them: to sample one value against the rest, write a 0/1 column instead with --positive-when "${r.label} = …" and a new --label name`,
    );
  }
  const column: SampleLabelColumn = {
    name: r.label,
    values,
    positive: r.positiveLabel,
    ...(keptLabelType(label.type) !== undefined ? { sqlType: label.type } : {}),
  };
  if (ext === '.arrow') requireArrowKeepsValues(column, r);
  return column;
}

/** `--positive-when` writes a new column: one named like an input column would overwrite it (or leave the old one a feature). */
async function requireNewColumnName(r: SampleLabelRequest, format: TableFormat): Promise<void> {
  const names = await withReadErrors(r.what, () =>
    withDuckDB(async (connection) => (await describeSource(connection, tableSource(format, r.files))).map((c) => c.name)),
  );
  // Column names are compared without regard to case, as DuckDB reads and writes them.
  const taken = (name: string) => names.find((n) => n.toLowerCase() === name.toLowerCase());
  const clash = taken(r.label);
  if (clash === undefined) return;
  const free = ['positive', 'is_positive', 'positive_when'].find((n) => taken(n) === undefined);
  throw new InvalidInputError(
    '--label',
    `--label "${r.label}" names column "${clash}" of ${r.what}; with --positive-when, --label is the name of the new 0/1 column the sample writes, which would replace that column: pass a name no input column has${free !== undefined ? ` (e.g. --label ${free})` : ''}, or, to sample by the values of "${clash}", --positive VALUE instead of --positive-when`,
  );
}

/**
 * The label column as DuckDB reads the input, in one session: its type (`BIGINT`, `VARCHAR`, …) and, with
 * `readValues`, every value as the input spells it, sorted (a missing label or two spellings of one value refused).
 */
async function inputLabel(r: SampleLabelRequest, format: TableFormat, readValues: boolean): Promise<{ type: string; values?: string[] }> {
  return withReadErrors(r.what, () =>
    withDuckDB(async (connection) => {
      const source = await labelledSource(connection, format, r.files, r.label);
      const { labelType } = await describeLabelledSource(connection, source, r.what, r.label);
      if (!readValues) return { type: labelType };
      const missing = missingValueCondition(sqlIdentifier(r.label), labelType);
      const counts = await labelCounts(connection, source, r.label, missing);
      if (counts.missing > 0) {
        const row = await firstMatchingRow(connection, source, missing);
        throw new InvalidInputError(
          `label column "${r.label}"`,
          `label column "${r.label}" in ${r.what} has a missing value (null, empty, NaN or a missing-value marker such as "?" or "NA") at data row ${row}; expected a class value on every row, since the sample keeps each row's label: fill or drop such rows`,
        );
      }
      rejectLookalikeClasses(r.label, r.what, counts.classes);
      return { type: labelType, values: counts.classes.map((c) => c.value) };
    }),
  );
}

/** A `.arrow` label is 1 for a positive row and 0 for any other: written only where that is the value the row holds. */
function requireArrowKeepsValues(column: SampleLabelColumn, r: SampleLabelRequest): void {
  const rewritten = column.values.filter((v) => !sameNumber(v, v === column.positive ? '1' : '0'));
  if (rewritten.length === 0) return;
  throw new InvalidInputError(
    '--out',
    `--out ${r.out}: a .arrow file stores the label as 1 (positive) or 0 (any other class), but label column "${r.label}" holds ${column.values.map((v) => JSON.stringify(v)).join(', ')} with positive ${JSON.stringify(column.positive)}, so ${rewritten.map((v) => JSON.stringify(v)).join(', ')} would be rewritten; write .csv or .parquet, which keep each row's label value`,
  );
}

/**
 * Writes the sample: features (and a trailing weight column, when given) and the label column, each row's class
 * index turned back into its value; a `.arrow` file takes 1 for the positive class and 0 for the others (checked
 * by settleSampleLabelColumn to be the values themselves).
 */
export async function writeSampleTable(
  out: string,
  table: { data: LabelledData; featureNames: string[] },
  column: SampleLabelColumn,
): Promise<void> {
  const { data, featureNames } = table;
  if (extname(out).toLowerCase() === '.arrow') {
    const positive = column.values.indexOf(column.positive);
    const y = Uint8Array.from(data.y, (c) => (c === positive ? 1 : 0));
    await writeLabelledTable(out, { data: { x: data.x, y }, featureNames, labelName: column.name });
    return;
  }
  await requireDirectory(out);
  const { rows, cols, values } = data.x;
  const columns: TableColumn[] = [
    ...featureNames.map((name, c): TableColumn => ({ name, kind: 'matrix', values, cols, column: c })),
    { name: column.name, kind: 'coded', codes: data.y, dictionary: column.values },
  ];
  await withDuckDB(async (connection) => {
    await createTable(connection, 'sample', columns);
    await appendTableColumns(connection, 'sample', rows, columns);
    // The values were carried as text: a numeric or boolean label goes back to its type (an INTEGER 0/1 label stays one).
    if (column.sqlType !== undefined) await castColumn(connection, 'sample', column.name, column.sqlType);
    await copyTableAtomically(connection, 'sample', out);
  });
}
