// The scoring service's prediction and feedback logs as they are written: rows buffered in memory and appended in
// batches as new Parquet part files (servingLogParts.ts); servingLogWindow.ts and servingLogExport.ts read them.

import { InvalidInputError } from '../core/invalidInputError.js';
import { closeDuckDB, openDuckDB, type DuckDBSession } from './duckdbConnection.js';
import { FEEDBACK_COLUMNS, PartLog, PREDICTION_COLUMNS } from './servingLogParts.js';
import { feedbackLogDir, predictionLogDir } from './servingState.js';
import { isS3Uri } from './objectStore.js';
import { checkPartsWritable } from './s3ServingLogParts.js';

export type ServingArm = 'champion' | 'challenger';
export type PredictionStatus = 'ok' | 'error';

export interface ServingLogOptions {
  servingDir: string;
  modelName: string;
  /**
   * Most time a row waits in memory before its batch is written, in ms.
   * @default 1000
   */
  flushMs?: number;
  /**
   * Rows (of one log) that start a write before `flushMs` has passed.
   * @default 10000
   */
  flushRows?: number;
  /**
   * Rows a log holds in memory while its writes fail (full or missing disk); past it the oldest are dropped and
   * counted in `droppedRows`.
   * @default 1_000_000
   */
  maxPendingRows?: number;
  /** Told about a failed background write (the rows stay queued and are written by the next flush). */
  onError?: (err: unknown, log: 'predictions' | 'feedback') => void;
}

/**
 * The prediction and feedback logs of one model's scoring service. Appending a row is a few array pushes; rows are
 * written every `flushMs` or `flushRows`, whichever comes first, as new `part-<ms>-<pid>-<seq>.parquet` files
 * (no fsync: a crash loses at most the last batch). `close()` writes everything still pending.
 */
export class ServingLog {
  private readonly predictions: PartLog;
  private readonly feedback: PartLog;
  private readonly flushRows: number;
  private readonly onError: ServingLogOptions['onError'];
  private readonly timer: NodeJS.Timeout;
  /** Writes run one after another on the one connection. */
  private chain: Promise<void> = Promise.resolve();
  private flushQueued = false;
  private closed = false;
  private readonly modelName: string;

  private constructor(
    private readonly session: DuckDBSession,
    o: ServingLogOptions,
  ) {
    const maxPending = o.maxPendingRows ?? 1_000_000;
    this.predictions = new PartLog('predictions', predictionLogDir(o.servingDir, o.modelName), PREDICTION_COLUMNS, maxPending);
    this.feedback = new PartLog('feedback', feedbackLogDir(o.servingDir, o.modelName), FEEDBACK_COLUMNS, maxPending);
    this.flushRows = o.flushRows ?? 10_000;
    this.modelName = o.modelName;
    this.onError = o.onError;
    this.timer = setInterval(() => void this.flushInBackground(), o.flushMs ?? 1000);
    this.timer.unref();
  }

  /** Opens the writer's own in-memory DuckDB instance (one thread: the service's event loop keeps the other cores). */
  static async open(o: ServingLogOptions): Promise<ServingLog> {
    for (const [name, v] of [
      ['flushMs', o.flushMs],
      ['flushRows', o.flushRows],
      ['maxPendingRows', o.maxPendingRows],
    ] as const) {
      if (v !== undefined && !(Number.isInteger(v) && v >= 1))
        throw new InvalidInputError(name, `${name}: expected an integer ≥ 1, got ${String(v)}`);
    }
    const dir = predictionLogDir(o.servingDir, o.modelName); // checks the model name before anything is opened
    if (isS3Uri(dir)) {
      try {
        await checkPartsWritable(dir);
      } catch (err) {
        // A missing bucket or refused credentials never heal: refused now. An endpoint down for the moment may come
        // back: said, and the rows queue until it does.
        if (err instanceof InvalidInputError) throw err;
        o.onError?.(err, 'predictions');
      }
    }
    const session = await openDuckDB({ threads: 1 });
    return new ServingLog(session, o);
  }

  get pendingRows(): { predictions: number; feedback: number } {
    return { predictions: this.predictions.pendingRows, feedback: this.feedback.pendingRows };
  }

  /** Rows dropped because writes kept failing while the in-memory cap was reached. */
  get droppedRows(): { predictions: number; feedback: number } {
    return { predictions: this.predictions.droppedRows, feedback: this.feedback.droppedRows };
  }

  /**
   * One scored (or failed) request; `score`, `predictedPositive` and `predictedClass` are null for an error row.
   * `predictedClass` is the class value answered (`pred` as text), for binary and multi-class models alike.
   */
  logPrediction(
    requestId: string,
    tsMs: number,
    arm: ServingArm,
    modelSha256: string,
    score: number | null,
    predictedPositive: boolean | null,
    status: PredictionStatus,
    latencyUs: number,
    featuresJson: string,
    predictedClass: string | null = null,
  ): void {
    this.requireOpen();
    this.predictions.push(requestId, tsMs, arm, modelSha256, score, predictedPositive, status, latencyUs, featuresJson, predictedClass);
    if (this.predictions.pendingRows >= this.flushRows) this.queueFlush();
  }

  /** One true label; `positive` is null when no model was known to say which label is positive. */
  logFeedback(requestId: string, tsMs: number, label: string, positive: boolean | null): void {
    this.requireOpen();
    this.feedback.push(requestId, tsMs, label, positive);
    if (this.feedback.pendingRows >= this.flushRows) this.queueFlush();
  }

  /** Writes every pending row; rejects when a write fails (the rows stay queued). */
  flush(): Promise<void> {
    const run = this.chain.then(async () => {
      await this.writePending(this.predictions);
      await this.writePending(this.feedback);
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  /**
   * Stops the timer, writes every pending row and closes the DuckDB instance. When the last write fails, the error
   * says how many rows are lost with it.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    try {
      await this.flush();
    } catch (err) {
      const { predictions, feedback } = this.pendingRows;
      const lost = `${predictions} prediction row(s) and ${feedback} feedback row(s) of ${this.modelName} could not be written to the serving log and are lost: ${(err as Error).message}`;
      // A refusal (a bucket gone, credentials revoked) stays one, for the exit code.
      if (err instanceof InvalidInputError) throw new InvalidInputError(err.subject, lost);
      throw new Error(lost, { cause: err });
    } finally {
      closeDuckDB(this.session);
    }
  }

  private requireOpen(): void {
    if (this.closed) throw new Error('the serving log is closed');
  }

  private queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(() => {
      this.flushQueued = false;
      void this.flushInBackground();
    });
  }

  private async flushInBackground(): Promise<void> {
    if (this.closed) return;
    try {
      await this.flush();
    } catch {
      // Reported per log by writePending; the rows are queued again.
    }
  }

  private async writePending(log: PartLog): Promise<void> {
    if (log.pendingRows === 0) return;
    const batch = log.take();
    try {
      await log.write(this.session.connection, batch);
    } catch (err) {
      log.putBack(batch);
      this.onError?.(err, log.name);
      throw err;
    }
  }
}
