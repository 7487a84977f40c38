// The activity policies of every workflow, in one place: compute activities on the compute queue (retried with
// backoff, input errors never), registry activities on the registry queue (short, retried until the deadline).

import { CancellationScope, patched, proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { ComputeActivities } from '../activities/compute.js';
import type { RegistryActivities } from '../activities/registry.js';
import { COMPUTE_TASK_QUEUE, NON_RETRYABLE_FAILURE_TYPES, REGISTRY_TASK_QUEUE } from './contract.js';

/**
 * Heartbeat timeout of long stages. They beat from inside their loops (at most seconds apart) and while waiting, so a
 * killed worker's activity is retried on another within this much.
 */
export const LONG_STAGE_HEARTBEAT_TIMEOUT = '30 seconds';

/** Compute activities with the given deadline (and heartbeat timeout for long ones) and attempts. */
export function computeActivities(o: {
  startToCloseTimeout: ActivityOptions['startToCloseTimeout'];
  heartbeatTimeout?: ActivityOptions['heartbeatTimeout'];
  maximumAttempts: number;
}) {
  return proxyActivities<ComputeActivities>({
    taskQueue: COMPUTE_TASK_QUEUE,
    startToCloseTimeout: o.startToCloseTimeout,
    ...(o.heartbeatTimeout ? { heartbeatTimeout: o.heartbeatTimeout } : {}),
    retry: {
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: '1 minute',
      maximumAttempts: o.maximumAttempts,
      nonRetryableErrorTypes: NON_RETRYABLE_FAILURE_TYPES,
    },
  });
}

/** Registry activities: one short call, retried (the registry worker may be restarting) until `scheduleToCloseTimeout`. */
export function registryActivities(scheduleToCloseTimeout: ActivityOptions['scheduleToCloseTimeout']) {
  return proxyActivities<RegistryActivities>({
    taskQueue: REGISTRY_TASK_QUEUE,
    startToCloseTimeout: '1 minute',
    scheduleToCloseTimeout,
    retry: {
      initialInterval: '500 milliseconds',
      backoffCoefficient: 2,
      maximumInterval: '30 seconds',
      nonRetryableErrorTypes: NON_RETRYABLE_FAILURE_TYPES,
    },
  });
}

/**
 * Runs a registry write whole, past a cancellation that comes while it runs (a run started, a weight set, an outcome
 * or a promotion recorded), so what the registry holds is what a cancel's cleanup knows of. Histories from before
 * ran these writes cancellable and are replayed as then.
 */
export function pastCancellation<T>(write: () => Promise<T>): Promise<T> {
  return patched('registry-writes-past-cancellation') ? CancellationScope.nonCancellable(write) : write();
}
