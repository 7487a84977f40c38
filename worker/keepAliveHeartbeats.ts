// Every activity with a heartbeat timeout beats at least every few seconds while it waits on worker threads or
// I/O, so only a dead or wedged worker misses its heartbeat timeout (activities/activityRuntime.ts keepingAlive).

import type { Context } from '@temporalio/activity';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { keepingAlive } from '../activities/activityRuntime.js';

export function keepAliveHeartbeatInterceptor(): ActivityInterceptorsFactory {
  return (ctx: Context) => ({
    inbound: {
      execute: (input, next) => keepingAlive(ctx, () => next(input)),
    },
  });
}
