// Node histograms built by the calling thread and worker threads together, each summing its own range of features
// over memory they share; the histograms are bit-identical to the one-thread builder's.

import { Worker } from 'node:worker_threads';
import { workerEntryUrl, workerStartError } from '../workerEntry.js';
import {
  allocateHistogramSlots,
  HistogramSlotPool,
  nodeGradients,
  sharedMemory,
  type HistogramInputs,
  type HistogramSlots,
  type NodeHistograms,
} from './gbdtHistograms.js';
import { buildHistogram, type NodeHistogram } from './gbdtSplit.js';

/** Cells of a worker's control array (an Int32Array over shared memory). */
export const CONTROL = {
  /** Number of the latest job posted; a change wakes the worker. */
  posted: 0,
  /** Number of the latest job finished; a change wakes the calling thread. */
  done: 1,
  slot: 2,
  start: 3,
  end: 4,
  rowsInOrder: 5,
  firstFeature: 6,
  endFeature: 7,
  /** 1 asks the worker to end. */
  stop: 8,
} as const;
const CONTROL_CELLS = 9;

/** What `WorkerHistograms` hands a worker at start: every array shared with the calling thread. */
export interface HistogramWorkerInput {
  inputs: HistogramInputs;
  slots: HistogramSlots;
  control: Int32Array;
}

/**
 * How long the calling thread blocks on a worker before it lets the event loop run, so that a worker's start error
 * or exit is heard (and the process's other work, such as an activity's heartbeat, goes on).
 */
const WAIT_SLICE_MS = 20;

/**
 * `threads` − 1 workers and the calling thread split the features into contiguous ranges (the calling thread takes
 * the first); each range of each histogram is summed by one thread in row order, so the sums do not depend on the
 * split. The workers wait on shared control cells (Atomics), not messages: a tree builds a histogram per split,
 * and a message round trip would cost more than a small node's histogram.
 */
export class WorkerHistograms implements NodeHistograms {
  private readonly pool: HistogramSlotPool;
  private readonly workers: Worker[] = [];
  private readonly controls: Int32Array[] = [];
  /** Feature range boundaries: thread t sums features bounds[t]..bounds[t+1]−1 (thread 0 is the calling one). */
  private readonly bounds: number[];
  private posted = 0;
  private failure: unknown = null;
  private closing = false;

  /**
   * Starts the workers at once; they wait for the first histogram, so the caller can fill the shared inputs (bin
   * the rows) while they start. Every array of `input` must be over a SharedArrayBuffer.
   * @param entry the worker module (tests point it elsewhere). @default the compiled gbdtHistogramWorker.js
   */
  constructor(
    private readonly input: HistogramInputs,
    slots: number,
    threads: number,
    entry: URL = workerEntryUrl(import.meta.url, 'gbdtHistogramWorker'),
  ) {
    const memory = allocateHistogramSlots(slots, input.features, sharedMemory);
    this.pool = new HistogramSlotPool(memory);
    const parts = Math.max(1, Math.min(threads, input.features));
    this.bounds = Array.from({ length: parts + 1 }, (_, t) => Math.round((t * input.features) / parts));
    for (let w = 1; w < parts; w++) {
      const control = new Int32Array(new SharedArrayBuffer(CONTROL_CELLS * 4));
      const workerInput: HistogramWorkerInput = { inputs: input, slots: memory, control };
      const worker = new Worker(entry, { workerData: workerInput });
      worker.on('error', (err) => this.fail(workerStartError(err, entry)));
      worker.on('exit', (code) => {
        if (!this.closing) this.fail(new Error(`gbdt histogram worker exited with code ${code} before the fit ended`));
      });
      this.workers.push(worker);
      this.controls.push(control);
    }
  }

  async build(start: number, end: number, rowsInOrder: boolean): Promise<NodeHistogram> {
    if (this.failure) throw this.failure;
    const h = this.pool.take();
    const [gradient, hessian] = nodeGradients(this.input, start, end, rowsInOrder);
    const job = ++this.posted;
    this.controls.forEach((control, w) => {
      control[CONTROL.slot] = h.slot;
      control[CONTROL.start] = start;
      control[CONTROL.end] = end;
      control[CONTROL.rowsInOrder] = rowsInOrder ? 1 : 0;
      control[CONTROL.firstFeature] = this.bounds[w + 1]!;
      control[CONTROL.endFeature] = this.bounds[w + 2]!;
      Atomics.store(control, CONTROL.posted, job);
      Atomics.notify(control, CONTROL.posted);
    });
    const { codes, rows, rowIndex } = this.input;
    buildHistogram(h, codes, rows, rowIndex, start, end, gradient, hessian, rowsInOrder, this.bounds[0]!, this.bounds[1]!);
    for (const control of this.controls) await this.finished(control, job);
    return h;
  }

  release(h: NodeHistogram): void {
    this.pool.release(h);
  }

  /** Ends the workers (idempotent); call it however the fit ends. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    for (const control of this.controls) {
      Atomics.store(control, CONTROL.stop, 1);
      Atomics.add(control, CONTROL.posted, 1);
      Atomics.notify(control, CONTROL.posted);
    }
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  /** Resolves once the worker of `control` has finished job `job`; rejects when a worker failed or exited. */
  private async finished(control: Int32Array, job: number): Promise<void> {
    for (;;) {
      if (this.failure) throw this.failure;
      const done = Atomics.load(control, CONTROL.done);
      if (done === job) return;
      if (Atomics.wait(control, CONTROL.done, done, WAIT_SLICE_MS) === 'timed-out') {
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  }

  private fail(err: unknown): void {
    this.failure ??= err;
  }
}
