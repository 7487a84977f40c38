// The scoring service of one model (node:http): scores rows with the published champion, routes a deterministic
// share to a canary challenger, hot-swaps models when state.json's revision moves, logs predictions and feedback;
// or serves one fixed model alone.
// This file starts and stops it; servedModels.ts, scoringRequestHandler.ts and recentPredictions.ts do the work.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvalidInputError } from '../core/invalidInputError.js';
import { ServingLog } from '../data/servingLog.js';
import type { ServedModel } from '../data/servingState.js';
import { RecentPredictions } from './recentPredictions.js';
import { defineScoringMetrics } from './scoringMetrics.js';
import { ScoringRequestHandler } from './scoringRequestHandler.js';
import { ServedModels } from './servedModels.js';

export interface ScoringServiceOptions {
  /** Directory holding `<model>/state.json` and the logs (RAREFLOW_SERVING). */
  servingDir: string;
  modelName: string;
  /** Address to listen on. @default '127.0.0.1' */
  host?: string;
  /** TCP port; 0 picks a free one. @default 8080 */
  port?: number;
  /** How often state.json is read for a new revision, in ms. @default 500 */
  pollMs?: number;
  /** Most time a log row waits in memory, in ms. @default 1000 */
  flushMs?: number;
  /** Log rows that start a write before flushMs has passed. @default 10000 */
  flushRows?: number;
  /**
   * Recent predictions remembered (request id → arm, model, predicted class) to join feedback for the recall and
   * precision gauges; the oldest is forgotten first.
   * @default 1_000_000
   */
  recentPredictions?: number;
  /** On close, ms to wait for in-flight requests before their connections are cut. @default 10000 */
  drainMs?: number;
  /** One line per event worth telling an operator (loads, swaps, failures). @default a line on stderr */
  log?: (line: string) => void;
  /**
   * Serve this one model instead of what state.json publishes (no canary split, no hot swap); `modelName` then
   * names only the log directory. A model that cannot be loaded fails the start.
   */
  fixed?: { reference: string; model: ServedModel };
}

export interface ScoringService {
  /** `http://host:port`. */
  url: string;
  port: number;
  /** Stops accepting connections, lets in-flight requests finish, writes the logs, and resolves. */
  close(): Promise<void>;
  /** Reads state.json now and loads a new revision; rejects when it cannot be loaded (the old routing stays). */
  reload(): Promise<void>;
  /** Null while a champion is served; else why not (what /healthz answers with its 503). */
  unavailableReason(): string | null;
}

/** How long an idle keep-alive connection stays open, in ms. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** Starts the service: loads what state.json says (if anything yet), listens, and polls for new revisions. */
export async function startScoringService(options: ScoringServiceOptions): Promise<ScoringService> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8080;
  const pollMs = options.pollMs ?? 500;
  const drainMs = options.drainMs ?? 10_000;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  for (const [name, v, min] of [
    ['pollMs', pollMs, 1],
    ['drainMs', drainMs, 0],
    ['recentPredictions', options.recentPredictions ?? 1, 1],
  ] as const) {
    if (!Number.isInteger(v) || v < min) throw new RangeError(`${name}: expected an integer ≥ ${min}, got ${String(v)}`);
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new RangeError(`port: expected an integer from 0 to 65535, got ${String(port)}`);
  const recentCap = options.recentPredictions ?? 1_000_000;
  // The gauges read the models and the remembered predictions only when /metrics is scraped, after both exist.
  const metrics = defineScoringMetrics({
    recentPredictions: () => recent.size,
    confusion: (arm) => {
      const model = models.routing[arm];
      return model ? models.slots[model.slot]!.confusion : null;
    },
    classConfusion: (arm) => {
      const model = models.routing[arm];
      return model ? models.slots[model.slot]!.classConfusion : null;
    },
  });
  const servingLog = await ServingLog.open({
    servingDir: options.servingDir,
    modelName: options.modelName,
    ...(options.flushMs !== undefined ? { flushMs: options.flushMs } : {}),
    ...(options.flushRows !== undefined ? { flushRows: options.flushRows } : {}),
    onError: (err, which) => {
      metrics.logWriteFailures[which].inc();
      log(`could not write the ${which} log of ${options.modelName}: ${(err as Error).message ?? String(err)}; the rows stay queued`);
    },
  });
  const models = new ServedModels(
    { servingDir: options.servingDir, modelName: options.modelName, pollMs, log, ...(options.fixed ? { fixed: options.fixed } : {}) },
    metrics,
  );
  const recent = new RecentPredictions(models.slots, recentCap);
  const handler = new ScoringRequestHandler({ modelName: options.modelName, log }, models, recent, metrics, servingLog);
  try {
    await models.refresh(true);
  } catch (err) {
    // A fixed model that cannot load never will; a published state may be replaced, so the service starts and
    // answers 503 until a loadable one comes (the failure is logged and counted).
    if (options.fixed) {
      await servingLog.close();
      throw new InvalidInputError('--model', `--model ${options.fixed.reference}: ${(err as Error).message}`);
    }
  }
  const server = createServer({ noDelay: true, keepAlive: true }, (req, res) => handler.handle(req, res));
  // Node closes an idle keep-alive connection after 5 s; a client (or load balancer) that reuses it at that moment
  // gets a reset. Keep idle connections longer than common client and balancer idle timeouts (60 s).
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await servingLog.close();
    throw err;
  }
  models.startPolling();
  const bound = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
  let closed: Promise<void> | null = null;
  return {
    url,
    port: bound,
    reload: () => models.refresh(true),
    unavailableReason: () => models.unavailableReason(),
    close: () => {
      closed ??= (async () => {
        handler.closing = true;
        models.stopPolling();
        const drained = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const cut = setTimeout(() => server.closeAllConnections(), drainMs);
        try {
          await drained;
        } finally {
          clearTimeout(cut);
        }
        await models.settled();
        await servingLog.close();
      })();
      return closed;
    },
  };
}
