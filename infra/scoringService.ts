// The scoring service of one model (node:http): scores rows with the published champion, routes a deterministic
// share to a canary challenger, hot-swaps models when state.json's revision moves, logs predictions and feedback.

import { createHash, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { canaryArm } from '../core/canary/trafficSplit.js';
import { canonicalLabel, classifyLabel, labelVocabularyOf, type LabelVocabulary } from '../core/labels/labelVocabulary.js';
import { parseModelArtifact, type ModelArtifact } from '../core/models/modelArtifact.js';
import { compileRowScorer } from '../core/models/predictModel.js';
import { ServingLog, type ServingArm } from '../data/servingLog.js';
import { readServingState, type ServedModel } from '../data/servingState.js';
import { jsonContentTypeProblem } from './contentTypeGuard.js';
import { isPlainObject, MAX_REQUEST_ID, parseFeedbackRequest } from './feedbackRequest.js';
import { ModelFileError, type ModelFileProblem } from './modelFileError.js';
import { describeValue, RequestFeatureEncoder } from './requestFeatureEncoder.js';
import { ARMS, defineScoringMetrics, type ScoringMetrics } from './scoringMetrics.js';
import { MetricsRegistry, PROMETHEUS_CONTENT_TYPE } from './servingMetrics.js';

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

/** Largest request body, in bytes. */
const MAX_BODY_BYTES = 1024 * 1024;
/** Longest wait between two attempts to load a revision that failed, in ms. */
const MAX_RETRY_MS = 30_000;
/** How long an idle keep-alive connection stays open, in ms. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
/** At most one challenger-failure line per this many ms (the counter counts every one). */
const ERROR_LOG_INTERVAL_MS = 10_000;


// ---- loaded models and routing -----------------------------------------------------------------------------

/** What the service keeps per model sha256 for the feedback join: labels and the confusion counts of its predictions. */
interface ModelSlot {
  sha256: string;
  /** The label values feedback is checked against. */
  labels: LabelVocabulary;
  /** tp, fn, fp, tn of feedback joined to this model's predictions. */
  confusion: Float64Array;
}

interface LoadedModel {
  sha256: string;
  slot: number;
  threshold: number;
  positiveLabel: string;
  negativeLabel: string;
  labels: LabelVocabulary;
  encoder: RequestFeatureEncoder;
  /** Null for a multi-class model, which this service does not serve. */
  score: ((x: Float64Array) => number) | null;
}

/** Everything a request is routed by; replaced as a whole, so a request sees one revision from start to end. */
interface Routing {
  revision: number | null;
  champion: LoadedModel | null;
  challenger: LoadedModel | null;
  weight: number;
}

/** Packs a recent prediction into one number: slot · 16 + challenger · 8 + predicted · 4 + truth (0 none, 1 neg, 2 pos). */
function packRecent(slot: number, arm: ServingArm, predicted: boolean): number {
  return slot * 16 + (arm === 'challenger' ? 8 : 0) + (predicted ? 4 : 0);
}

/** Index into ModelSlot.confusion: tp 0, fn 1, fp 2, tn 3. */
function confusionIndex(truthPositive: boolean, predictedPositive: boolean): number {
  return (truthPositive ? 0 : 2) + (predictedPositive ? 0 : 1);
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function sendJson(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

class ScoringServiceImpl {
  private routing: Routing = { revision: null, champion: null, challenger: null, weight: 0 };
  private readonly cache = new Map<string, LoadedModel>();
  private readonly slots: ModelSlot[] = [];
  private readonly slotOf = new Map<string, number>();
  /** request id → packRecent(...) (+ truth); insertion order is age order. */
  private readonly recent = new Map<string, number>();
  private readonly recentCap: number;
  private refreshing: Promise<void> = Promise.resolve();
  /** The revision whose load failed last ('unreadable': state.json itself could not be read), retried with backoff. */
  private failedRevision: number | 'unreadable' | null = null;
  /**
   * Why the last load failed (a model file named by ModelFileError, or the serving state itself), until a revision
   * loads: /score and /healthz answer with it while nothing serves, never "no champion is published".
   */
  private loadError: string | null = null;
  private retryDelayMs: number;
  private retryAtMs = 0;
  private lastErrorLogMs = -Infinity;
  private pollTimer: NodeJS.Timeout | null = null;
  closing = false;

  readonly metrics = new MetricsRegistry();
  private readonly requestCount: ScoringMetrics['requestCount'];
  private readonly latency: ScoringMetrics['latency'];
  private readonly predictionCount: ScoringMetrics['predictionCount'];
  private readonly feedbackCount: ScoringMetrics['feedbackCount'];
  private readonly feedbackRefused: ScoringMetrics['feedbackRefused'];
  private readonly loadFailures: ScoringMetrics['loadFailures'];
  readonly logWriteFailures: ScoringMetrics['logWriteFailures'];
  private readonly canaryWeight: ScoringMetrics['canaryWeight'];
  private readonly revisionGauge: ScoringMetrics['revisionGauge'];
  private readonly modelInfo: ScoringMetrics['modelInfo'];

  constructor(
    private readonly o: Required<Pick<ScoringServiceOptions, 'servingDir' | 'modelName' | 'pollMs' | 'log'>> & { recentPredictions: number },
    private readonly servingLog: ServingLog,
  ) {
    this.recentCap = o.recentPredictions;
    this.retryDelayMs = o.pollMs;
    const m = this.metrics;
    const families = defineScoringMetrics(m);
    ({
      requestCount: this.requestCount,
      latency: this.latency,
      predictionCount: this.predictionCount,
      feedbackCount: this.feedbackCount,
      feedbackRefused: this.feedbackRefused,
      loadFailures: this.loadFailures,
      logWriteFailures: this.logWriteFailures,
      canaryWeight: this.canaryWeight,
      revisionGauge: this.revisionGauge,
      modelInfo: this.modelInfo,
    } = families);
    const { recall, precision, recentGauge } = families;
    m.beforeRender(() => {
      recentGauge.labels().set(this.recent.size);
      recall.clear();
      precision.clear();
      const r = this.routing;
      for (const arm of ARMS) {
        const model = r[arm];
        if (!model) continue;
        const c = this.slots[model.slot]!.confusion;
        const tp = c[0]!;
        const fn = c[1]!;
        const fp = c[2]!;
        const tn = c[3]!;
        if (tp + fn > 0) recall.labels(arm, 'positive').set(tp / (tp + fn));
        if (tn + fp > 0) recall.labels(arm, 'negative').set(tn / (tn + fp));
        if (tp + fp > 0) precision.labels(arm, 'positive').set(tp / (tp + fp));
        if (tn + fn > 0) precision.labels(arm, 'negative').set(tn / (tn + fn));
      }
    });
  }

  // ---- state polling and loading --------------------------------------------------------------------------

  startPolling(): void {
    const tick = () => {
      this.pollTimer = setTimeout(() => {
        void this.refresh(false)
          .catch(() => undefined)
          .finally(() => {
            if (!this.closing) tick();
          });
      }, this.o.pollMs);
      this.pollTimer.unref();
    };
    tick();
  }

  stopPolling(): void {
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
  }

  /** Checks state.json and loads a new revision; one check at a time. `now` skips the wait after a failure. */
  refresh(now: boolean): Promise<void> {
    const run = this.refreshing.then(() => this.refreshOnce(now));
    this.refreshing = run.catch(() => undefined);
    return run;
  }

  /** Resolves when no check or load is running. */
  settled(): Promise<void> {
    return this.refreshing;
  }

  private async refreshOnce(now: boolean): Promise<void> {
    const { servingDir, modelName } = this.o;
    let revision: number | null = null;
    if (!now && this.failedRevision === 'unreadable' && Date.now() < this.retryAtMs) return;
    try {
      const state = await readServingState(servingDir, modelName);
      if (state === null || state.revision === this.routing.revision) return;
      revision = state.revision;
      if (!now && revision === this.failedRevision && Date.now() < this.retryAtMs) return;
      const champion = state.champion ? await this.loadModel(state.champion, 'champion') : null;
      let challenger: LoadedModel | null = null;
      let weight = 0;
      if (state.canary) {
        weight = state.canary.weight;
        if (typeof weight !== 'number' || !(weight >= 0 && weight <= 1)) {
          throw new Error(`the canary weight is ${String(weight)}, expected a number in [0, 1]`);
        }
        challenger = await this.loadModel(state.canary.challenger, 'challenger');
      }
      this.routing = { revision, champion, challenger, weight };
      this.afterSwap();
      this.failedRevision = null;
      this.loadError = null;
      this.retryDelayMs = this.o.pollMs;
      this.o.log(
        `serving ${modelName} revision ${revision}: ${champion ? `champion ${champion.sha256.slice(0, 12)}` : 'no champion'}` +
          (challenger ? `, challenger ${challenger.sha256.slice(0, 12)} at ${weight}` : ''),
      );
    } catch (err) {
      this.loadFailures.inc();
      const still = this.routing.revision === null ? 'nothing is served yet' : `still serving revision ${this.routing.revision}`;
      const failed = revision ?? 'unreadable';
      this.retryDelayMs = failed === this.failedRevision ? Math.min(this.retryDelayMs * 2, MAX_RETRY_MS) : this.o.pollMs;
      this.failedRevision = failed;
      this.retryAtMs = Date.now() + this.retryDelayMs;
      this.loadError = err instanceof ModelFileError ? err.message : `the serving state${revision !== null ? ` revision ${revision}` : ''} of ${modelName} could not be loaded: ${(err as Error).message}`;
      this.o.log(`could not load the serving state${revision !== null ? ` revision ${revision}` : ''} of ${modelName}: ${(err as Error).message}; ${still}`);
      throw err;
    }
  }

  /**
   * Reads, checks (file sha256, then the content seal) and compiles a model; cached by sha256. A file that cannot be
   * read or fails a check is a ModelFileError naming the arm and the path.
   */
  private async loadModel(served: ServedModel, arm: 'champion' | 'challenger'): Promise<LoadedModel> {
    const cached = this.cache.get(served.sha256);
    if (cached) return cached;
    if (typeof served.uri !== 'string' || !served.uri.startsWith('file:')) {
      throw new Error(`model ${served.sha256}: expected a file:// URI, got ${JSON.stringify(served.uri)}`);
    }
    const path = fileURLToPath(served.uri);
    const failed = (problem: ModelFileProblem, detail: string) => new ModelFileError(arm, problem, path, detail);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (err) {
      throw failed('could not be read', (err as NodeJS.ErrnoException).code ?? (err as Error).message);
    }
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== served.sha256) throw failed('failed verification', `its sha256 is ${actual}, the registry published ${served.sha256}`);
    // Parsing and checking a large model takes tens of ms: yield between steps so requests keep flowing.
    await yieldToEventLoop();
    let json: unknown;
    try {
      json = JSON.parse(bytes.toString('utf8'));
    } catch (err) {
      throw failed('failed verification', `not JSON: ${(err as Error).message}`);
    }
    await yieldToEventLoop();
    let artifact: ModelArtifact;
    try {
      artifact = parseModelArtifact(json, path);
    } catch (err) {
      throw failed('failed verification', (err as Error).message.replace(`${path} is not a usable rareflow model: `, '').replace(/\.$/, ''));
    }
    await yieldToEventLoop();
    if (Math.abs(artifact.threshold - served.threshold) > 1e-12) {
      this.o.log(`model ${served.sha256.slice(0, 12)}: the serving state says threshold ${served.threshold}, the sealed file ${artifact.threshold}; using the file's`);
    }
    let slot = this.slotOf.get(served.sha256);
    if (slot === undefined) {
      slot = this.slots.length;
      this.slots.push({ sha256: served.sha256, labels: labelVocabularyOf(artifact), confusion: new Float64Array(4) });
      this.slotOf.set(served.sha256, slot);
    }
    const model: LoadedModel = {
      sha256: served.sha256,
      slot,
      threshold: artifact.threshold,
      positiveLabel: artifact.positiveLabel,
      negativeLabel: artifact.negativeLabel,
      labels: labelVocabularyOf(artifact),
      encoder: new RequestFeatureEncoder(artifact, path),
      score: artifact.multiClass ? null : compileRowScorer(artifact.model),
    };
    this.cache.set(served.sha256, model);
    return model;
  }

  private afterSwap(): void {
    const r = this.routing;
    for (const sha of [...this.cache.keys()]) if (sha !== r.champion?.sha256 && sha !== r.challenger?.sha256) this.cache.delete(sha);
    this.canaryWeight.labels().set(r.challenger ? r.weight : 0);
    this.revisionGauge.labels().set(r.revision ?? -1);
    this.modelInfo.clear();
    if (r.champion) this.modelInfo.labels('champion', r.champion.sha256).set(1);
    if (r.challenger) this.modelInfo.labels('challenger', r.challenger.sha256).set(1);
  }

  // ---- HTTP -----------------------------------------------------------------------------------------------

  handle(req: IncomingMessage, res: ServerResponse): void {
    const startedMs = performance.now();
    const tsMs = Date.now();
    if (this.closing) res.setHeader('connection', 'close');
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    try {
      switch (path) {
        case '/score':
          if (req.method !== 'POST') return this.methodNotAllowed(res, 'POST', path, req.method);
          if (this.refuseMediaType(req, res, path)) return;
          return this.readBody(req, res, (text) => this.score(text, res, startedMs, tsMs));
        case '/feedback':
          if (req.method !== 'POST') return this.methodNotAllowed(res, 'POST', path, req.method);
          if (this.refuseMediaType(req, res, path)) return;
          return this.readBody(req, res, (text) => this.feedback(text, res, tsMs));
        case '/metrics':
          if (req.method !== 'GET' && req.method !== 'HEAD') return this.methodNotAllowed(res, 'GET', path, req.method);
          return this.sendMetrics(res);
        case '/healthz':
          if (req.method !== 'GET' && req.method !== 'HEAD') return this.methodNotAllowed(res, 'GET', path, req.method);
          return this.health(res);
        default:
          return sendJson(res, 404, { error: `no such path ${path}; this service answers POST /score, POST /feedback, GET /metrics and GET /healthz` });
      }
    } catch (err) {
      this.internalError(res, err);
    }
  }

  private internalError(res: ServerResponse, err: unknown): void {
    this.o.log(`internal error: ${(err as Error).message ?? String(err)}`);
    if (!res.headersSent) sendJson(res, 500, { error: `internal error: ${(err as Error).message ?? String(err)}` });
  }

  private methodNotAllowed(res: ServerResponse, allowed: string, path: string, method: string | undefined): void {
    sendJson(res, 405, { error: `${path} takes ${allowed}, got ${method ?? 'no method'}` }, { allow: allowed === 'GET' ? 'GET, HEAD' : allowed });
  }

  /** A 415 for a body that is not declared JSON (its bytes are never read; the connection closes). */
  private refuseMediaType(req: IncomingMessage, res: ServerResponse, path: string): boolean {
    const problem = jsonContentTypeProblem(req.headers['content-type'], path);
    if (problem === null) return false;
    this.requestCount.none.bad_request.inc();
    sendJson(res, 415, { error: problem }, { connection: 'close' });
    return true;
  }

  unavailableReason(): string | null {
    return this.routing.champion ? null : this.unavailable();
  }

  /** 503 text while nothing serves: the file that failed to load, or that nothing is published yet. */
  unavailable(): string {
    return this.loadError ?? `no champion is published for model ${this.o.modelName} yet`;
  }

  /** Collects the body (at most 1 MB) and hands it on as text; a larger body is a bad request. */
  private readBody(req: IncomingMessage, res: ServerResponse, then: (text: string) => void): void {
    const declared = Number(req.headers['content-length']);
    if (declared > MAX_BODY_BYTES) {
      this.requestCount.none.bad_request.inc();
      sendJson(res, 400, { error: `request body: ${declared} bytes is over the 1 MB limit` }, { connection: 'close' });
      return;
    }
    let first: Buffer | null = null;
    let more: Buffer[] | null = null;
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) return;
      if (first === null) first = chunk;
      else (more ??= [first]).push(chunk);
    });
    req.on('end', () => {
      try {
        // Closing began while the body arrived: this answer is the connection's last.
        if (this.closing) res.setHeader('connection', 'close');
        if (size > MAX_BODY_BYTES) {
          this.requestCount.none.bad_request.inc();
          sendJson(res, 400, { error: `request body: over the 1 MB limit (${size} bytes)` });
          return;
        }
        then(more ? Buffer.concat(more).toString('utf8') : first ? (first as Buffer).toString('utf8') : '');
      } catch (err) {
        this.internalError(res, err);
      }
    });
    req.on('error', () => {
      // The client went away; there is nobody to answer.
    });
  }

  private badRequest(res: ServerResponse, message: string): void {
    this.requestCount.none.bad_request.inc();
    sendJson(res, 400, { error: message });
  }

  private score(text: string, res: ServerResponse, startedMs: number, tsMs: number): void {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      return this.badRequest(res, `request body is not valid JSON (${(err as Error).message}); expected {"requestId"?: string, "features": {...}}`);
    }
    if (!isPlainObject(body)) return this.badRequest(res, `request body: expected a JSON object {"requestId"?: string, "features": {...}}, got ${describeValue(body)}`);
    const rawId = body.requestId;
    if (rawId !== undefined && (typeof rawId !== 'string' || rawId.length === 0 || rawId.length > MAX_REQUEST_ID)) {
      return this.badRequest(res, `requestId: expected a non-empty string of at most ${MAX_REQUEST_ID} characters, got ${describeValue(rawId)}`);
    }
    const features = body.features;
    if (!isPlainObject(features)) return this.badRequest(res, `features: expected an object of column → value, got ${features === undefined ? 'nothing' : describeValue(features)}`);
    const routing = this.routing;
    const champion = routing.champion;
    if (!champion) {
      this.requestCount.none.error.inc();
      return sendJson(res, 503, { error: this.unavailable() });
    }
    if (!champion.score) {
      this.requestCount.none.error.inc();
      return sendJson(res, 503, { error: `the champion of model ${this.o.modelName} (${champion.sha256}) is a multi-class model; the scoring service serves binary models only` });
    }
    const requestId = rawId ?? randomUUID();
    const challenger = routing.challenger;
    let fallback = false;
    if (challenger && canaryArm(requestId, routing.weight) === 'challenger') {
      let problem = challenger.score ? challenger.encoder.encode(features) : `model ${challenger.sha256} is multi-class; this service scores binary models only`;
      let score = NaN;
      if (problem === null) {
        try {
          score = challenger.score!(challenger.encoder.row);
          if (!Number.isFinite(score)) problem = `the challenger scored ${score}`;
        } catch (err) {
          problem = (err as Error).message ?? String(err);
        }
      }
      if (problem === null) return this.answer(res, requestId, 'challenger', challenger, score, false, startedMs, tsMs, features);
      // A request the champion cannot score either is the client's error, not the challenger's.
      const championProblem = champion.encoder.encode(features);
      if (championProblem !== null) return this.badRequest(res, championProblem);
      this.logError(requestId, 'challenger', challenger, problem, startedMs, tsMs, features);
      fallback = true;
    } else {
      const problem = champion.encoder.encode(features);
      if (problem !== null) return this.badRequest(res, problem);
    }
    let score: number;
    try {
      score = champion.score(champion.encoder.row);
      if (!Number.isFinite(score)) throw new Error(`the model scored ${score}`);
    } catch (err) {
      const message = (err as Error).message ?? String(err);
      this.logError(requestId, 'champion', champion, message, startedMs, tsMs, features);
      return sendJson(res, 500, { requestId, error: `the champion ${champion.sha256} failed to score this request: ${message}` });
    }
    this.answer(res, requestId, 'champion', champion, score, fallback, startedMs, tsMs, features);
  }

  private answer(
    res: ServerResponse,
    requestId: string,
    arm: ServingArm,
    model: LoadedModel,
    score: number,
    fallback: boolean,
    startedMs: number,
    tsMs: number,
    features: Record<string, unknown>,
  ): void {
    const positive = score >= model.threshold;
    const body = fallback
      ? { requestId, score, label: positive ? model.positiveLabel : model.negativeLabel, modelVersion: model.sha256, arm, fallback: true }
      : { requestId, score, label: positive ? model.positiveLabel : model.negativeLabel, modelVersion: model.sha256, arm };
    sendJson(res, 200, body);
    const seconds = (performance.now() - startedMs) / 1000;
    this.latency[arm].observe(seconds);
    this.requestCount[arm].ok.inc();
    this.predictionCount[arm][positive ? 'positive' : 'negative'].inc();
    this.servingLog.logPrediction(requestId, tsMs, arm, model.sha256, score, positive, 'ok', Math.round(seconds * 1e6), JSON.stringify(model.encoder.logged(features)));
    this.remember(requestId, packRecent(model.slot, arm, positive));
  }

  private logError(requestId: string, arm: ServingArm, model: LoadedModel, message: string, startedMs: number, tsMs: number, features: Record<string, unknown>): void {
    const seconds = (performance.now() - startedMs) / 1000;
    this.latency[arm].observe(seconds);
    this.requestCount[arm].error.inc();
    this.servingLog.logPrediction(requestId, tsMs, arm, model.sha256, null, null, 'error', Math.round(seconds * 1e6), JSON.stringify(features));
    const now = Date.now();
    if (now - this.lastErrorLogMs >= ERROR_LOG_INTERVAL_MS) {
      this.lastErrorLogMs = now;
      this.o.log(`the ${arm} ${model.sha256.slice(0, 12)} failed to score request ${requestId}: ${message} (counted in rareflow_requests_total{status="error"})`);
    }
  }

  private remember(requestId: string, packed: number): void {
    const previous = this.recent.get(requestId);
    if (previous !== undefined) {
      // The same id scored again: its earlier feedback no longer describes this prediction.
      this.forgetTruth(previous);
      this.recent.delete(requestId);
    }
    this.recent.set(requestId, packed);
    if (this.recent.size > this.recentCap) {
      const oldest = this.recent.keys().next().value as string;
      this.recent.delete(oldest);
    }
  }

  private forgetTruth(packed: number): void {
    const truth = packed % 4;
    if (truth === 0) return;
    const slot = this.slots[Math.floor(packed / 16)]!;
    slot.confusion[confusionIndex(truth === 2, (packed & 4) !== 0)]!--;
  }

  private feedback(text: string, res: ServerResponse, tsMs: number): void {
    const parsed = parseFeedbackRequest(text);
    if ('error' in parsed) return this.badRequest(res, parsed.error);
    const { items, where } = parsed;
    // Every label is checked before any is counted or written: a request with one refused label writes nothing.
    const champion = this.routing.champion;
    const judged: Array<{ requestId: string; label: string; positive: boolean }> = [];
    const refusals: string[] = [];
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      const packed = this.recent.get(item.requestId);
      // Judged by the model that answered the request; feedback for a request this replica did not answer (or has
      // forgotten) by the current champion.
      const labels = packed !== undefined ? this.slots[Math.floor(packed / 16)]!.labels : champion?.labels;
      if (labels === undefined) {
        this.requestCount.none.error.inc();
        return sendJson(res, 503, { error: `${where(i)}label: no model is loaded to check it against (${this.unavailable()}); nothing was written, send it again later` });
      }
      const verdict = classifyLabel(labels, item.label, `${where(i)}label`);
      if ('refused' in verdict) refusals.push(verdict.refused);
      else judged.push({ requestId: item.requestId, label: canonicalLabel(labels, item.label, verdict.positive), positive: verdict.positive });
    }
    if (refusals.length > 0) {
      this.feedbackRefused.inc(refusals.length);
      return this.badRequest(res, refusals.length === 1 ? refusals[0]! : `${refusals[0]!} (and ${refusals.length - 1} more refused labels)`);
    }
    for (const { requestId, label, positive } of judged) {
      // Read again: an earlier item of this batch may have labelled the same request.
      const packed = this.recent.get(requestId);
      if (packed !== undefined) {
        const slot = this.slots[Math.floor(packed / 16)]!;
        this.forgetTruth(packed);
        slot.confusion[confusionIndex(positive, (packed & 4) !== 0)]!++;
        this.recent.set(requestId, packed - (packed % 4) + (positive ? 2 : 1));
      }
      this.feedbackCount[positive ? 'positive' : 'negative'].inc();
      this.servingLog.logFeedback(requestId, tsMs, label, positive);
    }
    sendJson(res, 202, { accepted: items.length });
  }

  private sendMetrics(res: ServerResponse): void {
    const text = this.metrics.render();
    res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE, 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  private health(res: ServerResponse): void {
    const r = this.routing;
    if (!r.champion) return sendJson(res, 503, { status: 'unavailable', error: this.unavailable() });
    sendJson(res, 200, {
      status: 'ok',
      champion: r.champion.sha256,
      canaryWeight: r.challenger ? r.weight : 0,
      ...(r.challenger ? { challenger: r.challenger.sha256 } : {}),
      revision: r.revision,
      ...(this.loadError ? { newerRevisionRefused: this.loadError } : {}),
    });
  }
}

/** Starts the service: loads what state.json says (if anything yet), listens, and polls for new revisions. */
export async function startScoringService(options: ScoringServiceOptions): Promise<ScoringService> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8080;
  const pollMs = options.pollMs ?? 500;
  const drainMs = options.drainMs ?? 10_000;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  for (const [name, v, min] of [['pollMs', pollMs, 1], ['drainMs', drainMs, 0], ['recentPredictions', options.recentPredictions ?? 1, 1]] as const) {
    if (!Number.isInteger(v) || v < min) throw new RangeError(`${name}: expected an integer ≥ ${min}, got ${String(v)}`);
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`port: expected an integer from 0 to 65535, got ${String(port)}`);
  let service: ScoringServiceImpl | undefined;
  const servingLog = await ServingLog.open({
    servingDir: options.servingDir,
    modelName: options.modelName,
    ...(options.flushMs !== undefined ? { flushMs: options.flushMs } : {}),
    ...(options.flushRows !== undefined ? { flushRows: options.flushRows } : {}),
    onError: (err, which) => {
      service?.logWriteFailures[which].inc();
      log(`could not write the ${which} log of ${options.modelName}: ${(err as Error).message ?? String(err)}; the rows stay queued`);
    },
  });
  service = new ScoringServiceImpl(
    { servingDir: options.servingDir, modelName: options.modelName, pollMs, log, recentPredictions: options.recentPredictions ?? 1_000_000 },
    servingLog,
  );
  const impl = service;
  try {
    await impl.refresh(true);
  } catch {
    // Logged and counted; the service starts and answers 503 until a loadable state is published.
  }
  const server = createServer({ noDelay: true, keepAlive: true }, (req, res) => impl.handle(req, res));
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
  impl.startPolling();
  const bound = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
  let closed: Promise<void> | null = null;
  return {
    url,
    port: bound,
    reload: () => impl.refresh(true),
    unavailableReason: () => impl.unavailableReason(),
    close: () => {
      closed ??= (async () => {
        impl.closing = true;
        impl.stopPolling();
        const drained = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const cut = setTimeout(() => server.closeAllConnections(), drainMs);
        try {
          await drained;
        } finally {
          clearTimeout(cut);
        }
        await impl.settled();
        await servingLog.close();
      })();
      return closed;
    },
  };
}
