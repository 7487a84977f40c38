// Reading the serving logs over a time window: each prediction joined to the latest true label of its request,
// summarised per arm (the canary analysis) or returned as rows (the drift monitor).

import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidInputError } from '../core/invalidInputError.js';
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlString, toNumber, withDuckDB } from './duckdbConnection.js';
import type { ServingArm } from './servingLog.js';
import { isS3Uri } from './objectStore.js';
import { mirrorParts } from './s3ServingLogParts.js';
import { PART_FILE, PART_GLOB } from './servingLogParts.js';
import { feedbackLogDir, predictionLogDir } from './servingState.js';

export interface ArmWindowSummary {
  requests: number;
  errors: number;
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  confusion: { tp: number; fn: number; fp: number; tn: number };
  /** Ok predictions that have a true label. */
  labelled: number;
  /**
   * Per class value, of ok rows that recorded their predicted class (parts written before the column: none):
   * predictions of the class, labelled rows whose true class it is, and of those the ones predicted right. Sorted
   * by class value.
   */
  classes: ClassWindowCounts[];
}

export interface ClassWindowCounts {
  value: string;
  predicted: number;
  labelled: number;
  correct: number;
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

/**
 * Runs `work` on a DuckDB connection over a model's log parts. A part that is not a readable Parquet file (written
 * over by hand, cut short outside rareflow) fails every read of every window until it is moved away, so it is an
 * input error naming the file, never retried.
 */
export async function withLogParts<T>(o: { servingDir: string; modelName: string }, work: (c: DuckDBConnection) => Promise<T>): Promise<T> {
  try {
    return await withDuckDB(work);
  } catch (err) {
    const message = (err as Error).message ?? '';
    const file = /^Invalid Input Error: .*?'([^']+\.parquet)'/.exec(message)?.[1];
    if (file === undefined) throw err;
    throw new InvalidInputError(
      `serving log of ${o.modelName}`,
      `the serving log of ${o.modelName} holds a part that is not a readable Parquet file: ${file} (${message.split('\n')[0]!.replace(/^Invalid Input Error: /, '')}); move it out of ${o.servingDir} and the windows read again`,
    );
  }
}

/** The read_parquet argument for the complete parts in `dir` (a glob, or on s3:// a list of mirrored files), or null. */
async function partSource(dir: string): Promise<string | null> {
  if (isS3Uri(dir)) {
    const files = await mirrorParts(dir, (name) => PART_FILE.test(name));
    return files ? `[${files.map(sqlString).join(', ')}]` : null;
  }
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return names.some((n) => PART_FILE.test(n)) ? sqlString(join(dir, PART_GLOB)) : null;
}

function checkWindow(o: { fromMs: number; toMs: number }): void {
  for (const [name, v] of [
    ['fromMs', o.fromMs],
    ['toMs', o.toMs],
  ] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new InvalidInputError(name, `${name}: expected ms since the epoch, got ${String(v)}`);
  }
  if (o.toMs < o.fromMs)
    throw new InvalidInputError('toMs', `toMs (${o.toMs}) is before fromMs (${o.fromMs}); expected a window [fromMs, toMs)`);
}

function checkSha(name: string, v: string | undefined): void {
  if (v !== undefined && !/^[0-9a-f]{64}$/.test(v))
    throw new InvalidInputError(name, `${name}: expected 64 hex digits, got ${JSON.stringify(v)}`);
}

/**
 * SQL of the window's prediction rows (each with the latest true label of its request, null when none) or null
 * when no part file exists yet.
 */
export async function windowRowsSql(o: ServingWindowOptions & { modelSha256?: string }): Promise<string | null> {
  checkWindow(o);
  checkSha('championSha256', o.championSha256);
  checkSha('challengerSha256', o.challengerSha256);
  checkSha('modelSha256', o.modelSha256);
  const predictions = await partSource(predictionLogDir(o.servingDir, o.modelName));
  if (predictions === null) return null;
  const feedback = await partSource(feedbackLogDir(o.servingDir, o.modelName));
  // The latest feedback row of a request wins; ties in ts_ms go to the row written later.
  const latestFeedback = feedback
    ? `SELECT request_id, positive, label FROM read_parquet(${feedback}, union_by_name = true, filename = true, file_row_number = true)
       QUALIFY row_number() OVER (PARTITION BY request_id ORDER BY ts_ms DESC, filename DESC, file_row_number DESC) = 1`
    : 'SELECT CAST(NULL AS VARCHAR) AS request_id, CAST(NULL AS BOOLEAN) AS positive, CAST(NULL AS VARCHAR) AS label WHERE false';
  const armFilter = (arm: ServingArm, sha: string | undefined) => `(arm = '${arm}'${sha ? ` AND model_sha256 = ${sqlString(sha)}` : ''})`;
  // Parts written before predicted_class existed lack it: the empty union adds it as null. A request id a client sent
  // more than once labels only its latest prediction in the window: one label counts once, however often the id came.
  const windowed = `SELECT * FROM (SELECT * FROM read_parquet(${predictions}, union_by_name = true)
                         UNION ALL BY NAME SELECT CAST(NULL AS VARCHAR) AS predicted_class WHERE false)
          WHERE ts_ms >= ${o.fromMs} AND ts_ms < ${o.toMs} AND (${armFilter('champion', o.championSha256)} OR ${armFilter('challenger', o.challengerSha256)})
            ${o.modelSha256 ? `AND model_sha256 = ${sqlString(o.modelSha256)}` : ''}`;
  return `SELECT p.*, CASE WHEN p.ts_ms = l.last_ts THEN f.positive END AS truth, CASE WHEN p.ts_ms = l.last_ts THEN f.label END AS truth_class
    FROM (${windowed}) p
    JOIN (SELECT request_id, max(ts_ms) AS last_ts FROM (${windowed}) GROUP BY request_id) l USING (request_id)
    LEFT JOIN (${latestFeedback}) f USING (request_id)`;
}

function emptyArm(): ArmWindowSummary {
  return {
    requests: 0,
    errors: 0,
    latencyP50Ms: null,
    latencyP99Ms: null,
    confusion: { tp: 0, fn: 0, fp: 0, tn: 0 },
    labelled: 0,
    classes: [],
  };
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
  const classSql = `WITH rows AS (SELECT arm, predicted_class, truth_class FROM (${rowsSql}) WHERE ${ok} AND predicted_class IS NOT NULL)
    SELECT arm, value, sum(predicted) AS predicted, sum(labelled) AS labelled, sum(correct) AS correct FROM (
      SELECT arm, predicted_class AS value, 1 AS predicted, 0 AS labelled, 0 AS correct FROM rows
      UNION ALL
      SELECT arm, truth_class, 0, 1, CASE WHEN predicted_class = truth_class THEN 1 ELSE 0 END FROM rows WHERE truth_class IS NOT NULL
    ) GROUP BY arm, value ORDER BY arm, value`;
  const { rows, classRows } = await withLogParts(o, async (c) => ({
    rows: (await c.runAndReadAll(sql)).getRowObjectsJS(),
    classRows: (await c.runAndReadAll(classSql)).getRowObjectsJS(),
  }));
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
      classes: [],
    };
  }
  for (const r of classRows) {
    const arm = r.arm as ServingArm;
    if (arm !== 'champion' && arm !== 'challenger') continue;
    out[arm].classes.push({
      value: String(r.value),
      predicted: toNumber(r.predicted),
      labelled: toNumber(r.labelled),
      correct: toNumber(r.correct),
    });
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
  /** The class value predicted; null for rows of parts written before it was logged. */
  predictedClass: Array<string | null>;
  /** The latest true class value from feedback; null while unlabelled. */
  truthClass: Array<string | null>;
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
  const empty: ServingRows = {
    requestIds: [],
    tsMs: new Float64Array(0),
    scores: new Float64Array(0),
    predictedPositive: new Uint8Array(0),
    truth: new Int8Array(0),
    features: [],
    predictedClass: [],
    truthClass: [],
  };
  if (rowsSql === null) return empty;
  const rows = await withLogParts(o, async (c) =>
    (
      await c.runAndReadAll(
        `SELECT request_id, ts_ms, score, predicted_positive, truth, features, predicted_class, truth_class FROM (
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
    predictedClass: new Array<string | null>(n),
    truthClass: new Array<string | null>(n),
  };
  rows.forEach(([id, ts, score, predicted, truth, features, predictedClass, truthClass], i) => {
    out.requestIds[i] = String(id);
    out.tsMs[i] = toNumber(ts);
    out.scores[i] = toNumber(score);
    out.predictedPositive[i] = predicted === true ? 1 : 0;
    out.truth[i] = truth === null ? -1 : truth === true ? 1 : 0;
    out.features[i] = typeof features === 'string' ? (JSON.parse(features) as Record<string, unknown>) : {};
    out.predictedClass[i] = predictedClass === null ? null : String(predictedClass);
    out.truthClass[i] = truthClass === null ? null : String(truthClass);
  });
  return out;
}

/** Every model that served as champion in the window, with its answered rows, most rows first. */
export async function windowChampions(o: {
  servingDir: string;
  modelName: string;
  fromMs: number;
  toMs: number;
}): Promise<Array<{ sha256: string; rows: number }>> {
  checkWindow(o);
  const predictions = await partSource(predictionLogDir(o.servingDir, o.modelName));
  if (predictions === null) return [];
  const rows = await withLogParts(o, async (c) =>
    (
      await c.runAndReadAll(
        `SELECT model_sha256, count(*) AS n FROM read_parquet(${predictions}, union_by_name = true)
         WHERE ts_ms >= ${o.fromMs} AND ts_ms < ${o.toMs} AND arm = 'champion' AND status = 'ok'
         GROUP BY model_sha256 ORDER BY n DESC, model_sha256`,
      )
    ).getRowsJS(),
  );
  return rows.map((r) => ({ sha256: String(r[0]), rows: Number(r[1]) }));
}
