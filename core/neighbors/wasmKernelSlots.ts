// What the kernel pool and its worker threads share: the slot states of the control array and the job message.

import type { MessagePort } from 'node:worker_threads';

/**
 * Slot states in the control array, one Int32 per worker slot. The caller posts a job in state POSTED; the worker
 * claims it (POSTED → RUNNING) and ends it DONE or FAILED. A caller can take back a job no worker has claimed
 * (POSTED → RECLAIMED), so a worker that never started cannot hang a search.
 */
export const SLOT = { idle: 0, posted: 1, running: 2, done: 3, reclaimed: 4, failed: 5 } as const;

/** What a worker is started with. */
export interface KernelWorkerData {
  module: object;
  memory: object;
  /** Slot states, then each slot's current ticket. */
  control: SharedArrayBuffer;
  /** Where a failed worker posts its error text. */
  errors: MessagePort;
  exportName: string;
}

/** One job: task t is calls taskStarts[t] .. taskStarts[t + 1] − 1, each `arity` arguments; `next` is the task queue. */
export interface KernelJob {
  slot: number;
  ticket: number;
  arity: number;
  calls: Int32Array;
  taskStarts: Int32Array;
  next: Int32Array;
}
