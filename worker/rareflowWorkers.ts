// Builds the workers of one process: the compute queue (workflows + compute activities, scale out freely) and
// the registry queue (registry activities, exactly one process, because DuckDB has one writer).

import { NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
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

export async function createRareflowWorkers(opts: WorkerOptions): Promise<RareflowWorkers> {
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
          activities: createComputeActivities({ artifacts: new ArtifactStore(opts.artifactRoot) }),
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
          activities: createRegistryActivities({ registry, artifacts: new ArtifactStore(opts.artifactRoot) }),
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
