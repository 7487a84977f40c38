// Opens input files as DuckDB table sources: the format from the extension, the file's presence, globs, the
// read_csv/read_parquet source text and the columns it has (DuckDB's read failures: readErrors.ts).

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { extname, isAbsolute } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { InvalidInputError } from '../core/invalidInputError.js';
import { readDatasetArrow } from './arrowDataset.js';
import { INTEGER_TYPE } from './columnTypes.js';
import { rejectRaggedCsv } from './csvFieldCounts.js';
import { dialectArguments, HEADER, knownDialect, rawTextArguments, sniffDialect, type CsvDialect } from './csvDialect.js';
import { sqlString, withDuckDB } from './duckdbConnection.js';
import { isGzipPath, requireWholeGzip } from './gzipInput.js';
import { withReadErrors } from './readErrors.js';
import { rejectRepeatedNames, rejectUnnamedColumns } from './columnNames.js';

export interface ColumnDescription {
  name: string;
  /** DuckDB type as DuckDB spells it: `DOUBLE`, `BIGINT`, `VARCHAR`, `DECIMAL(10,2)`. */
  type: string;
}

export type TableFormat = 'csv' | 'parquet';

/** Column names and DuckDB types of a CSV or Parquet file. */
export async function describeColumns(path: string): Promise<ColumnDescription[]> {
  const format = formatOf(path);
  await requireFile(path);
  if (format === 'arrow') {
    const d = await readDatasetArrow(path);
    return [
      ...d.featureNames.map((name) => ({ name, type: 'DOUBLE' })),
      { name: d.labelName, type: 'UTINYINT' },
      ...Object.entries(d.extra).map(([name, a]) => ({
        name,
        type: a instanceof Int32Array ? 'INTEGER' : a instanceof Uint8Array ? 'BOOLEAN' : 'DOUBLE',
      })),
    ];
  }
  return withReadErrors(path, () => withDuckDB((connection) => describeSource(connection, tableSource(format, [path]))));
}

/**
 * Hashes this process computed, by path, with the file's identity (inode, size, modification and change times) when it
 * was read: the describe stage hashes a run's inputs and each sampling shard checks them again, and a file whose
 * identity has not changed is not read a second time. The change time (ctime) is in it because a file rewritten in
 * place can keep its size and have its modification time set back (`touch -r`), and its old hash was recorded for the
 * new content; nothing but the kernel sets ctime, and every write moves it.
 */
const hashedFiles = new Map<string, { identity: string; sha256: string }>();

/** A file's identity: device, inode, size, modification and change times (any copy, rename or write changes one of them). */
export async function fileIdentity(path: string): Promise<string> {
  const s = await stat(path);
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
}

/** SHA-256 of a file's bytes, hex, read as a stream (or known from an earlier read of the same, unchanged file). */
export async function fileSha256(path: string): Promise<string> {
  await requireFile(path);
  const before = await fileIdentity(path);
  const known = hashedFiles.get(path);
  if (known?.identity === before) return known.sha256;
  const hash = createHash('sha256');
  for await (const piece of createReadStream(path)) hash.update(piece as Buffer);
  const sha256 = hash.digest('hex');
  // Kept only when the file did not change while it was read.
  if ((await fileIdentity(path)) === before) hashedFiles.set(path, { identity: before, sha256 });
  return sha256;
}

/**
 * Cell texts a CSV reader takes as missing: an empty cell, and the markers other tools write for a missing value
 * ("?" in the UCI repository's files, "NA" in R's, "NULL" from databases). A numeric column with such a marker stays
 * numeric, with the cell missing, instead of turning into a text column. Parquet has real nulls.
 */
export const CSV_MISSING_MARKERS = ['', '?', 'NA', 'N/A', 'n/a', '#N/A', '<NA>', 'NULL', 'null'] as const;

/** The read_csv options every reader of a CSV shares (the missing-value markers). */
const CSV_OPTIONS = `nullstr = [${CSV_MISSING_MARKERS.map(sqlString).join(', ')}]`;

/** The SQL table function reading `paths` (files or globs). */
export function tableSource(format: TableFormat, paths: string[]): string {
  return format === 'parquet' ? `read_parquet(${fileList(paths)})` : csvSource(paths, {});
}

/** The dialect this process sniffed from the one file of `paths` (see requireFile), if it has and the file is unchanged. */
function dialectOf(paths: string[]): CsvDialect | undefined {
  return paths.length === 1 && !isGlob(paths[0]!) ? knownDialect(paths[0]!) : undefined;
}

const fileList = (paths: string[]) => (paths.length === 1 ? sqlString(paths[0]!) : `[${paths.map(sqlString).join(', ')}]`);

/**
 * The table function reading `paths` for a reader of their `label` column. DuckDB reads a CSV column of yes/no, t/f
 * or true/false as BOOLEAN, and the classes would then be spelt "true" and "false" in the model, its predictions
 * and its messages instead of the file's own words (`--positive yes` would not even match): such a label is read
 * as the text the file holds. Feature columns keep DuckDB's types (a yes/no feature is a 0/1 boolean), and so does
 * a numeric label, but for those of `numbersExcept`, read as the file spells them (numberReaderOverrides). Every reader of one file's label must take its source from here, so that all of them see the
 * same classes; a file without the column gets tableSource's, for describeLabelledSource to name what is missing.
 * A reader of numbers passes `numbersExcept` (see numberSource): integer columns but the label and those are read
 * as DOUBLE.
 */
export async function labelledSource(
  connection: DuckDBConnection,
  format: TableFormat,
  paths: string[],
  label: string,
  numbersExcept?: readonly string[],
): Promise<string> {
  const plain = tableSource(format, paths);
  if (format === 'parquet') return plain;
  const types = await sniffedTypes(connection, plain);
  const override: Record<string, string> = types.get(label) === 'BOOLEAN' ? { [label]: 'VARCHAR' } : {};
  if (numbersExcept) Object.assign(override, numberReaderOverrides(types, [label, ...numbersExcept]));
  return csvSource(paths, override);
}

/**
 * The table function reading `paths` for a reader of numeric features: a CSV column DuckDB sniffed as integers is
 * read as DOUBLE, but those of `except` (categorical columns, whose categories are spelt as read, and an id column
 * copied to the output). DuckDB types a CSV column from its first 20,480 rows, and its cast of a later "3.7" to an
 * integer type rounds it to 4 without a word: a column of whole numbers whose decimals start late was read rounded.
 */
export async function numberSource(
  connection: DuckDBConnection,
  format: TableFormat,
  paths: string[],
  except: readonly string[],
): Promise<string> {
  const plain = tableSource(format, paths);
  if (format === 'parquet') return plain;
  return csvSource(paths, numberReaderOverrides(await sniffedTypes(connection, plain), except));
}

/** numberSource from columns already described (describeColumns), without sniffing the file again. */
export function numberSourceOf(
  format: TableFormat,
  paths: string[],
  columns: readonly ColumnDescription[],
  except: readonly string[],
): string {
  if (format === 'parquet') return tableSource(format, paths);
  return csvSource(paths, numberReaderOverrides(new Map(columns.map((c) => [c.name, c.type])), except));
}

/** Column name → type of `source` as DuckDB reads it (a CSV: as its sniffer types it, before any override). */
export async function sniffedTypes(connection: DuckDBConnection, source: string): Promise<Map<string, string>> {
  const reader = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`);
  return new Map(reader.getRowObjectsJS().map((r) => [String(r.column_name), String(r.column_type)]));
}

/**
 * The type overrides of a reader of numbers: integer columns but those of `except` are read as DOUBLE, and a column
 * of `except` (a categorical column, an id) that DuckDB's sniffer typed BOOLEAN (yes/no, t/f or true/false words) is
 * read as the text the file holds. Cast from a boolean, its categories were spelt "true" and "false": a model that
 * learnt "yes" and "no" from a Parquet file, or from a CSV whose column also held "unknown", scored a CSV batch of
 * yes/no alone as unseen categories.
 */
function numberReaderOverrides(types: Map<string, string>, except: readonly string[]): Record<string, string> {
  const kept = new Set(except);
  return Object.fromEntries(
    [...types].flatMap(([name, type]): Array<[string, string]> => {
      if (kept.has(name)) return type === 'BOOLEAN' ? [[name, 'VARCHAR']] : [];
      return INTEGER_TYPE.test(type) ? [[name, 'DOUBLE']] : [];
    }),
  );
}

/**
 * A CSV source with `types` overriding some columns' types. A file whose dialect this process has sniffed is read
 * with it spelt out and auto-detection off, so DuckDB does not sniff the file again for every query.
 */
function csvSource(paths: string[], types: Record<string, string>): string {
  const dialect = dialectOf(paths);
  if (dialect !== undefined) return `read_csv(${fileList(paths)}, ${dialectArguments(dialect, types, CSV_OPTIONS)})`;
  const entries = Object.entries(types);
  if (entries.length === 0) return `read_csv(${fileList(paths)}, ${HEADER}, ${CSV_OPTIONS})`;
  const list = entries.map(([name, type]) => `${sqlString(name)}: ${sqlString(type)}`).join(', ');
  return `read_csv(${fileList(paths)}, ${HEADER}, types = {${list}}, ${CSV_OPTIONS})`;
}

/**
 * A source reading column `column` of the CSV file `path` as the file spells it: as text, with only an empty cell
 * missing (the other sources read `NA`, `?`, `NULL` as missing values too, which an id must not lose).
 */
export function csvTextColumnSource(path: string, column: string): string {
  const dialect = dialectOf([path]);
  const asText = { [column]: 'VARCHAR' };
  if (dialect !== undefined) return `read_csv(${fileList([path])}, ${dialectArguments(dialect, asText, `nullstr = ''`)})`;
  return `read_csv(${fileList([path])}, ${HEADER}, types = {${sqlString(column)}: 'VARCHAR'}, nullstr = '')`;
}

/** The one file a CSV source reads, when it reads one file and not a glob. */
function singleCsvPath(source: string): string | undefined {
  const single = /^'((?:[^']|'')*)'$/s.exec(csvFileList(source) ?? '')?.[1]?.replaceAll("''", "'");
  return single !== undefined && !isGlob(single) ? single : undefined;
}

/** The file list of a CSV source built by tableSource, labelledSource or numberSource (the SQL text before its options), or undefined for Parquet. */
function csvFileList(source: string): string | undefined {
  if (!source.startsWith('read_csv(') || !source.endsWith(`, ${CSV_OPTIONS})`)) return undefined;
  return /^(?:'(?:[^']|'')*'|\[(?:'(?:[^']|'')*'(?:, )?)*\])/s.exec(source.slice('read_csv('.length))?.[0];
}

/** The format of an input file from its name: `.csv` and gzip-compressed `.csv.gz` (DuckDB reads both), `.parquet`, `.arrow`. */
export function formatOf(path: string): TableFormat | 'arrow' {
  const lower = path.toLowerCase();
  if (lower.endsWith('.csv.gz')) return 'csv';
  const ext = extname(lower);
  if (ext === '.csv') return 'csv';
  if (ext === '.parquet') return 'parquet';
  if (ext === '.arrow') return 'arrow';
  throw new InvalidInputError(
    `file ${path}`,
    `cannot tell the format of ${path} from its extension "${ext}"; expected .csv, .csv.gz, .parquet or .arrow`,
  );
}

export async function requireFile(path: string): Promise<void> {
  let bytes: number;
  let kind;
  try {
    await access(path);
    kind = await stat(path);
    bytes = kind.size;
  } catch {
    if (isGlob(path)) {
      throw new InvalidInputError(
        `file ${path}`,
        `input ${path} is a glob, and this command reads one file; give one file (globs are read by \`rareflow sample\` and a pipeline's input.paths)`,
      );
    }
    // A relative path is resolved from this process's directory; an absolute one needs no such hint.
    const from = isAbsolute(path) ? '' : ` (it is resolved from ${process.cwd()})`;
    throw new InvalidInputError(`file ${path}`, `input file ${path} does not exist; check the path${from}`);
  }
  if (isGlob(path)) {
    // The reader would take the name as a pattern and read every file it matches (`y?.csv` read `yA.csv` too).
    throw new InvalidInputError(
      `file ${path}`,
      `input file name ${path} holds *, ? or [, which the reader takes as a pattern matching other files too; rename the file without them`,
    );
  }
  if (kind.isDirectory()) {
    throw new InvalidInputError(`file ${path}`, `input ${path} is a directory; expected a CSV or Parquet file`);
  }
  if (!kind.isFile()) {
    throw new InvalidInputError(`file ${path}`, `input ${path} is not a regular file (a pipe or a device); expected a CSV or Parquet file`);
  }
  if (bytes === 0) {
    throw new InvalidInputError(
      `file ${path}`,
      `input file ${path} is empty (0 bytes); expected a CSV file with a header row and data rows, or a Parquet file`,
    );
  }
  if (isGzipPath(path)) await requireWholeGzip(path);
  await sniffOnce(path);
}

/**
 * Sniff a CSV file's dialect once for this process, so that the reads after this check do not each sniff it again
 * (csvDialect.ts). A file DuckDB cannot sniff is left to those reads, which name what is wrong with it.
 */
async function sniffOnce(path: string): Promise<void> {
  if (isGlob(path) || !/\.csv(\.gz)?$/i.test(path) || knownDialect(path) !== undefined) return;
  try {
    await withDuckDB((connection) => sniffDialect(connection, path, CSV_OPTIONS));
  } catch {
    // Read with auto-detection as before: its error names the file and the problem.
  }
}

export function isGlob(path: string): boolean {
  return /[*?[]/.test(path);
}

export async function describeSource(connection: DuckDBConnection, source: string): Promise<ColumnDescription[]> {
  const reader = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`);
  const columns = reader.getRowObjectsJS().map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
  const single = singleCsvPath(source);
  if (single !== undefined) await rejectRaggedCsv(single, columns);
  await rejectDuplicateHeader(connection, source, columns);
  await checkParquetColumns(connection, source);
  return columns;
}

/**
 * DuckDB's CSV reader renames a repeated header name (`a,a` reads as `a`, `a_1`), so a file with two columns of
 * one name would train on a column the user never named. The raw header row is compared with the names read.
 */
async function rejectDuplicateHeader(connection: DuckDBConnection, source: string, columns: ColumnDescription[]): Promise<void> {
  const files = csvFileList(source);
  if (files === undefined) return;
  const single = singleCsvPath(source);
  const dialect = single !== undefined ? dialectOf([single]) : undefined;
  const asText = dialect !== undefined ? rawTextArguments(dialect) : 'header = false, all_varchar = true';
  const raw = (await connection.runAndReadAll(`SELECT * FROM read_csv(${files}, ${asText}) LIMIT 1`)).getRowsJS()[0];
  if (!raw || raw.length !== columns.length) return;
  // DuckDB trims the spaces around a header name (`x0 ` reads as `x0`, and a real `x0` beside it as `x0_1`).
  const header = raw.map((v) => (v === null ? '' : String(v).trim()));
  // Only a real header: each name read is the raw name, or the raw name with DuckDB's `_<n>` suffixes (`a_1_1`
  // when a column is already named `a_1`).
  // A cell with no name is read as `column<n>` (with a suffix when a column has that name).
  const readAs = (h: string, name: string) =>
    h === '' ? /^column\d+(_\d+)*$/.test(name) : name === h || (name.startsWith(`${h}_`) && /^\d+(_\d+)*$/.test(name.slice(h.length + 1)));
  if (!header.every((h, i) => readAs(h, columns[i]!.name))) return;
  // Files read together share one header (sharedInputColumns.ts): the first one's names it.
  const what = /^\[?'((?:[^']|'')*)'/.exec(files)?.[1]?.replaceAll("''", "'") ?? 'the input';
  rejectUnnamedColumns(header, columns, what);
  rejectRepeatedNames(header, `the header of ${what}`, ' (spaces around a name do not count)');
}

/**
 * A Parquet file's top-level columns as written, checked: their names like a CSV header's (DuckDB renames a repeated
 * one), and no DECIMAL past 38 digits. DuckDB reads those as DOUBLE, and wrongly for some widths (a decimal(50,10)
 * 33.6 read as 563714457.6): a model trained and scored on garbage without a word.
 */
async function checkParquetColumns(connection: DuckDBConnection, source: string): Promise<void> {
  const list = /^read_parquet\((.*)\)$/s.exec(source)?.[1];
  if (list === undefined) return;
  const path = /^'((?:[^']|'')*)'$/s.exec(list)?.[1]?.replaceAll("''", "'");
  if (path === undefined || isGlob(path)) {
    // Several files: any of their decimal columns.
    const found = (
      await connection.runAndReadAll(
        `SELECT file_name AS file, name, precision, scale FROM parquet_schema(${list}) ` +
          `WHERE converted_type = 'DECIMAL' AND TRY_CAST(precision AS INTEGER) > ${MAX_DECIMAL_DIGITS} LIMIT 1`,
      )
    ).getRowObjectsJS()[0];
    if (found !== undefined) rejectWideDecimal(found, String(found.file));
    return;
  }
  const rows = (
    await connection.runAndReadAll(`SELECT name, num_children, converted_type, precision, scale FROM parquet_schema(${list})`)
  ).getRowObjectsJS();
  // Depth first from the root: its children are the columns; a nested column's own children are skipped.
  const columns: Array<Record<string, unknown>> = [];
  let at = 1;
  const skip = (): void => {
    const children = Number(rows[at]?.num_children ?? 0);
    at += 1;
    for (let c = 0; c < children; c++) skip();
  };
  for (let c = 0; c < Number(rows[0]?.num_children ?? 0) && at < rows.length; c++) {
    columns.push(rows[at]!);
    skip();
  }
  rejectRepeatedNames(
    columns.map((r) => String(r.name)),
    `the columns of ${path}`,
  );
  const wide = columns.find((r) => r.converted_type === 'DECIMAL' && Number(r.precision) > MAX_DECIMAL_DIGITS);
  if (wide !== undefined) rejectWideDecimal(wide, path);
}

function rejectWideDecimal(column: Record<string, unknown>, path: string): never {
  const name = String(column.name);
  throw new InvalidInputError(
    `column "${name}"`,
    `column "${name}" of ${path} is a DECIMAL(${String(column.precision)}, ${String(column.scale)}); ` +
      `expected at most ${MAX_DECIMAL_DIGITS} digits, which the reader takes exactly (wider ones it reads as wrong numbers): ` +
      `write the column as DOUBLE or as a DECIMAL of at most ${MAX_DECIMAL_DIGITS} digits`,
  );
}

/** The widest Parquet DECIMAL DuckDB reads as a decimal (wider ones it reads as DOUBLE, not always right). */
const MAX_DECIMAL_DIGITS = 38;
