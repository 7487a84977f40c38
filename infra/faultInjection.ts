// Fault injection for the chaos suite and for operators who rehearse failures: with RAREFLOW_FAULTS set, a worker's
// activities fail on purpose as the variable says. Unset (the default), no interceptor is installed at all.
//
// RAREFLOW_FAULTS is a comma-separated list of ACTIVITY:KIND:ATTEMPTS, for example
//   RAREFLOW_FAULTS='trainModel:transient:2,validateModel:bad-data:1'
//   ACTIVITY  an activity name (describeInput, trainModel, registryPromote, ...), or * for every activity
//   KIND      transient  an I/O error (EIO); the activity's retry policy retries it
//             timeout    a call that timed out (ETIMEDOUT); retried likewise
//             bad-data   a non-retryable ApplicationFailure of type InvalidInput: the retrain fails at once
//             disk-full  a write that fails with ENOSPC, as Node's fs raises it; the worker names it disk full
//             slow       the attempt stalls for 10 minutes (heartbeating, as a live worker deep in a long stage
//                        does) and then runs normally: a stage to kill a worker in (the failover test)
//   ATTEMPTS  the first ATTEMPTS attempts of every execution of that activity fail. Attempts are Temporal's own
//             numbers (1, 2, ...), so a restarted worker keeps counting; later attempts run normally.
// An injected failure (or stall) happens before the activity's code runs, so it writes nothing.

import type { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { InvalidInputError } from '../core/invalidInputError.js';
import { FailureType } from '../core/pipelineTypes.js';

export const FAULTS_ENV = 'RAREFLOW_FAULTS';

export type FaultKind = 'transient' | 'timeout' | 'bad-data' | 'disk-full' | 'slow';

/** How long a `slow` fault stalls an attempt before it runs. */
export const SLOW_FAULT_MS = 10 * 60_000;

export interface ActivityFault {
  /** Activity name, or `*` for every activity. */
  activity: string;
  kind: FaultKind;
  /** The first this-many attempts of each execution fail. */
  attempts: number;
}

const KINDS: readonly FaultKind[] = ['transient', 'timeout', 'bad-data', 'disk-full', 'slow'];

/**
 * Parses a RAREFLOW_FAULTS value. With `knownActivities`, a name that is neither one of them nor `*` is an error,
 * so a typo does not silently inject nothing.
 */
export function parseFaultSpec(text: string, knownActivities?: readonly string[]): ActivityFault[] {
  const faults: ActivityFault[] = [];
  for (const raw of text.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const parts = item.split(':');
    const [activity, kind, attempts] = parts;
    if (parts.length !== 3 || !activity || !kind || !attempts) {
      throw new InvalidInputError(FAULTS_ENV, `${FAULTS_ENV}: "${item}" is not ACTIVITY:KIND:ATTEMPTS, e.g. trainModel:transient:2`);
    }
    if (!KINDS.includes(kind as FaultKind)) {
      throw new InvalidInputError(FAULTS_ENV, `${FAULTS_ENV}: "${item}" has kind "${kind}", expected ${KINDS.join(', ')}`);
    }
    if (!/^\d+$/.test(attempts) || Number(attempts) < 1) {
      throw new InvalidInputError(FAULTS_ENV, `${FAULTS_ENV}: "${item}" has ATTEMPTS "${attempts}", expected an integer ≥ 1`);
    }
    if (knownActivities && activity !== '*' && !knownActivities.includes(activity)) {
      throw new InvalidInputError(
        FAULTS_ENV,
        `${FAULTS_ENV}: "${item}" names activity "${activity}", which this worker does not run; expected one of ${knownActivities.join(', ')} or *`,
      );
    }
    faults.push({ activity, kind: kind as FaultKind, attempts: Number(attempts) });
  }
  return faults;
}

/** The faults RAREFLOW_FAULTS asks for, or undefined when it is unset or empty. */
export function faultsFromEnv(env: NodeJS.ProcessEnv = process.env, knownActivities?: readonly string[]): ActivityFault[] | undefined {
  const text = env[FAULTS_ENV];
  if (text === undefined || text.trim() === '') return undefined;
  return parseFaultSpec(text, knownActivities);
}

/** The fault that applies to this attempt of `activityType`, if any (the first listed wins). */
export function faultFor(faults: readonly ActivityFault[], activityType: string, attempt: number): ActivityFault | undefined {
  return faults.find((f) => (f.activity === activityType || f.activity === '*') && attempt <= f.attempts);
}

/** The failure an injected fault raises, shaped like the real thing: retryable I/O errors, or non-retryable bad input. */
export function injectedFailure(fault: ActivityFault, activityType: string, attempt: number): Error {
  const where = `${activityType}, attempt ${attempt} (${FAULTS_ENV} fails the first ${fault.attempts})`;
  switch (fault.kind) {
    case 'transient':
      return ApplicationFailure.create({
        message: `injected I/O error (EIO) in ${where}`,
        type: 'InjectedIOError',
        nonRetryable: false,
        details: [{ code: 'EIO' }],
      });
    case 'timeout':
      return ApplicationFailure.create({
        message: `injected timeout (ETIMEDOUT) in ${where}`,
        type: 'InjectedTimeout',
        nonRetryable: false,
        details: [{ code: 'ETIMEDOUT' }],
      });
    case 'bad-data':
      return ApplicationFailure.create({
        message: `injected bad data in ${where}`,
        type: FailureType.invalidInput,
        nonRetryable: true,
        details: [FAULTS_ENV],
      });
    case 'slow':
      throw new Error(`injectedFailure: a slow fault stalls ${where} and raises no failure; this is a bug`);
    case 'disk-full': {
      const path = `injected-by-${FAULTS_ENV}/${activityType}.tmp`;
      return Object.assign(new Error(`ENOSPC: no space left on device, write '${path}'`), {
        code: 'ENOSPC',
        errno: -28,
        syscall: 'write',
        path,
      });
    }
  }
}

/** A worker activity interceptor that raises the configured faults before the activity runs. */
export function faultInjectionInterceptor(faults: readonly ActivityFault[]): ActivityInterceptorsFactory {
  return (ctx: Context) => ({
    inbound: {
      async execute(input, next) {
        const { activityType, attempt } = ctx.info;
        const fault = faultFor(faults, activityType, attempt);
        // The stall ends early when the activity is cancelled (ctx.sleep rejects), e.g. after a heartbeat timeout.
        if (fault?.kind === 'slow') await ctx.sleep(SLOW_FAULT_MS);
        else if (fault) throw injectedFailure(fault, activityType, attempt);
        return next(input);
      },
    },
  });
}

export function describeFaults(faults: readonly ActivityFault[]): string {
  return faults.map((f) => `${f.activity}:${f.kind}:${f.attempts}`).join(', ');
}
