// Reading DuckDB query results chunk by chunk into row-major typed arrays (features, 0/1 labels, weights), and
// the errors that name a bad value's file, column and data row.

import type { DuckDBDataChunk, DuckDBResult, DuckDBVector } from '@duckdb/node-api';
import { InvalidInputError } from '../core/invalidInputError.js';
import { confirmStreamEnd, releaseStream } from './checkedStream.js';
import { copyColumnStrided } from './columnArrays.js';
import { CSV_MISSING_MARKERS } from './inputSources.js';

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
  // ±Infinity is a value, not a gap: no missing-value policy fills it, so only the data can be fixed.
  const infinite = typeof value === 'number' && (value === Infinity || value === -Infinity);
  const remedy = infinite
    ? 'replace it with a finite number or drop the row (a missing-value policy fills empty, null and NaN cells only, never an infinity)'
    : 'fill or drop such rows first, or have them filled by the model (train it with --missing median in fit or train; features.missing in a pipeline spec)';
  return new InvalidInputError(
    `feature column "${column}"`,
    `feature column "${column}" in ${file} has ${got} at data row ${row}; expected ${categorical ? 'a category' : 'a finite number'} on every row: ${remedy}${value === null && /\.csv(\.gz)?$/i.test(file) ? MARKERS_NOTE : ''}`,
  );
}

/** Why a cell that was not empty can read as missing (data/inputSources.ts CSV_MISSING_MARKERS). */
const MARKERS_NOTE = ` (a CSV cell reads as missing when it is empty or holds a missing-value marker: ${CSV_MISSING_MARKERS.filter(
  (m) => m !== '',
)
  .map((m) => `"${m}"`)
  .join(', ')})`;

/** The next chunk of `result`, or null at its end; a query of streamQuery that failed part-way throws there. */
export async function nextChunk(result: DuckDBResult): Promise<DuckDBDataChunk | null> {
  const chunk = await result.fetchChunk();
  if (chunk !== null && chunk.rowCount > 0) return chunk;
  await confirmStreamEnd(result);
  return null;
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
    await releaseStream(result);
  }
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
