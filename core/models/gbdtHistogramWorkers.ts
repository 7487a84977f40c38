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

/**
 * Cells of the control array (an Int32Array over shared memory) the calling thread and the workers share. A job is
 * one histogram; its features are claimed one at a time from `next`, which counts claims over every job: job k's
 * features are claims base..base+features−1 (a worker that wakes after its job is over finds `next` past them).
 */
export const CONTROL = {
  /** Job number × 2, odd while the calling thread writes the job's cells (a seqlock); a change wakes the workers. */
  sequence: 0,
  /** The next claim. */
  next: 1,
  /** Claims finished (over every job); the job is done when it reaches base + features. */
  finished: 2,
  base: 3,
  slot: 4,
  start: 5,
  end: 6,
  rowsInOrder: 7,
  /** 1 asks the workers to end. */
  stop: 8,
} as const;
const CONTROL_CELLS = 9;
/** Claims after which the counters start again from 0, far from overflowing an Int32. */
const CLAIMS_BEFORE_RESTART = 2 ** 30;

/** What `WorkerHistograms` hands a worker at start: every array shared with the calling thread. */
export interface HistogramWorkerInput {
  inputs: HistogramInputs;
  slots: HistogramSlots;
  control: Int32Array;
}

/**
 * Claims features of the current job one at a time until none is left, summing each into `h`, and returns whether it
 * finished the job's last feature. Every thread runs this for every job; whichever claims a feature sums it.
 */
export function claimFeatures(
  control: Int32Array,
  h: NodeHistogram,
  input: HistogramInputs,
  job: { base: number; start: number; end: number; rowsInOrder: boolean },
): boolean {
  const { codes, rows, rowIndex, features } = input;
  const gradient = job.rowsInOrder ? input.gradients : input.orderedGradient;
  const hessian = job.rowsInOrder ? input.hessians : input.orderedHessian;
  const last = job.base + features;
  let finishedLast = false;
  for (;;) {
    const claim = Atomics.load(control, CONTROL.next);
    if (claim < job.base || claim >= last) return finishedLast;
    if (Atomics.compareExchange(control, CONTROL.next, claim, claim + 1) !== claim) continue;
    const f = claim - job.base;
    buildHistogram(h, codes, rows, rowIndex, job.start, job.end, gradient, hessian, job.rowsInOrder, f, f + 1);
    if (Atomics.add(control, CONTROL.finished, 1) + 1 === last) {
      finishedLast = true;
      Atomics.notify(control, CONTROL.finished);
    }
  }
}

/**
 * How long the calling thread blocks on the workers before it lets the event loop run, so that a worker's error or
 * exit is heard (and the process's other work, such as an activity's heartbeat, goes on).
 */
const WAIT_SLICE_MS = 20;

/**
 * The calling thread and `threads` − 1 workers build each histogram together: each claims the next feature not yet
 * claimed and sums it, in row order, so the sums do not depend on who summed which feature. Claiming (rather than
 * fixed ranges) keeps a busy machine from stalling the fit on a worker that is not scheduled: the calling thread
 * takes what the workers have not. The workers wait on shared control cells (Atomics), not messages: a tree builds
 * a histogram per split, and a message round trip would cost more than a small node's histogram.
 */
export class WorkerHistograms implements NodeHistograms {
  private readonly pool: HistogramSlotPool;
  private readonly workers: Worker[] = [];
  private readonly control = new Int32Array(new SharedArrayBuffer(CONTROL_CELLS * 4));
  private readonly online: Promise<void>;
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
    const workerInput: HistogramWorkerInput = { inputs: input, slots: memory, control: this.control };
    const started: Promise<void>[] = [];
    for (let w = 1; w < threads; w++) {
      const worker = new Worker(entry, { workerData: workerInput });
      started.push(
        new Promise<void>((resolve, reject) => {
          worker.once('message', () => resolve());
          worker.on('error', (err) => reject(this.fail(workerStartError(err, entry))));
          worker.on('exit', (code) => {
            if (!this.closing) reject(this.fail(new Error(`gbdt histogram worker exited with code ${code} before the fit ended`)));
          });
        }),
      );
      this.workers.push(worker);
    }
    this.online = Promise.all(started).then(() => undefined);
    // Heard through `started()` or, later, `build`; a fit that fails before asking must not leave it unhandled.
    this.online.catch(() => undefined);
  }

  /**
   * Resolves once every worker has loaded its module; rejects with the reason one could not (its missing entry and
   * the fix).
   */
  started(): Promise<void> {
    return this.online;
  }

  async build(start: number, end: number, rowsInOrder: boolean): Promise<NodeHistogram> {
    if (this.failure) throw this.failure;
    const c = this.control;
    const h = this.pool.take();
    nodeGradients(this.input, start, end, rowsInOrder);
    let base = Atomics.load(c, CONTROL.next);
    if (base + this.input.features > CLAIMS_BEFORE_RESTART) {
      // No job is under way: a late worker holding an old base finds `next` below it.
      Atomics.store(c, CONTROL.next, 0);
      Atomics.store(c, CONTROL.finished, 0);
      base = 0;
    }
    Atomics.add(c, CONTROL.sequence, 1);
    Atomics.store(c, CONTROL.base, base);
    Atomics.store(c, CONTROL.slot, h.slot);
    Atomics.store(c, CONTROL.start, start);
    Atomics.store(c, CONTROL.end, end);
    Atomics.store(c, CONTROL.rowsInOrder, rowsInOrder ? 1 : 0);
    Atomics.add(c, CONTROL.sequence, 1);
    Atomics.notify(c, CONTROL.sequence);
    claimFeatures(c, h, this.input, { base, start, end, rowsInOrder });
    await this.finished(base + this.input.features);
    return h;
  }

  release(h: NodeHistogram): void {
    this.pool.release(h);
  }

  /** Ends the workers (idempotent); call it however the fit ends. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    Atomics.store(this.control, CONTROL.stop, 1);
    Atomics.add(this.control, CONTROL.sequence, 2);
    Atomics.notify(this.control, CONTROL.sequence);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  /** Resolves once `finished` reaches `last`; rejects when a worker failed or exited. */
  private async finished(last: number): Promise<void> {
    for (;;) {
      if (this.failure) throw this.failure;
      const finished = Atomics.load(this.control, CONTROL.finished);
      if (finished === last) return;
      if (Atomics.wait(this.control, CONTROL.finished, finished, WAIT_SLICE_MS) === 'timed-out') {
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  }

  private fail(err: unknown): unknown {
    this.failure ??= err;
    return err;
  }
}
