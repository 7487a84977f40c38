// Orchestrated commands: they talk to Temporal (TEMPORAL_ADDRESS, or the embedded dev server).

import { resolve } from 'node:path';
import { ScheduleOverlapPolicy, ScheduleNotFoundError } from '@temporalio/client';
import { InvalidInputError } from '../core/invalidInputError.js';
import { loadConfig } from '../infra/rareflowConfig.js';
import { connectOrStartTemporal, externalTemporalTarget, type DevServer } from '../infra/temporalServer.js';
import { createRareflowWorkers, type QueueName } from '../worker/rareflowWorkers.js';
import { COMPUTE_TASK_QUEUE, type LifecycleStatus, type PipelineSpec } from '../workflows/contract.js';
import { formatPerClassTable, formatStages } from './perClassTable.js';
import { readPipelineSpecFile } from './pipelineSpec.js';
import { RareflowClient, connectClient } from './temporalClient.js';

type Say = (line: string) => void;

async function temporal(say: Say, opts: { headless?: boolean } = {}): Promise<DevServer> {
  const config = loadConfig();
  return connectOrStartTemporal({ stateDir: config.stateDir, toolRoot: config.packageRoot, ...(opts.headless ? { headless: true } : {}), log: (l) => say(l) });
}

function untilSignal(): Promise<void> {
  return new Promise((done) => {
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  });
}

/** `rareflow dev`: the embedded server, a worker on both queues, and the Web UI, until Ctrl-C. */
export async function devCommand(say: Say): Promise<void> {
  const config = loadConfig();
  const server = await temporal(say);
  say(`Temporal at ${server.target.address}${server.target.uiAddress ? `; Web UI ${server.target.uiAddress}` : ''}`);
  const workers = await createRareflowWorkers({ target: server.target, artifactRoot: config.artifactRoot, registryPath: config.registryPath });
  say(`worker polling ${COMPUTE_TASK_QUEUE} and the registry queue; artifacts in ${config.artifactRoot}. Ctrl-C stops.`);
  try {
    await workers.run(untilSignal());
  } finally {
    await server.stop();
  }
}

/** `rareflow worker`: workers for the chosen queues against TEMPORAL_ADDRESS (or the embedded server). */
export async function workerCommand(say: Say, queues: QueueName[]): Promise<void> {
  const config = loadConfig();
  const server = await temporal(say, { headless: true });
  const workers = await createRareflowWorkers({ target: server.target, artifactRoot: config.artifactRoot, registryPath: config.registryPath, queues });
  say(`worker on ${server.target.address} (namespace ${server.target.namespace}) serving ${queues.join(' and ')}; Ctrl-C stops.`);
  try {
    await workers.run(untilSignal());
  } finally {
    await server.stop();
  }
}

async function hasPollers(client: RareflowClient, namespace: string): Promise<boolean> {
  const d = await client.client.workflowService.describeTaskQueue({ namespace, taskQueue: { name: COMPUTE_TASK_QUEUE }, taskQueueType: 1 });
  return (d.pollers ?? []).length > 0;
}

/**
 * Runs `work` with a client. When no worker polls the compute queue, one runs in this process for the
 * duration (with the embedded server this is the usual case), so a lone `rareflow run --wait` completes.
 */
async function withClient<T>(say: Say, work: (c: RareflowClient) => Promise<T>, opts: { hostWorker: boolean }): Promise<T> {
  const config = loadConfig();
  const server = await temporal(say, { headless: true });
  const client = new RareflowClient(await connectClient(server.target));
  try {
    if (opts.hostWorker && !(await hasPollers(client, server.target.namespace))) {
      say('no worker is polling: running one in this process until the command ends');
      const workers = await createRareflowWorkers({ target: server.target, artifactRoot: config.artifactRoot, registryPath: config.registryPath });
      return (await workers.run(work(client))) as T;
    }
    return await work(client);
  } finally {
    await client.client.connection.close();
    await server.stop();
  }
}

function absolutePaths(spec: PipelineSpec, configPath: string): PipelineSpec {
  const base = resolve(configPath, '..');
  return { ...spec, input: { ...spec.input, paths: spec.input.paths.map((p) => resolve(base, p)) } };
}

/** `rareflow run`: start (or signal) the model's lifecycle for a retrain; --wait prints its outcome. */
export async function runCommand(say: Say, a: { config: string; wait: boolean; reason: string }) {
  const spec = absolutePaths(readPipelineSpecFile(a.config), a.config);
  const embedded = !externalTemporalTarget();
  if (embedded && !a.wait) {
    say('note: with the embedded server, run waits for the retrain (the server stops when this command ends); use rareflow dev to keep one running');
  }
  return withClient(
    say,
    async (c) => {
      const before = await c.status(spec.modelName).catch(() => undefined);
      await c.retrain(spec, a.reason);
      if (!a.wait && !embedded) return { modelName: spec.modelName, started: true };
      const target = (before?.retrainCount ?? 0) + 1;
      const status = await c.waitForRetrains(spec.modelName, target, (s, stage) => say(`lifecycle ${s.phase}${stage ? `: ${stage}` : ''}`));
      const result = await c.retrainResult(status.history.at(-1)!.runId);
      say(formatStages(result));
      say(formatPerClassTable(result));
      say(`outcome: ${result.outcome}`);
      return result;
    },
    { hostWorker: embedded || a.wait },
  );
}

export async function driftCommand(say: Say, a: { model: string; reason: string; data?: string[] }) {
  return withClient(
    say,
    async (c) => {
      await c.drift(a.model, { source: 'cli', reason: a.reason, ...(a.data ? { dataPaths: a.data.map((p) => resolve(p)) } : {}) });
      return { model: a.model, signalled: 'drift', reason: a.reason };
    },
    { hostWorker: false },
  );
}

export async function decideCommand(say: Say, a: { model: string; run: string; approved: boolean; by: string; why?: string }) {
  return withClient(
    say,
    async (c) => {
      await c.decide(a.model, a.run, a.approved, a.by, a.why);
      return { model: a.model, run: a.run, decision: a.approved ? 'approved' : 'rejected', by: a.by };
    },
    { hostWorker: false },
  );
}

export async function statusCommand(say: Say, a: { model: string }): Promise<LifecycleStatus> {
  return withClient(say, (c) => c.status(a.model), { hostWorker: true });
}

export async function scheduleCommand(say: Say, a: { action: string; model?: string; every?: string; cron?: string; id?: string }) {
  return withClient(
    say,
    async (c) => {
      const schedules = c.client.schedule;
      if (a.action === 'list') {
        const out = [];
        for await (const s of schedules.list()) out.push({ id: s.scheduleId, ...(s.info.nextActionTimes[0] ? { next: s.info.nextActionTimes[0].toISOString() } : {}) });
        return { schedules: out };
      }
      if (a.action === 'delete') {
        const id = a.id ?? (a.model ? `rareflow-retrain-${a.model}` : undefined);
        if (!id) throw new InvalidInputError('--id', 'schedule delete: pass --model M or --id SCHEDULE_ID');
        try {
          await schedules.getHandle(id).delete();
        } catch (err) {
          if (err instanceof ScheduleNotFoundError) throw new InvalidInputError('--id', `schedule delete: no schedule "${id}"; see rareflow schedule list`);
          throw err;
        }
        return { deleted: id };
      }
      if (a.action === 'create') {
        if (!a.model) throw new InvalidInputError('--model', 'schedule create: --model is required');
        if (!a.every && !a.cron) throw new InvalidInputError('--every', 'schedule create: pass --every DURATION (e.g. 24h) or --cron "0 3 * * *"');
        const id = `rareflow-retrain-${a.model}`;
        await schedules.create({
          scheduleId: id,
          spec: a.cron ? { cronExpressions: [a.cron] } : { intervals: [{ every: a.every as `${number}h` }] },
          action: { type: 'startWorkflow', workflowType: 'scheduledRetrain', taskQueue: COMPUTE_TASK_QUEUE, args: [a.model] },
          policies: { overlap: ScheduleOverlapPolicy.SKIP },
        });
        return { created: id, model: a.model, ...(a.every ? { every: a.every } : { cron: a.cron }) };
      }
      throw new InvalidInputError('schedule', `schedule: expected create, list or delete, got "${a.action}"`);
    },
    { hostWorker: false },
  );
}
