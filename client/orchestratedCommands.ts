// Orchestrated commands: they talk to Temporal (TEMPORAL_ADDRESS, or the embedded dev server).

import { resolve } from 'node:path';
import { InvalidInputError } from '../core/invalidInputError.js';
import { isS3Uri } from '../data/objectStore.js';
import { loadConfig } from '../infra/rareflowConfig.js';
import { readEvidenceFile } from './driftEvidenceFile.js';
import { requireRetrainInputs } from './localInputPaths.js';
import { connectOrStartTemporal, embeddedServerNeverRan, externalTemporalTarget, type DevServer } from '../infra/temporalServer.js';
import { createRareflowWorkers } from '../worker/rareflowWorkers.js';
import type { QueueName } from '../worker/queueNames.js';
import { COMPUTE_TASK_QUEUE, REGISTRY_TASK_QUEUE, WORKFLOWS_TASK_QUEUE, canaryWorkflowId } from '../workflows/contract.js';
import { approvalEvidence } from './approvalEvidence.js';
import { canaryApprovalEvidence, type CanaryApprovalEvidence } from './canaryApprovalEvidence.js';
import type { StatusView } from './stateTables.js';
import { checkResourceName } from '../core/resourceName.js';
import { RareflowClient, connectClient } from './temporalClient.js';

export type Say = (line: string) => void;

async function temporal(say: Say, opts: { headless?: boolean } = {}): Promise<DevServer> {
  const config = loadConfig();
  return connectOrStartTemporal({
    stateDir: config.stateDir,
    toolRoot: config.packageRoot,
    ...(opts.headless ? { headless: true } : {}),
    log: (l) => say(l),
  });
}

/** The refusal of a command about a model whose lifecycle does not exist. */
export function noLifecycle(model: string): InvalidInputError {
  return new InvalidInputError(
    '--model',
    `--model: no lifecycle is running for model "${model}"; start one with rareflow run --config PIPELINE.json`,
  );
}

/** Throws `err`: a `whenNothingRan` answer that is a refusal. */
export function refuse(err: InvalidInputError): never {
  throw err;
}

function untilSignal(): Promise<void> {
  return new Promise((done) => {
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  });
}

/** `rareflow dev`: the embedded server, a worker on every queue, and the Web UI, until Ctrl-C. */
export async function devCommand(say: Say): Promise<void> {
  const config = loadConfig();
  const server = await temporal(say);
  say(`Temporal at ${server.target.address}${server.target.uiAddress ? `; Web UI ${server.target.uiAddress}` : ''}`);
  const workers = await createRareflowWorkers({
    target: server.target,
    artifactRoot: config.artifactRoot,
    cache: config,
    registryPath: config.registryPath,
    servingDir: config.servingDir,
    ...(config.workerId ? { identity: config.workerId } : {}),
  });
  const ui = await (await import('./uiCommand.js')).startDevUi(workers.registry, say);
  say(
    `worker polling ${WORKFLOWS_TASK_QUEUE}, ${COMPUTE_TASK_QUEUE} and ${REGISTRY_TASK_QUEUE}; artifacts in ${config.artifactRoot}. Ctrl-C stops.`,
  );
  try {
    await workers.run(untilSignal());
  } finally {
    await ui.close();
    await server.stop();
  }
}

/** `rareflow worker`: workers for the chosen queues against TEMPORAL_ADDRESS (or the embedded server). */
export async function workerCommand(say: Say, queues: QueueName[]): Promise<void> {
  const config = loadConfig();
  const server = await temporal(say, { headless: true });
  const workers = await createRareflowWorkers({
    target: server.target,
    artifactRoot: config.artifactRoot,
    cache: config,
    registryPath: config.registryPath,
    servingDir: config.servingDir,
    queues,
    ...(config.workerId ? { identity: config.workerId } : {}),
  });
  say(`worker on ${server.target.address} (namespace ${server.target.namespace}) serving ${queues.join(' and ')}; Ctrl-C stops.`);
  try {
    await workers.run(untilSignal());
  } finally {
    await server.stop();
  }
}

/** Whether some worker polls `queue` (its workflow tasks for the workflows queue, its activities otherwise). */
export async function hasPollers(client: RareflowClient, namespace: string, queue: QueueName = 'workflows'): Promise<boolean> {
  const name = { workflows: WORKFLOWS_TASK_QUEUE, compute: COMPUTE_TASK_QUEUE, registry: REGISTRY_TASK_QUEUE }[queue];
  const d = await client.client.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name },
    taskQueueType: queue === 'workflows' ? 1 : 2,
  });
  // A worker that stopped stays listed until the server forgets it (about five minutes): counted, it kept `status`
  // from hosting a worker of its own, and its queries failed ("Failed to query Workflow") all that time. A live
  // worker polls again at least every minute, so only pollers seen within POLLER_SEEN_MS count.
  return (d.pollers ?? []).some((p) => {
    const seconds = p.lastAccessTime?.seconds;
    if (seconds === undefined || seconds === null) return true;
    return Date.now() - Number(seconds) * 1000 < POLLER_SEEN_MS;
  });
}

/** How recently a poller must have polled to count as a live worker: a long poll lasts up to a minute. */
const POLLER_SEEN_MS = 75_000;

/**
 * Runs `work` with a client. When no worker polls the workflows queue, one runs in this process for the
 * duration (with the embedded server this is the usual case), so a lone `rareflow run --wait` completes.
 * `hostWorker` may depend on whether this process started the server (`owned`): one it started stops with it.
 */
export async function withClient<T>(
  say: Say,
  work: (c: RareflowClient, server: { owned: boolean }) => Promise<T>,
  opts: {
    hostWorker: boolean | ((server: { owned: boolean }) => boolean);
    /**
     * The queues a hosted worker polls (default all). A command that only reads state hosts a workflows worker alone:
     * one that took a pending activity and abandoned it when the command ended would spend one of its attempts.
     */
    hostQueues?: QueueName[];
    /**
     * The answer (or the refusal) when the embedded server has never run in this state directory: no workflow can
     * exist there, so the command answers without starting a server, a worker or a registry that it would leave behind.
     */
    whenNothingRan?: () => NoInfer<T>;
  },
): Promise<T> {
  const config = loadConfig();
  if (opts.whenNothingRan && !externalTemporalTarget() && (await embeddedServerNeverRan(config.stateDir))) return opts.whenNothingRan();
  const server = await temporal(say, { headless: true });
  const client = new RareflowClient(await connectClient(server.target));
  const hostWorker = typeof opts.hostWorker === 'function' ? opts.hostWorker(server) : opts.hostWorker;
  try {
    if (hostWorker && !(await hasPollers(client, server.target.namespace))) {
      // Only the queues no worker serves: a second registry worker on one DuckDB registry would fail on its lock.
      const wanted = opts.hostQueues ?? (['workflows', 'compute', 'registry'] as QueueName[]);
      const queues: QueueName[] = [];
      for (const q of wanted) if (q === 'workflows' || !(await hasPollers(client, server.target.namespace, q))) queues.push(q);
      say('no worker is polling: running one in this process until the command ends');
      const workers = await createRareflowWorkers({
        queues,
        target: server.target,
        artifactRoot: config.artifactRoot,
        cache: config,
        registryPath: config.registryPath,
        servingDir: config.servingDir,
      });
      return (await workers.run(work(client, server))) as T;
    }
    return await work(client, server);
  } finally {
    await client.client.connection.close();
    await server.stop();
  }
}

export async function driftCommand(say: Say, a: { model: string; reason: string; data?: string[]; evidence?: string }) {
  checkResourceName(a.model, '--model');
  const metrics = a.evidence ? readEvidenceFile(a.evidence) : undefined;
  if (a.data) await requireRetrainInputs(a.data, '--data');
  const dataPaths = a.data?.map((p) => (isS3Uri(p) ? p : resolve(p)));
  return withClient(
    say,
    async (c) => {
      await c.drift(a.model, {
        source: 'cli',
        reason: a.reason,
        ...(dataPaths ? { dataPaths } : {}),
        ...(metrics ? { metrics } : {}),
      });
      return { model: a.model, signalled: 'drift', reason: a.reason, ...(metrics ? { metrics } : {}) };
    },
    { hostWorker: false, whenNothingRan: () => refuse(noLifecycle(a.model)) },
  );
}

/** The evidence of the canary of `runId` when it is the one waiting for a decision. */
async function waitingCanaryEvidence(c: RareflowClient, model: string, runId: string): Promise<CanaryApprovalEvidence | undefined> {
  const canary = await c.canary(model);
  return canary && canary.rolloutId === canaryWorkflowId(runId) ? canaryApprovalEvidence(runId, canary) : undefined;
}

export async function decideCommand(say: Say, a: { model: string; run: string; approved: boolean; by: string; why?: string }) {
  checkResourceName(a.model, '--model');
  return withClient(
    say,
    async (c) => {
      // The evidence is read first: the run decided on is the one whose evidence is shown. A canary of that run
      // that waits is what the decision goes to, so its windows are the evidence then.
      const evidence = await approvalEvidence(c.client, a.run);
      const canaryEvidence = await waitingCanaryEvidence(c, a.model, a.run);
      const receipt = await c.decide(a.model, a.run, a.approved, a.by, a.why);
      return {
        model: a.model,
        run: receipt.runId,
        decision: receipt.approved ? 'approved' : 'rejected',
        by: receipt.by,
        at: receipt.at,
        ...(evidence ? { evidence } : {}),
        ...(canaryEvidence ? { canaryEvidence } : {}),
      };
    },
    // Its evidence is read by queries, which only a workflows worker answers: with none polling, one runs here for
    // the command (as for status), where the command once waited 30 s and failed with "Failed to query Workflow".
    { hostWorker: true, hostQueues: ['workflows'], whenNothingRan: () => refuse(noLifecycle(a.model)) },
  );
}

export async function statusCommand(say: Say, a: { model: string }): Promise<StatusView> {
  checkResourceName(a.model, '--model');
  return withClient(
    say,
    async (c) => {
      const status = await c.status(a.model);
      // A lifecycle cancelled or terminated from Temporal still answers its last status: said, so a pending request
      // is not taken to be on its way.
      const ended = (await c.lifecycle(a.model).describe()).status.name;
      const lifecycleEnded = ended === 'RUNNING' || ended === 'CONTINUED_AS_NEW' ? undefined : ended.toLowerCase();
      const canary = lifecycleEnded ? undefined : await c.canary(a.model);
      // The drift monitor's failures show where the operator looks: a monitor that cannot check is not silent.
      const monitor = await c.monitorHealth(a.model);
      if (monitor?.lastError)
        say(
          `drift monitor: ${monitor.errorCount} failed step(s); last: ${monitor.lastError.step} at ${monitor.lastError.at}: ${monitor.lastError.message}`,
        );
      const waiting = status.phase === 'awaiting-approval' && status.currentRunId ? status.currentRunId : undefined;
      const canaryEvidence = waiting && canary ? canaryApprovalEvidence(waiting, canary) : undefined;
      const evidence = waiting && !canaryEvidence ? await approvalEvidence(c.client, waiting) : undefined;
      return {
        ...status,
        ...(lifecycleEnded ? { lifecycleEnded } : {}),
        ...(canary ? { canary } : {}),
        ...(monitor ? { monitor } : {}),
        ...(evidence ? { awaitingApproval: evidence } : {}),
        ...(canaryEvidence ? { awaitingCanaryApproval: canaryEvidence } : {}),
      };
    },
    { hostWorker: true, hostQueues: ['workflows'], whenNothingRan: () => refuse(noLifecycle(a.model)) },
  );
}

/** `rareflow canary status|pause|resume|abort --model M`. */
export async function canaryCommand(say: Say, a: { action: string; model: string; by: string; why?: string }) {
  checkResourceName(a.model, '--model');
  const { action } = a;
  // Checked before Temporal is reached (or the embedded server started): a refusal writes nothing.
  if (action !== 'status' && action !== 'pause' && action !== 'resume' && action !== 'abort') {
    throw new InvalidInputError('canary', `canary: expected status, pause, resume or abort, got "${action}"`);
  }
  return withClient(
    say,
    async (c) => {
      if (action === 'status') {
        const canary = await c.canary(a.model);
        return canary ?? { model: a.model, canary: 'none running' };
      }
      return c.controlCanary(a.model, action, a.by, a.why);
    },
    {
      // Queries again (see decideCommand): a workflows worker runs here for the command when none polls.
      hostWorker: true,
      hostQueues: ['workflows'],
      // As when the server has run but the model has no lifecycle.
      whenNothingRan: () => refuse(noLifecycle(a.model)),
    },
  );
}
