// The scoring service's prediction and feedback logs: rows buffered in memory and appended in batches as new
// Parquet part files (temp name, then rename), and the readers the canary analysis and the drift monitor use.

import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { InvalidInputError } from '../core/invalidInputError.js';
import { copyTableAtomically, requireDirectory } from './datasetWriter.js';
import { closeDuckDB, openDuckDB, sqlIdentifier, sqlString, toNumber, withDuckDB, type DuckDBSession } from './duckdbConnection.js';
import { feedbackLogDir, predictionLogDir } from './servingState.js';

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

/** Part files readers may see: complete files only (temp files start with a dot). */
const PART_FILE = /^part-.*\.parquet$/;
const PART_GLOB = 'part-*.parquet';
/** Rows appended between two yields to the event loop, so a large batch never stalls requests for long (~1 ms). */
const appendSliceRows = 256;

type ColumnKind = 'varchar' | 'bigint' | 'double' | 'boolean';
interface ColumnSpec {
  name: string;
  kind: ColumnKind;
}

const PREDICTION_COLUMNS: readonly ColumnSpec[] = [
  { name: 'request_id', kind: 'varchar' },
  { name: 'ts_ms', kind: 'bigint' },
  { name: 'arm', kind: 'varchar' },
  { name: 'model_sha256', kind: 'varchar' },
  { name: 'score', kind: 'double' },
  { name: 'predicted_positive', kind: 'boolean' },
  { name: 'status', kind: 'varchar' },
  { name: 'latency_us', kind: 'bigint' },
  { name: 'features', kind: 'varchar' },
];

const FEEDBACK_COLUMNS: readonly ColumnSpec[] = [
  { name: 'request_id', kind: 'varchar' },
  { name: 'ts_ms', kind: 'bigint' },
  { name: 'label', kind: 'varchar' },
  { name: 'positive', kind: 'boolean' },
];

const SQL_TYPE: Record<ColumnKind, string> = { varchar: 'VARCHAR', bigint: 'BIGINT', double: 'DOUBLE', boolean: 'BOOLEAN' };

type Cell = string | number | boolean | null;

/** Part files of all writers of this process are numbered from one counter, so two writers never share a name. */
let partSequence = 0;

/** One log's pending rows, column by column (no object per row), and the directory its parts go to. */
class PartLog {
  /** One array per column; row i is `columns[c][i]`. */
  private columns: Cell[][];
  private dropped = 0;

  constructor(
    readonly name: 'predictions' | 'feedback',
    readonly dir: string,
    private readonly specs: readonly ColumnSpec[],
    private readonly maxPendingRows: number,
  ) {
    this.columns = specs.map(() => []);
  }

  get pendingRows(): number {
    return this.columns[0]!.length;
  }

  get droppedRows(): number {
    return this.dropped;
  }

  push(c0: Cell, c1: Cell, c2: Cell, c3: Cell, c4?: Cell, c5?: Cell, c6?: Cell, c7?: Cell, c8?: Cell): void {
    const cols = this.columns;
    cols[0]!.push(c0);
    cols[1]!.push(c1);
    cols[2]!.push(c2);
    cols[3]!.push(c3);
    if (cols.length > 4) {
      cols[4]!.push(c4 ?? null);
      cols[5]!.push(c5 ?? null);
      cols[6]!.push(c6 ?? null);
      cols[7]!.push(c7 ?? null);
      cols[8]!.push(c8 ?? null);
    }
  }

  /** Hands over the pending rows and starts an empty buffer. */
  take(): Cell[][] {
    const taken = this.columns;
    this.columns = this.specs.map(() => []);
    return taken;
  }

  /** Puts a batch whose write failed back in front of the newer rows, dropping the oldest past the cap. */
  putBack(batch: Cell[][]): void {
    const merged = batch.map((col, c) => col.concat(this.columns[c]!));
    const excess = merged[0]!.length - this.maxPendingRows;
    if (excess > 0) {
      for (const col of merged) col.splice(0, excess);
      this.dropped += excess;
    }
    this.columns = merged;
  }

  /** Writes `batch` as one new part file: appended to a fresh table of `session`, copied to Parquet, renamed in. */
  async write(connection: DuckDBConnection, batch: Cell[][]): Promise<void> {
    const rows = batch[0]!.length;
    if (rows === 0) return;
    await mkdir(this.dir, { recursive: true });
    const seq = ++partSequence;
    const table = `${this.name}_${seq}`;
    const defs = this.specs.map((s) => `${sqlIdentifier(s.name)} ${SQL_TYPE[s.kind]}`).join(', ');
    await connection.run(`CREATE TABLE ${sqlIdentifier(table)} (${defs})`);
    try {
      const appender = await connection.createAppender(table);
      try {
        for (let start = 0; start < rows; start += appendSliceRows) {
          const end = Math.min(rows, start + appendSliceRows);
          for (let r = start; r < end; r++) {
            for (let c = 0; c < this.specs.length; c++) appendCell(appender, this.specs[c]!.kind, batch[c]![r]!);
            appender.endRow();
          }
          if (end < rows) await new Promise<void>((resolve) => setImmediate(resolve));
        }
        appender.flushSync();
      } finally {
        appender.closeSync();
      }
      await copyTableAtomically(connection, table, join(this.dir, `part-${Date.now()}-${process.pid}-${seq}.parquet`));
    } finally {
      await connection.run(`DROP TABLE IF EXISTS ${sqlIdentifier(table)}`);
    }
  }
}

function appendCell(appender: DuckDBAppender, kind: ColumnKind, v: Cell): void {
  if (v === null) {
    appender.appendNull();
    return;
  }
  switch (kind) {
    case 'varchar':
      appender.appendVarchar(v as string);
      break;
    case 'bigint':
      appender.appendBigInt(BigInt(Math.round(v as number)));
      break;
    case 'double':
      appender.appendDouble(v as number);
      break;
    case 'boolean':
      appender.appendBoolean(v as boolean);
      break;
  }
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

  private constructor(
    private readonly session: DuckDBSession,
    o: ServingLogOptions,
  ) {
    const maxPending = o.maxPendingRows ?? 1_000_000;
    this.predictions = new PartLog('predictions', predictionLogDir(o.servingDir, o.modelName), PREDICTION_COLUMNS, maxPending);
    this.feedback = new PartLog('feedback', feedbackLogDir(o.servingDir, o.modelName), FEEDBACK_COLUMNS, maxPending);
    this.flushRows = o.flushRows ?? 10_000;
    this.onError = o.onError;
    this.timer = setInterval(() => void this.flushInBackground(), o.flushMs ?? 1000);
    this.timer.unref();
  }

  /** Opens the writer's own in-memory DuckDB instance (one thread: the service's event loop keeps the other cores). */
  static async open(o: ServingLogOptions): Promise<ServingLog> {
    for (const [name, v] of [['flushMs', o.flushMs], ['flushRows', o.flushRows], ['maxPendingRows', o.maxPendingRows]] as const) {
      if (v !== undefined && !(Number.isInteger(v) && v >= 1)) throw new InvalidInputError(name, `${name}: expected an integer ≥ 1, got ${String(v)}`);
    }
    predictionLogDir(o.servingDir, o.modelName); // checks the model name before anything is opened
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

  /** One scored (or failed) request; `score` and `predictedPositive` are null for an error row. */
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
  ): void {
    this.requireOpen();
    this.predictions.push(requestId, tsMs, arm, modelSha256, score, predictedPositive, status, latencyUs, featuresJson);
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

  /** Stops the timer, writes every pending row and closes the DuckDB instance. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    try {
      await this.flush();
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

// ---- readers ----------------------------------------------------------------------------------------------

export interface ArmWindowSummary {
  requests: number;
  errors: number;
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  confusion: { tp: number; fn: number; fp: number; tn: number };
  /** Ok predictions that have a true label. */
  labelled: number;
}

export interface ServingWindowOptions {
  servingDir: string;
  modelName: string;
  /** Window start (inclusive), ms since the epoch, on the server's receive time. */
  fromMs: number;
  /** Window end (exclusive). */
  toMs: number;
  /** Only challenger rows served by this model count. */
  challengerSha256?: string;
  /** Only champion rows served by this model count. */
  championSha256?: string;
}

async function partGlob(dir: string): Promise<string | null> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return names.some((n) => PART_FILE.test(n)) ? join(dir, PART_GLOB) : null;
}

function checkWindow(o: { fromMs: number; toMs: number }): void {
  for (const [name, v] of [['fromMs', o.fromMs], ['toMs', o.toMs]] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new InvalidInputError(name, `${name}: expected ms since the epoch, got ${String(v)}`);
  }
  if (o.toMs < o.fromMs) throw new InvalidInputError('toMs', `toMs (${o.toMs}) is before fromMs (${o.fromMs}); expected a window [fromMs, toMs)`);
}

function checkSha(name: string, v: string | undefined): void {
  if (v !== undefined && !/^[0-9a-f]{64}$/.test(v)) throw new InvalidInputError(name, `${name}: expected 64 hex digits, got ${JSON.stringify(v)}`);
}

/**
 * SQL of the window's prediction rows (each with the latest true label of its request, null when none) or null
 * when no part file exists yet.
 */
async function windowRowsSql(o: ServingWindowOptions & { modelSha256?: string }): Promise<string | null> {
  checkWindow(o);
  checkSha('championSha256', o.championSha256);
  checkSha('challengerSha256', o.challengerSha256);
  checkSha('modelSha256', o.modelSha256);
  const predictions = await partGlob(predictionLogDir(o.servingDir, o.modelName));
  if (predictions === null) return null;
  const feedback = await partGlob(feedbackLogDir(o.servingDir, o.modelName));
  // The latest feedback row of a request wins; ties in ts_ms go to the row written later.
  const latestFeedback = feedback
    ? `SELECT request_id, positive FROM read_parquet(${sqlString(feedback)}, union_by_name = true, filename = true, file_row_number = true)
       QUALIFY row_number() OVER (PARTITION BY request_id ORDER BY ts_ms DESC, filename DESC, file_row_number DESC) = 1`
    : 'SELECT CAST(NULL AS VARCHAR) AS request_id, CAST(NULL AS BOOLEAN) AS positive WHERE false';
  const armFilter = (arm: ServingArm, sha: string | undefined) => `(arm = '${arm}'${sha ? ` AND model_sha256 = ${sqlString(sha)}` : ''})`;
  return `SELECT p.*, f.positive AS truth
    FROM (SELECT * FROM read_parquet(${sqlString(predictions)}, union_by_name = true)
          WHERE ts_ms >= ${o.fromMs} AND ts_ms < ${o.toMs} AND (${armFilter('champion', o.championSha256)} OR ${armFilter('challenger', o.challengerSha256)})
            ${o.modelSha256 ? `AND model_sha256 = ${sqlString(o.modelSha256)}` : ''}) p
    LEFT JOIN (${latestFeedback}) f USING (request_id)`;
}

function emptyArm(): ArmWindowSummary {
  return { requests: 0, errors: 0, latencyP50Ms: null, latencyP99Ms: null, confusion: { tp: 0, fn: 0, fp: 0, tn: 0 }, labelled: 0 };
}

/**
 * Per-arm requests, errors, latency quantiles (of ok rows) and the confusion of ok rows against their latest
 * feedback, for predictions received in [fromMs, toMs). No part files yet: zeros.
 */
export async function summariseServingWindow(o: ServingWindowOptions): Promise<Record<ServingArm, ArmWindowSummary>> {
  const rowsSql = await windowRowsSql(o);
  const out: Record<ServingArm, ArmWindowSummary> = { champion: emptyArm(), challenger: emptyArm() };
  if (rowsSql === null) return out;
  const ok = `status = 'ok'`;
  const sql = `SELECT arm,
      count(*) AS requests,
      count(*) FILTER (WHERE status = 'error') AS errors,
      quantile_cont(latency_us, 0.5) FILTER (WHERE ${ok}) / 1000.0 AS p50,
      quantile_cont(latency_us, 0.99) FILTER (WHERE ${ok}) / 1000.0 AS p99,
      count(*) FILTER (WHERE ${ok} AND truth AND predicted_positive) AS tp,
      count(*) FILTER (WHERE ${ok} AND truth AND NOT predicted_positive) AS fn,
      count(*) FILTER (WHERE ${ok} AND NOT truth AND predicted_positive) AS fp,
      count(*) FILTER (WHERE ${ok} AND NOT truth AND NOT predicted_positive) AS tn,
      count(*) FILTER (WHERE ${ok} AND truth IS NOT NULL) AS labelled
    FROM (${rowsSql}) GROUP BY arm`;
  const rows = await withDuckDB(async (c) => (await c.runAndReadAll(sql)).getRowObjectsJS());
  for (const r of rows) {
    const arm = r.arm as ServingArm;
    if (arm !== 'champion' && arm !== 'challenger') continue;
    out[arm] = {
      requests: toNumber(r.requests),
      errors: toNumber(r.errors),
      latencyP50Ms: r.p50 === null ? null : toNumber(r.p50),
      latencyP99Ms: r.p99 === null ? null : toNumber(r.p99),
      confusion: { tp: toNumber(r.tp), fn: toNumber(r.fn), fp: toNumber(r.fp), tn: toNumber(r.tn) },
      labelled: toNumber(r.labelled),
    };
  }
  return out;
}

export interface ServingRows {
  requestIds: string[];
  tsMs: Float64Array;
  scores: Float64Array;
  /** 1 where the served model predicted the positive class. */
  predictedPositive: Uint8Array;
  /** 1 positive, 0 negative, −1 no feedback yet. */
  truth: Int8Array;
  /** The request's features object as sent. */
  features: Array<Record<string, unknown>>;
}

export interface ServingRowsOptions {
  servingDir: string;
  modelName: string;
  fromMs: number;
  toMs: number;
  /** Only rows served by this model (either arm). */
  modelSha256?: string;
  /**
   * Most rows returned. A window with more ok rows gives a seeded uniform sample of them (a reservoir), so an
   * hour of traffic is judged on rows from the whole hour, not its first minutes. @default 100000
   */
  limit?: number;
}

/** Ok predictions received in [fromMs, toMs) (a uniform sample past `limit`), oldest first, with their latest true label. */
export async function readServingRows(o: ServingRowsOptions): Promise<ServingRows> {
  const limit = o.limit ?? 100_000;
  if (!Number.isInteger(limit) || limit < 1) throw new InvalidInputError('limit', `limit: expected an integer ≥ 1, got ${String(limit)}`);
  const rowsSql = await windowRowsSql(o);
  const empty: ServingRows = { requestIds: [], tsMs: new Float64Array(0), scores: new Float64Array(0), predictedPositive: new Uint8Array(0), truth: new Int8Array(0), features: [] };
  if (rowsSql === null) return empty;
  const rows = await withDuckDB(async (c) =>
    (
      await c.runAndReadAll(
        `SELECT request_id, ts_ms, score, predicted_positive, truth, features FROM (
           SELECT * FROM (${rowsSql}) WHERE status = 'ok' USING SAMPLE reservoir(${limit} ROWS) REPEATABLE (1)
         ) ORDER BY ts_ms, request_id`,
      )
    ).getRowsJS(),
  );
  const n = rows.length;
  const out: ServingRows = {
    requestIds: new Array<string>(n),
    tsMs: new Float64Array(n),
    scores: new Float64Array(n),
    predictedPositive: new Uint8Array(n),
    truth: new Int8Array(n),
    features: new Array<Record<string, unknown>>(n),
  };
  rows.forEach(([id, ts, score, predicted, truth, features], i) => {
    out.requestIds[i] = String(id);
    out.tsMs[i] = toNumber(ts);
    out.scores[i] = toNumber(score);
    out.predictedPositive[i] = predicted === true ? 1 : 0;
    out.truth[i] = truth === null ? -1 : truth === true ? 1 : 0;
    out.features[i] = typeof features === 'string' ? (JSON.parse(features) as Record<string, unknown>) : {};
  });
  return out;
}

export interface LabelledWindowExportOptions {
  servingDir: string;
  modelName: string;
  fromMs: number;
  toMs: number;
  /** Raw columns taken from each row's features, in order: numeric ones as DOUBLE (boolean-like ones as BOOLEAN), the others as text. */
  columns: Array<{ name: string; numeric: boolean; boolean?: boolean }>;
  /** Name of the label column written. */
  labelName: string;
  /** Label values written for feedback that is positive / negative. */
  labels: { positive: string; negative: string };
  /** Output Parquet file; its directory must exist. Written to a temp name beside it, then renamed. */
  out: string;
  /** Only rows served by this model (either arm). */
  modelSha256?: string;
}

/**
 * The labelled ok predictions of [fromMs, toMs) as a training table (a drift-triggered retrain): one row per
 * request (its latest prediction and latest feedback), the requested columns from its features, and the label.
 * Rows missing a column, or with a numeric column that is not a finite number, are skipped and counted.
 */
export async function exportLabelledServingWindow(o: LabelledWindowExportOptions): Promise<{ rows: number; positives: number; skipped: number }> {
  if (o.columns.length === 0) throw new InvalidInputError('columns', 'columns: expected at least one feature column to export');
  const names = new Set<string>();
  for (const c of [...o.columns.map((c) => c.name), o.labelName]) {
    if (names.has(c)) throw new InvalidInputError('columns', `column "${c}" is named twice among the exported columns and the label; expected distinct names`);
    names.add(c);
  }
  await requireDirectory(o.out);
  const rowsSql = await windowRowsSql(o);
  // A JSON pointer (RFC 6901) names any key: "~" is written "~0" and "/" is written "~1".
  const path = (name: string) => sqlString(`/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`);
  const projections = o.columns.map((c) =>
    c.boolean
      ? `TRY_CAST(json_extract_string(features, ${path(c.name)}) AS BOOLEAN) AS ${sqlIdentifier(c.name)}`
      : c.numeric
      ? `TRY_CAST(json_extract_string(features, ${path(c.name)}) AS DOUBLE) AS ${sqlIdentifier(c.name)}`
      : `json_extract_string(features, ${path(c.name)}) AS ${sqlIdentifier(c.name)}`,
  );
  const complete = o.columns.map((c) => (c.numeric && !c.boolean ? `isfinite(${sqlIdentifier(c.name)})` : `${sqlIdentifier(c.name)} IS NOT NULL`)).join(' AND ');
  const source =
    rowsSql === null
      ? 'SELECT CAST(NULL AS VARCHAR) AS request_id, CAST(NULL AS BIGINT) AS ts_ms, CAST(NULL AS VARCHAR) AS features, CAST(NULL AS BOOLEAN) AS truth WHERE false'
      : `SELECT request_id, ts_ms, features, truth FROM (${rowsSql}) WHERE status = 'ok' AND truth IS NOT NULL
         QUALIFY row_number() OVER (PARTITION BY request_id ORDER BY ts_ms DESC) = 1`;
  return withDuckDB(async (c) => {
    await c.run(`CREATE TABLE labelled AS SELECT ts_ms, request_id, ${projections.join(', ')}, truth FROM (${source})`);
    const counted = (await c.runAndReadAll(`SELECT count(*), count(*) FILTER (WHERE ${complete}), count(*) FILTER (WHERE ${complete} AND truth) FROM labelled`)).getRowsJS()[0]!;
    const label = `CASE WHEN truth THEN ${sqlString(o.labels.positive)} ELSE ${sqlString(o.labels.negative)} END AS ${sqlIdentifier(o.labelName)}`;
    await c.run(
      `CREATE TABLE export AS SELECT ${o.columns.map((col) => sqlIdentifier(col.name)).join(', ')}, ${label} FROM labelled WHERE ${complete} ORDER BY ts_ms, request_id`,
    );
    await copyTableAtomically(c, 'export', o.out);
    const all = toNumber(counted[0]);
    const rows = toNumber(counted[1]);
    return { rows, positives: toNumber(counted[2]), skipped: all - rows };
  });
}
