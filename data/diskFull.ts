// Recognises a full disk in an error from fs (code ENOSPC) or DuckDB ("No space left on device"), with its path.

import { errorCauses } from '../core/errorCauses.js';

/** The path an ENOSPC error is about ('' when it names none), or undefined when `err` is not a full disk. */
export function diskFullPath(err: unknown): string | undefined {
  for (const e of errorCauses(err)) {
    const message = typeof e.message === 'string' ? e.message : '';
    // EFBIG (a file past the process's size limit, `ulimit -f`) is no more retryable than a full disk.
    if (e.code === 'ENOSPC' || e.code === 'EFBIG' || /\bENOSPC\b|\bEFBIG\b|No space left on device|File too large/i.test(message)) {
      if (typeof e.path === 'string') return e.path;
      return /["'`]([^"'`]+)["'`]/.exec(message)?.[1] ?? '';
    }
  }
  return undefined;
}

/** One line for a user: what is full and where. */
export function diskFullMessage(path: string, sizeLimit = false): string {
  if (sizeLimit)
    return `file size limit: a file grew past this process's limit (ulimit -f)${path ? ` writing ${path}` : ''}; raise the limit, or write a smaller output`;
  return `disk full: no space left on the device${path ? ` writing ${path}` : ''}; free space there, or point RAREFLOW_HOME (or RAREFLOW_ARTIFACTS / RAREFLOW_REGISTRY / RAREFLOW_SERVING) or --out at a larger disk`;
}

/** Whether `err` (or a cause) is a file past the process's size limit (EFBIG) rather than a full disk. */
export function pastFileSizeLimit(err: unknown): boolean {
  return [...errorCauses(err)].some(
    (e) => e.code === 'EFBIG' || /\bEFBIG\b|File too large/i.test(typeof e.message === 'string' ? e.message : ''),
  );
}
