// The checks of `rareflow canary pause|resume|abort` that say when the command changed nothing: a pause of a paused
// rollout, a resume of one not paused, an abort that came after the promotion, and an abort whose rollback did not
// come in time (it waits for a worker; the rollout's status at its old weight read as if nothing had been asked).

import { InvalidInputError } from '../core/invalidInputError.js';
import type { CanaryRolloutResult, CanaryRolloutStatus } from '../workflows/contract.js';

/** A pause over a pause replaced who held it, and a resume of a running rollout did nothing: both refused. */
export function refuseUnchangedHold(modelName: string, current: CanaryRolloutStatus, action: 'pause' | 'resume' | 'abort'): void {
  const pausedBy = current.pausedBy ?? (current.phase === 'paused' ? 'someone' : undefined);
  if (action === 'pause' && pausedBy !== undefined)
    throw new InvalidInputError('--model', `canary pause: the rollout of ${modelName} is paused already, by ${pausedBy}; nothing changed`);
  if (action === 'resume' && pausedBy === undefined)
    throw new InvalidInputError('--model', `canary resume: the rollout of ${modelName} is not paused (${current.phase}); nothing changed`);
}

/** How long the command waits for the rollback (the rollout takes the abort at once, or when a step in flight returns). */
const ABORT_WAIT_MS = 30_000;

/** Awaits the end of an aborted rollout: returns on a rollback, refuses a promotion, fails when none came in `waitMs`. */
export async function awaitAbortedRollout(
  modelName: string,
  result: Promise<CanaryRolloutResult>,
  waitMs = ABORT_WAIT_MS,
): Promise<CanaryRolloutResult> {
  let timer: NodeJS.Timeout | undefined;
  const ended = await Promise.race([
    result.catch(() => undefined),
    new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), waitMs);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
  refuseLateAbort(modelName, ended);
  if (ended === undefined)
    throw new Error(
      `canary abort: the rollout of ${modelName} took the abort, but it has not rolled back within ${Math.round(waitMs / 1000)} s: its rollback runs on a worker that takes registry steps (rareflow worker, or rareflow dev), and goes on when one does; follow it with rareflow canary status --model ${modelName}`,
    );
  return ended;
}

/** An abort that came after the rollout promoted did nothing: said, as an input error, instead of a status and exit 0. */
export function refuseLateAbort(modelName: string, ended: CanaryRolloutResult | undefined): void {
  if (ended?.outcome !== 'promoted') return;
  throw new InvalidInputError(
    '--model',
    `canary abort: the rollout of ${modelName} had promoted its challenger before the abort came (${ended.reason}); it is the champion now (see rareflow models show --model ${modelName})`,
  );
}
