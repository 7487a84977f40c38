// `rareflow schedule`: Temporal Schedules that ask a model's lifecycle for a retrain (create, list, pause, unpause,
// delete).

import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type ScheduleOptions } from '@temporalio/client';
import { InvalidInputError } from '../core/invalidInputError.js';
import { checkResourceName } from '../core/resourceName.js';
import { WORKFLOWS_TASK_QUEUE } from '../workflows/contract.js';
import { loadConfig } from '../infra/rareflowConfig.js';
import { parseDurationMs } from './durationText.js';
import { requireScheduledModel } from './knownModels.js';
import { refuse, withClient, type Say } from './orchestratedCommands.js';

/** Id of the Schedule that retrains `modelName`. */
export function retrainScheduleId(modelName: string): string {
  return `rareflow-retrain-${modelName}`;
}

/**
 * A Schedule that starts `scheduledRetrain`, which signals the model's lifecycle: scheduled, drift and manual
 * retrains all pass through the one lifecycle, which runs one retrain at a time and coalesces the rest. The
 * Schedule's own overlap policy is SKIP (a scheduledRetrain lives milliseconds), and a missed run during server
 * downtime is caught up within one minute (catchupWindow), no more.
 */
export function retrainScheduleOptions(a: { model: string; every?: string; cron?: string; jitter?: string }): ScheduleOptions {
  checkResourceName(a.model, '--model');
  if (!a.every && !a.cron)
    throw new InvalidInputError('--every', 'schedule create: pass --every DURATION (e.g. 24h) or --cron "0 3 * * *"');
  if (a.every && a.cron)
    throw new InvalidInputError('--every', `schedule create: --every ${a.every} and --cron "${a.cron}" are alternatives; pass one of them`);
  if (a.every && a.jitter && parseDurationMs('--jitter', a.jitter) >= parseDurationMs('--every', a.every)) {
    throw new InvalidInputError(
      '--jitter',
      `--jitter ${a.jitter}: expected less than --every ${a.every} (a delay as long as the interval lets one retrain fall after the next one's time)`,
    );
  }
  if (a.cron !== undefined && a.cron.trim().split(/\s+/).length !== 5 && !a.cron.startsWith('@')) {
    throw new InvalidInputError(
      '--cron',
      `--cron: expected five fields (minute hour day-of-month month day-of-week), e.g. "0 3 * * *", got "${a.cron}"`,
    );
  }
  return {
    scheduleId: retrainScheduleId(a.model),
    spec: {
      ...(a.cron ? { cronExpressions: [a.cron] } : { intervals: [{ every: parseDurationMs('--every', a.every!) }] }),
      ...(a.jitter ? { jitter: parseDurationMs('--jitter', a.jitter) } : {}),
    },
    action: { type: 'startWorkflow', workflowType: 'scheduledRetrain', taskQueue: WORKFLOWS_TASK_QUEUE, args: [a.model] },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
  };
}

export async function scheduleCommand(
  say: Say,
  a: { action: string; model?: string; every?: string; cron?: string; jitter?: string; id?: string; note?: string },
) {
  if (a.model !== undefined) checkResourceName(a.model, '--model');
  if (a.id !== undefined) checkResourceName(a.id, '--id');
  // Every flag is checked before Temporal is reached (or the embedded server started): a refusal writes nothing.
  if (!['create', 'list', 'pause', 'unpause', 'delete'].includes(a.action))
    throw new InvalidInputError('schedule', `schedule: expected create, list, pause, unpause or delete, got "${a.action}"`);
  // A flag the action does not read was refused on parse (the table's `actions`, actionFlags.ts).
  if (a.action === 'create' && !a.model) throw new InvalidInputError('--model', 'schedule create: --model is required');
  const options =
    a.action === 'create'
      ? retrainScheduleOptions({
          model: a.model!,
          ...(a.every ? { every: a.every } : {}),
          ...(a.cron ? { cron: a.cron } : {}),
          ...(a.jitter ? { jitter: a.jitter } : {}),
        })
      : undefined;
  const id = a.id ?? (a.model ? retrainScheduleId(a.model) : undefined);
  if (!id && a.action !== 'list') throw new InvalidInputError('--model', `schedule ${a.action}: pass --model M or --id SCHEDULE_ID`);
  return withClient(
    say,
    async (c) => {
      const schedules = c.client.schedule;
      if (a.action === 'list') {
        const out = [];
        for await (const listed of schedules.list()) {
          // The list is the server's search index, which trails the schedule itself: one just created still showed
          // "paused, checking that it fires" there after it was started. Each is described for its real state; one
          // deleted since it was indexed is left out.
          const s = await schedules
            .getHandle(listed.scheduleId)
            .describe()
            .catch((err: unknown) => {
              if (err instanceof ScheduleNotFoundError) return undefined;
              throw err;
            });
          if (s === undefined) continue;
          out.push({
            id: s.scheduleId,
            paused: s.state.paused,
            ...(s.state.note ? { note: s.state.note } : {}),
            ...(s.info.nextActionTimes[0] ? { next: s.info.nextActionTimes[0].toISOString() } : {}),
          });
        }
        return { schedules: out };
      }
      const handleOf = async <T>(work: (h: ReturnType<typeof schedules.getHandle>) => Promise<T>): Promise<T> => {
        try {
          return await work(schedules.getHandle(id!));
        } catch (err) {
          if (err instanceof ScheduleNotFoundError)
            throw new InvalidInputError('--id', `schedule ${a.action}: no schedule "${id}"; see rareflow schedule list`);
          throw err;
        }
      };
      if (a.action === 'delete') {
        await handleOf((h) => h.delete());
        return { deleted: id };
      }
      if (a.action === 'pause' || a.action === 'unpause') {
        const note = a.note ?? `${a.action}d with rareflow schedule ${a.action}`;
        await handleOf((h) => (a.action === 'pause' ? h.pause(note) : h.unpause(note)));
        return { schedule: id, paused: a.action === 'pause', note };
      }
      if (options !== undefined && a.model) {
        await requireScheduledModel(c, a.model, loadConfig().registryPath);
        const flag = a.cron ? `--cron "${a.cron}"` : `--every ${a.every}`;
        // Created paused, and started only once the server shows a time it will fire at: a calendar that names no
        // real date (the 31st of February) is accepted by the server and would otherwise sit "active" forever.
        let handle;
        try {
          handle = await schedules.create({ ...options, state: { paused: true, note: 'rareflow: checking that it fires' } });
        } catch (err) {
          if (err instanceof ScheduleAlreadyRunning)
            throw new InvalidInputError(
              '--model',
              `schedule create: "${options.scheduleId}" exists already (one schedule per model); to change it, delete it first (rareflow schedule delete --model ${a.model}), or pause it to stop it firing`,
            );
          // The server's check of the calendar or interval (out-of-range fields, an interval under a second).
          if (err instanceof TypeError)
            throw new InvalidInputError(flag.split(' ')[0]!, `${flag}: the scheduler refused it: ${err.message}`);
          throw err;
        }
        if ((await handle.describe()).info.nextActionTimes.length === 0) {
          await handle.delete();
          throw new InvalidInputError(flag.split(' ')[0]!, `${flag}: never fires (it names no date that exists); nothing was created`);
        }
        await handle.unpause('created with rareflow schedule create');
        return {
          created: options.scheduleId,
          model: a.model,
          ...(a.every ? { every: a.every } : { cron: a.cron }),
          ...(a.jitter ? { jitter: a.jitter } : {}),
        };
      }
      throw new Error(`schedule: unreachable action "${a.action}"`);
    },
    {
      hostWorker: false,
      ...(a.action === 'create'
        ? {}
        : {
            whenNothingRan: () =>
              a.action === 'list'
                ? { schedules: [] }
                : refuse(new InvalidInputError('--id', `schedule ${a.action}: no schedule "${id}"; see rareflow schedule list`)),
          }),
    },
  );
}
