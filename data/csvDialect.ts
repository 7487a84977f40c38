// The dialect and column types DuckDB's CSV sniffer finds in a file, found once per process and file. Every
// read_csv call with auto-detection sniffs the file again: on a file of 300 columns that is most of a second each
// time, and `fit` reads its input a dozen times (columns, classes, missing values, the matrix). A read given the
// sniffed options with auto_detect = false skips it (0.1 s instead of 0.9 s for the whole 5,600 × 300 file).

import { statSync } from 'node:fs';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlIdentifier, sqlString } from './duckdbConnection.js';

export interface CsvDialect {
  /** read_csv options equivalent to what auto-detection chose, without the columns and the missing-value markers. */
  options: string;
  /** Column names and types as the sniffer typed them, in file order. */
  columns: ReadonlyArray<readonly [string, string]>;
}

/** How many files' dialects a process keeps. */
const KEPT_DIALECTS = 256;

/** Dialects found by this process, by file path, with the file's size and modification time when sniffed. */
const known = new Map<string, { identity: string; dialect: CsvDialect }>();

/** A file's size and modification time (and inode), or undefined when it cannot be read. */
function identityOf(path: string): string | undefined {
  try {
    const s = statSync(path);
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
  } catch {
    return undefined;
  }
}

/** The dialect sniffed earlier from `path`, unless the file changed since (then it must be sniffed again). */
export function knownDialect(path: string): CsvDialect | undefined {
  const entry = known.get(path);
  if (entry === undefined) return undefined;
  if (identityOf(path) === entry.identity) return entry.dialect;
  known.delete(path);
  return undefined;
}

/** The sniffer's empty marker for "none" (no quote, escape or comment character). */
const orEmpty = (value: unknown): string => (value === '(empty)' || value === null || value === undefined ? '' : String(value));

/**
 * Sniff `path` as read_csv would with `csvOptions` (the shared missing-value markers) and keep the result for later
 * reads of the same, unchanged file. The options are the ones DuckDB's own `sniff_csv` prompt spells out.
 */
export async function sniffDialect(connection: DuckDBConnection, path: string, csvOptions: string): Promise<CsvDialect> {
  const before = identityOf(path);
  const given = await wideFileDialect(connection, path, csvOptions);
  // DuckDB tells a gzip file by a lower-case `.gz`; `DATA.CSV.GZ` is said so.
  const gzip = /\.gz$/i.test(path) ? `compression = 'gzip'` : undefined;
  const reader = await connection.runAndReadAll(
    `SELECT * FROM sniff_csv(${sqlString(path)}, ${csvOptions}${given === '' ? `, ${HEADER}` : given}${gzip ? `, ${gzip}` : ''})`,
  );
  const row = reader.getRowObjectsJS()[0]!;
  const parts = ['auto_detect = false', dialectOptions(row), ...(gzip ? [gzip] : [])];
  // Dates are parsed only when written year first (ISO 8601). A day/month order DuckDB guesses per file (01/07/2024
  // as 1 July in a file whose days stop at 12, as 7 January in one that holds a 13th) made the same text two
  // different categories in a training and a scoring file, without a word; such columns are read as spelt instead.
  const isoDates = isIsoFormat(row.DateFormat);
  const isoTimestamps = isIsoFormat(row.TimestampFormat);
  if (isoDates && row.DateFormat) parts.push(`dateformat = ${sqlString(String(row.DateFormat))}`);
  if (isoTimestamps && row.TimestampFormat) parts.push(`timestampformat = ${sqlString(String(row.TimestampFormat))}`);
  const sniffed = (row.Columns as Array<{ name: string; type: string }>).map((c) => {
    const type = String(c.type);
    const guessed = (!isoDates && type === 'DATE') || (!isoTimestamps && type.startsWith('TIMESTAMP'));
    return [String(c.name), guessed ? 'VARCHAR' : type] as const;
  });
  const options = parts.join(', ');
  const columns = await numbersPastTheSample(connection, path, options, sniffed, csvOptions);
  const dialect = { options, columns };
  // Kept only when the file did not change while it was sniffed.
  if (before !== undefined && identityOf(path) === before) {
    // A long-lived worker reads many files: keep the most recent ones only.
    if (known.size >= KEPT_DIALECTS) known.delete(known.keys().next().value!);
    known.set(path, { identity: before, dialect });
  }
  return dialect;
}

/** Whether a sniffed date or timestamp format (or none) reads year first, the one order no file can guess wrong. */
function isIsoFormat(format: unknown): boolean {
  return format === null || format === undefined || String(format).startsWith('%Y-%m-%d');
}

/** Rows DuckDB's sniffer types the columns from (its default sample_size). */
const SNIFFED_ROWS = 20_480;

/**
 * `columns` with those the sniffer typed as text only for want of a value in its sample (empty on its first 20,480
 * rows: a field collected from some date on, in a file sorted by time) typed DOUBLE when every value further down
 * is a number. Before, such a column read as text: `fit` left out what could be its strongest feature, saying it
 * should be written with a decimal point, which it was. One read of the sample and, when such a column exists, one
 * of those columns over the file.
 */
async function numbersPastTheSample(
  connection: DuckDBConnection,
  path: string,
  options: string,
  columns: ReadonlyArray<readonly [string, string]>,
  csvOptions: string,
): Promise<ReadonlyArray<readonly [string, string]>> {
  const text = columns.filter(([, type]) => type === 'VARCHAR').map(([name]) => name);
  if (text.length === 0) return columns;
  const source = `read_csv(${sqlString(path)}, ${dialectArguments({ options, columns }, {}, csvOptions)})`;
  const counts = async (select: string[], from: string) =>
    (await connection.runAndReadAll(`SELECT ${select.join(', ')} FROM ${from}`)).getRowsJS()[0]!.map((v) => Number(v));
  const inSample = await counts(
    text.map((n) => `count(${sqlIdentifier(n)})`),
    `(SELECT * FROM ${source} LIMIT ${SNIFFED_ROWS})`,
  );
  const unseen = text.filter((_, i) => inSample[i] === 0);
  if (unseen.length === 0) return columns;
  const whole = await counts(
    unseen.flatMap((n) => [`count(${sqlIdentifier(n)})`, `count(TRY_CAST(${sqlIdentifier(n)} AS DOUBLE))`]),
    source,
  );
  const numeric = new Set(unseen.filter((_, i) => whole[2 * i]! > 0 && whole[2 * i + 1] === whole[2 * i]));
  return columns.map(([name, type]) => [name, numeric.has(name) ? 'DOUBLE' : type] as const);
}

/** No comment character in any CSV read (see dialectOptions). */
const NO_COMMENT = "comment = ''";

/** Every CSV input has a header row and no comment lines (see dialectOptions). */
export const HEADER = `header = true, ${NO_COMMENT}`;

/**
 * The dialect options of a sniff_csv result row: delimiter, quote, escape, line break, skipped rows, comment, header.
 * A quote character the sniffer did not see in its sample (the first 20,480 rows) is taken as `"`, escaped by
 * doubling, as RFC 4180 and most writers have it: read with none, a file whose quoting starts further down (two
 * exports joined; a writer that quotes only values needing it) kept the quotes in its values, and `"fraud"` was a
 * class of its own beside `fraud`. A file without quotes reads the same either way.
 */
function dialectOptions(row: Record<string, unknown>): string {
  const quoted = orEmpty(row.Quote) !== '';
  const quote = quoted ? orEmpty(row.Quote) : '"';
  const escape = quoted ? orEmpty(row.Escape) : '"';
  return [
    `delim = ${sqlString(orEmpty(row.Delimiter))}`,
    `quote = ${sqlString(quote)}`,
    `escape = ${sqlString(escape)}`,
    `new_line = ${sqlString(orEmpty(row.NewLineDelimiter))}`,
    `skip = ${Number(row.SkipRows)}`,
    // Never a comment character: DuckDB's sniffer takes `#` as one when some lines start with it, and a value such
    // as Excel's `#VALUE!` or an id `#1042` in the first column then dropped its row without a word (`predict` wrote
    // 288 scores for 300 rows). A comment block above the header is still skipped (the sniffer counts it in `skip`);
    // a comment line further down is refused by the read as a line of the wrong width, naming it.
    NO_COMMENT,
    // Always a header: every rareflow input names its columns (the label is found by name). DuckDB's sniffer takes a
    // first row that types like the rows below it as data, and a header of numbers (pandas' `0,1,…,8`) became a
    // training row of the class its last name read as, with every row of `predict` one line off.
    'header = true',
  ].join(', ');
}

/** Bytes read from the start of a file to tell a wide one (few line breaks in them) and to sniff its dialect. */
const PREFIX_BYTES = 1 << 20;
/** Bytes read first, to tell a wide file. */
const WIDE_CHECK_BYTES = 1 << 16;
/** Lines in the first 64 KiB below which a file counts as wide (lines over 4 KiB: hundreds of columns). */
const WIDE_LINES_IN_64K = 16;

/** The first `bytes` bytes of `path` (fewer when it is shorter), or undefined when it cannot be read. */
async function leadingBytes(path: string, bytes: number): Promise<Buffer | undefined> {
  try {
    const file = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(bytes);
      return buffer.subarray(0, (await file.read(buffer, 0, bytes, 0)).bytesRead);
    } finally {
      await file.close();
    }
  } catch {
    return undefined;
  }
}

/**
 * For a wide plain CSV (few line breaks in its first 64 KiB), `, delim = …` options naming the dialect, found by
 * sniffing the lines of its first MiB alone; otherwise ''. DuckDB's sniffer tries every candidate dialect on its whole
 * sample, which grows with the width: 6.3 s on 2,000 rows of 1,500 columns, against 0.3 s for the dialect on its
 * first lines and 0.45 s for the types over the usual sample with the dialect given (a quote character the first
 * lines do not show is taken as `"`, as for any file: see dialectOptions).
 */
async function wideFileDialect(connection: DuckDBConnection, path: string, csvOptions: string): Promise<string> {
  if (!/\.csv$/i.test(path)) return '';
  // The first 64 KiB tell a wide file; only a wide one has its first MiB read (every CSV passes through here).
  const start = await leadingBytes(path, WIDE_CHECK_BYTES);
  if (start === undefined || start.length < WIDE_CHECK_BYTES) return '';
  if (start.reduce((n, b) => n + (b === 0x0a ? 1 : 0), 0) >= WIDE_LINES_IN_64K) return '';
  const head = await leadingBytes(path, PREFIX_BYTES);
  const lastBreak = head?.lastIndexOf(0x0a) ?? -1;
  if (head === undefined || head.length < PREFIX_BYTES || lastBreak < 0) return '';
  const dir = await mkdtemp(join(tmpdir(), 'rareflow-sniff-'));
  try {
    const prefix = join(dir, 'head.csv');
    await writeFile(prefix, head.subarray(0, lastBreak + 1));
    const row = (
      await connection.runAndReadAll(`SELECT * FROM sniff_csv(${sqlString(prefix)}, ${csvOptions}, ${HEADER})`)
    ).getRowObjectsJS()[0]!;
    return `, ${dialectOptions(row)}`;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The read_csv arguments after the file list: the dialect, every column with its type (`types` overriding some), then `csvOptions`. */
export function dialectArguments(dialect: CsvDialect, types: Readonly<Record<string, string>>, csvOptions: string): string {
  const columns = dialect.columns.map(([name, type]) => `${sqlString(name)}: ${sqlString(types[name] ?? type)}`).join(', ');
  return `${dialect.options}, columns = {${columns}}, ${csvOptions}`;
}

/** read_csv arguments that read every field as text, the header row too (to compare the raw header with the names read). */
export function rawTextArguments(dialect: CsvDialect): string {
  const options = dialect.options.replace(/header = (true|false)/, 'header = false');
  const columns = dialect.columns.map((_, i) => `${sqlString(`column${i}`)}: 'VARCHAR'`).join(', ');
  return `${options}, columns = {${columns}}`;
}
