// A full disk is named as such: an activity error with code ENOSPC (or DuckDB's "No space left on device") leaves
// as a DiskFull failure that names the path, retried at most twice (attempt 3 is non-retryable), not as a
// generic error retried for minutes.

import type { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { diskFullPath, pastFileSizeLimit } from '../data/diskFull.js';
import { DISK_FULL_FAILURE_TYPE } from '../workflows/contract.js';

/** Attempts of an activity that hits a full disk, at most: the first two are retried (space may be freed). */
export const DISK_FULL_MAX_ATTEMPTS = 3;

export function diskFullFailure(path: string, activityType: string, attempt: number, sizeLimit = false): ApplicationFailure {
  const last = attempt >= DISK_FULL_MAX_ATTEMPTS;
  const where = `${path ? ` writing ${path}` : ''} (${activityType}, attempt ${attempt} of at most ${DISK_FULL_MAX_ATTEMPTS}); `;
  return ApplicationFailure.create({
    type: DISK_FULL_FAILURE_TYPE,
    message: sizeLimit
      ? `file size limit: a file grew past the worker process's limit (ulimit -f)${where}raise the limit for the worker${last ? '' : '; retrying'}`
      : `disk full: no space left on the device${where}` +
        `free space there, or point RAREFLOW_ARTIFACTS / RAREFLOW_REGISTRY / RAREFLOW_SERVING at a larger disk${last ? '' : '; retrying'}`,
    nonRetryable: last,
    details: [{ code: sizeLimit ? 'EFBIG' : 'ENOSPC', path }],
  });
}

/** Outermost activity interceptor of every rareflow worker. */
export function diskFullInterceptor(): ActivityInterceptorsFactory {
  return (ctx: Context) => ({
    inbound: {
      async execute(input, next) {
        try {
          return await next(input);
        } catch (err) {
          const path = diskFullPath(err);
          if (path === undefined) throw err;
          throw diskFullFailure(path, ctx.info.activityType, ctx.info.attempt, pastFileSizeLimit(err));
        }
      },
    },
  });
}
