// Reads labelled CSV, Parquet and our Arrow files into the row-major LabelledData core/ consumes,
// checking the input on the way (label, classes, feature types, missing values) with errors that say how to fix it.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import type { DuckDBConnection, DuckDBDataChunk, DuckDBResult, DuckDBVector } from '@duckdb/node-api';
import type { LabelledData } from '../core/dataset.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import { readDatasetArrow } from './arrowDataset.js';
import { copyColumnStrided } from './columnArrays.js';
import { ignoredReservedColumns, isReservedColumn } from './reservedColumns.js';
import { sqlIdentifier, sqlString, toNumber, withDuckDB } from './duckdbConnection.js';

export interface LoadedDataset {
  data: LabelledData;
  /** One name per matrix column; a one-hot column of categorical `col` is named `col=value`. */
  featureNames: string[];
  labelName: string;
  /** The label value mapped to y = 1, as text (`"1"`, `"true"`, `"fraud"`). */
  positiveLabel: string;
  /** The label value(s) mapped to y = 0; several are joined with `|`. */
  negativeLabel: string;
  /** Declared categorical column → its sorted categories, in one-hot column order. */
  categorical: Record<string, string[]>;
  rows: number;
  /** Every column of the file in file order (a rareflow Arrow file: features, label, extra columns), used or not. */
  columns: string[];
  /** The `weightColumn`'s values, one per row, when the option was given and the file has that column. */
  sampleWeights?: Float64Array;
  /**
   * Feature columns read as booleans (true/false, yes/no, t/f, y/n in any case, as DuckDB reads them): each is the
   * 0/1 feature of its column, the one rule for boolean-like columns in fit, pipeline, predict, evaluate and serve.
   */
  booleanColumns?: string[];
  /** Columns named with a leading `_` (rareflow's bookkeeping, such as ADASYN lineage) that were not read. */
  ignoredColumns?: string[];
}

export interface ReadLabelledOptions {
  /** Label column name. */
  label: string;
  /** Label value that is the positive (rare) class. @default 1/true for 0/1 or false/true labels, else the less frequent class */
  positive?: string;
  /** Text columns to one-hot encode. */
  categorical?: string[];
  /** Feature columns, in matrix order. @default every column except the label, `exclude` and names starting with `_`, in file order */
  features?: string[];
  /** Columns never taken as default features (e.g. `sample_weight`); ignored when `features` is given. */
  exclude?: string[];
  /**
   * Keep a missing numeric feature value (null, empty or NaN) as NaN, for a declared missing-value policy that
   * imputes it later, instead of failing on it. Labels and categorical columns stay strictly checked, and ±Infinity
   * stays an error.
   * @default false
   */
  keepMissingFeatures?: boolean;
  /**
   * A column of per-row weights (`sample_weight`), read in the same pass when the file has it and never a feature;
   * every weight must be a finite number ≥ 0 (missing is an error whatever `keepMissingFeatures` says).
   * @default none
   */
  weightColumn?: string;
}

export interface ScanLabelledOptions {
  label: string;
  /** Label value that becomes y = 1; every other value becomes y = 0. */
  positive: string;
  /** Numeric feature columns, in matrix order. */
  features: string[];
  /** Most rows handed to one `onBatch` call. @default 16384 */
  batchRows?: number;
  /**
   * Keep a missing numeric feature value (null, empty or NaN) as NaN, for a declared missing-value policy that
   * imputes it later, instead of failing on it. Labels and categorical columns stay strictly checked, and ±Infinity
   * stays an error.
   * @default false
   */
  keepMissingFeatures?: boolean;
}

export interface ColumnDescription {
  name: string;
  /** DuckDB type as DuckDB spells it: `DOUBLE`, `BIGINT`, `VARCHAR`, `DECIMAL(10,2)`. */
  type: string;
}

export type TableFormat = 'csv' | 'parquet';

/** Most categories a declared categorical column may have before one-hot encoding is refused. */
const maxCategories = 1000;

export const numericType = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL\(\d+,\s*\d+\)|BOOLEAN)$/;

/** Read a labelled CSV, Parquet or rareflow Arrow file and check it is fit to train on. */
export async function readLabelledDataset(path: string, opts: ReadLabelledOptions): Promise<LoadedDataset> {
  const format = formatOf(path);
  await requireFile(path);
  if (format === 'arrow') return readLabelledArrow(path, opts);
  return withReadErrors(path, () =>
    withDuckDB(async (connection) => {
      const source = tableSource(format, [path]);
      const { columns, byName, available, labelType } = await describeLabelledSource(connection, source, path, opts.label);
      const weightColumn = opts.weightColumn !== undefined && byName.has(opts.weightColumn) ? opts.weightColumn : undefined;
      const excluded = new Set([...(opts.exclude ?? []), ...(weightColumn !== undefined ? [weightColumn] : [])]);
      const featureColumns = opts.features ?? columns.map((c) => c.name).filter((n) => n !== opts.label && !excluded.has(n) && !isReservedColumn(n));
      const ignoredColumns = ignoredReservedColumns(columns.map((c) => c.name), [...featureColumns, opts.label, ...(weightColumn !== undefined ? [weightColumn] : [])]);
      const categoricalColumns = new Set(opts.categorical ?? []);
      if (weightColumn !== undefined && !numericType.test(byName.get(weightColumn)!)) {
        throw new InvalidInputError(
          `weight column "${weightColumn}"`,
          `weight column "${weightColumn}" in ${path} has type ${byName.get(weightColumn)}${await firstTextValue(connection, source, weightColumn)}, expected a number ≥ 0 on every row`,
        );
      }
      for (const name of featureColumns) {
        if (name === opts.label) {
          throw new InvalidInputError(`feature column "${name}"`, `column "${name}" is the label, so it cannot also be a feature in --features; remove it`);
        }
        if (!byName.has(name)) {
          throw new InvalidInputError(
            `feature column "${name}"`,
            `feature column "${name}" not found in ${path}; available columns: ${available}. Fix --features`,
          );
        }
      }
      for (const name of categoricalColumns) {
        if (!byName.has(name)) {
          throw new InvalidInputError(
            `categorical column "${name}"`,
            `categorical column "${name}" (from --categorical) not found in ${path}; available columns: ${available}`,
          );
        }
        if (!featureColumns.includes(name)) {
          throw new InvalidInputError(
            `categorical column "${name}"`,
            `categorical column "${name}" (from --categorical) is not among the feature columns${name === opts.label ? ' (it is the label)' : ''}; remove it from --categorical or add it to --features`,
          );
        }
      }
      for (const name of featureColumns) {
        const type = byName.get(name)!;
        if (!categoricalColumns.has(name) && !numericType.test(type)) {
          throw new InvalidInputError(
            `feature column "${name}"`,
            `feature column "${name}" in ${path} has type ${type}${await firstTextValue(connection, source, name)}, expected a number; declare it with --categorical ${name} to one-hot encode it, or leave it out of --features`,
          );
        }
      }

      const { counts, positive, negatives } = await checkedLabelClasses(connection, source, path, opts.label, labelType, opts.positive);

      const categorical: Record<string, string[]> = {};
      for (const name of featureColumns) {
        if (categoricalColumns.has(name)) categorical[name] = await categoriesOf(connection, source, path, name);
      }

      // Every projected feature is DOUBLE, so one copy path fills the matrix; one-hot columns are null
      // where the category is missing, so a missing category is caught like a missing number.
      const featureNames: string[] = [];
      const sourceColumnOf: string[] = [];
      const projections: string[] = [];
      for (const name of featureColumns) {
        const col = sqlIdentifier(name);
        const cats = categorical[name];
        if (cats === undefined) {
          featureNames.push(name);
          sourceColumnOf.push(name);
          projections.push(`CAST(${col} AS DOUBLE)`);
          continue;
        }
        const text = `CAST(${col} AS VARCHAR)`;
        for (const value of cats) {
          featureNames.push(`${name}=${value}`);
          sourceColumnOf.push(name);
          projections.push(`CASE WHEN ${text} IS NULL OR ${text} = '' THEN NULL ELSE CAST(${text} = ${sqlString(value)} AS DOUBLE) END`);
        }
      }
      projections.push(`CAST(CAST(${sqlIdentifier(opts.label)} AS VARCHAR) = ${sqlString(positive)} AS UTINYINT)`);
      // The weight, when asked for, follows the label: fillChunk reads features and label only.
      if (weightColumn !== undefined) projections.push(`CAST(${sqlIdentifier(weightColumn)} AS DOUBLE)`);

      const rows = counts.rows;
      const cols = featureNames.length;
      const values = new Float64Array(rows * cols);
      const y = new Uint8Array(rows);
      const weights = weightColumn !== undefined ? new Float64Array(rows) : undefined;
      const result = await connection.stream(`SELECT ${projections.join(', ')} FROM ${source}`);
      let offset = 0;
      // Under a declared missing-value policy a missing number becomes NaN; a missing category still fails.
      const keepMissing = opts.keepMissingFeatures ? sourceColumnOf.map((name) => categorical[name] === undefined) : undefined;
      await forEachChunk(result, (chunk) => {
        const n = chunk.rowCount;
        if (offset + n > rows) {
          throw new InvalidInputError(`file ${path}`, `${path} changed while it was read: expected ${rows} rows, got more; read it again`);
        }
        fillChunk(chunk, 0, n, values, cols, y, offset, (column, row) => {
          const name = sourceColumnOf[column]!;
          return missingFeatureError(path, name, categorical[name] !== undefined, chunk.getColumnVector(column).getItem(row), offset + row + 1);
        }, keepMissing);
        if (weights) {
          const vector = chunk.getColumnVector(cols + 1);
          const bad = copyWeights(vector, weights, offset, n);
          if (bad >= 0) throw badWeightError(path, weightColumn!, vector.getItem(bad), offset + bad + 1);
        }
        offset += n;
      });
      if (offset !== rows) {
        throw new InvalidInputError(`file ${path}`, `${path} changed while it was read: expected ${rows} rows, got ${offset}; read it again`);
      }
      return {
        data: { x: { rows, cols, values }, y },
        featureNames,
        labelName: opts.label,
        positiveLabel: positive,
        negativeLabel: negatives.join('|'),
        categorical,
        rows,
        columns: columns.map((c) => c.name),
        ...(weights ? { sampleWeights: weights } : {}),
        booleanColumns: featureColumns.filter((name) => categorical[name] === undefined && byName.get(name) === 'BOOLEAN'),
        ...(ignoredColumns.length > 0 ? { ignoredColumns } : {}),
      };
    }),
  );
}

/**
 * Copy a chunk's weight vector into `weights` from `offset`; returns the first of its n slots that is missing,
 * not finite or negative (the caller names it), or -1.
 */
export function copyWeights(vector: DuckDBVector, weights: Float64Array, offset: number, n: number): number {
  const stop = copyColumnStrided({ kind: 'duckdb', vector }, weights, 1, 0, offset);
  const copied = stop < 0 ? n : stop;
  for (let i = 0; i < copied; i++) if (weights[offset + i]! < 0) return i;
  return stop;
}

/** A weight column's value that is missing, non-finite or negative, named by file, column and data row. */
export function badWeightError(file: string, column: string, value: unknown, row: number): InvalidInputError {
  const got = value === null ? 'an empty or null value' : String(value);
  return new InvalidInputError(
    `weight column "${column}"`,
    `weight column "${column}" in ${file} has ${got} at data row ${row}; expected a finite number ≥ 0 on every row (0 leaves a row out of training): fix or drop such rows first`,
  );
}

/**
 * Stream labelled rows of one or more CSV or Parquet files (a glob is allowed) in batches, never holding
 * the whole input. `x` is row-major with `features.length` columns. Return true from `onBatch` to stop.
 */
export async function scanLabelledBatches(
  paths: string | string[],
  opts: ScanLabelledOptions,
  onBatch: (x: Float64Array, y: Uint8Array, rows: number) => boolean,
): Promise<{ scannedRows: number; stoppedEarly: boolean }> {
  const list = Array.isArray(paths) ? paths : [paths];
  if (list.length === 0) throw new InvalidInputError('--input', 'no input files given; expected at least one CSV or Parquet path or glob in --input');
  const formats = new Set(list.map(formatOf));
  const format = [...formats][0]!;
  if (formats.size > 1 || format === 'arrow') {
    throw new InvalidInputError(
      '--input',
      `scan inputs must all be .csv or all be .parquet, got ${list.join(', ')}; convert them to one format first`,
    );
  }
  for (const p of list) if (!isGlob(p)) await requireFile(p);
  const batchRows = opts.batchRows ?? 16_384;
  if (!Number.isInteger(batchRows) || batchRows < 1) {
    throw new InvalidInputError('batchRows', `batchRows must be a positive integer, got ${batchRows}`);
  }
  const what = list.join(', ');
  return withReadErrors(what, () =>
    withDuckDB(async (connection) => {
      const source = tableSource(format, list);
      const { byName, available, labelType } = await describeLabelledSource(connection, source, what, opts.label);
      for (const name of opts.features) {
        const type = byName.get(name);
        if (type === undefined) {
          throw new InvalidInputError(`feature column "${name}"`, `feature column "${name}" not found in ${what}; available columns: ${available}`);
        }
        if (!numericType.test(type)) {
          throw new InvalidInputError(
            `feature column "${name}"`,
            `feature column "${name}" in ${what} has type ${type}${await firstTextValue(connection, source, name)}, expected a number; scans take numeric features only: leave it out of the features`,
          );
        }
      }
      const label = sqlIdentifier(opts.label);
      const labelBad = missingValueCondition(label, labelType);
      const projections = opts.features.map((name) => `CAST(${sqlIdentifier(name)} AS DOUBLE)`);
      projections.push(`CASE WHEN ${labelBad} THEN NULL ELSE CAST(${positiveCondition(label, labelType, opts.positive)} AS UTINYINT) END`);

      const cols = opts.features.length;
      const keepMissing = opts.keepMissingFeatures ? opts.features.map(() => true) : undefined;
      const result = await connection.stream(`SELECT ${projections.join(', ')} FROM ${source}`);
      let x = new Float64Array(batchRows * cols);
      let y = new Uint8Array(batchRows);
      let filled = 0;
      let scannedRows = 0;
      const deliver = (): boolean => {
        const stop = onBatch(filled === batchRows ? x : x.subarray(0, filled * cols), filled === batchRows ? y : y.subarray(0, filled), filled);
        scannedRows += filled;
        filled = 0;
        x = new Float64Array(batchRows * cols);
        y = new Uint8Array(batchRows);
        return stop;
      };
      const stoppedEarly = await forEachChunk(result, (chunk) => {
        let start = 0;
        while (start < chunk.rowCount) {
          const take = Math.min(chunk.rowCount - start, batchRows - filled);
          const firstRow = scannedRows + filled;
          const from = start;
          fillChunk(chunk, from, take, x, cols, y, filled, (column, row) => {
            if (column === cols) {
              return new InvalidInputError(
                `label column "${opts.label}"`,
                `label column "${opts.label}" in ${what} has a missing value (null, empty or NaN) at data row ${firstRow + row + 1} of the scan; expected a class value on every row`,
              );
            }
            return missingFeatureError(what, opts.features[column]!, false, chunk.getColumnVector(column).getItem(from + row), firstRow + row + 1);
          }, keepMissing);
          filled += take;
          start += take;
          if (filled === batchRows && deliver()) return true;
        }
        return false;
      });
      if (stoppedEarly) return { scannedRows, stoppedEarly: true };
      if (filled > 0 && deliver()) return { scannedRows, stoppedEarly: true };
      return { scannedRows, stoppedEarly: false };
    }),
  );
}

/** Our Arrow artifacts already hold 0/1 labels and numeric features: check the options against them and project. */
async function readLabelledArrow(path: string, opts: ReadLabelledOptions): Promise<LoadedDataset> {
  const d = await readDatasetArrow(path);
  const available = [...d.featureNames, d.labelName].join(', ');
  if (opts.label !== d.labelName) {
    throw new InvalidInputError(
      `label column "${opts.label}"`,
      `label column "${opts.label}" not found in ${path}; available columns: ${available}. Pass --label ${d.labelName}`,
    );
  }
  if (opts.categorical !== undefined && opts.categorical.length > 0) {
    throw new InvalidInputError('--categorical', `${path} is a rareflow Arrow dataset whose features are already numeric; drop --categorical ${opts.categorical.join(' ')}`);
  }
  if (opts.positive !== undefined && !sameNumber(opts.positive, '1') && opts.positive.toLowerCase() !== 'true') {
    throw new InvalidInputError('--positive', `${path} stores labels as 0/1 with 1 positive, got --positive "${opts.positive}"; pass --positive 1 or leave it out`);
  }
  const { rows, cols, values } = d.data.x;
  if (rows === 0) throw new InvalidInputError(`file ${path}`, `${path} has no data rows; expected at least one labelled row`);
  let positives = 0;
  for (let i = 0; i < rows; i++) positives += d.data.y[i]!;
  if (positives === 0 || positives === rows) {
    throw new InvalidInputError(
      `label column "${opts.label}"`,
      `label column "${opts.label}" has only one class (${positives === 0 ? 0 : 1}); a classifier needs rows of both classes: check the input file`,
    );
  }
  // Weights are an extra column of pipeline artifacts, and the last feature column of denoise/adasyn .arrow output.
  const w = opts.weightColumn;
  const weightSource = w === undefined ? undefined : d.extra[w] ?? (d.featureNames.includes(w) ? Float64Array.from({ length: rows }, (_, r) => values[r * cols + d.featureNames.indexOf(w)]!) : undefined);
  let sampleWeights: Float64Array | undefined;
  if (weightSource !== undefined) {
    sampleWeights = weightSource instanceof Float64Array ? weightSource : Float64Array.from(weightSource);
    for (let r = 0; r < rows; r++) if (!(sampleWeights[r]! >= 0 && sampleWeights[r]! < Infinity)) throw badWeightError(path, w!, sampleWeights[r], r + 1);
  }
  const excluded = new Set([...(opts.exclude ?? []), ...(sampleWeights ? [w!] : [])]);
  const featureNames = opts.features ?? d.featureNames.filter((name) => !excluded.has(name) && !isReservedColumn(name));
  const ignoredColumns = ignoredReservedColumns([...d.featureNames, ...Object.keys(d.extra)], [...featureNames, ...(sampleWeights ? [w!] : [])]);
  const index = featureNames.map((name) => {
    const at = d.featureNames.indexOf(name);
    if (at < 0) throw new InvalidInputError(`feature column "${name}"`, `feature column "${name}" not found in ${path}; available columns: ${available}. Fix --features`);
    return at;
  });
  let x = d.data.x;
  if (index.length !== cols || index.some((at, i) => at !== i)) {
    const picked = new Float64Array(rows * index.length);
    for (let r = 0; r < rows; r++) for (let c = 0; c < index.length; c++) picked[r * index.length + c] = values[r * cols + index[c]!]!;
    x = { rows, cols: index.length, values: picked };
  }
  return {
    data: { x, y: d.data.y },
    featureNames: [...featureNames],
    labelName: d.labelName,
    positiveLabel: '1',
    negativeLabel: '0',
    categorical: {},
    rows,
    columns: [...d.featureNames, d.labelName, ...Object.keys(d.extra)],
    ...(sampleWeights ? { sampleWeights } : {}),
    ...(ignoredColumns.length > 0 ? { ignoredColumns } : {}),
  };
}

/** Column names and DuckDB types of a CSV or Parquet file. */
export async function describeColumns(path: string): Promise<ColumnDescription[]> {
  const format = formatOf(path);
  await requireFile(path);
  if (format === 'arrow') {
    const d = await readDatasetArrow(path);
    return [
      ...d.featureNames.map((name) => ({ name, type: 'DOUBLE' })),
      { name: d.labelName, type: 'UTINYINT' },
      ...Object.entries(d.extra).map(([name, a]) => ({ name, type: a instanceof Int32Array ? 'INTEGER' : a instanceof Uint8Array ? 'BOOLEAN' : 'DOUBLE' })),
    ];
  }
  return withReadErrors(path, () => withDuckDB((connection) => describeSource(connection, tableSource(format, [path]))));
}

/** SHA-256 of a file's bytes, hex, read as a stream. */
export async function fileSha256(path: string): Promise<string> {
  await requireFile(path);
  const hash = createHash('sha256');
  for await (const piece of createReadStream(path)) hash.update(piece as Buffer);
  return hash.digest('hex');
}

/** The SQL table function reading `paths` (files or globs). */
export function tableSource(format: TableFormat, paths: string[]): string {
  const list = paths.length === 1 ? sqlString(paths[0]!) : `[${paths.map(sqlString).join(', ')}]`;
  return format === 'parquet' ? `read_parquet(${list})` : `read_csv(${list})`;
}

export function formatOf(path: string): TableFormat | 'arrow' {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.parquet') return 'parquet';
  if (ext === '.arrow') return 'arrow';
  throw new InvalidInputError(`file ${path}`, `cannot tell the format of ${path} from its extension "${ext}"; expected .csv, .parquet or .arrow`);
}

export async function requireFile(path: string): Promise<void> {
  let bytes: number;
  try {
    await access(path);
    bytes = (await stat(path)).size;
  } catch {
    throw new InvalidInputError(`file ${path}`, `input file ${path} does not exist; check the path (it is resolved from ${process.cwd()})`);
  }
  if (bytes === 0) {
    throw new InvalidInputError(`file ${path}`, `input file ${path} is empty (0 bytes); expected a CSV file with a header row and data rows, or a Parquet file`);
  }
}

export function isGlob(path: string): boolean {
  return /[*?[]/.test(path);
}

/** Columns of `source` and the label's type; an unknown label column is bad input listing what is there. */
export async function describeLabelledSource(connection: DuckDBConnection, source: string, what: string, label: string) {
  const columns = await describeSource(connection, source);
  const byName = new Map(columns.map((c) => [c.name, c.type]));
  const available = columns.map((c) => c.name).join(', ');
  const labelType = byName.get(label);
  // Before any column check: a CSV with a header alone reads as text columns, which would be blamed instead.
  if ((await connection.runAndReadAll(`SELECT 1 FROM ${source} LIMIT 1`)).getRowsJS().length === 0) {
    throw new InvalidInputError(`file ${what}`, `${what} has no data rows (only a header: ${available}); expected at least one labelled row`);
  }
  if (labelType === undefined) {
    throw new InvalidInputError(
      `label column "${label}"`,
      `label column "${label}" not found in ${what}; available columns: ${available}. Pass --label with one of them`,
    );
  }
  return { columns, byName, available, labelType };
}

/** Class counts of the label, checked: some rows, no missing label, two classes or a chosen positive. */
export async function checkedLabelClasses(
  connection: DuckDBConnection,
  source: string,
  what: string,
  label: string,
  labelType: string,
  requestedPositive: string | undefined,
): Promise<{ counts: LabelCounts; positive: string; negatives: string[] }> {
  const labelBad = missingValueCondition(sqlIdentifier(label), labelType);
  const counts = await labelCounts(connection, source, label, labelBad);
  if (counts.rows === 0) throw new InvalidInputError(`file ${what}`, `${what} has no data rows; expected at least one labelled row`);
  if (counts.missing > 0) {
    const row = await firstMatchingRow(connection, source, labelBad);
    throw new InvalidInputError(
      `label column "${label}"`,
      `label column "${label}" in ${what} has a missing value (null, empty or NaN) at data row ${row}; expected a class value on every row: fill or drop such rows`,
    );
  }
  return { counts, ...choosePositive(label, counts.classes, requestedPositive) };
}

export async function describeSource(connection: DuckDBConnection, source: string): Promise<ColumnDescription[]> {
  const reader = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`);
  const columns = reader.getRowObjectsJS().map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
  await rejectDuplicateHeader(connection, source, columns);
  return columns;
}

/**
 * DuckDB's CSV reader renames a repeated header name (`a,a` reads as `a`, `a_1`), so a file with two columns of
 * one name would train on a column the user never named. The raw header row is compared with the names read.
 */
async function rejectDuplicateHeader(connection: DuckDBConnection, source: string, columns: ColumnDescription[]): Promise<void> {
  const csv = /^read_csv\((.*)\)$/s.exec(source);
  if (!csv) return;
  const raw = (await connection.runAndReadAll(`SELECT * FROM read_csv(${csv[1]}, header = false, all_varchar = true) LIMIT 1`)).getRowsJS()[0];
  if (!raw || raw.length !== columns.length) return;
  const header = raw.map((v) => (v === null ? '' : String(v)));
  // Only a real header: each name read is the raw name, or the raw name with DuckDB's `_<n>` suffix.
  const readAs = (h: string, name: string) => name === h || (name.startsWith(`${h}_`) && /^\d+$/.test(name.slice(h.length + 1)));
  if (!header.every((h, i) => readAs(h, columns[i]!.name))) return;
  const seen = new Set<string>();
  for (const h of header) {
    if (seen.has(h)) {
      const what = /^'(.*)'$/.exec(csv[1]!)?.[1]?.replaceAll("''", "'") ?? 'the input';
      throw new InvalidInputError(`column "${h}"`, `column name "${h}" appears more than once in the header of ${what}; expected distinct column names: rename the repeated column`);
    }
    seen.add(h);
  }
}

/**
 * Where a text column first holds something that is not a number, as ` (first non-numeric value "abc" at data
 * row 1701)`: a column of numbers read as text because of one stray value is then fixed in one edit.
 */
export async function firstTextValue(connection: DuckDBConnection, source: string, column: string): Promise<string> {
  const col = sqlIdentifier(column);
  const rows = (
    await connection.runAndReadAll(
      `SELECT n, v FROM (SELECT row_number() OVER () AS n, CAST(${col} AS VARCHAR) AS v FROM ${source}) WHERE v IS NOT NULL AND v <> '' AND TRY_CAST(v AS DOUBLE) IS NULL ORDER BY n LIMIT 1`,
    )
  ).getRowsJS();
  const first = rows[0];
  if (!first) return '';
  const text = String(first[1]);
  return ` (first non-numeric value ${JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)} at data row ${toNumber(first[0])})`;
}

/** SQL that is true where a value is missing: null, empty text, or NaN for floating columns. */
export function missingValueCondition(column: string, type: string): string {
  if (type === 'VARCHAR') return `(${column} IS NULL OR ${column} = '')`;
  if (type === 'FLOAT' || type === 'DOUBLE') return `(${column} IS NULL OR isnan(${column}))`;
  return `(${column} IS NULL)`;
}

/** SQL that is true where the label equals `positive`, comparing numbers as numbers (so "1" matches 1.0). */
export function positiveCondition(column: string, type: string, positive: string): string {
  const asNumber = Number(positive);
  if (numericType.test(type) && type !== 'BOOLEAN' && positive.trim() !== '' && Number.isFinite(asNumber)) {
    return `(CAST(${column} AS DOUBLE) = ${asNumber})`;
  }
  return `(CAST(${column} AS VARCHAR) = ${sqlString(positive)})`;
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
  const result = await connection.stream(`SELECT ${condition} FROM ${source}`);
  let offset = 0;
  for (let chunk = await nextChunk(result); chunk !== null; chunk = await nextChunk(result)) {
    const v = chunk.getColumnVector(0);
    for (let i = 0; i < chunk.rowCount; i++) if (v.getItem(i) === true) return offset + i + 1;
    offset += chunk.rowCount;
  }
  return -1;
}

export function choosePositive(
  label: string,
  classes: LabelCounts['classes'],
  requested: string | undefined,
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
      throw new InvalidInputError(
        '--positive',
        `--positive "${requested}" is not a value of label column "${label}"; its values are: ${values.join(', ')}. Pass one of them`,
      );
    }
    positive = match;
  } else if (classes.length > 2) {
    throw new InvalidInputError(
      `label column "${label}"`,
      `label column "${label}" has ${classes.length} classes (${values.slice(0, 10).join(', ')}${classes.length > 10 ? ', …' : ''}), expected 2; pass --positive VALUE to choose the positive class (all others become negative)`,
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

function sameNumber(a: string, b: string): boolean {
  if (a.trim() === '' || b.trim() === '') return false;
  const x = Number(a);
  return Number.isFinite(x) && x === Number(b);
}

async function categoriesOf(connection: DuckDBConnection, source: string, path: string, name: string): Promise<string[]> {
  const text = `CAST(${sqlIdentifier(name)} AS VARCHAR)`;
  const reader = await connection.runAndReadAll(
    `SELECT DISTINCT ${text} AS v FROM ${source} WHERE ${text} IS NOT NULL AND ${text} <> '' LIMIT ${maxCategories + 1}`,
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
 * Copy rows [start, start + count) of one chunk: feature columns 0..cols-1 (DOUBLE) into row-major `x`, the last
 * column (UTINYINT) into `y`, both from row `offset`. `missing(column, row)` builds the error for the first missing value.
 * A feature column c with `keepMissing[c]` true takes a missing value (null or NaN) as NaN instead; the label never does.
 */
export function fillChunk(
  chunk: DuckDBDataChunk,
  start: number,
  count: number,
  x: Float64Array,
  cols: number,
  y: Uint8Array,
  offset: number,
  missing: (column: number, row: number) => InvalidInputError,
  keepMissing?: ArrayLike<boolean>,
): void {
  for (let c = 0; c <= cols; c++) {
    const source = { kind: 'duckdb' as const, vector: chunk.getColumnVector(c), start, count };
    const bad =
      c < cols
        ? copyColumnStrided(source, x, cols, c, offset, keepMissing?.[c] === true ? { keepMissing: true } : {})
        : copyColumnStrided(source, y, 1, 0, offset);
    if (bad >= 0) throw missing(c, bad);
  }
}

export function missingFeatureError(file: string, column: string, categorical: boolean, value: unknown, row: number): InvalidInputError {
  const got = value === null ? (categorical ? 'an empty or null category' : 'an empty or null value') : `${String(value)}`;
  return new InvalidInputError(
    `feature column "${column}"`,
    `feature column "${column}" in ${file} has ${got} at data row ${row}; expected ${categorical ? 'a category' : 'a finite number'} on every row: fill or drop such rows first`,
  );
}

export async function nextChunk(result: DuckDBResult): Promise<DuckDBDataChunk | null> {
  const chunk = await result.fetchChunk();
  return chunk === null || chunk.rowCount === 0 ? null : chunk;
}

/**
 * Visit the chunks of `result` in order while DuckDB fetches the next one, so copying a chunk overlaps producing
 * the next. `visit` returns true to stop early; the result says whether it did. Returns (or throws) only once no
 * fetch is running, because the caller closes the connection next.
 */
export async function forEachChunk(result: DuckDBResult, visit: (chunk: DuckDBDataChunk) => boolean | void): Promise<boolean> {
  let next = nextChunk(result);
  try {
    for (let chunk = await next; chunk !== null; chunk = await next) {
      next = nextChunk(result);
      if (visit(chunk) === true) return true;
    }
    return false;
  } finally {
    // After an early stop or a throw from `visit`, the prefetched chunk is not wanted, nor is its fetch's error.
    await next.catch(() => null);
  }
}

/** Run a read and turn DuckDB's complaints about the file's content into InvalidInputError naming it. */
export async function withReadErrors<T>(what: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof InvalidInputError || !(err instanceof Error)) throw err;
    const message = err.message.split('\n')[0] ?? err.message;
    if (/^(Invalid Input Error|Conversion Error)/.test(message) || /No files found that match/.test(message)) {
      throw new InvalidInputError(`file ${what}`, `could not read ${what}: ${message}; check that it is a well-formed CSV or Parquet file`);
    }
    throw err;
  }
}
