// The worker threads of one gradient-boosted trees fit: with the calling thread they compute the cut points, bin the
// rows and build every node histogram, one feature per claim, over shared memory. Results are bit-identical to one
// thread's, since each feature is computed by one thread exactly as the one-thread code does.

import { Worker } from 'node:worker_threads';
import type { FeatureMatrix } from '../dataset.js';
import { workerEntryUrl, workerStartError } from '../workerEntry.js';
import { binFeature, featureCutPointsOf, MAX_VALUE_BINS } from './gbdtBinning.js';
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
 * one step over every feature (cut points, bin codes, or one node's histogram); its features are claimed one at a
 * time from `next`, which counts claims over every job: job k's features are claims base..base+features−1, so a
 * worker that wakes after its job is over finds `next` past them and claims nothing.
 */
export const CONTROL = {
  /** Job number × 2, odd while the calling thread writes the job's cells (a seqlock); a change wakes the workers. */
  sequence: 0,
  /** The next claim. */
  next: 1,
  /** Claims finished (over every job); the job is done when it reaches base + features. */
  finished: 2,
  base: 3,
  kind: 4,
  slot: 5,
  start: 6,
  end: 7,
  rowsInOrder: 8,
  /** 1 asks the workers to end. */
  stop: 9,
} as const;
const CONTROL_CELLS = 10;
export const JOB_KIND = { histogram: 0, cutPoints: 1, binCodes: 2 } as const;
/** Claims after which the counters start again from 0, far from overflowing an Int32. */
const CLAIMS_BEFORE_RESTART = 2 ** 30;

/** The binning inputs and outputs, shared: the training matrix, its training rows and the rows cut points come from. */
export interface SharedBinning {
  x: FeatureMatrix;
  trainRows: Int32Array;
  chosen: Int32Array;
  maxBins: number;
  /** Cut points of feature f at f · MAX_VALUE_BINS.., `cutCounts[f]` of them. */
  cuts: Float64Array;
  cutCounts: Int32Array;
}

/** What `GbdtWorkers` hands a worker at start: every array shared with the calling thread. */
export interface GbdtWorkerInput {
  inputs: HistogramInputs;
  binning: SharedBinning;
  slots: HistogramSlots;
  control: Int32Array;
}

export interface GbdtJob {
  kind: number;
  base: number;
  slot: number;
  start: number;
  end: number;
  rowsInOrder: boolean;
}

/** What a thread needs to do any job's share: the shared memory, its histogram views and its own scratch. */
export interface JobContext {
  inputs: HistogramInputs;
  binning: SharedBinning;
  histograms: NodeHistogram[];
  /** Scratch column of the cut points (grown on first use). */
  column: Float64Array | null;
}

/** Feature `f`'s share of `job`. */
function runFeature(ctx: JobContext, job: GbdtJob, f: number): void {
  const { inputs, binning } = ctx;
  if (job.kind === JOB_KIND.histogram) {
    const gradient = job.rowsInOrder ? inputs.gradients : inputs.orderedGradient;
    const hessian = job.rowsInOrder ? inputs.hessians : inputs.orderedHessian;
    const h = ctx.histograms[job.slot]!;
    buildHistogram(h, inputs.codes, inputs.rows, inputs.rowIndex, job.start, job.end, gradient, hessian, job.rowsInOrder, f, f + 1);
  } else if (job.kind === JOB_KIND.cutPoints) {
    ctx.column ??= new Float64Array(binning.chosen.length);
    const cuts = featureCutPointsOf(binning.x, binning.chosen, f, binning.maxBins, ctx.column);
    binning.cuts.set(cuts, f * MAX_VALUE_BINS);
    binning.cutCounts[f] = cuts.length;
  } else {
    const cuts = binning.cuts.subarray(f * MAX_VALUE_BINS, f * MAX_VALUE_BINS + binning.cutCounts[f]!);
    binFeature(binning.x, binning.trainRows, cuts, f, inputs.codes);
  }
}

/**
 * Claims features of `job` one at a time until none is left, running each. Every thread runs this for every job;
 * whichever claims a feature computes it.
 */
export function claimFeatures(control: Int32Array, ctx: JobContext, job: GbdtJob): void {
  const last = job.base + ctx.inputs.features;
  for (;;) {
    const claim = Atomics.load(control, CONTROL.next);
    if (claim < job.base || claim >= last) return;
    if (Atomics.compareExchange(control, CONTROL.next, claim, claim + 1) !== claim) continue;
    runFeature(ctx, job, claim - job.base);
    if (Atomics.add(control, CONTROL.finished, 1) + 1 === last) Atomics.notify(control, CONTROL.finished);
  }
}

/**
 * How long the calling thread blocks on the workers before it lets the event loop run, so that a worker's error or
 * exit is heard (and the process's other work, such as an activity's heartbeat, goes on).
 */
const WAIT_SLICE_MS = 20;

/**
 * The calling thread and `threads` − 1 workers. Claiming features (rather than fixed ranges) keeps a busy machine
 * from stalling the fit on a worker that is not scheduled: the calling thread takes what the workers have not. The
 * workers wait on shared control cells (Atomics), not messages: a tree builds a histogram per split, and a message
 * round trip would cost more than a small node's histogram.
 */
export class GbdtWorkers implements NodeHistograms {
  private readonly pool: HistogramSlotPool;
  private readonly workers: Worker[] = [];
  private readonly control = new Int32Array(new SharedArrayBuffer(CONTROL_CELLS * 4));
  private readonly ctx: JobContext;
  private readonly online: Promise<void>;
  private failure: unknown = null;
  private closing = false;

  /**
   * Starts the workers at once. Every array of `input` and `binning` must be over a SharedArrayBuffer.
   * @param entry the worker module (tests point it elsewhere). @default the compiled gbdtWorker.js
   */
  constructor(
    private readonly input: HistogramInputs,
    binning: SharedBinning,
    slots: number,
    threads: number,
    entry: URL = workerEntryUrl(import.meta.url, 'gbdtWorker'),
  ) {
    const memory = allocateHistogramSlots(slots, input.features, sharedMemory);
    this.pool = new HistogramSlotPool(memory);
    this.ctx = { inputs: input, binning, histograms: this.pool.all, column: null };
    const workerInput: GbdtWorkerInput = { inputs: input, binning, slots: memory, control: this.control };
    const started: Promise<void>[] = [];
    for (let w = 1; w < threads; w++) {
      const worker = new Worker(entry, { workerData: workerInput });
      started.push(
        new Promise<void>((resolve, reject) => {
          worker.once('message', () => resolve());
          worker.on('error', (err) => reject(this.fail(workerStartError(err, entry))));
          worker.on('exit', (code) => {
            if (!this.closing) reject(this.fail(new Error(`gbdt worker exited with code ${code} before the fit ended`)));
          });
        }),
      );
      this.workers.push(worker);
    }
    this.online = Promise.all(started).then(() => undefined);
    // Heard through `started()` or a later job; a fit that fails before asking must not leave it unhandled.
    this.online.catch(() => undefined);
  }

  /**
   * Resolves once every worker has loaded its module; rejects with the reason one could not (its missing entry and
   * the fix).
   */
  started(): Promise<void> {
    return this.online;
  }

  /** Cut points of every feature from the shared binning's chosen rows. */
  async cutPoints(): Promise<number[][]> {
    await this.run(JOB_KIND.cutPoints, 0, 0, 0, false);
    const { cuts, cutCounts } = this.ctx.binning;
    return Array.from(cutCounts, (count, f) => Array.from(cuts.subarray(f * MAX_VALUE_BINS, f * MAX_VALUE_BINS + count)));
  }

  /** Bin codes of the training rows into the shared codes, from the cut points `cutPoints` left. */
  async binCodes(): Promise<void> {
    await this.run(JOB_KIND.binCodes, 0, 0, 0, false);
  }

  async build(start: number, end: number, rowsInOrder: boolean): Promise<NodeHistogram> {
    const h = this.pool.take();
    nodeGradients(this.input, start, end, rowsInOrder);
    await this.run(JOB_KIND.histogram, h.slot, start, end, rowsInOrder);
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

  /** Posts a job, does the calling thread's share, and resolves when every feature is done. */
  private async run(kind: number, slot: number, start: number, end: number, rowsInOrder: boolean): Promise<void> {
    if (this.failure) throw this.failure;
    const c = this.control;
    let base = Atomics.load(c, CONTROL.next);
    if (base + this.input.features > CLAIMS_BEFORE_RESTART) {
      // No job is under way: a late worker holding an old base finds `next` below it.
      Atomics.store(c, CONTROL.next, 0);
      Atomics.store(c, CONTROL.finished, 0);
      base = 0;
    }
    Atomics.add(c, CONTROL.sequence, 1);
    Atomics.store(c, CONTROL.kind, kind);
    Atomics.store(c, CONTROL.base, base);
    Atomics.store(c, CONTROL.slot, slot);
    Atomics.store(c, CONTROL.start, start);
    Atomics.store(c, CONTROL.end, end);
    Atomics.store(c, CONTROL.rowsInOrder, rowsInOrder ? 1 : 0);
    Atomics.add(c, CONTROL.sequence, 1);
    Atomics.notify(c, CONTROL.sequence);
    claimFeatures(c, this.ctx, { kind, base, slot, start, end, rowsInOrder });
    await this.finished(base + this.input.features);
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
