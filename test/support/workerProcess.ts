// `rareflow worker` as a child process, as an operator runs it: started against a test Temporal server with its
// state in a temp directory, killed with SIGKILL (a crash) or stopped with SIGTERM, and its stderr kept for asserts.

import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { CLI } from './cliProcess.js';

export interface WorkerProcessOptions {
  /** host:port of the Temporal server (TEMPORAL_ADDRESS). */
  address: string;
  /** RAREFLOW_HOME; artifacts, registry and serving directory default under it. */
  home: string;
  /** Extra environment, e.g. RAREFLOW_WORKER_ID or RAREFLOW_FAULTS. */
  env?: NodeJS.ProcessEnv;
  queues?: string;
  /** Longest wait for the worker's ready line, in ms. @default 60000 */
  readyTimeoutMs?: number;
}

export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  /** Everything the worker wrote to stderr so far. */
  stderr(): string;
  /** SIGKILL: no shutdown, no cleanup, as a crash or an OOM kill. Resolves when the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM: a graceful stop. Resolves with the exit code. */
  stop(): Promise<number | null>;
}

export function workerEnv(o: Pick<WorkerProcessOptions, 'address' | 'home' | 'env'>): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TEMPORAL_ADDRESS: o.address,
    RAREFLOW_HOME: o.home,
    RAREFLOW_ARTIFACTS: join(o.home, 'artifacts'),
    RAREFLOW_REGISTRY: join(o.home, 'registry.duckdb'),
    RAREFLOW_SERVING: join(o.home, 'serving'),
    ...o.env,
  };
}

/** Starts `rareflow worker` and resolves once it polls (its "worker on ..." line). */
export function startWorkerProcess(o: WorkerProcessOptions): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [CLI, 'worker', ...(o.queues ? ['--queues', o.queues] : [])], {
    env: workerEnv(o),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const handle: WorkerProcess = {
    child,
    pid: child.pid!,
    stderr: () => stderr,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`rareflow worker did not start within ${o.readyTimeoutMs ?? 60_000} ms; stderr: ${stderr}`));
    }, o.readyTimeoutMs ?? 60_000);
    child.stdout!.on('data', (d) => {
      stdout += d;
      if (stdout.includes('worker on ')) {
        clearTimeout(timer);
        resolve(handle);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`rareflow worker exited with code ${code} before it was ready; stderr: ${stderr}`));
    });
  });
}
