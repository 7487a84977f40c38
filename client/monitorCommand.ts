// `rareflow monitor start|stop|status --model M`: the model's drift monitor, a `driftMonitor` workflow (its report is
// `monitorReportCommand.ts`).

import { WorkflowNotFoundError } from '@temporalio/client';
import { InvalidInputError } from '../core/invalidInputError.js';
import { checkResourceName } from '../core/resourceName.js';
import { loadConfig } from '../infra/rareflowConfig.js';
import { externalTemporalTarget } from '../infra/temporalServer.js';
import {
  WORKFLOWS_TASK_QUEUE,
  driftMonitorWorkflowId,
  monitorStatusQuery,
  stopMonitorSignal,
  type DriftMonitorInput,
} from '../workflows/contract.js';
import { requireMonitoredModel } from './knownModels.js';
import { refuse, withClient, type Say } from './orchestratedCommands.js';

/** `rareflow monitor start|stop|status --model M`: the model's driftMonitor workflow. */
export async function monitorCommand(
  say: Say,
  a: { action: string; model: string; input?: Omit<DriftMonitorInput, 'modelName'>; by: string },
) {
  checkResourceName(a.model, '--model');
  if (!['start', 'stop', 'status'].includes(a.action))
    throw new InvalidInputError('monitor', `monitor: expected start, stop, status or report, got "${a.action}"`);
  const noMonitor = () =>
    new InvalidInputError(
      '--model',
      `monitor ${a.action}: model ${a.model} has no drift monitor running; start one with rareflow monitor start --model ${a.model}`,
    );
  return withClient(
    say,
    async (c) => {
      const id = driftMonitorWorkflowId(a.model);
      const handle = c.client.workflow.getHandle(id);
      const running = async () => {
        try {
          return (await handle.describe()).status.name === 'RUNNING';
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) return false;
          throw err;
        }
      };
      if (a.action === 'start') {
        await requireMonitoredModel(c, a.model, loadConfig());
        if (await running())
          throw new InvalidInputError(
            '--model',
            `monitor start: model ${a.model} already has a drift monitor (${id}); stop it first to change its settings`,
          );
        await c.client.workflow.start('driftMonitor', {
          workflowId: id,
          taskQueue: WORKFLOWS_TASK_QUEUE,
          args: [{ modelName: a.model, ...a.input }],
        });
        if (!externalTemporalTarget())
          say('note: the monitor runs while a worker and the server run: keep rareflow dev (or rareflow worker) running');
        return { model: a.model, monitor: id, started: true, ...a.input };
      }
      if (!(await running())) throw noMonitor();
      if (a.action === 'stop') {
        await handle.signal(stopMonitorSignal, a.by);
        return { model: a.model, monitor: id, stopped: true, by: a.by };
      }
      return handle.query(monitorStatusQuery);
    },
    { hostWorker: false, ...(a.action === 'start' ? {} : { whenNothingRan: () => refuse(noMonitor()) }) },
  );
}
