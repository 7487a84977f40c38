// Demo traffic for the scoring service: rows (features + true label) sent to POST /score at a target rate over
// keep-alive connections, then each answered request's true label posted to /feedback after a delay, in batches.

import { Agent, request } from 'node:http';
import { InvalidInputError } from '../core/invalidInputError.js';
import { seededRandom } from '../core/random.js';
import { describeColumns, formatOf, requireFile, labelledSource } from '../data/inputSources.js';
import { sqlIdentifier, withDuckDB } from '../data/duckdbConnection.js';

export type FeatureValue = number | string | boolean | null;
export type LabelValue = string | number | boolean;

/** Rows from a CSV or Parquet file: every column except the label (or `features`) is sent. */
export interface FileRows {
  path: string;
  label: string;
  /** Columns sent as features. @default every column except the label */
  features?: string[];
  /** Most rows read (they are sent in a loop). @default 100000 */
  limit?: number;
}

export interface MemoryRows {
  rows: Array<Record<string, FeatureValue>>;
  labels: LabelValue[];
}

export interface LoadOptions {
  /** The service, e.g. `http://127.0.0.1:8080`. */
  url: string;
  source: FileRows | MemoryRows;
  /** Requests started per second (open loop: the schedule does not wait for answers unless `concurrency` is reached). */
  ratePerSecond: number;
  /** How long requests are started for, in ms. */
  durationMs: number;
  /** Prefix of every request id (`<prefix>-<n>`), so two runs never send the same id. */
  requestIdPrefix: string;
  /** Most requests in flight (and keep-alive connections). @default 32 */
  concurrency?: number;
  /** Time from an answer to the post of its true label, in ms. @default 0 */
  feedbackDelayMs?: number;
  /** Share of answered requests whose true label is posted. @default 1 */
  feedbackFraction?: number;
  /** Most labels per POST /feedback. @default 500 */
  feedbackBatch?: number;
  /** Seed of the feedback sampling. @default 1 */
  seed?: number;
  /** Per-request timeout, in ms. @default 10000 */
  timeoutMs?: number;
}

export interface LoadResult {
  sent: number;
  /** Score requests answered 200. */
  ok: number;
  /** Score requests answered otherwise, or not at all. */
  failed: number;
  /** Labels the service accepted. */
  feedbackSent: number;
  /** Labels whose post failed. */
  feedbackFailed: number;
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  byArm: { champion: number; challenger: number };
}

interface Answer {
  status: number;
  body: string;
}

function post(agent: Agent, url: URL, body: string, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        timeout: timeoutMs,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Nearest-rank quantile of the first `n` values. */
function quantile(sorted: Float64Array, q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Reads up to `limit` rows of a CSV or Parquet file as feature objects and labels (BIGINT as numbers). */
export async function readLoadRows(source: FileRows): Promise<MemoryRows> {
  const format = formatOf(source.path);
  if (format === 'arrow') throw new InvalidInputError('--input', `${source.path}: load rows come from CSV or Parquet files, not Arrow`);
  await requireFile(source.path);
  const columns = (await describeColumns(source.path)).map((c) => c.name);
  if (!columns.includes(source.label)) {
    throw new InvalidInputError(
      `label column "${source.label}"`,
      `label column "${source.label}" not found in ${source.path}; its columns are ${columns.join(', ')}`,
    );
  }
  const features = source.features ?? columns.filter((c) => c !== source.label);
  for (const f of features) {
    if (!columns.includes(f))
      throw new InvalidInputError(
        `column "${f}"`,
        `feature column "${f}" not found in ${source.path}; its columns are ${columns.join(', ')}`,
      );
  }
  const limit = source.limit ?? 100_000;
  const rows = await withDuckDB(async (c) =>
    (
      await c.runAndReadAll(
        `SELECT ${[...features, source.label].map(sqlIdentifier).join(', ')} FROM ${await labelledSource(c, format, [source.path], source.label)} LIMIT ${limit}`,
      )
    ).getRowsJS(),
  );
  const plain = (v: unknown): FeatureValue =>
    v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean'
      ? v
      : typeof v === 'bigint'
        ? Number(v)
        : String(v);
  return {
    rows: rows.map((r) => Object.fromEntries(features.map((f, j) => [f, plain(r[j])]))),
    labels: rows.map((r) => {
      const v = plain(r[features.length]);
      if (v === null)
        throw new InvalidInputError(
          `label column "${source.label}"`,
          `label column "${source.label}" in ${source.path} has a missing value; expected a label on every row`,
        );
      return v;
    }),
  };
}

/** Sends the rows at `ratePerSecond` for `durationMs`, then the delayed feedback; resolves when all is answered. */
export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  if (!(o.ratePerSecond > 0)) throw new InvalidInputError('ratePerSecond', `ratePerSecond: expected a number > 0, got ${o.ratePerSecond}`);
  if (!(o.durationMs > 0)) throw new InvalidInputError('durationMs', `durationMs: expected a number > 0, got ${o.durationMs}`);
  const concurrency = o.concurrency ?? 32;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new InvalidInputError('concurrency', `concurrency: expected an integer ≥ 1, got ${concurrency}`);
  const fraction = o.feedbackFraction ?? 1;
  if (!(fraction >= 0 && fraction <= 1))
    throw new InvalidInputError('feedbackFraction', `feedbackFraction: expected a number in [0, 1], got ${fraction}`);
  const delayMs = o.feedbackDelayMs ?? 0;
  const batch = o.feedbackBatch ?? 500;
  const timeoutMs = o.timeoutMs ?? 10_000;
  const { rows, labels } = 'path' in o.source ? await readLoadRows(o.source) : o.source;
  if (rows.length === 0 || rows.length !== labels.length) {
    throw new InvalidInputError(
      'rows',
      `rows: expected at least one row and one label per row, got ${rows.length} rows and ${labels.length} labels`,
    );
  }
  // Each row's features serialised once; a request adds only its id.
  const featureJson = rows.map((r) => JSON.stringify(r));
  const scoreUrl = new URL('/score', o.url);
  const feedbackUrl = new URL('/feedback', o.url);
  // FIFO reuse keeps every pooled connection busy, so none sits idle long enough for a server to close it under us.
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency + 1, scheduling: 'fifo' });
  const random = seededRandom(o.seed ?? 1);
  const total = Math.max(1, Math.floor((o.ratePerSecond * o.durationMs) / 1000));
  const latencies = new Float64Array(total);
  const byArm = { champion: 0, challenger: 0 };
  let sent = 0;
  let ok = 0;
  let failed = 0;
  let inFlight = 0;
  let wake: (() => void) | null = null;
  const pendingIds: string[] = [];
  const pendingLabels: LabelValue[] = [];
  const pendingDue: number[] = [];
  let feedbackSent = 0;
  let feedbackFailed = 0;
  const feedbackPosts: Array<Promise<void>> = [];

  const fire = (n: number) => {
    const id = `${o.requestIdPrefix}-${n}`;
    const row = n % rows.length;
    const started = performance.now();
    inFlight++;
    post(agent, scoreUrl, `{"requestId":${JSON.stringify(id)},"features":${featureJson[row]}}`, timeoutMs)
      .then(
        (a) => {
          if (a.status !== 200) {
            failed++;
            return;
          }
          latencies[ok++] = performance.now() - started;
          const arm = (JSON.parse(a.body) as { arm?: string }).arm;
          if (arm === 'champion' || arm === 'challenger') byArm[arm]++;
          if (fraction > 0 && random.next() < fraction) {
            pendingIds.push(id);
            pendingLabels.push(labels[row]!);
            pendingDue.push(performance.now() + delayMs);
          }
        },
        () => {
          failed++;
        },
      )
      .finally(() => {
        inFlight--;
        const w = wake;
        wake = null;
        w?.();
      });
  };

  /** Posts the labels that are due (all of them when `all`), in batches. */
  const sendFeedback = (all: boolean) => {
    const now = performance.now();
    let due = 0;
    while (due < pendingDue.length && (all || pendingDue[due]! <= now)) due++;
    for (let at = 0; at < due; at += batch) {
      const end = Math.min(due, at + batch);
      const items = [];
      for (let i = at; i < end; i++) items.push({ requestId: pendingIds[i]!, label: pendingLabels[i]! });
      feedbackPosts.push(
        post(agent, feedbackUrl, JSON.stringify({ items }), timeoutMs).then(
          (a) => {
            if (a.status === 202) feedbackSent += (JSON.parse(a.body) as { accepted: number }).accepted;
            else feedbackFailed += items.length;
          },
          () => {
            feedbackFailed += items.length;
          },
        ),
      );
    }
    pendingIds.splice(0, due);
    pendingLabels.splice(0, due);
    pendingDue.splice(0, due);
  };
  const feedbackTimer = setInterval(() => sendFeedback(false), Math.min(200, Math.max(20, delayMs / 4)));

  const intervalMs = 1000 / o.ratePerSecond;
  const start = performance.now();
  try {
    while (sent < total) {
      const elapsed = performance.now() - start;
      if (elapsed >= o.durationMs) break;
      const due = Math.min(total, Math.floor(elapsed / intervalMs) + 1);
      while (sent < due && inFlight < concurrency) fire(sent++);
      if (inFlight >= concurrency) await new Promise<void>((resolve) => (wake = resolve));
      else await new Promise((resolve) => setTimeout(resolve, Math.max(0, sent * intervalMs - (performance.now() - start))));
    }
    while (inFlight > 0) await new Promise<void>((resolve) => (wake = resolve));
    // The last labels are posted when they fall due, then everything still queued.
    const last = pendingDue.length > 0 ? pendingDue[pendingDue.length - 1]! : 0;
    if (last > performance.now()) await new Promise((resolve) => setTimeout(resolve, last - performance.now()));
  } finally {
    clearInterval(feedbackTimer);
    sendFeedback(true);
    await Promise.all(feedbackPosts);
    agent.destroy();
  }
  const sorted = latencies.slice(0, ok).sort();
  const round = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 1000);
  return {
    sent,
    ok,
    failed,
    feedbackSent,
    feedbackFailed,
    latencyP50Ms: round(quantile(sorted, 0.5)),
    latencyP99Ms: round(quantile(sorted, 0.99)),
    byArm,
  };
}
