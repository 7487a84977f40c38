// The shared WebAssembly memory the neighbour kernels work in: growing it with an error that says what needed the
// space, copying float64 rows in blocks into a staging area, and 64-byte alignment of the regions laid out in it.

import { InvalidInputError } from '../invalidInputError.js';
import type { MatrixValues } from './neighborIndex.js';
import type { WasmMemory } from './webAssemblyApi.js';

const PAGE = 65536;
/** 4 GiB: the most a 32-bit WebAssembly memory can hold, in 64 KiB pages. */
export const WASM_MAX_PAGES = 65536;

/** Grows `memory` to at least `bytes`; `what` names the index in the error when that is above 4 GiB. */
export function growWasmMemory(memory: WasmMemory, bytes: number, what: string): void {
  const need = Math.ceil(bytes / PAGE);
  if (need > WASM_MAX_PAGES) {
    throw new InvalidInputError(
      'neighbour index',
      `${what} needs ${Math.ceil(bytes / 2 ** 20)} MiB of WebAssembly memory, above its 4 GiB limit; query in smaller batches or use fewer rows.`,
    );
  }
  const have = memory.buffer.byteLength / PAGE;
  if (need > have) memory.grow(need - have);
}

/**
 * Calls `each(at, n, r0)` for rows r0 .. r0 + n − 1 of the row-major `values` (cols per row), after copying them as
 * float64 to byte offset `at` = stageAt, at most `stageRows` at a time.
 */
export function forEachStagedBlock(
  memory: WasmMemory,
  stage: { at: number; rows: number },
  values: MatrixValues,
  rows: number,
  cols: number,
  each: (at: number, n: number, r0: number) => void,
): void {
  for (let r0 = 0; r0 < rows; r0 += stage.rows) {
    const n = Math.min(stage.rows, rows - r0);
    new Float64Array(memory.buffer, stage.at, n * cols).set(values.subarray(r0 * cols, (r0 + n) * cols));
    each(stage.at, n, r0);
  }
}

/** `bytes` rounded up to a multiple of 64, a cache line. */
export function alignTo64(bytes: number): number {
  return Math.ceil(bytes / 64) * 64;
}
