// Where a worker thread's entry module is: the compiled .js next to its caller in dist/, also when the caller runs
// from TypeScript source (vitest), which Node cannot start in a worker; and the error that says dist/ is missing.

import { fileURLToPath } from 'node:url';

/**
 * The compiled entry `name` (without extension) that sits next to the module at `callerUrl`. From source
 * (core/…/x.ts or stages/x.ts) that is the same path under dist/ (dist/core/…/name.js): `npm test` compiles before it runs vitest.
 */
export function workerEntryUrl(callerUrl: string, name: string): URL {
  if (!callerUrl.endsWith('.ts')) return new URL(`./${name}.js`, callerUrl);
  const sourceDir = new URL('.', callerUrl).href;
  const at = Math.max(sourceDir.lastIndexOf('/core/'), sourceDir.lastIndexOf('/stages/'));
  if (at < 0) throw new Error(`worker entry ${name}: ${callerUrl} is not under core/ or stages/; this is a bug.`);
  return new URL(`${sourceDir.slice(0, at)}/dist${sourceDir.slice(at)}${name}.js`);
}

/**
 * `err` from a worker that could not start, with a message that names the missing compiled entry and the fix when
 * that is the cause.
 */
export function workerStartError(err: unknown, entry: URL): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_MODULE_NOT_FOUND') return err;
  const path = fileURLToPath(entry);
  if (!String((err as Error).message).includes(path)) return err;
  return new Error(`worker entry ${path} is missing: compile first with \`npx tsc -p tsconfig.json\` (npm test and npm run build do).`, {
    cause: err,
  });
}
