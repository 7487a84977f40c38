// Writes labelled tables as Parquet, CSV (both through DuckDB) or our Arrow format, chosen by extension,
// always to a temp file in the target directory and then renamed; also the chunked column appender the generator shares.

import { stat, rename, rm } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import { BOOLEAN, DOUBLE, DuckDBDataChunk, INTEGER, VARCHAR, type DuckDBConnection, type DuckDBType } from '@duckdb/node-api';
import type { LabelledData } from '../core/dataset.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import { writeDatasetArrowParts, type ExtraColumns } from './arrowDataset.js';
import { sqlIdentifier, sqlString, withDuckDB } from './duckdbConnection.js';
import { namingOutput, scratchPathBeside, sweepScratchBeside } from './scratchFiles.js';

export interface LabelledTable {
  /** The rows; several parts (input rows, then synthetic rows) are written one after another, never joined in memory. */
  data: LabelledData | readonly LabelledData[];
  featureNames: string[];
  labelName: string;
  /** What y = 0 and y = 1 are written as. @default [0, 1] */
  labelValues?: [string, string] | [number, number];
  /**
   * The input label's type: text `labelValues` of a number or boolean label are written back as that type in
   * Parquet (a BIGINT 0/1 label stays BIGINT); other types stay text.
   */
  labelSqlType?: string;
  /** Columns after the label, one value per row over all parts (ADASYN lineage); NaN in a `double` is null. */
  extra?: ExtraTableColumn[];
  /**
   * Categorical columns and their categories: in CSV and Parquet each is written back as one column of its values
   * from its one-hot features `name=value` (a row with none of them set is null), so the output reads like the input.
   * Arrow keeps the one-hot features (its features are numbers).
   */
  categorical?: Readonly<Record<string, readonly string[]>>;
}

/** A column written after the label: booleans, integers, or doubles whose NaN is written as null. */
export type ExtraTableColumn =
  | { name: string; kind: 'boolean'; values: Uint8Array }
  | { name: string; kind: 'integer'; values: Int32Array }
  | { name: string; kind: 'double'; values: Float64Array };

/** One column of a table being appended, read straight from typed arrays. */
export type TableColumn =
  /** Column `column` of a row-major matrix with `cols` columns, as DOUBLE. */
  | { name: string; kind: 'matrix'; values: Float64Array; cols: number; column: number }
  /** With `nanAsNull`, a NaN is written as null. */
  | { name: string; kind: 'double'; values: Float64Array; nanAsNull?: boolean }
  | { name: string; kind: 'integer'; values: Int32Array | Uint8Array }
  /** 0 false, anything else true. */
  | { name: string; kind: 'boolean'; values: Uint8Array }
  /** Codes into `dictionary`, as VARCHAR (or as the dictionary's numbers when `dictionary` holds numbers); -1 is null. */
  | { name: string; kind: 'coded'; codes: Uint8Array | Int32Array; dictionary: readonly string[] | readonly number[] };

/** Rows per appended data chunk: DuckDB's vector size, the most one chunk holds. */
const chunkRows = 2048;

/** Write `d` to `path` as .parquet, .csv or .arrow (by extension), atomically. */
export async function writeLabelledTable(path: string, d: LabelledTable): Promise<void> {
  const ext = extname(path).toLowerCase();
  if (ext !== '.parquet' && ext !== '.csv' && ext !== '.arrow') {
    throw new InvalidInputError(
      `file ${path}`,
      `cannot tell the output format of ${path} from its extension "${ext}"; expected .parquet, .csv or .arrow`,
    );
  }
  await requireDirectory(path);
  const parts = Array.isArray(d.data) ? (d.data as readonly LabelledData[]) : [d.data as LabelledData];
  for (const part of parts) {
    if (d.featureNames.length !== part.x.cols) {
      throw new InvalidInputError(
        'featureNames',
        `expected ${part.x.cols} feature names (one per matrix column), got ${d.featureNames.length}`,
      );
    }
  }
  const rowsOut = parts.reduce((n, part) => n + part.x.rows, 0);
  for (const column of d.extra ?? []) {
    if (column.values.length !== rowsOut)
      throw new InvalidInputError(
        `column "${column.name}"`,
        `extra column "${column.name}" has ${column.values.length} values, expected ${rowsOut} (one per row)`,
      );
  }
  if (ext === '.arrow') {
    // Arrow writes a Uint8Array as booleans and a NaN as null (data/arrowDataset.ts).
    const extra: ExtraColumns = Object.fromEntries((d.extra ?? []).map((c) => [c.name, c.values]));
    await writeDatasetArrowParts(path, { parts, featureNames: d.featureNames, labelName: d.labelName, ...(d.extra ? { extra } : {}) });
    return;
  }
  // DuckDB's appender reads one matrix; Parquet and CSV encoding costs far more than this copy.
  const whole = parts.length === 1 ? parts[0]! : concatenatedRows(parts, d.featureNames.length);
  const { rows } = whole.x;
  const y = whole.y;
  const columns = featureColumns(d.featureNames, whole.x, d.categorical);
  columns.push(
    d.labelValues === undefined
      ? { name: d.labelName, kind: 'integer', values: y }
      : { name: d.labelName, kind: 'coded', codes: y, dictionary: d.labelValues },
  );
  for (const c of d.extra ?? []) columns.push(c.kind === 'double' ? { ...c, nanAsNull: true } : c);
  const keptType = typeof d.labelValues?.[0] === 'string' ? keptLabelType(d.labelSqlType) : undefined;
  await withDuckDB(async (connection) => {
    await createTable(connection, 'labelled', columns);
    await appendTableColumns(connection, 'labelled', rows, columns);
    if (keptType !== undefined) await castColumn(connection, 'labelled', d.labelName, keptType);
    await copyTableAtomically(connection, 'labelled', path);
  });
}

/** Label types written back as they were: the values travel as their text, which casts back exactly. */
const KEPT_LABEL_TYPES =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL\(\d+,\d+\)|BOOLEAN)$/;

/** `type` when a label of that type is written back as it (numbers and booleans); undefined for text and the rest. */
export function keptLabelType(type: string | undefined): string | undefined {
  return type !== undefined && KEPT_LABEL_TYPES.test(type) ? type : undefined;
}

/** Column `name` of `table` cast to `type` in place (a text label going back to the input's number or boolean type). */
export async function castColumn(connection: DuckDBConnection, table: string, name: string, type: string): Promise<void> {
  await connection.run(`ALTER TABLE ${sqlIdentifier(table)} ALTER COLUMN ${sqlIdentifier(name)} TYPE ${type}`);
}

/**
 * The feature columns of matrix `x` to write: each numeric feature as itself, and each categorical column's one-hot
 * features as one column of category codes, where the first of them was.
 */
function featureColumns(
  names: readonly string[],
  x: LabelledData['x'],
  categorical: Readonly<Record<string, readonly string[]>> = {},
): TableColumn[] {
  const { rows, cols, values } = x;
  const firstOfGroup = new Map<number, { name: string; columns: number[]; categories: string[] }>();
  const grouped = new Set<number>();
  for (const [name, categories] of Object.entries(categorical)) {
    const present = categories.filter((v) => names.includes(`${name}=${v}`));
    const columns = present.map((v) => names.indexOf(`${name}=${v}`));
    if (columns.length === 0) continue;
    firstOfGroup.set(Math.min(...columns), { name, columns, categories: present });
    for (const c of columns) grouped.add(c);
  }
  const out: TableColumn[] = [];
  names.forEach((name, column) => {
    const group = firstOfGroup.get(column);
    if (group) {
      const codes = new Int32Array(rows).fill(-1);
      for (let r = 0; r < rows; r++) {
        let best = 0.5;
        group.columns.forEach((c, k) => {
          const v = values[r * cols + c]!;
          if (v > best) [best, codes[r]] = [v, k];
        });
      }
      out.push({ name: group.name, kind: 'coded', codes, dictionary: group.categories });
    } else if (!grouped.has(column)) out.push({ name, kind: 'matrix', values, cols, column });
  });
  return out;
}

/** The rows of `parts`, one part after another, as one matrix and label array. */
function concatenatedRows(parts: readonly LabelledData[], cols: number): LabelledData {
  const rows = parts.reduce((n, part) => n + part.x.rows, 0);
  const values = new Float64Array(rows * cols);
  const y = new Uint8Array(rows);
  let at = 0;
  for (const part of parts) {
    values.set(part.x.values.subarray(0, part.x.rows * cols), at * cols);
    y.set(part.y.subarray(0, part.x.rows), at);
    at += part.x.rows;
  }
  return { x: { rows, cols, values }, y };
}

/** CREATE TABLE `table` with one column per TableColumn. */
export async function createTable(connection: DuckDBConnection, table: string, columns: TableColumn[]): Promise<void> {
  const defs = columns.map((c) => `${sqlIdentifier(c.name)} ${sqlTypeOf(c)}`);
  await connection.run(`CREATE TABLE ${sqlIdentifier(table)} (${defs.join(', ')})`);
}

/** Append `rows` rows of `columns` to `table` through DuckDB's appender, one filled data chunk at a time. */
export async function appendTableColumns(connection: DuckDBConnection, table: string, rows: number, columns: TableColumn[]): Promise<void> {
  const types = columns.map(duckdbTypeOf);
  const appender = await connection.createAppender(table);
  try {
    const chunk = DuckDBDataChunk.create(types, chunkRows);
    for (let start = 0; start < rows; start += chunkRows) {
      const n = Math.min(chunkRows, rows - start);
      chunk.rowCount = n;
      columns.forEach((column, c) => {
        const vector = chunk.getColumnVector(c);
        switch (column.kind) {
          case 'matrix': {
            const { values, cols } = column;
            for (let i = 0, at = start * cols + column.column; i < n; i++, at += cols) vector.setItem(i, values[at]!);
            break;
          }
          case 'double':
            if (column.nanAsNull) {
              for (let i = 0; i < n; i++) {
                const v = column.values[start + i]!;
                vector.setItem(i, Number.isNaN(v) ? null : v);
              }
              break;
            }
            for (let i = 0; i < n; i++) vector.setItem(i, column.values[start + i]!);
            break;
          case 'integer':
            for (let i = 0; i < n; i++) vector.setItem(i, column.values[start + i]!);
            break;
          case 'boolean':
            for (let i = 0; i < n; i++) vector.setItem(i, column.values[start + i] !== 0);
            break;
          case 'coded': {
            const { codes, dictionary } = column;
            for (let i = 0; i < n; i++) {
              if (codes[start + i] === -1) {
                vector.setItem(i, null);
                continue;
              }
              const value = dictionary[codes[start + i]!];
              if (value === undefined) {
                throw new InvalidInputError(
                  `column "${column.name}"`,
                  `row ${start + i + 1} of column "${column.name}" has code ${codes[start + i]}, expected 0..${dictionary.length - 1}`,
                );
              }
              vector.setItem(i, value);
            }
            break;
          }
        }
        vector.flush();
      });
      appender.appendDataChunk(chunk);
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

/** COPY `table` to `path` (Parquet or CSV by extension) through a temp file in the same directory, then rename. */
export async function copyTableAtomically(connection: DuckDBConnection, table: string, path: string): Promise<void> {
  const ext = extname(path).toLowerCase();
  const options = ext === '.csv' ? '(FORMAT csv, HEADER true)' : '(FORMAT parquet, COMPRESSION zstd)';
  // Tagged with this process, so one left by an interrupted command is swept by the next writer there.
  await sweepScratchBeside(path);
  const temp = scratchPathBeside(path, 'tmp');
  try {
    await connection.run(`COPY ${sqlIdentifier(table)} TO ${sqlString(temp)} ${options}`);
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true, recursive: true });
    throw namingOutput(err, temp, path);
  }
}

/** Throws an InvalidInputError naming `path` when its directory does not exist. */
export async function requireDirectory(path: string): Promise<void> {
  const dir = dirname(path);
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(dir)).isDirectory();
  } catch {
    isDirectory = false;
  }
  if (!isDirectory) {
    throw new InvalidInputError(
      `file ${path}`,
      `cannot write ${path}: its directory ${dir} does not exist; create it first or choose another --out`,
    );
  }
}

function duckdbTypeOf(column: TableColumn): DuckDBType {
  switch (column.kind) {
    case 'matrix':
    case 'double':
      return DOUBLE;
    case 'integer':
      return INTEGER;
    case 'boolean':
      return BOOLEAN;
    case 'coded':
      return typeof column.dictionary[0] === 'string' ? VARCHAR : column.dictionary.every((v) => Number.isInteger(v)) ? INTEGER : DOUBLE;
  }
}

function sqlTypeOf(column: TableColumn): string {
  return duckdbTypeOf(column).toString();
}
