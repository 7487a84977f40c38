// The Prometheus families of one scoring service, on a prom-client Registry of its own (two services in one process
// never share a series): each with its help text and fixed label values, its series bound once, so no label grows.

import { Counter, Gauge, Registry } from 'prom-client';
import type { ServingArm } from '../data/servingLog.js';
import { LeLastHistogram } from './prometheusExposition.js';

export const ARMS = ['champion', 'challenger'] as const;
export const CLASSES = ['positive', 'negative'] as const;
/** Upper bounds of the latency histogram, in seconds. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

export interface CounterSeries {
  inc(by?: number): void;
}

export interface HistogramSeries {
  observe(value: number): void;
}

/** What the gauges computed at scrape time are read from. */
export interface ScrapeSources {
  /** Predictions remembered for the feedback join. */
  recentPredictions(): number;
  /** tp, fn, fp, tn of feedback joined to the predictions of the model now serving `arm`; null when no model serves it. */
  confusion(arm: ServingArm): ArrayLike<number> | null;
  /** Multi-class models: class values and K×K confusion (row = true class) of the model now serving `arm`. */
  classConfusion?(arm: ServingArm): { values: string[]; counts: ArrayLike<number> } | null;
}

export interface ScoringMetrics {
  /** The service's own registry: what /metrics renders. */
  registry: Registry;
  /** Answered by an arm: ok or error; never reached a model (arm "none"): error (503) or bad_request (400, 415). */
  requestCount: Record<ServingArm, Record<'ok' | 'error', CounterSeries>> & { none: Record<'error' | 'bad_request', CounterSeries> };
  latency: Record<ServingArm, HistogramSeries>;
  predictionCount: Record<ServingArm, Record<'positive' | 'negative', CounterSeries>>;
  feedbackCount: Record<'positive' | 'negative', CounterSeries>;
  /**
   * Multi-class models: predictions of `arm` whose class is `classValue` (the `class` label is the class value, so
   * the series are bounded by the served models' classes; binary models keep `positive`/`negative`).
   */
  classPredictionCount(arm: ServingArm, classValue: string): CounterSeries;
  /** Multi-class models: true labels received of class `classValue`. */
  classFeedbackCount(classValue: string): CounterSeries;
  feedbackRefused: CounterSeries;
  /** Labels accepted for a request this replica holds no recent prediction of (another replica's, forgotten, or never scored). */
  feedbackUnmatched: CounterSeries;
  loadFailures: CounterSeries;
  logWriteFailures: Record<'predictions' | 'feedback', CounterSeries>;
  /** Answered requests whose value of categorical `feature` was a category training never saw (scored all-zero). */
  unseenCategory(feature: string): CounterSeries;
  /** Shows the routing now served: the canary weight, the state revision (null: none yet) and each loaded model. */
  showRouting(revision: number | null, champion: string | null, challenger: string | null, weight: number): void;
}

/**
 * Recall or precision per arm and class of the models now serving, from the confusion counts of their joined
 * feedback; a class without support has no series (rather than a 0 or NaN that would read as a measurement).
 */
function ratioGauge(
  registry: Registry,
  sources: ScrapeSources,
  name: 'rareflow_recall' | 'rareflow_precision',
  help: string,
): Gauge<'arm' | 'class'> {
  return new Gauge({
    name,
    help,
    labelNames: ['arm', 'class'],
    registers: [registry],
    collect(this: Gauge<'arm' | 'class'>) {
      this.reset();
      for (const arm of ARMS) {
        const classes = sources.classConfusion?.(arm) ?? null;
        if (classes) {
          // Multi-class: one series per class value, from the per-class confusion.
          const k = classes.values.length;
          classes.values.forEach((value, c) => {
            let along = 0;
            for (let o = 0; o < k; o++) along += name === 'rareflow_recall' ? classes.counts[c * k + o]! : classes.counts[o * k + c]!;
            if (along > 0) this.set({ arm, class: value }, classes.counts[c * k + c]! / along);
          });
          continue;
        }
        const c = sources.confusion(arm);
        if (!c) continue;
        const tp = c[0]!;
        const fn = c[1]!;
        const fp = c[2]!;
        const tn = c[3]!;
        if (name === 'rareflow_recall') {
          if (tp + fn > 0) this.set({ arm, class: 'positive' }, tp / (tp + fn));
          if (tn + fp > 0) this.set({ arm, class: 'negative' }, tn / (tn + fp));
        } else {
          if (tp + fp > 0) this.set({ arm, class: 'positive' }, tp / (tp + fp));
          if (tn + fn > 0) this.set({ arm, class: 'negative' }, tn / (tn + fn));
        }
      }
    },
  });
}

/** A counter series shown (at 0) from the start, so a scrape lists every outcome before it happens. */
function boundCounter<T extends string>(counter: Counter<T>, labels: Record<T, string>): CounterSeries {
  counter.inc(labels, 0);
  return counter.labels(labels);
}

/** Declares every family of one service on a new registry and returns its series. */
export function defineScoringMetrics(sources: ScrapeSources): ScoringMetrics {
  const registry = new Registry();
  const registers = [registry];
  const requests = new Counter({
    name: 'rareflow_requests_total',
    help: 'Requests by the arm that answered (none: never reached a model: a refused /score or /feedback body, or no model loaded) and outcome.',
    labelNames: ['arm', 'status'],
    registers,
  });
  const request = (arm: ServingArm | 'none', status: 'ok' | 'error' | 'bad_request') => boundCounter(requests, { arm, status });
  const requestCount = {
    champion: { ok: request('champion', 'ok'), error: request('champion', 'error') },
    challenger: { ok: request('challenger', 'ok'), error: request('challenger', 'error') },
    none: { error: request('none', 'error'), bad_request: request('none', 'bad_request') },
  };
  const duration = new LeLastHistogram({
    name: 'rareflow_request_duration_seconds',
    help: 'Time from receiving a score request to its answer, by arm.',
    labelNames: ['arm'],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  for (const arm of ARMS) duration.zero({ arm });
  const latency = { champion: duration.labels({ arm: 'champion' }), challenger: duration.labels({ arm: 'challenger' }) };
  const predictions = new Counter({
    name: 'rareflow_predictions_total',
    help: 'Predicted classes by arm.',
    labelNames: ['arm', 'class'],
    registers,
  });
  const prediction = (arm: ServingArm, cls: 'positive' | 'negative') => boundCounter(predictions, { arm, class: cls });
  const predictionCount = {
    champion: { positive: prediction('champion', 'positive'), negative: prediction('champion', 'negative') },
    challenger: { positive: prediction('challenger', 'positive'), negative: prediction('challenger', 'negative') },
  };
  const feedback = new Counter({
    name: 'rareflow_feedback_total',
    help: "True labels received, by class (checked against the model's stored label values).",
    labelNames: ['class'],
    registers,
  });
  const feedbackCount = {
    positive: boundCounter(feedback, { class: 'positive' }),
    negative: boundCounter(feedback, { class: 'negative' }),
  };
  const perClass = new Map<string, CounterSeries>();
  const classSeries = <T extends string>(family: string, counter: Counter<T>, labels: Record<T, string>): CounterSeries => {
    const key = `${family}\u0000${JSON.stringify(labels)}`;
    let series = perClass.get(key);
    if (series === undefined) {
      series = boundCounter(counter, labels);
      perClass.set(key, series);
    }
    return series;
  };
  const classPredictionCount = (arm: ServingArm, classValue: string) => classSeries('predictions', predictions, { arm, class: classValue });
  const classFeedbackCount = (classValue: string) => classSeries('feedback', feedback, { class: classValue });
  const feedbackRefused = new Counter({
    name: 'rareflow_feedback_refused_total',
    help: "Labels refused (400): not one of the model's label values; nothing of their request was written.",
    registers,
  });
  const feedbackUnmatched = new Counter({
    name: 'rareflow_feedback_unmatched_total',
    help: "Labels accepted for a request id this replica holds no recent prediction of: another replica's, older than its memory, or never scored.",
    registers,
  });
  ratioGauge(
    registry,
    sources,
    'rareflow_recall',
    "Per-class recall of the model now serving each arm, from feedback joined to this replica's recent predictions.",
  );
  ratioGauge(
    registry,
    sources,
    'rareflow_precision',
    "Per-class precision of the model now serving each arm, from feedback joined to this replica's recent predictions.",
  );
  const canaryWeight = new Gauge({
    name: 'rareflow_canary_weight',
    help: "The challenger's share of requests (0 without a canary).",
    registers,
  });
  const revision = new Gauge({
    name: 'rareflow_serving_state_revision',
    help: 'Revision of the serving state now served (-1: none yet).',
    registers,
  });
  revision.set(-1);
  // Its sha256 label is bounded by showRouting: at most one series per arm, the models now loaded.
  const modelInfo = new Gauge({
    name: 'rareflow_model_info',
    help: 'The model serving each arm (1 per loaded arm).',
    labelNames: ['arm', 'sha256'],
    registers,
  });
  const loadFailures = new Counter({
    name: 'rareflow_model_load_failures_total',
    help: 'Serving states whose models could not be loaded (the old routing stayed).',
    registers,
  });
  const writeFailures = new Counter({
    name: 'rareflow_log_write_failures_total',
    help: 'Failed writes of a log batch (its rows stay queued for the next write).',
    labelNames: ['log'],
    registers,
  });
  const logWriteFailures = {
    predictions: boundCounter(writeFailures, { log: 'predictions' }),
    feedback: boundCounter(writeFailures, { log: 'feedback' }),
  };
  // Its feature label is bounded by the categorical columns of the models served.
  const unseen = new Counter({
    name: 'rareflow_unseen_categories_total',
    help: 'Scored requests whose categorical feature held a category not seen in training (one-hot all zeros), by feature.',
    labelNames: ['feature'],
    registers,
  });
  new Gauge({
    name: 'rareflow_recent_predictions',
    help: 'Predictions remembered for the feedback join.',
    registers,
    collect(this: Gauge) {
      this.set(sources.recentPredictions());
    },
  });
  return {
    registry,
    requestCount,
    latency,
    predictionCount,
    feedbackCount,
    classPredictionCount,
    classFeedbackCount,
    feedbackRefused,
    feedbackUnmatched,
    loadFailures,
    logWriteFailures,
    unseenCategory: (feature) => unseen.labels({ feature }),
    showRouting(servedRevision, champion, challenger, weight) {
      canaryWeight.set(challenger ? weight : 0);
      revision.set(servedRevision ?? -1);
      modelInfo.reset();
      if (champion) modelInfo.set({ arm: 'champion', sha256: champion }, 1);
      if (challenger) modelInfo.set({ arm: 'challenger', sha256: challenger }, 1);
    },
  };
}
