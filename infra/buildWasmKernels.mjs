// `npm run wasm`: compiles the neighbour kernels' WebAssembly text (core/neighbors/*.wat) with wabt and writes each
// binary, base64, into the TypeScript module that embeds it. test/core/wasmKernelSource.test.ts checks they agree.

import { readFile, writeFile } from 'node:fs/promises';
import wabtInit from 'wabt';

/** The kernels use SIMD and a shared memory (threads). */
const FEATURES = { simd: true, threads: true };
/** Base64 characters per source line of the embedded string. */
const LINE = 112;

const KERNELS = [
  { name: 'distanceKernel', constant: 'DISTANCE_KERNEL_WASM_BASE64' },
  { name: 'integerDistanceKernel', constant: 'INTEGER_DISTANCE_KERNEL_WASM_BASE64' },
];

const root = new URL('../', import.meta.url);
const wabt = await wabtInit();
for (const { name, constant } of KERNELS) {
  const watPath = `core/neighbors/${name}.wat`;
  const modulePath = `core/neighbors/${name}Wasm.ts`;
  const parsed = wabt.parseWat(watPath, await readFile(new URL(watPath, root), 'utf8'), FEATURES);
  let base64;
  try {
    parsed.validate(FEATURES);
    base64 = Buffer.from(parsed.toBinary({}).buffer).toString('base64');
  } finally {
    parsed.destroy();
  }
  const lines = [];
  for (let at = 0; at < base64.length; at += LINE) lines.push(`  '${base64.slice(at, at + LINE)}'`);
  const source = [
    `// The compiled ${name}.wat (WebAssembly with SIMD and shared memory), embedded so no file is read at run time.`,
    `// Generated from the .wat by \`npm run wasm\` (infra/buildWasmKernels.mjs); do not edit by hand.`,
    '',
    `export const ${constant} =`,
    `${lines.join(' +\n')};`,
    '',
  ].join('\n');
  await writeFile(new URL(modulePath, root), source);
  console.log(`${modulePath}: ${base64.length * 0.75 - (base64.match(/=+$/)?.[0].length ?? 0)} bytes from ${watPath}`);
}
