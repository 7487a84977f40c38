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
  histogramInSlot,
  nodeGradients,
  sharedMemory,
  type HistogramInputs,
  type HistogramSlots,
  type NodeHistograms,
} from './gbdtHistograms.js';
import { buildHistogram, HISTOGRAM_BINS, type NodeHistogram } from './gbdtSplit.js';

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
  base: 2,
  kind: 3,
  slot: 4,
  start: 5,
  end: 6,
  rowsInOrder: 7,
  /** 1 asks the workers to end. */
  stop: 8,
} as const;
const CONTROL_CELLS = 9;
export const JOB_KIND = { histogram: 0, cutPoints: 1, binCodes: 2 } as const;
/** Claims after which the claim counter starts again from 0, far from overflowing an Int32. */
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
  /** This worker's number, 0-based: its row of `done` and its histogram in `scratch`. */
  index: number;
  /** Per worker and feature, the sequence of the job in which the worker last finished that feature. */
  done: Int32Array;
  /** One histogram per worker, where it sums the features it claims; the calling thread copies them into the slot. */
  scratch: HistogramSlots;
}

export interface GbdtJob {
  sequence: number;
  kind: number;
  base: number;
  slot: number;
  start: number;
  end: number;
  rowsInOrder: boolean;
}

/** What a thread needs to do any job's share: the shared memory, where its histograms go, and its own scratch. */
export interface JobContext {
  inputs: HistogramInputs;
  binning: SharedBinning;
  /** The histogram a thread sums feature f of a job with this slot into: the slot itself, or a worker's scratch. */
  histogramFor: (slot: number) => NodeHistogram;
  /** Scratch column of the cut points (made on first use). */
  column: Float64Array | null;
}

/** Feature `f`'s share of `job`. */
export function runFeature(ctx: JobContext, job: GbdtJob, f: number): void {
  const { inputs, binning } = ctx;
  if (job.kind === JOB_KIND.histogram) {
    const gradient = job.rowsInOrder ? inputs.gradients : inputs.orderedGradient;
    const hessian = job.rowsInOrder ? inputs.hessians : inputs.orderedHessian;
    const h = ctx.histogramFor(job.slot);
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
 * Claims features of `job` one at a time until none is left, running each and calling `finished(f)` after it.
 * Every thread runs this for every job; whichever claims a feature computes it.
 */
export function claimFeatures(control: Int32Array, ctx: JobContext, job: GbdtJob, finished: (f: number) => void): void {
  const last = job.base + ctx.inputs.features;
  for (;;) {
    const claim = Atomics.load(control, CONTROL.next);
    if (claim < job.base || claim >= last) return;
    if (Atomics.compareExchange(control, CONTROL.next, claim, claim + 1) !== claim) continue;
    runFeature(ctx, job, claim - job.base);
    finished(claim - job.base);
  }
}

/**
 * The calling thread and `threads` − 1 workers. Each job's features are claimed one at a time (rather than split in
 * fixed ranges), and the calling thread never waits for a worker: once every feature is claimed it takes each
 * worker's finished features and computes the rest itself, the same way. On a machine busier than its cores a
 * worker that was claimed a feature and then lost its core would otherwise hold up every split; and a sleeping
 * calling thread would wait for a core again when woken, which costs more than a small node's histogram. The
 * workers wait on shared control cells (Atomics), not messages, for the same reason.
 */
export class GbdtWorkers implements NodeHistograms {
  private readonly pool: HistogramSlotPool;
  private readonly workers: Worker[] = [];
  private readonly control = new Int32Array(new SharedArrayBuffer(CONTROL_CELLS * 4));
  private readonly done: Int32Array;
  private readonly scratch: NodeHistogram[];
  private readonly ctx: JobContext;
  /** Per feature, whether the calling thread computed it in the current job. */
  private readonly mine: Uint8Array;
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
    const features = input.features;
    const workerCount = threads - 1;
    const memory = allocateHistogramSlots(slots, features, sharedMemory);
    this.pool = new HistogramSlotPool(memory);
    const scratch = allocateHistogramSlots(workerCount, features, sharedMemory);
    this.scratch = Array.from({ length: workerCount }, (_, w) => histogramInSlot(scratch, w));
    this.done = new Int32Array(sharedMemory(4 * workerCount * features));
    this.mine = new Uint8Array(features);
    this.ctx = { inputs: input, binning, histogramFor: (slot) => this.pool.all[slot]!, column: null };
    const started: Promise<void>[] = [];
    for (let w = 0; w < workerCount; w++) {
      const workerInput: GbdtWorkerInput = {
        inputs: input,
        binning,
        slots: memory,
        control: this.control,
        index: w,
        done: this.done,
        scratch,
      };
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
    // Heard through `started()` or `close()`; a fit that fails before asking must not leave it unhandled.
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
  cutPoints(): number[][] {
    this.run(JOB_KIND.cutPoints, 0, 0, 0, false);
    const { cuts, cutCounts } = this.ctx.binning;
    return Array.from(cutCounts, (count, f) => Array.from(cuts.subarray(f * MAX_VALUE_BINS, f * MAX_VALUE_BINS + count)));
  }

  /** Bin codes of the training rows into the shared codes, from the cut points `cutPoints` left. */
  binCodes(): void {
    this.run(JOB_KIND.binCodes, 0, 0, 0, false);
  }

  build(start: number, end: number, rowsInOrder: boolean): NodeHistogram {
    const h = this.pool.take();
    nodeGradients(this.input, start, end, rowsInOrder);
    this.run(JOB_KIND.histogram, h.slot, start, end, rowsInOrder);
    return h;
  }

  release(h: NodeHistogram): void {
    this.pool.release(h);
  }

  /**
   * Ends the workers (idempotent); call it however the fit ends. Rejects with a worker's error if one failed during
   * the fit (the fit itself did not depend on it, but a failing worker is a fault to hear of).
   */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    Atomics.store(this.control, CONTROL.stop, 1);
    Atomics.add(this.control, CONTROL.sequence, 2);
    Atomics.notify(this.control, CONTROL.sequence);
    await Promise.all(this.workers.map((w) => w.terminate()));
    if (this.failure) throw this.failure;
  }

  /** Posts a job, claims features with the workers, then gathers theirs and computes whatever they have not finished. */
  private run(kind: number, slot: number, start: number, end: number, rowsInOrder: boolean): void {
    if (this.failure) throw this.failure;
    const c = this.control;
    const features = this.input.features;
    let base = Atomics.load(c, CONTROL.next);
    if (base + features > CLAIMS_BEFORE_RESTART) {
      // No job is under way: a late worker holding an old base finds `next` below it.
      Atomics.store(c, CONTROL.next, 0);
      base = 0;
    }
    const sequence = Atomics.add(c, CONTROL.sequence, 1) + 2;
    Atomics.store(c, CONTROL.kind, kind);
    Atomics.store(c, CONTROL.base, base);
    Atomics.store(c, CONTROL.slot, slot);
    Atomics.store(c, CONTROL.start, start);
    Atomics.store(c, CONTROL.end, end);
    Atomics.store(c, CONTROL.rowsInOrder, rowsInOrder ? 1 : 0);
    Atomics.store(c, CONTROL.sequence, sequence);
    Atomics.notify(c, CONTROL.sequence);
    const job: GbdtJob = { sequence, kind, base, slot, start, end, rowsInOrder };
    this.mine.fill(0);
    claimFeatures(c, this.ctx, job, (f) => (this.mine[f] = 1));
    // Every feature is claimed now: take those the workers finished, compute the others here (a worker still busy
    // with one computes the same values into its own scratch, which is then left unread).
    for (let f = 0; f < features; f++) {
      if (this.mine[f] === 1) continue;
      const w = this.finishedBy(f, sequence);
      if (w < 0) runFeature(this.ctx, job, f);
      else if (kind === JOB_KIND.histogram) copyFeature(this.scratch[w]!, this.pool.all[slot]!, f);
    }
  }

  /** The worker that finished feature `f` in the job `sequence`, or −1. */
  private finishedBy(f: number, sequence: number): number {
    const features = this.input.features;
    for (let w = 0; w < this.scratch.length; w++) if (Atomics.load(this.done, w * features + f) === sequence) return w;
    return -1;
  }

  private fail(err: unknown): unknown {
    this.failure ??= err;
    return err;
  }
}

/** Feature `f`'s bins of histogram `from` into `to`. */
function copyFeature(from: NodeHistogram, to: NodeHistogram, f: number): void {
  const at = f * HISTOGRAM_BINS;
  to.sums.set(from.sums.subarray(2 * at, 2 * (at + HISTOGRAM_BINS)), 2 * at);
  to.count.set(from.count.subarray(at, at + HISTOGRAM_BINS), at);
}
