// The one place where DuckDB vectors and Arrow column data become JS typed arrays:
// values are copied (strided, so row-major matrices fill column by column) and nulls are reported, not guessed.

import type { DuckDBVector } from '@duckdb/node-api';

export type NumericArray = Float64Array | Float32Array | Int32Array | Uint8Array | Int8Array | Int16Array | Uint16Array | Uint32Array;

/** A column as it arrives: a DuckDB vector of one data chunk, or one Arrow record batch's data. */
export type ColumnSource =
  | {
      kind: 'duckdb';
      vector: DuckDBVector;
      /** First slot copied. @default 0 */
      start?: number;
      /** Slots copied from `start`. @default the rest of the vector */
      count?: number;
    }
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

export interface CopyColumnOptions {
  /**
   * Write a missing slot (null or NaN) as NaN instead of stopping at it, for a declared missing-value policy that
   * imputes later; ±Infinity still stops the copy. Only for a floating-point `dest`.
   * @default false
   */
  keepMissing?: boolean;
}

/**
 * Copy `source` into `dest[(rowOffset + i) * stride + column]` for every slot i.
 * Returns the first slot that is null, NaN or ±Infinity (its value is left unset), or -1 when all are finite.
 * Callers turn that slot into an error naming the column and row. With `keepMissing`, null and NaN slots become
 * NaN and only ±Infinity is returned.
 */
export function copyColumnStrided(
  source: ColumnSource,
  dest: NumericArray,
  stride: number,
  column: number,
  rowOffset: number,
  opts: CopyColumnOptions = {},
): number {
  let at = rowOffset * stride + column;
  const keepMissing = opts.keepMissing === true;
  if (source.kind === 'duckdb') {
    const vector = source.vector;
    const start = source.start ?? 0;
    const n = source.count ?? vector.itemCount - start;
    const raw = rawNumericVector(vector);
    if (raw !== undefined) {
      if (keepMissing) return copyArraySlotsKeepingMissing(raw.items, start, raw.validity, raw.validityOffset + start, n, dest, stride, at);
      return copyArraySlots(raw.items, start, raw.validity, raw.validityOffset + start, n, dest, stride, at);
    }
    for (let i = 0; i < n; i++, at += stride) {
      const v = vector.getItem(start + i);
      // v - v is 0 for finite numbers and NaN for NaN and ±Infinity.
      if (typeof v !== 'number' || v - v !== 0) {
        if (keepMissing && (v === null || Number.isNaN(v))) {
          dest[at] = NaN;
          continue;
        }
        return i;
      }
      dest[at] = v;
    }
    return -1;
  }
  const { values, nullBitmap, offset, length } = source;
  const validity = nullBitmap !== null && nullBitmap !== undefined && nullBitmap.length > 0 ? nullBitmap : null;
  if (keepMissing) return copyArraySlotsKeepingMissing(values, 0, validity, offset, length, dest, stride, at);
  return copyArraySlots(values, 0, validity, offset, length, dest, stride, at);
}

/** copyArraySlots for a declared missing-value policy: null and NaN slots are written as NaN; stops at ±Infinity only. */
function copyArraySlotsKeepingMissing(
  values: NumericArray,
  start: number,
  validity: Uint8Array | null,
  bitOffset: number,
  n: number,
  dest: NumericArray,
  stride: number,
  at: number,
): number {
  for (let i = 0; i < n; i++, at += stride) {
    if (validity !== null) {
      const bit = bitOffset + i;
      if ((validity[bit >> 3]! & (1 << (bit & 7))) === 0) {
        dest[at] = NaN;
        continue;
      }
    }
    const v = values[start + i]!;
    if (v - v !== 0 && !Number.isNaN(v)) return i;
    dest[at] = v;
  }
  return -1;
}

/**
 * Copy `values[start + i]` to `dest[at + i * stride]` for i < n, stopping at the first slot that is null (its bit
 * `bitOffset + i` of `validity` is 0, least-significant bit first) or not finite; returns that i, or -1.
 */
function copyArraySlots(
  values: NumericArray,
  start: number,
  validity: Uint8Array | null,
  bitOffset: number,
  n: number,
  dest: NumericArray,
  stride: number,
  at: number,
): number {
  if (validity === null) {
    for (let i = 0; i < n; i++, at += stride) {
      const v = values[start + i]!;
      // v - v is 0 for finite numbers and NaN for NaN and ±Infinity.
      if (v - v !== 0) return i;
      dest[at] = v;
    }
    return -1;
  }
  for (let i = 0; i < n; i++, at += stride) {
    const bit = bitOffset + i;
    if ((validity[bit >> 3]! & (1 << (bit & 7))) === 0) return i;
    const v = values[start + i]!;
    if (v - v !== 0) return i;
    dest[at] = v;
  }
  return -1;
}

const rawNumericTypes = new Set(['DOUBLE', 'FLOAT', 'TINYINT', 'SMALLINT', 'INTEGER', 'UTINYINT', 'USMALLINT', 'UINTEGER']);
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** What the pinned @duckdb/node-api keeps inside a fixed-width numeric vector (not in its typings). */
interface NumericVectorInternals {
  items?: unknown;
  validity?: { data?: unknown; offset?: unknown };
}

/**
 * The values and validity bytes of a DuckDB numeric vector, read in place: `getItem` per slot tests validity with
 * BigInt arithmetic and took most of a Parquet read's JavaScript time. Undefined when the vector does not look as
 * expected (another type, or a @duckdb/node-api whose internals changed), and callers then use `getItem`.
 */
function rawNumericVector(vector: DuckDBVector): { items: NumericArray; validity: Uint8Array | null; validityOffset: number } | undefined {
  // BOOLEAN also keeps bytes, but `getItem` gives booleans, which are not numbers here.
  if (!rawNumericTypes.has(vector.type.toString())) return undefined;
  const { items, validity } = vector as unknown as NumericVectorInternals;
  if (!(
    items instanceof Float64Array ||
    items instanceof Float32Array ||
    items instanceof Int32Array ||
    items instanceof Uint8Array ||
    items instanceof Int8Array ||
    items instanceof Int16Array ||
    items instanceof Uint16Array ||
    items instanceof Uint32Array
  )) {
    return undefined;
  }
  if (validity === undefined || typeof validity.offset !== 'number') return undefined;
  const data = validity.data;
  if (data === null) return { items, validity: null, validityOffset: validity.offset };
  // DuckDB's validity mask is 64-bit words, bit i of word w for slot 64w + i: on a little-endian host its bytes
  // are an Arrow-style bitmap, least-significant bit first.
  if (data instanceof BigUint64Array && littleEndian)
    return { items, validity: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), validityOffset: validity.offset };
  return undefined;
}
