// Locates the workflows entry point (compiled .js under dist/, or the .ts source under vitest) for the bundler.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function workflowsPath(): string {
  for (const name of ['../workflows/index.js', '../workflows/index.ts']) {
    const candidate = fileURLToPath(new URL(name, import.meta.url));
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('cannot find workflows/index.js or workflows/index.ts next to the worker');
}
