// Recognises a full disk in an error from fs (code ENOSPC) or DuckDB ("No space left on device"), with its path.

import { errorCauses } from '../core/errorCauses.js';

/** The path an ENOSPC error is about ('' when it names none), or undefined when `err` is not a full disk. */
export function diskFullPath(err: unknown): string | undefined {
  for (const e of errorCauses(err)) {
    const message = typeof e.message === 'string' ? e.message : '';
    if (e.code === 'ENOSPC' || /\bENOSPC\b|No space left on device/i.test(message)) {
      if (typeof e.path === 'string') return e.path;
      return /["'`]([^"'`]+)["'`]/.exec(message)?.[1] ?? '';
    }
  }
  return undefined;
}

/** One line for a user: what is full and where. */
export function diskFullMessage(path: string): string {
  return `disk full: no space left on the device${path ? ` writing ${path}` : ''}; free space there, or point RAREFLOW_HOME (or RAREFLOW_ARTIFACTS / RAREFLOW_REGISTRY / RAREFLOW_SERVING) or --out at a larger disk`;
}
