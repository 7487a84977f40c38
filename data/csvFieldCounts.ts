// A CSV whose rows do not all have the header's number of fields: DuckDB's sniffer then finds no delimiter and reads
// the whole line as one column named after the header line ("a,b,label"), so every later message would name a
// column that seems to be there. This finds the first row whose field count differs and says so instead.

import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { InvalidInputError } from '../core/invalidInputError.js';
import { isGzipPath } from './gzipInput.js';

const DELIMITERS = [',', ';', '\t', '|'];

/** The first record (1-based data row, header excluded) whose field count differs from the header's, or undefined. */
export async function firstRowOfOtherWidth(
  path: string,
  delimiter: string,
): Promise<{ row: number; fields: number; header: number } | undefined> {
  const raw = createReadStream(path);
  const stream = isGzipPath(path) ? raw.pipe(createGunzip()) : raw;
  let inQuotes = false;
  let fields = 1;
  let record = 0;
  let header = -1;
  let empty = true;
  const endRecord = () => {
    if (!empty) {
      if (header < 0) header = fields;
      else if (fields !== header) return { row: record, fields, header };
      record++;
    }
    fields = 1;
    empty = true;
    return undefined;
  };
  try {
    for await (const chunk of stream) {
      const text = (chunk as Buffer).toString('utf8');
      for (let i = 0; i < text.length; i++) {
        const ch = text[i]!;
        if (ch === '"') inQuotes = !inQuotes;
        else if (inQuotes) continue;
        else if (ch === delimiter) fields++;
        else if (ch === '\n') {
          const found = endRecord();
          if (found) return found;
          continue;
        } else if (ch === '\r') continue;
        empty = false;
      }
    }
    return endRecord();
  } finally {
    raw.destroy();
  }
}

/**
 * Throws when `columns` is the single column DuckDB reads from a CSV whose rows differ in width: its name holds a
 * delimiter and a row of `path` has another field count than the header. A real one-column file passes.
 */
export async function rejectRaggedCsv(path: string, columns: ReadonlyArray<{ name: string }>): Promise<void> {
  if (columns.length !== 1) return;
  const name = columns[0]!.name;
  const delimiter = DELIMITERS.find((d) => name.includes(d));
  if (delimiter === undefined) return;
  const found = await firstRowOfOtherWidth(path, delimiter);
  if (!found) return;
  const shown = delimiter === '\t' ? 'tab' : `"${delimiter}"`;
  throw new InvalidInputError(
    `file ${path}`,
    `${path}: data row ${found.row} has ${found.fields} field${found.fields === 1 ? '' : 's'} where the header has ${found.header} ` +
      `(delimiter ${shown}), so the file could not be split into columns; expected every row to have the header's ${found.header} fields: fix or drop that row`,
  );
}
