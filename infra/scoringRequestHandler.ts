// The HTTP side of the scoring service: routes POST /score, POST /feedback, GET /metrics and GET /healthz, reads and
// checks request bodies, scores with the routing now served, and counts and logs each answer.

import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { canaryArm } from '../core/canary/trafficSplit.js';
import { canonicalLabel, classifyLabel } from '../core/labels/labelVocabulary.js';
import { classValueJson } from '../core/labels/predictedClass.js';
import type { ServingArm, ServingLog } from '../data/servingLog.js';
import { jsonContentTypeProblem } from './contentTypeGuard.js';
import { parseFeedbackRequest } from './feedbackRequest.js';
import { PROMETHEUS_CONTENT_TYPE, renderExposition } from './prometheusExposition.js';
import type { RecentPredictions } from './recentPredictions.js';
import { parseScoreRequest } from './scoreRequest.js';
import type { ScoringMetrics } from './scoringMetrics.js';
import { predictRow, type LoadedModel, type RowPrediction, type ServedModels } from './servedModels.js';

/** Decodes a request body, failing on bytes that are not UTF-8 instead of replacing them. */
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Largest request body, in bytes. */
const MAX_BODY_BYTES = 1024 * 1024;
/** At most one challenger-failure line per this many ms (the counter counts every one). */
const ERROR_LOG_INTERVAL_MS = 10_000;

function sendJson(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export class ScoringRequestHandler {
  /** Set when the service starts closing: every answer from then on closes its connection. */
  closing = false;
  private lastErrorLogMs = -Infinity;
  private readonly requestCount: ScoringMetrics['requestCount'];
  private readonly latency: ScoringMetrics['latency'];
  private readonly predictionCount: ScoringMetrics['predictionCount'];
  private readonly feedbackCount: ScoringMetrics['feedbackCount'];
  private readonly feedbackRefused: ScoringMetrics['feedbackRefused'];

  constructor(
    private readonly o: { modelName: string; log: (line: string) => void },
    private readonly models: ServedModels,
    private readonly recent: RecentPredictions,
    private readonly metrics: ScoringMetrics,
    private readonly servingLog: ServingLog,
  ) {
    ({
      requestCount: this.requestCount,
      latency: this.latency,
      predictionCount: this.predictionCount,
      feedbackCount: this.feedbackCount,
      feedbackRefused: this.feedbackRefused,
    } = metrics);
  }

  /** Answers one request; the body-reading paths answer once their body has arrived. */
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
          return sendJson(res, 404, {
            error: `no such path ${path}; this service answers POST /score, POST /feedback, GET /metrics and GET /healthz`,
          });
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
    sendJson(
      res,
      405,
      { error: `${path} takes ${allowed}, got ${method ?? 'no method'}` },
      { allow: allowed === 'GET' ? 'GET, HEAD' : allowed },
    );
  }

  /** A 415 for a body that is not declared JSON, or is compressed (its bytes are never read; the connection closes). */
  private refuseMediaType(req: IncomingMessage, res: ServerResponse, path: string): boolean {
    // A compressed body (gzip) was read as text and refused as not UTF-8: the encoding is what is not taken.
    const encoding = req.headers['content-encoding']?.trim().toLowerCase();
    const problem =
      encoding !== undefined && encoding !== '' && encoding !== 'identity'
        ? `${path}: Content-Encoding ${encoding} is not taken; expected the JSON body uncompressed`
        : jsonContentTypeProblem(req.headers['content-type'], path);
    if (problem === null) return false;
    this.requestCount.none.bad_request.inc();
    sendJson(res, 415, { error: problem }, { connection: 'close' });
    return true;
  }

  /** Collects the body (at most 1 MB) and hands it on as text; a larger body is answered 413 (counted as a bad request). */
  private readBody(req: IncomingMessage, res: ServerResponse, then: (text: string) => void): void {
    const declared = Number(req.headers['content-length']);
    if (declared > MAX_BODY_BYTES) {
      this.requestCount.none.bad_request.inc();
      sendJson(res, 413, { error: `request body: ${declared} bytes is over the 1 MB limit` }, { connection: 'close' });
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
          sendJson(res, 413, { error: `request body: over the 1 MB limit (${size} bytes)` });
          return;
        }
        const bytes = more ? Buffer.concat(more) : first ? (first as Buffer) : Buffer.alloc(0);
        let text: string;
        try {
          text = STRICT_UTF8.decode(bytes);
        } catch {
          // Invalid bytes would become U+FFFD, and two different request ids could read as one.
          this.requestCount.none.bad_request.inc();
          sendJson(res, 400, { error: 'request body: not valid UTF-8; expected JSON text encoded as UTF-8' });
          return;
        }
        then(text);
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
    const parsed = parseScoreRequest(text);
    if ('error' in parsed) return this.badRequest(res, parsed.error);
    const { requestId: rawId, features } = parsed;
    const routing = this.models.routing;
    const champion = routing.champion;
    if (!champion) {
      this.requestCount.none.error.inc();
      return sendJson(res, 503, { error: this.models.unavailable() });
    }
    const requestId = rawId ?? randomUUID();
    const challenger = routing.challenger;
    let fallback = false;
    if (challenger && canaryArm(requestId, routing.weight) === 'challenger') {
      let problem = challenger.encoder.encode(features);
      let prediction: RowPrediction | null = null;
      if (problem === null) {
        try {
          prediction = predictRow(challenger, challenger.encoder.row);
          if (!Number.isFinite(prediction.score)) problem = `the challenger scored ${prediction.score}`;
        } catch (err) {
          problem = (err as Error).message ?? String(err);
        }
      }
      if (problem === null) return this.answer(res, requestId, 'challenger', challenger, prediction!, false, startedMs, tsMs, features);
      // A request the champion cannot score either is the client's error, not the challenger's.
      const championProblem = champion.encoder.encode(features);
      if (championProblem !== null) return this.badRequest(res, championProblem);
      this.logError(requestId, 'challenger', challenger, problem, startedMs, tsMs, features);
      fallback = true;
    } else {
      const problem = champion.encoder.encode(features);
      if (problem !== null) return this.badRequest(res, problem);
    }
    let prediction: RowPrediction;
    try {
      prediction = predictRow(champion, champion.encoder.row);
      if (!Number.isFinite(prediction.score)) throw new Error(`the model scored ${prediction.score}`);
    } catch (err) {
      const message = (err as Error).message ?? String(err);
      this.logError(requestId, 'champion', champion, message, startedMs, tsMs, features);
      return sendJson(res, 500, { requestId, error: `the champion ${champion.sha256} failed to score this request: ${message}` });
    }
    this.answer(res, requestId, 'champion', champion, prediction, fallback, startedMs, tsMs, features);
  }

  /**
   * The answer: `pred` is the class value as the training label held it (a number, boolean or text), `label` the
   * same as text, `score` the positive-class probability (multi-class: the predicted class's score, with `scores`
   * per class). Unseen categories of the request are counted per feature and, with a JSON boolean in a column
   * learnt as numbers, said in `warnings`.
   */
  private answer(
    res: ServerResponse,
    requestId: string,
    arm: ServingArm,
    model: LoadedModel,
    prediction: RowPrediction,
    fallback: boolean,
    startedMs: number,
    tsMs: number,
    features: Record<string, unknown>,
  ): void {
    const { score, positive, classScores } = prediction;
    const classes = model.classes;
    const label = classes.values[prediction.classIndex]!;
    const body = {
      requestId,
      score,
      ...(classScores ? { scores: Object.fromEntries(classes.values.map((c, i) => [c, classScores[i]!])) } : {}),
      pred: classValueJson(label, classes.type),
      label,
      modelVersion: model.sha256,
      arm,
      ...(fallback ? { fallback: true } : {}),
      ...warningsOf(model, this.recent.slotOf(requestId) !== undefined ? requestId : undefined),
    };
    sendJson(res, 200, body);
    const seconds = (performance.now() - startedMs) / 1000;
    this.latency[arm].observe(seconds);
    this.requestCount[arm].ok.inc();
    if (classScores) this.metrics.classPredictionCount(arm, label).inc();
    else this.predictionCount[arm][positive ? 'positive' : 'negative'].inc();
    for (const feature of model.encoder.unseen) this.metrics.unseenCategory(feature).inc();
    this.servingLog.logPrediction(
      requestId,
      tsMs,
      arm,
      model.sha256,
      score,
      positive,
      'ok',
      Math.round(seconds * 1e6),
      JSON.stringify(model.encoder.logged(features)),
      label,
    );
    this.recent.remember(requestId, model.slot, arm, positive, classScores ? prediction.classIndex : undefined);
  }

  private logError(
    requestId: string,
    arm: ServingArm,
    model: LoadedModel,
    message: string,
    startedMs: number,
    tsMs: number,
    features: Record<string, unknown>,
  ): void {
    const seconds = (performance.now() - startedMs) / 1000;
    this.latency[arm].observe(seconds);
    this.requestCount[arm].error.inc();
    this.servingLog.logPrediction(
      requestId,
      tsMs,
      arm,
      model.sha256,
      null,
      null,
      'error',
      Math.round(seconds * 1e6),
      JSON.stringify(features),
    );
    const now = Date.now();
    if (now - this.lastErrorLogMs >= ERROR_LOG_INTERVAL_MS) {
      this.lastErrorLogMs = now;
      this.o.log(
        `the ${arm} ${model.sha256.slice(0, 12)} failed to score request ${requestId}: ${message} (counted in rareflow_requests_total{status="error"})`,
      );
    }
  }

  private feedback(text: string, res: ServerResponse, tsMs: number): void {
    const parsed = parseFeedbackRequest(text);
    if ('error' in parsed) return this.badRequest(res, parsed.error);
    const { items, where } = parsed;
    // Every label is checked before any is counted or written: a request with one refused label writes nothing.
    const champion = this.models.routing.champion;
    const judged: Array<{ requestId: string; label: string; positive: boolean; multiClass: boolean }> = [];
    const refusals: string[] = [];
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      // Judged by the model that answered the request; feedback for a request this replica did not answer (or has
      // forgotten) by the current champion.
      const slot = this.recent.slotOf(item.requestId);
      const labels = slot?.labels ?? champion?.labels;
      const multiClass = slot ? slot.multiClass : champion?.multiClass != null;
      if (labels === undefined) {
        this.requestCount.none.error.inc();
        return sendJson(res, 503, {
          error: `${where(i)}label: no model is loaded to check it against (${this.models.unavailable()}); nothing was written, send it again later`,
        });
      }
      const verdict = classifyLabel(labels, item.label, `${where(i)}label`);
      if ('refused' in verdict) refusals.push(verdict.refused);
      else
        judged.push({
          requestId: item.requestId,
          label: canonicalLabel(labels, item.label, verdict.positive),
          positive: verdict.positive,
          multiClass,
        });
    }
    if (refusals.length > 0) {
      this.feedbackRefused.inc(refusals.length);
      return this.badRequest(
        res,
        refusals.length === 1 ? refusals[0]! : `${refusals[0]!} (and ${refusals.length - 1} more refused labels)`,
      );
    }
    let unmatched = 0;
    for (const { requestId, label, positive, multiClass } of judged) {
      if (!this.recent.slotOf(requestId)) unmatched++;
      // An earlier item of this batch may have labelled the same request: its label is replaced.
      this.recent.recordTruth(requestId, positive, multiClass ? label : undefined);
      if (multiClass) this.metrics.classFeedbackCount(label).inc();
      else this.feedbackCount[positive ? 'positive' : 'negative'].inc();
      this.servingLog.logFeedback(requestId, tsMs, label, positive);
    }
    if (unmatched > 0) this.metrics.feedbackUnmatched.inc(unmatched);
    // Said with the answer: a label for an id that was never scored (a typo, another system's ids) joins nothing.
    sendJson(res, 202, {
      accepted: items.length,
      ...(unmatched > 0
        ? {
            unmatched,
            warning: `${unmatched} of ${items.length} label${items.length === 1 ? '' : 's'} name${unmatched === 1 ? 's' : ''} a request id this replica has not answered lately: logged, and joined only if another replica or an earlier prediction log holds that request (a label for an id never scored joins nothing)`,
          }
        : {}),
    });
  }

  private sendMetrics(res: ServerResponse): void {
    renderExposition(this.metrics.registry)
      .then((text) => {
        res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE, 'content-length': Buffer.byteLength(text) });
        res.end(text);
      })
      .catch((err: unknown) => this.internalError(res, err));
  }

  private health(res: ServerResponse): void {
    const r = this.models.routing;
    if (!r.champion) return sendJson(res, 503, { status: 'unavailable', error: this.models.unavailable() });
    const fixed = this.models.fixedReference;
    if (fixed !== null)
      return sendJson(res, 200, { status: 'ok', champion: r.champion.sha256, fixedModel: fixed, canarySplit: false, hotSwap: false });
    sendJson(res, 200, {
      status: 'ok',
      champion: r.champion.sha256,
      canaryWeight: r.challenger ? r.weight : 0,
      ...(r.challenger ? { challenger: r.challenger.sha256 } : {}),
      revision: r.revision,
      ...(this.models.loadError ? { newerRevisionRefused: this.models.loadError } : {}),
    });
  }
}

/** The answer's `warnings`: what the encoder scored otherwise than spelt, and a request id this service answered before. */
function warningsOf(model: LoadedModel, reusedId: string | undefined): { warnings?: string[] } {
  const warnings = [
    ...model.encoder.warnings,
    ...(reusedId !== undefined
      ? [
          `requestId ${JSON.stringify(reusedId)} was already used by an earlier request: feedback sent for it labels only the latest; give each request its own id`,
        ]
      : []),
  ];
  return warnings.length > 0 ? { warnings } : {};
}
