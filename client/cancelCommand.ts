// `rareflow cancel --model M`: stops the model's running retrain. The retrain rolls back a canary it runs (the
// champion alone is served again) and the registry records the run as cancelled; the lifecycle stays and runs the
// next request.

import { InvalidInputError } from '../core/invalidInputError.js';
import { checkResourceName } from '../core/resourceName.js';
import { EXIT_CODES } from './exitCodes.js';
import { noLifecycle, refuse, withClient, type Say } from './orchestratedCommands.js';
import type { RetrainCancellation } from './temporalClient.js';

export async function cancelCommand(say: Say, a: { model: string; run?: string }): Promise<RetrainCancellation> {
  checkResourceName(a.model, '--model');
  if (a.run !== undefined && a.run.trim() === '')
    throw new InvalidInputError('--run', '--run: expected a retrain run id (see rareflow status), got an empty string');
  // Ctrl-C stops the worker this command may host (the SDK's own signal handling), which fails the wait with an SDK
  // error: what it means is said instead, and the command ends itself if nothing else ends the wait.
  const interruptedText = `interrupted (Ctrl-C): a cancel already sent stays with the retrain, which ends when a worker runs (rareflow dev, or rareflow worker); see rareflow status --model ${a.model}`;
  let interrupted = false;
  const onInterrupt = () => {
    interrupted = true;
    setTimeout(() => {
      process.stderr.write(`rareflow cancel: ${interruptedText}\n`);
      process.exit(EXIT_CODES.failed);
    }, 5000).unref();
  };
  process.once('SIGINT', onInterrupt);
  try {
    return await withClient(say, (c) => c.cancelRetrain(a.model, a.run !== undefined ? { run: a.run } : {}), {
      // A run cancelled ends on a worker (the canary's rollback, the registry's record): one runs here when none
      // polls, on the workflows and registry queues only (those no other worker serves). A compute worker would take
      // the next request's first activities and abandon them when the command ends, spending their attempts.
      hostWorker: true,
      hostQueues: ['workflows', 'registry'],
      whenNothingRan: () => refuse(noLifecycle(a.model)),
    });
  } catch (err) {
    if (interrupted) throw new Error(interruptedText, { cause: err });
    throw err;
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
}

/** The answer of `rareflow cancel` as text. */
export function formatCancellation(c: RetrainCancellation): string {
  const at = c.stage ? ` (it was ${c.stage})` : '';
  const canary = c.canaryRolledBack ? '; its canary is rolled back: the champion alone is served' : '';
  const lines =
    c.outcome === 'cancelled'
      ? [`retrain ${c.run} of ${c.model} cancelled${at}${canary}; the run is recorded as cancelled`]
      : [
          `cancel of retrain ${c.run} of ${c.model} requested${at}, but the run has not ended yet: it ends when a worker takes the cancel (see rareflow status --model ${c.model})`,
        ];
  if (c.pending) lines.push(`a request waits to start and runs next: ${c.pending}`);
  return lines.join('\n');
}
