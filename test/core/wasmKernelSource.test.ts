// The embedded WebAssembly kernels are the compiled .wat sources: wabt compiles each .wat and the bytes must equal
// the embedded blob. After editing a .wat, `npm run wasm` regenerates the blob modules.

import { readFile } from 'node:fs/promises';
import wabtInit from 'wabt';
import { describe, expect, it } from 'vitest';
import { DISTANCE_KERNEL_WASM_BASE64 } from '../../core/neighbors/distanceKernelWasm.js';
import { INTEGER_DISTANCE_KERNEL_WASM_BASE64 } from '../../core/neighbors/integerDistanceKernelWasm.js';

/** The kernels use SIMD and a shared memory (threads), as infra/buildWasmKernels.mjs compiles them. */
const FEATURES = { simd: true, threads: true };

async function compileWat(name: string): Promise<Buffer> {
  const wabt = await wabtInit();
  const path = new URL(`../../core/neighbors/${name}`, import.meta.url);
  const parsed = wabt.parseWat(name, await readFile(path, 'utf8'), FEATURES);
  try {
    parsed.validate(FEATURES);
    return Buffer.from(parsed.toBinary({}).buffer);
  } finally {
    parsed.destroy();
  }
}

describe('embedded WebAssembly kernels', () => {
  it.each([
    ['distanceKernel.wat', DISTANCE_KERNEL_WASM_BASE64],
    ['integerDistanceKernel.wat', INTEGER_DISTANCE_KERNEL_WASM_BASE64],
  ])('%s compiles to the embedded bytes (run `npm run wasm` after editing it)', async (wat, embedded) => {
    const compiled = await compileWat(wat);
    expect(compiled.toString('base64')).toBe(embedded);
  });
});
