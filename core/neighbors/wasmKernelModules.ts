// The two neighbour kernels, each compiled once per process from its embedded binary (worker threads receive the
// compiled module): the float32 kernel of exact search and the 16-bit integer kernel of the IVF index and screen.

import { DISTANCE_KERNEL_WASM_BASE64 } from './distanceKernelWasm.js';
import { INTEGER_DISTANCE_KERNEL_WASM_BASE64 } from './integerDistanceKernelWasm.js';
import { wasm, type WasmModule } from './webAssemblyApi.js';

let distance: WasmModule | undefined;
let integerDistance: WasmModule | undefined;

/** The float32 kernel (distanceKernel.wat). */
export function distanceKernel(): WasmModule {
  distance ??= new wasm.Module(Buffer.from(DISTANCE_KERNEL_WASM_BASE64, 'base64'));
  return distance;
}

/** The integer kernel (integerDistanceKernel.wat). */
export function integerDistanceKernel(): WasmModule {
  integerDistance ??= new wasm.Module(Buffer.from(INTEGER_DISTANCE_KERNEL_WASM_BASE64, 'base64'));
  return integerDistance;
}
