// Forest scoring of large batches on several threads: the calling thread and its workers each score a slice of the
// batch's rows with the same compiled forest, in memory they share, so the scores equal the one-thread path's.

import { Worker } from 'node:worker_threads';
import { InvalidInputError } from '../invalidInputError.js';
import { workerEntryUrl, workerStartError } from '../workerEntry.js';
import { compileForest, scoreCompiledForest, type CompiledForest } from './forestScoring.js';
import type { ForestScoringRange, ForestScoringWorkerInput } from './forestScoringWorker.js';
import type { RandomForestModel } from './randomForest.js';

export interface ForestScoringPoolOptions {
  /**
   * Threads scoring a batch, the calling thread included; 1 scores on the calling thread alone.
   * @default 2
   */
  threads?: number;
  /**
   * Most rows of one batch: the size of the shared feature and score buffers.
   * @default 65536
   */
  batchRows?: number;
}

/** Rows below which a batch is scored on the calling thread: a message round trip costs more than it saves. */
const MIN_THREADED_ROWS = 4096;

/**
 * Fill `values` (rows × features, row-major) with a batch, then `score(rows)`: the scores land in `out`. Workers
 * start on the first batch large enough to share; `close()` ends them.
 */
export class ForestScoringPool {
  readonly values: Float64Array;
  readonly out: Float64Array;
  readonly batchRows: number;
  private readonly forest: CompiledForest;
  private readonly threads: number;
  private workers: Worker[] | null = null;
  private pending: Array<{ resolve: () => void; reject: (err: unknown) => void } | null> = [];

  constructor(model: RandomForestModel, options: ForestScoringPoolOptions = {}) {
    const threads = options.threads ?? 2;
    if (!Number.isInteger(threads) || threads < 1) {
      throw new InvalidInputError('threads', `threads: expected an integer ≥ 1, got ${String(threads)}`);
    }
    this.threads = threads;
    this.batchRows = options.batchRows ?? 65536;
    this.forest = compileForest(model);
    const cols = model.featureCount;
    const shared = threads > 1;
    const buffer = (bytes: number) => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
    this.values = new Float64Array(buffer(this.batchRows * cols * 8));
    this.out = new Float64Array(buffer(this.batchRows * 8));
  }

  /** Scores rows 0..rows−1 of `values` into `out`; the calling thread takes the first slice. */
  async score(rows: number): Promise<void> {
    if (this.threads === 1 || rows < MIN_THREADED_ROWS) {
      scoreCompiledForest(this.forest, this.values, 0, rows, this.out);
      return;
    }
    const workers = this.startWorkers();
    const slice = Math.ceil(rows / this.threads);
    const done = workers.map((worker, w) => {
      const range: ForestScoringRange = { start: Math.min(rows, (w + 1) * slice), end: Math.min(rows, (w + 2) * slice) };
      return new Promise<void>((resolve, reject) => {
        this.pending[w] = { resolve, reject };
        worker.ref();
        worker.postMessage(range);
      });
    });
    scoreCompiledForest(this.forest, this.values, 0, Math.min(rows, slice), this.out);
    await Promise.all(done);
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
    const input: ForestScoringWorkerInput = { forest: this.forest, values: this.values, out: this.out };
    const workers: Worker[] = [];
    for (let w = 0; w < this.threads - 1; w++) {
      const worker = new Worker(entry, { workerData: input });
      // An idle worker must not keep the process alive, for a caller that forgets close(); a busy one must.
      worker.unref();
      worker.on('message', () => {
        worker.unref();
        const p = this.pending[w];
        this.pending[w] = null;
        p?.resolve();
      });
      const fail = (err: unknown) => {
        const p = this.pending[w];
        this.pending[w] = null;
        p?.reject(err);
      };
      worker.on('error', (err) => fail(workerStartError(err, entry)));
      worker.on('exit', (code) => {
        if (this.workers !== null) fail(new Error(`forest scoring worker exited with code ${code}`));
      });
      workers.push(worker);
    }
    this.pending = workers.map(() => null);
    this.workers = workers;
    return workers;
  }
}
