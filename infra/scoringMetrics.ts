// The Prometheus families of the scoring service, each with its help text and fixed label values; the service
// holds the series and increments them, and fills the recall and precision gauges before each render.

import type { ServingArm } from '../data/servingLog.js';
import { MetricsRegistry, type CounterSeries, type HistogramSeries } from './servingMetrics.js';

export const ARMS = ['champion', 'challenger'] as const;
export const CLASSES = ['positive', 'negative'] as const;
/** Upper bounds of the latency histogram, in seconds. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

export interface ScoringMetrics {
  /** Answered by an arm: ok or error; never reached a model (arm "none"): error (503) or bad_request (400, 415). */
  requestCount: Record<ServingArm, Record<'ok' | 'error', CounterSeries>> & { none: Record<'error' | 'bad_request', CounterSeries> };
  latency: Record<ServingArm, HistogramSeries>;
  predictionCount: Record<ServingArm, Record<'positive' | 'negative', CounterSeries>>;
  feedbackCount: Record<'positive' | 'negative', CounterSeries>;
  feedbackRefused: CounterSeries;
  loadFailures: CounterSeries;
  logWriteFailures: Record<'predictions' | 'feedback', CounterSeries>;
  canaryWeight: ReturnType<MetricsRegistry['gauge']>;
  revisionGauge: ReturnType<MetricsRegistry['gauge']>;
  modelInfo: ReturnType<MetricsRegistry['gauge']>;
  recall: ReturnType<MetricsRegistry['gauge']>;
  precision: ReturnType<MetricsRegistry['gauge']>;
  recentGauge: ReturnType<MetricsRegistry['gauge']>;
}

/** Declares every family of the service on `m` and returns its series. */
export function defineScoringMetrics(m: MetricsRegistry): ScoringMetrics {
  const requests = m.counter({
    name: 'rareflow_requests_total',
    help: 'Score requests by the arm that answered (none: never reached a model) and outcome.',
    labelNames: ['arm', 'status'],
    labelValues: { arm: [...ARMS, 'none'], status: ['ok', 'error', 'bad_request'] },
  });
  const requestCount = {
    champion: { ok: requests.labels('champion', 'ok'), error: requests.labels('champion', 'error') },
    challenger: { ok: requests.labels('challenger', 'ok'), error: requests.labels('challenger', 'error') },
    none: { error: requests.labels('none', 'error'), bad_request: requests.labels('none', 'bad_request') },
  };
  const duration = m.histogram({
    name: 'rareflow_request_duration_seconds',
    help: 'Time from receiving a score request to its answer, by arm.',
    labelNames: ['arm'],
    labelValues: { arm: ARMS },
    buckets: LATENCY_BUCKETS,
  });
  const latency = { champion: duration.labels('champion'), challenger: duration.labels('challenger') };
  const predictions = m.counter({
    name: 'rareflow_predictions_total',
    help: 'Predicted classes by arm.',
    labelNames: ['arm', 'class'],
    labelValues: { arm: ARMS, class: CLASSES },
  });
  const predictionCount = {
    champion: { positive: predictions.labels('champion', 'positive'), negative: predictions.labels('champion', 'negative') },
    challenger: { positive: predictions.labels('challenger', 'positive'), negative: predictions.labels('challenger', 'negative') },
  };
  const feedback = m.counter({
    name: 'rareflow_feedback_total',
    help: "True labels received, by class (checked against the model's stored label values).",
    labelNames: ['class'],
    labelValues: { class: CLASSES },
  });
  const feedbackCount = { positive: feedback.labels('positive'), negative: feedback.labels('negative') };
  const feedbackRefused = m
    .counter({ name: 'rareflow_feedback_refused_total', help: "Labels refused (400): not one of the model's label values; nothing of their request was written." })
    .labels();
  const recall = m.gauge({
    name: 'rareflow_recall',
    help: "Per-class recall of the model now serving each arm, from feedback joined to this replica's recent predictions.",
    labelNames: ['arm', 'class'],
    labelValues: { arm: ARMS, class: CLASSES },
  });
  const precision = m.gauge({
    name: 'rareflow_precision',
    help: "Per-class precision of the model now serving each arm, from feedback joined to this replica's recent predictions.",
    labelNames: ['arm', 'class'],
    labelValues: { arm: ARMS, class: CLASSES },
  });
  const canaryWeight = m.gauge({ name: 'rareflow_canary_weight', help: "The challenger's share of requests (0 without a canary)." });
  canaryWeight.labels().set(0);
  const revisionGauge = m.gauge({ name: 'rareflow_serving_state_revision', help: 'Revision of the serving state now served (-1: none yet).' });
  revisionGauge.labels().set(-1);
  const modelInfo = m.gauge({
    name: 'rareflow_model_info',
    help: 'The model serving each arm (1 per loaded arm).',
    labelNames: ['arm', 'sha256'],
    labelValues: { arm: ARMS },
    maxSeries: 2,
  });
  const failures = m.counter({ name: 'rareflow_model_load_failures_total', help: 'Serving states whose models could not be loaded (the old routing stayed).' });
  const loadFailures = failures.labels();
  const writeFailures = m.counter({
    name: 'rareflow_log_write_failures_total',
    help: 'Failed writes of a log batch (its rows stay queued for the next write).',
    labelNames: ['log'],
    labelValues: { log: ['predictions', 'feedback'] },
  });
  const logWriteFailures = { predictions: writeFailures.labels('predictions'), feedback: writeFailures.labels('feedback') };
  const recentGauge = m.gauge({ name: 'rareflow_recent_predictions', help: 'Predictions remembered for the feedback join.' });
  return { requestCount, latency, predictionCount, feedbackCount, feedbackRefused, loadFailures, logWriteFailures, canaryWeight, revisionGauge, modelInfo, recall, precision, recentGauge };
}
