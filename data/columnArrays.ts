// The one place where DuckDB vectors and Arrow column data become JS typed arrays:
// values are copied (strided, so row-major matrices fill column by column) and nulls are reported, not guessed.

import type { DuckDBVector } from '@duckdb/node-api';

export type NumericArray = Float64Array | Float32Array | Int32Array | Uint8Array | Int8Array | Int16Array | Uint16Array | Uint32Array;

/** A column as it arrives: a DuckDB vector of one data chunk, or one Arrow record batch's data. */
export type ColumnSource =
  | { kind: 'duckdb'; vector: DuckDBVector }
  | {
      kind: 'arrow';
      /** The batch's values, slot 0 first (arrow-js slices value buffers, so this view starts at the batch). */
      values: NumericArray;
      /** Arrow validity bitmap, least-significant bit first; null or empty when every slot is valid. */
      nullBitmap: Uint8Array | null | undefined;
      /** Bit of slot 0 inside `nullBitmap` (arrow-js keeps bitmaps unsliced and records this offset). */
      offset: number;
      length: number;
    };

/**
 * Copy `source` into `dest[(rowOffset + i) * stride + column]` for every slot i.
 * Returns the first slot that is null, NaN or ±Infinity (its value is left unset), or -1 when all are finite.
 * Callers turn that slot into an error naming the column and row; datasets here never carry missing values.
 */
export function copyColumnStrided(
  source: ColumnSource,
  dest: NumericArray,
  stride: number,
  column: number,
  rowOffset: number,
): number {
  let at = rowOffset * stride + column;
  if (source.kind === 'duckdb') {
    const vector = source.vector;
    const n = vector.itemCount;
    for (let i = 0; i < n; i++, at += stride) {
      const v = vector.getItem(i);
      // v - v is 0 for finite numbers and NaN for NaN and ±Infinity.
      if (typeof v !== 'number' || v - v !== 0) return i;
      dest[at] = v;
    }
    return -1;
  }
  const { values, nullBitmap, offset, length } = source;
  const checkNulls = nullBitmap !== null && nullBitmap !== undefined && nullBitmap.length > 0;
  for (let i = 0; i < length; i++, at += stride) {
    const bit = offset + i;
    if (checkNulls && (nullBitmap[bit >> 3]! & (1 << (bit & 7))) === 0) return i;
    const v = values[i]!;
    if (v - v !== 0) return i;
    dest[at] = v;
  }
  return -1;
}
