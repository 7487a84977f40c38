// Fixed states for the golden tests of the human tables (test/client/stateTables.test.ts): a lifecycle waiting for
// approval, a canary mid-rollout, a drift monitor, schedules and an evaluation, all at one fixed "now".

import type { ApprovalEvidence } from '../../client/approvalEvidence.js';
import type { EvaluationView, ScheduleList, StatusView } from '../../client/stateTables.js';
import type { CanaryRolloutStatus, DriftMonitorStatus } from '../../workflows/contract.js';

export const NOW_MS = Date.parse('2026-12-04T18:00:00Z');
const SHA_A = 'a'.repeat(64);
const SHA_B = 'b'.repeat(64);

export const evidence: ApprovalEvidence = {
  runId: 'rareflow-retrain-card-fraud-2',
  modelSha256: SHA_B,
  validation: {
    verdict: 'insufficient-evidence',
    reasons: ['recall.positive: 12 positives in the test split, below the 30 needed'],
    positive: { support: 12, recall: 0.75, precision: 0.5 },
    negative: { support: 988, recall: 0.991, precision: 0.997 },
    gMean: 0.862,
    prAucNormalised: 0.41,
    brier: 0.0123,
    threshold: 0.0421,
    champion: { modelSha256: SHA_A, positiveRecall: 0.667, gMean: 0.81 },
  },
  reportPath: '/state/artifacts/cc/report.json',
  reportHtmlPath: '/state/artifacts/dd/report.html',
};

export const waitingStatus: StatusView = {
  modelName: 'card-fraud',
  phase: 'awaiting-approval',
  currentRunId: 'rareflow-retrain-card-fraud-2',
  retrainCount: 1,
  championSha256: SHA_A,
  history: [
    {
      runId: 'rareflow-retrain-card-fraud-1',
      outcome: 'promoted',
      trigger: 'initial',
      modelSha256: SHA_A,
      startedAt: '2026-12-04T16:55:00.000Z',
      finishedAt: '2026-12-04T17:00:00.000Z',
    },
  ],
  lastRetrainAt: '2026-12-04T17:00:00.000Z',
  continuedAsNewTimes: 0,
  refused: [],
  ignoredDecisions: 0,
  pending: { kind: 'drift', reason: 'psi 0.31 on amount', coalesced: 2 },
  monitor: { windowsChecked: 14, errorCount: 1, lastError: null },
  awaitingApproval: evidence,
};

export const canary: CanaryRolloutStatus = {
  rolloutId: 'rareflow-retrain-card-fraud-3-canary',
  modelName: 'card-fraud',
  challengerSha256: SHA_B,
  championSha256: SHA_A,
  phase: 'observing',
  steps: [0.05, 0.25, 0.5, 1],
  step: 1,
  weight: 0.25,
  windows: [
    {
      step: 0,
      weight: 0.05,
      fromMs: NOW_MS - 20 * 60_000,
      toMs: NOW_MS - 10 * 60_000,
      extension: 0,
      decision: 'promote',
      reasons: [],
      arms: {
        champion: {
          requests: 9500,
          errorRate: 0,
          latencyP99Ms: 4,
          labelled: 900,
          positiveRecall: 0.7,
          negativeRecall: 0.99,
          positivePrecision: 0.5,
          negativePrecision: 0.99,
          gMean: 0.83,
        },
        challenger: {
          requests: 500,
          errorRate: 0,
          latencyP99Ms: 4,
          labelled: 48,
          positiveRecall: 0.8,
          negativeRecall: 0.99,
          positivePrecision: 0.5,
          negativePrecision: 0.99,
          gMean: 0.89,
        },
      },
    },
  ],
};

export const monitor: DriftMonitorStatus = {
  modelName: 'card-fraud',
  windowMs: 3_600_000,
  holdWindows: 3,
  coolDownMs: 21_600_000,
  stopped: false,
  hysteresis: { consecutiveDrifted: 1, lastTriggerAtMs: null, lastWindowAtMs: NOW_MS - 5 * 60_000, fires: 0 },
  lastWindowEndMs: NOW_MS - 5 * 60_000,
  championSha256: SHA_A,
  driftSinceMs: NOW_MS - 65 * 60_000,
  windows: [
    {
      fromMs: NOW_MS - 125 * 60_000,
      toMs: NOW_MS - 65 * 60_000,
      status: 'checked',
      rows: 1200,
      labelled: 300,
      drifted: false,
      reasons: [],
      fired: false,
    },
    {
      fromMs: NOW_MS - 65 * 60_000,
      toMs: NOW_MS - 5 * 60_000,
      status: 'checked',
      rows: 1180,
      labelled: 290,
      drifted: true,
      reasons: ['amount: PSI 0.31 > 0.2'],
      fired: false,
    },
  ],
  windowsChecked: 2,
  generation: 0,
  errorCount: 0,
  lastError: null,
};

export const schedules: ScheduleList = {
  schedules: [
    { id: 'rareflow-retrain-card-fraud', paused: false, next: '2026-12-05T03:00:00.000Z' },
    { id: 'rareflow-retrain-churn', paused: true, note: 'holiday freeze' },
  ],
};

export const evaluation: EvaluationView = {
  model: 'card-fraud/2',
  input: 'holdout.csv',
  rows: 1000,
  registered: { name: 'card-fraud', version: 2, sha256: SHA_B },
  report: {
    perClass: {
      positive: { support: 12, recall: 0.75, precision: 0.5, f1: 0.6 },
      negative: { support: 988, recall: 0.991, precision: 0.997, f1: 0.994 },
    },
    gMean: 0.862,
    prAucNormalised: 0.41,
    brier: 0.0123,
    threshold: 0.0421,
  },
  verdict: 'pass',
  reasons: [],
  reportPath: '/work/report/report.json',
  warnings: [
    'column "amount" of holdout.csv: 3 of 1000 rows are missing; scored with the training fill 42.5 (the model was trained with --missing median)',
  ],
  seconds: 0.42,
};

/** The same canary over a three-class label: each window carries each class's recall of both arms. */
export const multiClassCanary: CanaryRolloutStatus = {
  ...canary,
  modelName: 'animals',
  rolloutId: 'rareflow-retrain-animals-2-canary',
  windows: canary.windows.map((w) => ({
    ...w,
    arms: {
      champion: { ...w.arms.champion, classRecall: { bird: 0.95, cat: 0.97, eel: 0.9 }, macroGMean: 0.94 },
      challenger: { ...w.arms.challenger, classRecall: { bird: 0.96, cat: 0.98, eel: null }, macroGMean: null },
    },
  })),
};
