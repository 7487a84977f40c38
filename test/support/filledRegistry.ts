// A registry filled through the Registry API as retrains would fill it: card-fraud with three versions (promoted,
// promoted through a canary after drift, rolled back), and churn with one run waiting for approval.
// With an artifact root, each run also gets a JSON and an HTML run report and the key file that ties them.

import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Registry } from '../../data/registry.js';

export const sha = (text: string) => createHash('sha256').update(text).digest('hex');

export const MODEL_V1 = sha('card-fraud model 1');
export const MODEL_V2 = sha('card-fraud model 2');
export const MODEL_V3 = sha('card-fraud model 3');
export const CHURN_V1 = sha('churn model 1');
/** When run-2's stages ran, as its retrain recorded them. */
export const RUN_2_STAGES = [
  ['describing input', '2026-11-03T10:01:00.000Z', 800],
  ['adaptive sampling', '2026-11-03T10:01:00.800Z', 12_400],
  ['merge and split', '2026-11-03T10:01:13.200Z', 2_100],
  ['training', '2026-11-03T10:01:15.300Z', 14_700],
  ['validation', '2026-11-03T10:01:30.000Z', 3_000],
  ['canary', '2026-11-03T10:01:33.000Z', 2_307_000],
].map(([stage, startedAt, durationMs]) => ({
  stage: stage as string,
  startedAt: startedAt as string,
  finishedAt: new Date(Date.parse(startedAt as string) + (durationMs as number)).toISOString(),
  durationMs: durationMs as number,
}));

export const WAITING_RUN = 'churn-run-1';

const checks = (verdict: string) => [
  {
    name: 'recall.positive >= 0.6',
    metric: 'recall',
    class: 'positive',
    value: verdict === 'fail' ? 0.41 : 0.78,
    interval: [0.7, 0.85],
    limit: 0.6,
    comparison: '>=',
    passed: verdict === 'fail' ? false : verdict === 'pass' ? true : null,
    reason: verdict === 'insufficient-evidence' ? 'only 12 positives in the test split' : 'recall of positive vs 0.6',
  },
];

function report(recallPositive: number, threshold: number): Record<string, number | null> {
  return {
    gMean: Math.sqrt(recallPositive * 0.95),
    prAucNormalised: 0.52,
    brier: 0.031,
    threshold,
    'recall.positive': recallPositive,
    'precision.positive': 0.44,
    'f1.positive': 0.56,
    'support.positive': 120,
    'recallLower.positive': recallPositive - 0.07,
    'recallUpper.positive': recallPositive + 0.06,
    'recall.negative': 0.95,
    'precision.negative': 0.99,
    'f1.negative': 0.97,
    'support.negative': 3880,
    'recallLower.negative': 0.94,
    'recallUpper.negative': 0.96,
  };
}

/** One arm of a canary window as canaryAnalysis summarises it. */
const arm = (labelled: number, positiveRecall: number) => ({
  requests: labelled * 2,
  errorRate: 0,
  latencyP99Ms: 4,
  labelled,
  positiveRecall,
  negativeRecall: 0.95,
  positivePrecision: 0.4,
  negativePrecision: 0.99,
  gMean: Math.sqrt(positiveRecall * 0.95),
});

/** Writes a run's JSON report, its HTML report and the key file linking them; returns the JSON report's URI. */
async function writeReports(artifactRoot: string, runId: string): Promise<string> {
  const json = JSON.stringify({ run: runId });
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>run report ${runId}</title></head><body><h1>run ${runId}</h1></body></html>`;
  const put = async (text: string, kind: string, ext: string) => {
    const hash = sha(text);
    const dir = join(artifactRoot, hash.slice(0, 2));
    await mkdir(dir, { recursive: true });
    const path = join(dir, `${hash}.${ext}`);
    await writeFile(path, text);
    return { sha256: hash, uri: pathToFileURL(path).href, bytes: Buffer.byteLength(text), kind };
  };
  const reportRef = await put(json, 'validation-report', 'json');
  const htmlRef = await put(html, 'run-report', 'html');
  await mkdir(join(artifactRoot, 'keys'), { recursive: true });
  await writeFile(join(artifactRoot, 'keys', `${sha(`key ${runId}`)}.json`), JSON.stringify({ report: reportRef, html: htmlRef }));
  return reportRef.uri;
}

async function retrain(
  r: Registry,
  o: {
    runId: string;
    modelName: string;
    modelSha256: string;
    at: string;
    trigger: { kind: string; reason: string };
    verdict: string;
    recall: number;
    requireApproval?: boolean;
    champion?: string;
    artifactRoot?: string;
  },
): Promise<string | undefined> {
  await r.startRun({
    runId: o.runId,
    modelName: o.modelName,
    workflowId: o.runId,
    startedAt: o.at,
    seed: 7,
    params: { spec: { modelName: o.modelName, requireApproval: o.requireApproval ?? false }, trigger: { ...o.trigger, coalesced: 1 } },
    inputHashes: { 'data/train.parquet': sha(`${o.runId} input`) },
    codeVersion: 'abc1234',
  });
  for (const [role, rows, positives] of [
    ['train', 8000, 240],
    ['test', 4000, 120],
    ['train-augmented', 9500, 1740],
  ] as const) {
    await r.recordDataset({ sha256: sha(`${o.runId} ${role}`), uri: `file:///data/${role}.arrow`, rows, positives, role, runId: o.runId });
  }
  await r.recordModel({
    modelSha256: o.modelSha256,
    modelName: o.modelName,
    runId: o.runId,
    uri: `file:///artifacts/${o.modelSha256}.json`,
    kind: 'forest',
    threshold: 0.31,
    createdAt: o.at.replace(':00.000Z', ':30.000Z'),
  });
  await r.recordMetrics(o.runId, o.modelSha256, 'test', report(o.recall, 0.31));
  if (o.champion) await r.recordMetrics(o.runId, o.champion, 'test', report(0.7, 0.28));
  await r.recordGateVerdict(o.runId, o.modelSha256, o.verdict, checks(o.verdict));
  await r.recordLineage(
    o.runId,
    sha(`${o.runId} synthetic`),
    new Int32Array([0, 1, 2]),
    new Int32Array([3, 4, 5]),
    new Float64Array([0.1, 0.5, 0.9]),
  );
  return o.artifactRoot ? writeReports(o.artifactRoot, o.runId) : undefined;
}

/** Fills `registryPath` (created) as described above and closes it. */
export async function fillRegistry(registryPath: string, artifactRoot?: string): Promise<void> {
  const r = await Registry.open(registryPath);
  try {
    const base = { modelName: 'card-fraud', ...(artifactRoot ? { artifactRoot } : {}) };
    const u1 = await retrain(r, {
      ...base,
      runId: 'run-1',
      modelSha256: MODEL_V1,
      at: '2026-11-01T09:00:00.000Z',
      trigger: { kind: 'initial', reason: 'rareflow run' },
      verdict: 'pass',
      recall: 0.74,
    });
    await r.finishRun('run-1', {
      finishedAt: '2026-11-01T09:05:00.000Z',
      status: 'succeeded',
      outcome: 'promoted',
      ...(u1 ? { reportUri: u1 } : {}),
    });
    await r.promote('card-fraud', MODEL_V1, 'run-1', '2026-11-01T09:05:00.000Z');

    await r.recordDriftEvent({
      modelName: 'card-fraud',
      at: '2026-11-03T10:00:00.000Z',
      source: 'driftMonitor',
      evidence: { reason: 'psi 0.31 on amount', metrics: { psi: 0.31 } },
    });
    await r.recordDriftEvent({
      modelName: 'card-fraud',
      at: '2026-11-03T10:01:00.000Z',
      source: 'lifecycle',
      evidence: { reason: 'psi 0.31 on amount', coalesced: 1 },
      runId: 'run-2',
    });
    const u2 = await retrain(r, {
      ...base,
      runId: 'run-2',
      modelSha256: MODEL_V2,
      at: '2026-11-03T10:01:00.000Z',
      trigger: { kind: 'drift', reason: 'psi 0.31 on amount' },
      verdict: 'pass',
      recall: 0.81,
      champion: MODEL_V1,
    });
    await r.setCanary({
      rolloutId: 'run-2-canary',
      modelName: 'card-fraud',
      challengerSha256: MODEL_V2,
      championSha256: MODEL_V1,
      weight: 0.05,
      step: 0,
      sinceMs: Date.parse('2026-11-03T10:10:00.000Z'),
      at: '2026-11-03T10:10:00.000Z',
    });
    const windows = [0.05, 0.25, 0.5].map((weight, step) => ({
      step,
      weight,
      fromMs: Date.parse('2026-11-03T10:10:00.000Z') + step * 600_000,
      toMs: Date.parse('2026-11-03T10:20:00.000Z') + step * 600_000,
      extension: 0,
      decision: 'promote',
      reasons: [`recall of positive held at weight ${weight}`],
      arms: { champion: arm(400, 0.7), challenger: arm(40 + step * 100, 0.8) },
    }));
    await r.promote('card-fraud', MODEL_V2, 'run-2', '2026-11-03T10:40:00.000Z');
    await r.finishCanary('run-2-canary', 'promoted', 'every window held', windows, '2026-11-03T10:40:00.000Z');
    await r.finishRun('run-2', {
      finishedAt: '2026-11-03T10:40:00.000Z',
      status: 'succeeded',
      outcome: 'promoted',
      ...(u2 ? { reportUri: u2 } : {}),
    });
    await r.recordStageTimings('run-2', RUN_2_STAGES);

    const u3 = await retrain(r, {
      ...base,
      runId: 'run-3',
      modelSha256: MODEL_V3,
      at: '2026-11-05T08:00:00.000Z',
      trigger: { kind: 'schedule', reason: 'nightly <retrain> & check' },
      verdict: 'pass',
      recall: 0.79,
      champion: MODEL_V2,
    });
    await r.setCanary({
      rolloutId: 'run-3-canary',
      modelName: 'card-fraud',
      challengerSha256: MODEL_V3,
      championSha256: MODEL_V2,
      weight: 0.05,
      step: 0,
      sinceMs: Date.parse('2026-11-05T08:10:00.000Z'),
      at: '2026-11-05T08:10:00.000Z',
    });
    await r.finishCanary(
      'run-3-canary',
      'rolled-back',
      'positive recall fell 0.12 below the champion',
      [{ ...windows[0], decision: 'rollback', reasons: ['positive recall fell 0.12 below the champion'] }],
      '2026-11-05T08:20:00.000Z',
    );
    await r.finishRun('run-3', {
      finishedAt: '2026-11-05T08:20:00.000Z',
      status: 'succeeded',
      outcome: 'rolled-back',
      ...(u3 ? { reportUri: u3 } : {}),
    });

    await retrain(r, {
      runId: WAITING_RUN,
      modelName: 'churn',
      modelSha256: CHURN_V1,
      at: '2026-11-06T12:00:00.000Z',
      trigger: { kind: 'manual', reason: 'first churn model' },
      verdict: 'pass',
      recall: 0.66,
      requireApproval: true,
      ...(artifactRoot ? { artifactRoot } : {}),
    });
  } finally {
    await r.close();
  }
}
