// The models a scoring service serves: state.json polled for a new revision, champion and challenger loaded (read,
// verified, compiled, cached by sha256) and swapped in as one routing, with backoff after a revision fails to load.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { labelVocabularyOf, type LabelVocabulary } from '../core/labels/labelVocabulary.js';
import { predictedClassesOf, type PredictedClasses } from '../core/labels/predictedClass.js';
import { parseModelArtifact, type ModelArtifact } from '../core/models/modelArtifact.js';
import { compileRowScorer } from '../core/models/predictModel.js';
import { isS3Uri } from '../data/objectStore.js';
import { localInputPaths } from '../data/s3InputFiles.js';
import { readServingState, type ServedModel, type ServingState } from '../data/servingState.js';
import { ModelFileError, type ModelFileProblem } from './modelFileError.js';
import { RequestFeatureEncoder } from './requestFeatureEncoder.js';
import type { ScoringMetrics } from './scoringMetrics.js';

/** Longest wait between two attempts to load a revision that failed, in ms. */
const MAX_RETRY_MS = 30_000;

/** What the service keeps per model sha256 for the feedback join: labels and the confusion counts of its predictions. */
export interface ModelSlot {
  sha256: string;
  /** The label values feedback is checked against. */
  labels: LabelVocabulary;
  /** tp, fn, fp, tn of feedback joined to this model's predictions. */
  confusion: Float64Array;
  /** A multi-class model: feedback is also counted per class value. */
  multiClass: boolean;
  /** Multi-class models: the class values and their K×K confusion (row = true class, column = predicted). */
  classConfusion: { values: string[]; counts: Float64Array } | null;
}

export interface LoadedModel {
  sha256: string;
  /** Index of this model's ModelSlot in `ServedModels.slots`. */
  slot: number;
  threshold: number;
  positiveLabel: string;
  negativeLabel: string;
  labels: LabelVocabulary;
  encoder: RequestFeatureEncoder;
  /** The class values `pred` answers with ([negative, positive] for a binary model), typed as the training label. */
  classes: PredictedClasses;
  /** Binary models: the positive-class probability of an encoded row. */
  score: ((x: Float64Array) => number) | null;
  /** Multi-class models: one compiled one-vs-rest scorer and threshold per class, in `classes` order. */
  multiClass: { scorers: Array<(x: Float64Array) => number>; thresholds: number[] } | null;
}

/** Everything a request is routed by; replaced as a whole, so a request sees one revision from start to end. */
export interface Routing {
  revision: number | null;
  champion: LoadedModel | null;
  challenger: LoadedModel | null;
  weight: number;
}

export interface ServedModelsOptions {
  /** Directory holding `<model>/state.json`. */
  servingDir: string;
  modelName: string;
  /** How often state.json is read for a new revision, in ms. */
  pollMs: number;
  /** One line per event worth telling an operator. */
  log: (line: string) => void;
  /**
   * A fixed model (`serve --model FILE`, `NAME/VERSION`, `NAME@ALIAS`): served alone, loaded once; state.json is
   * never read, so there is no canary split and no hot swap.
   */
  fixed?: { reference: string; model: ServedModel };
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** What a serving state serves, with its revision: two states of one key route requests alike. */
function stateKey(state: ServingState): string {
  const c = state.canary;
  return JSON.stringify([state.revision, state.champion?.sha256 ?? null, c?.challenger.sha256 ?? null, c?.weight ?? 0]);
}

export class ServedModels {
  private current: Routing = { revision: null, champion: null, challenger: null, weight: 0 };
  private readonly cache = new Map<string, LoadedModel>();
  /** One per model sha256 ever loaded, never removed: remembered predictions point at them by index. */
  readonly slots: ModelSlot[] = [];
  private readonly slotOf = new Map<string, number>();
  private refreshing: Promise<void> = Promise.resolve();
  /** The state whose load failed last (by stateKey; 'unreadable': state.json itself could not be read), retried with backoff. */
  private failedState: string | 'unreadable' | null = null;
  /** stateKey of the state now served. */
  private currentKey: string | null = null;
  /**
   * Why the last load failed (a model file named by ModelFileError, or the serving state itself), until a revision
   * loads: /score and /healthz answer with it while nothing serves, never "no champion is published".
   */
  private loadErrorText: string | null = null;
  private retryDelayMs: number;
  private retryAtMs = 0;
  private pollTimer: NodeJS.Timeout | null = null;
  private polling = false;

  constructor(
    private readonly o: ServedModelsOptions,
    private readonly metrics: Pick<ScoringMetrics, 'loadFailures' | 'showRouting'>,
  ) {
    this.retryDelayMs = o.pollMs;
  }

  /** The routing now served. */
  get routing(): Routing {
    return this.current;
  }

  /** Why the last load failed, while no later revision has loaded. */
  get loadError(): string | null {
    return this.loadErrorText;
  }

  /** The fixed model's reference as given, when the service serves one fixed model. */
  get fixedReference(): string | null {
    return this.o.fixed?.reference ?? null;
  }

  startPolling(): void {
    if (this.o.fixed) return;
    this.polling = true;
    const tick = () => {
      this.pollTimer = setTimeout(() => {
        void this.refresh(false)
          .catch(() => undefined)
          .finally(() => {
            if (this.polling) tick();
          });
      }, this.o.pollMs);
      this.pollTimer.unref();
    };
    tick();
  }

  stopPolling(): void {
    this.polling = false;
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

  unavailableReason(): string | null {
    return this.current.champion ? null : this.unavailable();
  }

  /** 503 text while nothing serves: the file that failed to load, or that nothing is published yet. */
  unavailable(): string {
    return this.loadErrorText ?? `no champion is published for model ${this.o.modelName} yet`;
  }

  /** Loads the fixed model once (its sha256 checked as any published model's); later refreshes change nothing. */
  private async loadFixed(fixed: { reference: string; model: ServedModel }): Promise<void> {
    if (this.current.champion) return;
    try {
      const champion = await this.loadModel(fixed.model, 'champion');
      this.current = { revision: null, champion, challenger: null, weight: 0 };
      this.afterSwap();
      this.loadErrorText = null;
      this.o.log(`serving the fixed model ${fixed.reference} (${champion.sha256.slice(0, 12)}): no canary split, no hot swap`);
    } catch (err) {
      this.metrics.loadFailures.inc();
      this.loadErrorText = err instanceof ModelFileError ? err.message : (err as Error).message;
      throw err;
    }
  }

  private async refreshOnce(now: boolean): Promise<void> {
    if (this.o.fixed) return this.loadFixed(this.o.fixed);
    const { servingDir, modelName } = this.o;
    let revision: number | null = null;
    let failedKey: string | null = null;
    if (!now && this.failedState === 'unreadable' && Date.now() < this.retryAtMs) return;
    try {
      const state = await readServingState(servingDir, modelName);
      if (state === null) return;
      // A state is new when what it serves differs, not only its revision: a publisher that found state.json deleted
      // or damaged numbers again from 1, and a service that compared revisions alone kept the old champion for good.
      const key = stateKey(state);
      if (key === this.currentKey) {
        // The served state readable again after a damaged read, or put back after a refused newer one: nothing to
        // load, and no error left to report (a refused revision withdrawn stayed in /healthz for good).
        if (this.failedState !== null) this.clearFailure();
        return;
      }
      revision = state.revision;
      failedKey = key;
      if (!now && key === this.failedState && Date.now() < this.retryAtMs) return;
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
      this.current = { revision, champion, challenger, weight };
      this.currentKey = key;
      this.afterSwap();
      this.clearFailure();
      this.o.log(
        `serving ${modelName} revision ${revision}: ${champion ? `champion ${champion.sha256.slice(0, 12)}` : 'no champion'}` +
          (challenger ? `, challenger ${challenger.sha256.slice(0, 12)} at ${weight}` : ''),
      );
    } catch (err) {
      this.metrics.loadFailures.inc();
      const still = this.current.revision === null ? 'nothing is served yet' : `still serving revision ${this.current.revision}`;
      const failed = failedKey ?? 'unreadable';
      this.retryDelayMs = failed === this.failedState ? Math.min(this.retryDelayMs * 2, MAX_RETRY_MS) : this.o.pollMs;
      this.failedState = failed;
      this.retryAtMs = Date.now() + this.retryDelayMs;
      this.loadErrorText =
        err instanceof ModelFileError
          ? err.message
          : `the serving state${revision !== null ? ` revision ${revision}` : ''} of ${modelName} could not be loaded: ${(err as Error).message}`;
      this.o.log(
        `could not load the serving state${revision !== null ? ` revision ${revision}` : ''} of ${modelName}: ${(err as Error).message}; ${still}`,
      );
      throw err;
    }
  }

  private clearFailure(): void {
    this.failedState = null;
    this.loadErrorText = null;
    this.retryDelayMs = this.o.pollMs;
  }

  /**
   * Reads, checks (file sha256, then the content seal) and compiles a model; cached by sha256. A file that cannot be
   * read or fails a check is a ModelFileError naming the arm and the path.
   */
  private async loadModel(served: ServedModel, arm: 'champion' | 'challenger'): Promise<LoadedModel> {
    const cached = this.cache.get(served.sha256);
    if (cached) return cached;
    if (typeof served.uri !== 'string' || !(served.uri.startsWith('file:') || isS3Uri(served.uri))) {
      throw new Error(`model ${served.sha256}: expected a file:// or s3:// URI, got ${JSON.stringify(served.uri)}`);
    }
    const path = isS3Uri(served.uri) ? served.uri : fileURLToPath(served.uri);
    const failed = (problem: ModelFileProblem, detail: string) => new ModelFileError(arm, problem, path, detail);
    const read = async (refresh: boolean): Promise<Buffer> => {
      try {
        // A model on s3:// is read from the local cache (downloaded once, checked against the size the server lists).
        return await readFile(isS3Uri(path) ? (await localInputPaths([path], `${arm} model`, refresh))[0]! : path);
      } catch (err) {
        throw failed('could not be read', (err as NodeJS.ErrnoException).code ?? (err as Error).message);
      }
    };
    let bytes = await read(false);
    let actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== served.sha256 && isS3Uri(path)) {
      // The local copy may be the damaged one: fetched again, only the object itself is blamed.
      bytes = await read(true);
      actual = createHash('sha256').update(bytes).digest('hex');
    }
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
      throw failed(
        'failed verification',
        (err as Error).message.replace(`${path} is not a usable rareflow model: `, '').replace(/\.$/, ''),
      );
    }
    await yieldToEventLoop();
    if (Math.abs(artifact.threshold - served.threshold) > 1e-12) {
      this.o.log(
        `model ${served.sha256.slice(0, 12)}: the serving state says threshold ${served.threshold}, the sealed file ${artifact.threshold}; using the file's`,
      );
    }
    let slot = this.slotOf.get(served.sha256);
    if (slot === undefined) {
      slot = this.slots.length;
      this.slots.push({
        sha256: served.sha256,
        labels: labelVocabularyOf(artifact),
        confusion: new Float64Array(4),
        multiClass: artifact.multiClass !== undefined,
        classConfusion: artifact.multiClass
          ? {
              values: predictedClassesOf(artifact).values,
              counts: new Float64Array(artifact.multiClass.classes.length ** 2),
            }
          : null,
      });
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
      classes: predictedClassesOf(artifact),
      score: artifact.multiClass ? null : compileRowScorer(artifact.model),
      multiClass: artifact.multiClass
        ? { scorers: artifact.multiClass.models.map((m) => compileRowScorer(m)), thresholds: artifact.multiClass.thresholds }
        : null,
    };
    this.cache.set(served.sha256, model);
    return model;
  }

  private afterSwap(): void {
    const r = this.current;
    for (const sha of [...this.cache.keys()]) if (sha !== r.champion?.sha256 && sha !== r.challenger?.sha256) this.cache.delete(sha);
    this.metrics.showRouting(r.revision, r.champion?.sha256 ?? null, r.challenger?.sha256 ?? null, r.weight);
  }
}

/**
 * One loaded model's answer for its encoder's row. Binary: `score` is the positive-class probability and class 1
 * (positive) is predicted at score ≥ threshold. Multi-class: every class's one-vs-rest score, the class whose score
 * is highest relative to its threshold (as `rareflow predict` picks it), and `score` that class's score.
 */
export interface RowPrediction {
  /** Index into `model.classes.values`. */
  classIndex: number;
  score: number;
  /** Multi-class models: each class's score, in `classes` order. */
  classScores: number[] | null;
  /** The binary view the logs, counters and feedback join keep: the positive class (multi-class: the first class). */
  positive: boolean;
}

export function predictRow(model: LoadedModel, x: Float64Array): RowPrediction {
  if (model.score) {
    const score = model.score(x);
    const positive = score >= model.threshold;
    return { classIndex: positive ? 1 : 0, score, classScores: null, positive };
  }
  const mc = model.multiClass!;
  const classScores = mc.scorers.map((f) => f(x));
  let best = 0;
  let bestValue = -Infinity;
  classScores.forEach((s, c) => {
    const v = s / Math.max(mc.thresholds[c]!, 1e-12);
    if (v > bestValue) {
      bestValue = v;
      best = c;
    }
  });
  return { classIndex: best, score: classScores[best]!, classScores, positive: best === 0 };
}
