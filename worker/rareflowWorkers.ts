// Builds the workers of one process: the compute queue (workflows + compute activities, scale out freely) and
// the registry queue (registry activities, exactly one process, because DuckDB has one writer).

import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createComputeActivities } from '../activities/compute.js';
import { createRegistryActivities } from '../activities/registry.js';
import { ArtifactStore } from '../data/artifactStore.js';
import { Registry } from '../data/registry.js';
import type { TemporalTarget } from '../infra/temporalServer.js';
import { COMPUTE_TASK_QUEUE, REGISTRY_TASK_QUEUE } from '../workflows/contract.js';
import { workflowsPath } from './workflowBundle.js';

export type QueueName = 'compute' | 'registry';

export interface WorkerOptions {
  target: TemporalTarget;
  artifactRoot: string;
  registryPath: string;
  /** Where serving states are published and the scoring service's logs live (shared storage in a cluster). */
  servingDir: string;
  queues?: QueueName[];
  /** A pre-built bundle (tests build one per file); default: bundle at start. */
  workflowBundle?: WorkflowBundleWithSourceMap;
  /** Concurrent compute activities in this process. @default 2 (one per core on our machines) */
  maxConcurrentComputeActivities?: number;
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
  return NativeConnection.connect({
    address: target.address,
    ...(target.tls ? { tls: target.tls } : {}),
    ...(target.apiKey ? { apiKey: target.apiKey } : {}),
  });
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

/**
 * Keeps the SDK's own log at WARN (RAREFLOW_LOG_LEVEL overrides), so a CLI user sees rareflow's progress, not
 * every worker state change. The runtime can be installed once per process, before the first worker.
 */
export function installWorkerRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const level = (process.env.RAREFLOW_LOG_LEVEL ?? 'WARN').toUpperCase() as 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  try {
    const quiet = new DefaultLogger(level, (entry) => {
      // A registry-only worker has no workflows by design; the SDK warns about it on every start.
      if (entry.message.startsWith('No workflows registered')) return;
      process.stderr.write(`${new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString()} [${entry.level}] ${entry.message}\n`);
    });
    Runtime.install({ logger: quiet });
  } catch {
    // Already installed by the embedding application: keep its choice.
  }
}

export async function createRareflowWorkers(opts: WorkerOptions): Promise<RareflowWorkers> {
  installWorkerRuntime();
  const queues = opts.queues ?? ['compute', 'registry'];
  const connection = await connectNative(opts.target);
  const workers: Worker[] = [];
  let registry: Registry | undefined;
  try {
    if (queues.includes('compute')) {
      const bundle = opts.workflowBundle ?? (await buildWorkflowBundle());
      workers.push(
        await Worker.create({
          connection,
          namespace: opts.target.namespace,
          taskQueue: COMPUTE_TASK_QUEUE,
          workflowBundle: bundle,
          activities: createComputeActivities({ artifacts: new ArtifactStore(opts.artifactRoot), servingDir: opts.servingDir }),
          maxConcurrentActivityTaskExecutions: opts.maxConcurrentComputeActivities ?? 2,
        }),
      );
    }
    if (queues.includes('registry')) {
      registry = await Registry.open(opts.registryPath);
      workers.push(
        await Worker.create({
          connection,
          namespace: opts.target.namespace,
          taskQueue: REGISTRY_TASK_QUEUE,
          activities: createRegistryActivities({ registry, artifacts: new ArtifactStore(opts.artifactRoot), servingDir: opts.servingDir }),
          maxConcurrentActivityTaskExecutions: 4,
        }),
      );
    }
  } catch (err) {
    registry?.close();
    await connection.close();
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
          const others = rest.map((w) => w.runUntil(until.then(() => undefined, () => undefined)));
          const result = await first.runUntil(until);
          await Promise.all(others);
          return result;
        }
        await Promise.all(workers.map((w) => w.run()));
      } finally {
        registry?.close();
        await connection.close();
      }
    },
  };
}
