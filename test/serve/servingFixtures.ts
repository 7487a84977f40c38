// Real model files for the scoring-service tests: small models fitted with the project's training code on seeded
// generated rows (three numeric columns and a categorical one), stored in a temp artifact store and published.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fitModelArtifact } from '../../stages/train.js';
import { featureMatrix, type LabelledData } from '../../core/dataset.js';
import { scoreModel, type ModelArtifact } from '../../core/models/modelArtifact.js';
import { seededRandom } from '../../core/random.js';
import { ArtifactStore } from '../../data/artifactStore.js';
import type { ArtifactRef } from '../../core/pipelineTypes.js';
import { SERVING_STATE_FORMAT, writeServingState, type ServedModel } from '../../data/servingState.js';

export const MODEL_NAME = 'fraud';
export const NUMERIC = ['amount', 'age', 'velocity'] as const;
export const CHANNELS = ['app', 'shop', 'web'] as const;
export const FEATURE_NAMES = [...NUMERIC, ...CHANNELS.map((c) => `channel=${c}`)];

export interface RawRow {
  amount: number;
  age: number;
  velocity: number;
  channel: string | null;
}

/** Seeded rows: positives (20%) have shifted numbers and prefer the web channel. */
export function generatedRows(n: number, seed: number): { rows: RawRow[]; labels: Uint8Array } {
  const random = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
  const rows: RawRow[] = [];
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const positive = random.next() < 0.2;
    labels[i] = positive ? 1 : 0;
    const shift = positive ? 1.5 : 0;
    const u = random.next();
    const channel = positive ? (u < 0.6 ? 'web' : u < 0.8 ? 'app' : 'shop') : u < 0.2 ? 'web' : u < 0.6 ? 'app' : 'shop';
    rows.push({ amount: normal() + shift, age: normal() - shift / 2, velocity: normal() + shift / 3, channel });
  }
  return { rows, labels };
}

/** The model's feature row of a raw row, one-hot as `rareflow predict` encodes it (unseen or null: all zeros). */
export function encodeRow(row: RawRow): Float64Array {
  const x = new Float64Array(FEATURE_NAMES.length);
  x[0] = row.amount;
  x[1] = row.age;
  x[2] = row.velocity;
  const at = CHANNELS.indexOf(row.channel as (typeof CHANNELS)[number]);
  if (at >= 0) x[3 + at] = 1;
  return x;
}

export function labelledData(rows: RawRow[], labels: Uint8Array): LabelledData {
  const x = new Float64Array(rows.length * FEATURE_NAMES.length);
  rows.forEach((r, i) => x.set(encodeRow(r), i * FEATURE_NAMES.length));
  return { x: featureMatrix(rows.length, FEATURE_NAMES.length, x), y: labels };
}

/** A sealed model fitted with `fitModelArtifact`, the code `rareflow fit` and the pipeline use. */
export async function fitTestModel(kind: 'logreg' | 'forest' | 'gbdt', seed: number): Promise<ModelArtifact> {
  const { rows, labels } = generatedRows(600, seed);
  const model =
    kind === 'forest'
      ? { kind, threshold: 'prevalence' as const, trees: 15 }
      : kind === 'gbdt'
        ? { kind, threshold: 'prevalence' as const, maxIterations: 30 }
        : { kind, threshold: 'prevalence' as const };
  const { artifact } = await fitModelArtifact(labelledData(rows, labels), {
    model,
    featureNames: FEATURE_NAMES,
    inputColumns: [
      ...NUMERIC.map((name) => ({ name, kind: 'numeric' as const })),
      { name: 'channel', kind: 'categorical', categories: [...CHANNELS] },
    ],
    labelName: 'is_fraud',
    labels: { positive: 'fraud', negative: 'ok' },
    modelName: MODEL_NAME,
    seed,
    runId: `run-${kind}-${seed}`,
    datasetSha256: 'test',
  });
  return artifact;
}

export function expectedScore(artifact: ModelArtifact, row: RawRow): number {
  return scoreModel(artifact, featureMatrix(1, FEATURE_NAMES.length, encodeRow(row)))[0]!;
}

export interface StoredModel {
  artifact: ModelArtifact;
  ref: ArtifactRef;
  served: ServedModel;
}

export async function storeModel(store: ArtifactStore, artifact: ModelArtifact): Promise<StoredModel> {
  const ref = await store.putBytes(JSON.stringify(artifact), 'model', 'json');
  return {
    artifact,
    ref,
    served: { sha256: ref.sha256, uri: ref.uri, kind: artifact.model.kind, threshold: artifact.threshold, runId: artifact.training.runId },
  };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `rareflow-${prefix}-`));
}

export async function publish(
  servingDir: string,
  revision: number,
  champion: ServedModel | null,
  canary?: { challenger: ServedModel; weight: number },
): Promise<void> {
  await writeServingState(servingDir, {
    format: SERVING_STATE_FORMAT,
    modelName: MODEL_NAME,
    revision,
    updatedAt: new Date().toISOString(),
    champion,
    canary: canary ? { ...canary, rolloutId: 'rollout-test', step: 0, sinceMs: Date.now() } : null,
  });
}

/** POST a JSON body (or raw text) and read the JSON answer. */
export async function post(url: string, body: unknown, raw = false): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: raw ? (body as string) : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** The value of one sample line of a Prometheus text exposition, or undefined. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line === '') continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) got[k!] = v!;
    if (Object.keys(labels).length === Object.keys(got).length && Object.entries(labels).every(([k, v]) => got[k] === v))
      return Number(m[3]);
  }
  return undefined;
}
