// Orchestrated commands: they talk to Temporal (TEMPORAL_ADDRESS, or the embedded dev server).

import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { InvalidInputError } from '../core/invalidInputError.js';
import { EXIT_CODES } from './exitCodes.js';
import { isS3Uri } from '../data/objectStore.js';
import { loadConfig } from '../infra/rareflowConfig.js';
import { readEvidenceFile } from './driftEvidenceFile.js';
import { requireRetrainInputs } from './localInputPaths.js';
import { servedWithSameSpec } from './servedSpec.js';
import { connectOrStartTemporal, embeddedServerNeverRan, externalTemporalTarget, type DevServer } from '../infra/temporalServer.js';
import { createRareflowWorkers, holdWorkerLogLines } from '../worker/rareflowWorkers.js';
import type { QueueName } from '../worker/queueNames.js';
import {
  COMPUTE_TASK_QUEUE,
  REGISTRY_TASK_QUEUE,
  WORKFLOWS_TASK_QUEUE,
  canaryWorkflowId,
  type PipelineSpec,
} from '../workflows/contract.js';
import { approvalEvidence } from './approvalEvidence.js';
import { canaryApprovalEvidence, type CanaryApprovalEvidence } from './canaryApprovalEvidence.js';
import { formatPerClassTable, formatStages } from './perClassTable.js';
import type { StatusView } from './stateTables.js';
import { readPipelineSpecFile } from './pipelineSpec.js';
import { checkResourceName } from '../core/resourceName.js';
import { RareflowClient, connectClient, requestProgressLine } from './temporalClient.js';

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
async function hasPollers(client: RareflowClient, namespace: string, queue: QueueName = 'workflows'): Promise<boolean> {
  const name = { workflows: WORKFLOWS_TASK_QUEUE, compute: COMPUTE_TASK_QUEUE, registry: REGISTRY_TASK_QUEUE }[queue];
  const d = await client.client.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name },
    taskQueueType: queue === 'workflows' ? 1 : 2,
  });
  return (d.pollers ?? []).length > 0;
}

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

function absolutePaths(spec: PipelineSpec, configPath: string): PipelineSpec {
  const base = resolve(configPath, '..');
  return { ...spec, input: { ...spec.input, paths: spec.input.paths.map((p) => (isS3Uri(p) ? p : resolve(base, p))) } };
}

/**
 * `rareflow run`: start (or signal) the model's lifecycle for a retrain; --wait prints its outcome. Without --wait
 * it returns once the lifecycle has the signal, unless this process started the embedded server: that server
 * stops when the command ends, so then it waits for the retrain.
 */
export async function runCommand(say: Say, a: { config: string; wait: boolean; reason: string }) {
  // Recorded with the retrain and shown in status: an empty one says nothing (drift refuses it too).
  if (a.reason.trim() === '')
    throw new InvalidInputError('--reason', '--reason: expected why this retrain is asked for, got an empty text');
  const spec = absolutePaths(readPipelineSpecFile(a.config), a.config);
  await requireRetrainInputs(spec.input.paths, `--config ${a.config}: input.paths`);
  // Warnings of the worker this command may host are held and printed as one group, before the outcome (or error).
  const releaseWarnings = holdWorkerLogLines();
  const sayWarnings = (print: Say) => {
    const lines = releaseWarnings();
    if (lines.length === 0) return;
    print(`warnings (${lines.length}):`);
    for (const l of lines) print(`  ${l}`);
  };
  let result;
  // Ctrl-C stops the worker this command hosts (the SDK's own signal handling), which fails the wait with an SDK error:
  // what it means for the retrain is said instead.
  // Listened for once the request is sent, while the command waits for its retrain.
  let interrupted = false;
  let lastResort: NodeJS.Timeout | undefined;
  const interruptedText = `interrupted (Ctrl-C) while waiting: the retrain request was sent and stays with the lifecycle of ${spec.modelName}; it goes on while a worker and the server run (rareflow dev, or rareflow worker with TEMPORAL_ADDRESS): follow it with rareflow status --model ${spec.modelName}`;
  const onInterrupt = () => {
    interrupted = true;
    // Without a hosted worker nothing else ends the wait: the command ends itself.
    lastResort = setTimeout(() => {
      process.stderr.write(`rareflow run: ${interruptedText}\n`);
      process.exit(EXIT_CODES.failed);
    }, 5000);
    lastResort.unref();
  };
  try {
    result = await withClient(
      say,
      async (c, server) => {
        if (!a.wait && !server.owned) {
          // No status query here: with no worker polling, a query to a running lifecycle would block. A describe is
          // answered by the server alone: whether this request started the lifecycle or was sent to a running one
          // (the output once said `started: true` either way).
          const running = await c
            .lifecycle(spec.modelName)
            .describe()
            .then(
              (d) => d.status.name === 'RUNNING',
              () => false,
            );
          const handle = await c.retrain(spec, a.reason);
          say(`retrain requested: lifecycle workflow ${handle.workflowId}; follow it with: rareflow status --model ${spec.modelName}`);
          if (!(await hasPollers(c, c.client.options.namespace)))
            say('note: no worker is polling yet; the retrain starts when one does (rareflow worker, or rareflow dev)');
          return {
            modelName: spec.modelName,
            workflowId: handle.workflowId,
            requested: true,
            lifecycle: running ? 'signalled' : 'started',
          };
        }
        // The request is named, so the retrain that served it is found even when others were queued beside it.
        const requestId = randomUUID();
        await c.retrain(spec, a.reason, {}, requestId);
        process.once('SIGINT', onInterrupt);
        if (!a.wait) {
          say(
            'note: with the embedded server, run waits for the retrain (the server stops when this command ends); use rareflow dev to keep one running',
          );
        }
        const served = await c
          .waitForRequest(
            spec.modelName,
            requestId,
            (s, stage) => say(requestProgressLine(s, requestId, stage)),
            500,
            () =>
              say(
                `the lifecycle of ${spec.modelName} does not answer its queries though the server does (no worker polls, or its worker fails them): a retrain goes on when a worker is back (rareflow worker); still waiting`,
              ),
          )
          .catch((err: unknown) => {
            if (err instanceof InvalidInputError) throw err;
            // The request was taken: the retrain goes on in the lifecycle whatever happened to this connection.
            throw new Error(
              `lost the Temporal server while waiting for the retrain (${err instanceof Error ? err.message : String(err)}); the request was sent, and the retrain goes on when the server is back: follow it with rareflow status --model ${spec.modelName}`,
              { cause: err },
            );
          });
        // Replaced by another request's spec, and that spec is not the same as this one.
        const specReplaced = served.specRequestId !== requestId && !(await servedWithSameSpec(c.client, served.runId, spec));
        const dataReplaced = served.dataPaths !== undefined && served.dataPaths.join('\n') !== spec.input.paths.join('\n');
        if (specReplaced) {
          // A newer `run --config` reached the lifecycle before this retrain started: its spec is the one that ran.
          say(
            `warning: another rareflow run for model ${spec.modelName} sent its own pipeline spec before this retrain started, so the retrain (${served.runId}) used that spec, not ${a.config}`,
          );
        }
        if (dataReplaced) {
          // A drift signal with new data reached the lifecycle after this request: its files are the ones read.
          say(
            `warning: a drift signal sent after this request named other data, so the retrain (${served.runId}) read ${served.dataPaths!.join(', ')}, not the input.paths of ${a.config}`,
          );
        }
        if (served.specNotKept) {
          // A lifecycle whose only retrain is this one had no earlier spec that ran: it is not promised one.
          const firstRetrain = (await c.status(spec.modelName)).history.every((h) => h.runId === served.runId);
          say(
            firstRetrain
              ? `warning: the retrain (${served.runId}) refused ${a.config} as bad input (below), and the lifecycle of ${spec.modelName} has no earlier spec that ran: its scheduled and drift retrains fail the same way until a rareflow run --config sends a spec that runs`
              : `warning: the retrain (${served.runId}) refused ${a.config} as bad input (below), so the lifecycle of ${spec.modelName} did not keep it: its scheduled and drift retrains go on with the spec it had before`,
          );
        }
        // Cancelled (rareflow cancel, Temporal's UI): an outcome like any other that did not promote, not a failure.
        if (served.outcome === 'cancelled')
          return {
            modelName: spec.modelName,
            runId: served.runId,
            outcome: 'cancelled' as const,
            reason: served.outcomeReason ?? 'cancelled before it ended',
          };
        const result = await c.retrainResult(served.runId);
        return { ...result, ...(specReplaced ? { specReplaced: true } : {}), ...(dataReplaced ? { dataReplaced: true } : {}) };
      },
      { hostWorker: (server) => server.owned || a.wait },
    );
  } catch (err) {
    sayWarnings((l) => process.stderr.write(`${l}\n`));
    if (interrupted) throw new Error(interruptedText, { cause: err });
    throw err;
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    clearTimeout(lastResort);
  }
  sayWarnings(say);
  if ('outcome' in result) {
    if ('stages' in result) {
      say(formatStages(result));
      say(formatPerClassTable(result));
    }
    say(`outcome: ${result.outcome}${result.reason ? ` (${result.reason})` : ''}`);
  }
  return result;
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
