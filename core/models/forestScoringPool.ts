// Forest scoring of large batches on worker threads: while the workers score one batch (each a slice of its rows,
// with the same compiled forest, in shared memory) the calling thread fills the other, so reading and scoring overlap.
// The scores equal the one-thread path's.

import { Worker } from 'node:worker_threads';
import { InvalidInputError } from '../invalidInputError.js';
import { workerEntryUrl, workerStartError } from '../workerEntry.js';
import { compileForest, scoreCompiledForest, type CompiledForest } from './forestScoring.js';
import type { ForestScoringRange, ForestScoringWorkerInput } from './forestScoringWorker.js';
import type { RandomForestModel } from './randomForest.js';

export interface ForestScoringPoolOptions {
  /**
   * Worker threads scoring a batch; 1 scores on the calling thread instead, with no workers.
   * @default 2
   */
  threads?: number;
  /**
   * Most rows of one batch: the size of each shared feature and score buffer.
   * @default 65536
   */
  batchRows?: number;
}

/** One batch's memory: row-major features (rows × features) in, scores out. */
export interface ForestScoringBuffer {
  values: Float64Array;
  out: Float64Array;
}

/** Rows below which a batch is scored on the calling thread: a message round trip costs more than it saves. */
const MIN_THREADED_ROWS = 4096;

/**
 * Two buffers: fill `buffers[b].values` with a batch, `score(b, rows)`, and fill the other buffer while it runs; the
 * scores land in `buffers[b].out`. Workers start on the first batch large enough to share; `close()` ends them.
 */
export class ForestScoringPool {
  readonly buffers: [ForestScoringBuffer, ForestScoringBuffer];
  readonly batchRows: number;
  private readonly forest: CompiledForest;
  private readonly threads: number;
  private workers: Worker[] | null = null;
  /** Per worker, the ranges sent and not yet answered, in order (a worker answers in the order it is sent). */
  private waiting: Array<Array<{ resolve: () => void; reject: (err: unknown) => void }>> = [];

  constructor(model: RandomForestModel, options: ForestScoringPoolOptions = {}) {
    const threads = options.threads ?? 2;
    if (!Number.isInteger(threads) || threads < 1) {
      throw new InvalidInputError('threads', `threads: expected an integer ≥ 1, got ${String(threads)}`);
    }
    this.threads = threads;
    this.batchRows = options.batchRows ?? 65536;
    this.forest = compileForest(model);
    const cols = model.featureCount;
    const memory = (bytes: number) => (threads > 1 ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
    const buffer = () => ({
      values: new Float64Array(memory(this.batchRows * cols * 8)),
      out: new Float64Array(memory(this.batchRows * 8)),
    });
    this.buffers = [buffer(), buffer()];
  }

  /** Scores rows 0..rows−1 of buffer `b`; resolves when its `out` holds them. */
  score(b: 0 | 1, rows: number): Promise<void> {
    if (this.threads === 1 || rows < MIN_THREADED_ROWS) {
      scoreCompiledForest(this.forest, this.buffers[b].values, 0, rows, this.buffers[b].out);
      return Promise.resolve();
    }
    const workers = this.startWorkers();
    const slice = Math.ceil(rows / workers.length);
    return Promise.all(
      workers.map((worker, w) => {
        const range: ForestScoringRange = { buffer: b, start: Math.min(rows, w * slice), end: Math.min(rows, (w + 1) * slice) };
        return new Promise<void>((resolve, reject) => {
          this.waiting[w]!.push({ resolve, reject });
          worker.ref();
          worker.postMessage(range);
        });
      }),
    ).then(() => undefined);
  }

  /** Ends the workers; the pool can still score on the calling thread afterwards. */
  async close(): Promise<void> {
    const workers = this.workers ?? [];
    this.workers = null;
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private startWorkers(): Worker[] {
    if (this.workers) return this.workers;
    const entry = workerEntryUrl(import.meta.url, 'forestScoringWorker');
    const input: ForestScoringWorkerInput = { forest: this.forest, buffers: this.buffers };
    const workers: Worker[] = [];
    this.waiting = [];
    for (let w = 0; w < this.threads; w++) {
      const worker = new Worker(entry, { workerData: input });
      const waiting: Array<{ resolve: () => void; reject: (err: unknown) => void }> = [];
      this.waiting.push(waiting);
      // An idle worker must not keep the process alive, for a caller that forgets close(); a busy one must.
      worker.unref();
      worker.on('message', () => {
        waiting.shift()?.resolve();
        if (waiting.length === 0) worker.unref();
      });
      const fail = (err: unknown) => {
        for (const p of waiting.splice(0)) p.reject(err);
      };
      worker.on('error', (err) => fail(workerStartError(err, entry)));
      worker.on('exit', (code) => {
        if (this.workers !== null) fail(new Error(`forest scoring worker exited with code ${code}`));
      });
      workers.push(worker);
    }
    this.workers = workers;
    return workers;
  }
}
