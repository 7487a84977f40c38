// Builds the workers of one process: the workflows queue (workflow tasks only), the compute queue (compute
// activities, scale out freely) and the registry queue (registry activities, exactly one process: DuckDB has one writer).

import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createComputeActivities } from '../activities/compute.js';
import { createRegistryActivities, type RegistryDeps } from '../activities/registry.js';
import { requireWritableStorageDir } from '../data/localStorageDirs.js';
import { isS3Uri } from '../data/objectStore.js';
import { Registry } from '../data/registry.js';
import { registryInUse } from '../data/registryReadAccess.js';
import { artifactStoreLocation, openArtifactStore, type CacheOptions } from '../data/storageLocations.js';
import { describeFaults, faultInjectionInterceptor, faultsFromEnv, type ActivityFault } from '../infra/faultInjection.js';
import { loadConfig, logLevelOf } from '../infra/rareflowConfig.js';
import { connectionFailure, connectionOptions, type TemporalTarget } from '../infra/temporalServer.js';
import { COMPUTE_TASK_QUEUE, REGISTRY_TASK_QUEUE, WORKFLOWS_TASK_QUEUE } from '../workflows/contract.js';
import { diskFullInterceptor } from './diskFullFailure.js';
import { keepAliveHeartbeatInterceptor } from './keepAliveHeartbeats.js';
import { releaseOrphanedActivities } from './orphanedActivities.js';
import { QUEUE_NAMES, type QueueName } from './queueNames.js';
import { workflowsPath } from './workflowBundle.js';

export interface WorkerOptions {
  target: TemporalTarget;
  /** A directory or s3://bucket/prefix (RAREFLOW_ARTIFACTS). */
  artifactRoot: string;
  /** The local cache of objects read from s3:// storage; default RAREFLOW_CACHE / RAREFLOW_CACHE_BYTES. */
  cache?: CacheOptions;
  registryPath: string;
  /** Where serving states are published and the scoring service's logs live (shared storage in a cluster). */
  servingDir: string;
  /** @default every queue (QUEUE_NAMES) */
  queues?: QueueName[];
  /** A pre-built bundle (tests build one per file); default: bundle at start. */
  workflowBundle?: WorkflowBundleWithSourceMap;
  /** Concurrent compute activities in this process. @default 2 (one per core on our machines) */
  maxConcurrentComputeActivities?: number;
  /**
   * A stable worker identity (RAREFLOW_WORKER_ID) that no other live process uses. With one, a restarted worker
   * first fails the activity attempts its crashed predecessor had started, so they are retried at once (see
   * orphanedActivities.ts). @default the SDK's pid@host, and no release
   */
  identity?: string;
  /** Faults to inject (infra/faultInjection.ts). @default RAREFLOW_FAULTS, or none when it is unset */
  faults?: ActivityFault[];
  /** Lines for an operator (temp files swept, activities released, faults active). @default stderr */
  log?: (line: string) => void;
}

export interface RareflowWorkers {
  workers: Worker[];
  connection: NativeConnection;
  registry?: Registry;
  /** Runs every worker until `shutdown()` or until `until` settles. */
  run<R>(until?: Promise<R>): Promise<R | void>;
  shutdown(): void;
}

export async function connectNative(target: TemporalTarget): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect(connectionOptions(target));
  } catch (err) {
    throw connectionFailure(target, err);
  }
}

export async function buildWorkflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: quietBundlerLogger });
}

const quietBundlerLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (message: string) => console.error(message),
  error: (message: string) => console.error(message),
};

let runtimeInstalled = false;
/** Where the SDK's log lines go while a command holds them (`run --wait` prints them grouped, before its outcome). */
let heldLogLines: string[] | undefined;

/** Keeps the SDK's log lines from now on instead of printing them; the returned function gives them back and stops. */
export function holdWorkerLogLines(): () => string[] {
  const held: string[] = [];
  heldLogLines = held;
  return () => {
    if (heldLogLines === held) heldLogLines = undefined;
    return held;
  };
}

/**
 * Keeps the SDK's own log at WARN (RAREFLOW_LOG_LEVEL overrides), so a CLI user sees rareflow's progress, not
 * every worker state change. The runtime can be installed once per process, before the first worker.
 */
export function installWorkerRuntime(): void {
  if (runtimeInstalled) return;
  const level = logLevelOf(process.env.RAREFLOW_LOG_LEVEL);
  runtimeInstalled = true;
  try {
    const quiet = new DefaultLogger(level, (entry) => {
      // A registry or compute worker has no workflows, and the workflows worker no activities, by design; the SDK
      // warns about it on every start.
      if (entry.message.startsWith('No workflows registered') || entry.message.startsWith('No activities registered')) return;
      const line = `${new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString()} [${entry.level}] ${entry.message}`;
      if (heldLogLines) heldLogLines.push(line);
      else process.stderr.write(`${line}\n`);
    });
    // The SDK's native side logs to the console by itself, in colour: a server that went away printed dozens of
    // "gRPC call … retried" warnings over the command's own message. Its logs go through the logger above instead,
    // errors only unless RAREFLOW_LOG_LEVEL asks for more.
    const core = level === 'WARN' ? 'ERROR' : level;
    Runtime.install({ logger: quiet, telemetryOptions: { logging: { filter: { core, other: 'ERROR' }, forward: {} } } });
  } catch {
    // Already installed by the embedding application: keep its choice.
  }
}

export async function createRareflowWorkers(opts: WorkerOptions): Promise<RareflowWorkers> {
  installWorkerRuntime();
  const log = opts.log ?? ((line: string) => process.stderr.write(`rareflow worker: ${line}\n`));
  const queues = opts.queues ?? [...QUEUE_NAMES];
  // Local storage that cannot be a writable directory is refused before the worker takes a task, naming its setting
  // (a serving location through a file once failed every promotion for ten minutes of retries).
  if (queues.some((q) => q !== 'workflows')) {
    if (!isS3Uri(opts.artifactRoot)) await requireWritableStorageDir(opts.artifactRoot, 'RAREFLOW_ARTIFACTS', opts.artifactRoot);
    if (!isS3Uri(opts.servingDir)) await requireWritableStorageDir(opts.servingDir, 'RAREFLOW_SERVING', opts.servingDir);
  }
  const artifacts = openArtifactStore(opts.artifactRoot, opts.cache ?? loadConfig());
  const computeActivities = queues.includes('compute') ? createComputeActivities({ artifacts, servingDir: opts.servingDir }) : undefined;
  // Names the fault list may use: every activity of either queue (building the objects touches no resources).
  const activityNames = () => [
    ...Object.keys(createComputeActivities({ artifacts })),
    ...Object.keys(createRegistryActivities({ artifacts } as RegistryDeps)),
  ];
  const faults = opts.faults ?? (process.env.RAREFLOW_FAULTS ? faultsFromEnv(process.env, activityNames()) : undefined);
  // The disk-full classifier is outermost, so it also sees the ENOSPC errors that fault injection raises.
  const interceptors = {
    activity: [
      diskFullInterceptor(),
      keepAliveHeartbeatInterceptor(),
      ...(faults && faults.length > 0 ? [faultInjectionInterceptor(faults)] : []),
    ],
  };
  if (faults && faults.length > 0) log(`fault injection is on (RAREFLOW_FAULTS): ${describeFaults(faults!)}`);
  // Temp files of writers killed mid-write (a crashed worker) never reach the store; clear them before work starts.
  const swept = await artifacts.sweepOrphanedTemp();
  if (swept.length > 0) log(`removed ${swept.length} temp file(s) left in ${artifactStoreLocation(artifacts)} by writers that are gone`);
  if (opts.identity) {
    const released = await releaseOrphanedActivities(
      opts.target,
      opts.identity,
      queues.includes('workflows') ? [WORKFLOWS_TASK_QUEUE, COMPUTE_TASK_QUEUE] : [],
    );
    if (released.length > 0) {
      log(
        `released ${released.length} activity attempt(s) that worker ${opts.identity} had started before it restarted: ${released.map((a) => `${a.activityType} of ${a.workflowId}`).join(', ')}`,
      );
    }
  }
  const connection = await connectNative(opts.target);
  const workers: Worker[] = [];
  let registry: Registry | undefined;
  try {
    if (queues.includes('workflows')) {
      const workflowBundle = opts.workflowBundle ?? (await buildWorkflowBundle());
      // Workflow tasks of the compute queue too: lifecycles, monitors and schedules started before workflows had
      // their own queue live there (they move at their next continue-as-new). This process runs no compute there.
      for (const taskQueue of [WORKFLOWS_TASK_QUEUE, COMPUTE_TASK_QUEUE]) {
        workers.push(
          await Worker.create({
            connection,
            namespace: opts.target.namespace,
            taskQueue,
            workflowBundle,
            ...(opts.identity ? { identity: opts.identity } : {}),
          }),
        );
      }
    }
    if (computeActivities) {
      workers.push(
        await Worker.create({
          connection,
          namespace: opts.target.namespace,
          taskQueue: COMPUTE_TASK_QUEUE,
          activities: computeActivities,
          maxConcurrentActivityTaskExecutions: opts.maxConcurrentComputeActivities ?? 2,
          ...(opts.identity ? { identity: opts.identity } : {}),
          interceptors,
        }),
      );
    }
    if (queues.includes('registry')) {
      registry = await Registry.open(opts.registryPath).catch((err: unknown) => {
        throw registryInUse(err, opts.registryPath);
      });
      workers.push(
        await Worker.create({
          connection,
          namespace: opts.target.namespace,
          taskQueue: REGISTRY_TASK_QUEUE,
          activities: createRegistryActivities({ registry, artifacts, servingDir: opts.servingDir }),
          maxConcurrentActivityTaskExecutions: 4,
          ...(opts.identity ? { identity: opts.identity } : {}),
          interceptors,
        }),
      );
    }
  } catch (err) {
    // The error that stopped the start is the one to report: closing a connection that workers created before it still
    // hold fails ("Cannot close connection while Workers hold a reference to it"), and must not hide it.
    await registry?.close().catch(() => undefined);
    await connection.close().catch(() => undefined);
    throw err;
  }
  const shutdown = () => {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
  };
  return {
    workers,
    connection,
    ...(registry ? { registry } : {}),
    shutdown,
    async run<R>(until?: Promise<R>): Promise<R | void> {
      try {
        if (until) {
          const [first, ...rest] = workers;
          if (!first) return await until;
          // Each worker runs until the promise settles; the first carries the result.
          const others = rest.map((w) =>
            w.runUntil(
              until.then(
                () => undefined,
                () => undefined,
              ),
            ),
          );
          // Every worker has shut down before the connection closes, also when `until` failed: closing it
          // while one still holds it fails, and that failure would hide the command's own error.
          const [result] = await Promise.allSettled([first.runUntil(until), ...others]);
          if (result.status === 'rejected') throw result.reason;
          return result.value;
        }
        await Promise.all(workers.map((w) => w.run()));
      } finally {
        await registry?.close();
        await connection.close();
      }
    },
  };
}
