// `rareflow cancel --model M`: stops the model's running retrain. The retrain rolls back a canary it runs (the
// champion alone is served again) and the registry records the run as cancelled; the lifecycle stays and runs the
// next request.

import { checkResourceName } from '../core/resourceName.js';
import { noLifecycle, refuse, withClient, type Say } from './orchestratedCommands.js';
import type { RetrainCancellation } from './temporalClient.js';

export async function cancelCommand(say: Say, a: { model: string }): Promise<RetrainCancellation> {
  checkResourceName(a.model, '--model');
  return withClient(say, (c) => c.cancelRetrain(a.model), {
    // A run cancelled ends on a worker (the canary's rollback, the registry's record): one runs here when none polls,
    // on the workflows and registry queues only. A compute worker would take the next request's first activities and
    // abandon them when the command ends, spending their attempts.
    hostWorker: true,
    hostQueues: ['workflows', 'registry'],
    whenNothingRan: () => refuse(noLifecycle(a.model)),
  });
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
