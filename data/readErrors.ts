// DuckDB's read failures as InvalidInputError naming the file: a cell that does not parse as its column's type past
// the rows the sniffer saw, text that is not UTF-8, a line of another field count, lines that do not split, a file
// that is not what its name says.

import { InvalidInputError } from '../core/invalidInputError.js';
import { notUtf8Text } from './textEncoding.js';
import { relative, resolve } from 'node:path';

/** Run a read and turn DuckDB's complaints about the file's content into InvalidInputError naming it. */
export async function withReadErrors<T>(what: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof InvalidInputError || !(err instanceof Error)) throw err;
    const message = err.message.split('\n')[0] ?? err.message;
    const cell = badCsvCell(err.message);
    if (cell && /INT/.test(cell.type) && /^\s*[-+]?\d+\s*$/.test(cell.value)) {
      // A whole number all the same, past what the column's integer type holds (a 20-digit id at row 25,000).
      throw new InvalidInputError(
        `column "${cell.column}"`,
        `could not read ${what}: column "${cell.column}" holds "${cell.value}" on line ${cell.line}, a whole number past the range of its earlier rows' ${cell.type} (at most ${INT_LIMITS[cell.type] ?? 'what that type holds'}); expected whole numbers within that range: if the column is an id, drop it from the file; if it holds amounts, write them with a decimal point`,
      );
    }
    if (cell) {
      throw new InvalidInputError(
        `column "${cell.column}"`,
        `could not read ${what}: column "${cell.column}" holds "${cell.value}" on line ${cell.line}, but its earlier rows made it a column of ${typeWords(cell.type)}; expected ${typeWords(cell.type)} on every row: fix or remove that value`,
      );
    }
    if (/This file is not utf-8 encoded/.test(err.message)) {
      // DuckDB reads CSV as UTF-8 only (its other encodings are an extension this build cannot load).
      // The file DuckDB names (one of several a glob matched) is the one to convert, and its first bytes say from what.
      const line = /CSV Error on Line: (\d+)/.exec(err.message)?.[1];
      const file = /^\s*file = (.+)$/m.exec(err.message)?.[1]?.trim();
      const { utf16, what: encoding, convert } = notUtf8Text(file ?? what);
      const named = file !== undefined && resolve(file) !== resolve(what) ? `${shownPath(file)} (one of ${what})` : what;
      throw new InvalidInputError(
        `file ${what}`,
        `could not read ${named}: ${encoding}${line && !utf16 ? ` (line ${line} holds a byte that is not)` : ''}; ${convert}`,
      );
    }
    const known = knownReadProblem(what, err.message);
    if (known !== undefined) throw new InvalidInputError(`file ${what}`, `could not read ${what}: ${known}`);
    if (/^(Invalid Input Error|Conversion Error)/.test(message) || /No files found that match/.test(message)) {
      throw new InvalidInputError(`file ${what}`, `could not read ${what}: ${message}; check that it is a well-formed CSV or Parquet file`);
    }
    throw err;
  }
}

/** DuckDB's read errors that have a plainer account: a line of another field count, lines that do not parse, not Parquet. */
function knownReadProblem(what: string, message: string): string | undefined {
  const mismatch = typeMismatchBetweenFiles(message);
  if (mismatch !== undefined) return mismatch;
  const line = /CSV Error on Line: (\d+)/.exec(message)?.[1];
  const fields = /Expected Number of Columns: (\d+) Found: (\d+)/.exec(message);
  if (line !== undefined && fields) {
    return `line ${line} has ${fields[2]} fields where the header has ${fields[1]}; expected the same number of fields on every line: fix that line (a delimiter inside a value needs quotes)`;
  }
  if (/CSV Parser state machine reached an invalid state/.test(message)) {
    return 'its lines could not be split into fields with the dialect found in its first rows (line endings that change part-way through the file, \\n and \\r\\n mixed, or a quote left open); save it with one kind of line ending and balanced quotes';
  }
  if (/Error when sniffing file/.test(message)) {
    return 'it does not read as CSV text (a compressed or binary file named .csv, or lines of differing field counts from the start); expected a CSV file with a header row, or a Parquet file named .parquet';
  }
  if (/No magic bytes found at end of file/.test(message)) {
    return `it is not a Parquet file (it has no Parquet footer); a CSV file must be named .csv`;
  }
  return undefined;
}

/**
 * DuckDB's "Schema mismatch between globbed files": CSV files read together are typed from the first one, and a later
 * file whose column reads as another type (a label of 0/1 in one file and yes/no in another) stops the read. In words,
 * naming both files and the column.
 */
function typeMismatchBetweenFiles(message: string): string | undefined {
  if (!/Schema mismatch between globbed files/.test(message)) return undefined;
  const first = /^Main file schema: (.+)$/m.exec(message)?.[1]?.trim();
  const later = /^Current file: (.+)$/m.exec(message)?.[1]?.trim();
  const column = /Column with name: "((?:[^"]|"")*)" is expected to have type: (\S+) But has type: (\S+)/.exec(message);
  if (first === undefined || later === undefined || !column) return undefined;
  const [, name, firstType, laterType] = column;
  const words = (type: string) => (type === 'BOOLEAN' ? 'true/false or yes/no values' : typeWords(type));
  return (
    `column "${name}" holds ${words(firstType!)} in ${shownPath(first)} but ${words(laterType!)} in ${shownPath(later)}, ` +
    `and files read together must hold one kind of value in each column; write "${name}" the same way in every file ` +
    `(0/1 in one and yes/no in another are two spellings of one class), or read the files in separate runs`
  );
}

/**
 * The cell of DuckDB's CSV conversion error: a value that does not parse as the type DuckDB gave its column from
 * the rows it sniffed (the first 20,480), found on a later line.
 */
function badCsvCell(message: string): { line: string; column: string; value: string; type: string } | undefined {
  const line = /CSV Error on Line: (\d+)/.exec(message)?.[1];
  const cell = /Error when converting column "((?:[^"]|"")*)"\. Could not convert string "(.*)" to '([^']+)'/.exec(message);
  if (line === undefined || !cell) return undefined;
  return { line, column: cell[1]!, value: cell[2]!, type: cell[3]! };
}

/** The largest value of DuckDB's integer types a CSV column is sniffed as. */
const INT_LIMITS: Record<string, string> = {
  BIGINT: '9223372036854775807',
  INTEGER: '2147483647',
  UBIGINT: '18446744073709551615',
  HUGEINT: '1.7e38',
};

/** A DuckDB column type in words: `DOUBLE` → `numbers`. */
function typeWords(type: string): string {
  if (/^(DOUBLE|FLOAT|DECIMAL)/.test(type)) return 'numbers';
  if (/INT/.test(type)) return 'whole numbers';
  if (type === 'BOOLEAN') return 'true/false values';
  if (type === 'VARCHAR') return 'text';
  if (/^(DATE|TIME)/.test(type)) return 'dates or times';
  return `${type} values`;
}

/** `path` relative to the working directory when it lies under it (as the user likely typed it), else as it is. */
function shownPath(path: string): string {
  const inside = relative(process.cwd(), path);
  return inside !== '' && !inside.startsWith('..') && !inside.startsWith('/') ? inside : path;
}
