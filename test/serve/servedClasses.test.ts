// /score's `pred` as the class value the training label held ("fraud"/"ok", 0/1, a multi-class label), per-class
// scores of a multi-class model, and unseen categories counted per feature in /metrics.

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { featureMatrix } from '../../core/dataset.js';
import { scoreMultiClass, sealModelArtifact, type ModelArtifact } from '../../core/models/modelArtifact.js';
import { ArtifactStore } from '../../data/artifactStore.js';
import { summariseServingWindow } from '../../data/servingLogWindow.js';
import { startScoringService, type ScoringService } from '../../infra/scoringService.js';
import { fitModelArtifact } from '../../stages/train.js';
import {
  CHANNELS,
  FEATURE_NAMES,
  MODEL_NAME,
  NUMERIC,
  encodeRow,
  expectedScore,
  fitTestModel,
  generatedRows,
  labelledData,
  metricValue,
  post,
  publish,
  storeModel,
  tempDir,
} from './servingFixtures.js';

let root: string;
let store: ArtifactStore;
const running: ScoringService[] = [];

beforeAll(() => {
  root = tempDir('classes');
  store = new ArtifactStore(join(root, 'artifacts'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

async function serveModel(artifact: ModelArtifact, dir = tempDir('classes-serve')): Promise<ScoringService> {
  const stored = await storeModel(store, artifact);
  await publish(dir, 1, stored.served);
  const s = await startScoringService({ servingDir: dir, modelName: MODEL_NAME, port: 0, pollMs: 60_000, log: () => undefined });
  running.push(s);
  return s;
}

/** Three classes over the fixture rows: the fixture's positives are "fraud", the rest "review" or "ok" by amount. */
async function multiClassModel(classes: string[]): Promise<ModelArtifact> {
  const { rows, labels } = generatedRows(600, 4);
  const classOf = rows.map((r, i) => (labels[i] ? 0 : r.amount > 0.5 ? 1 : 2));
  const inputColumns = [
    ...NUMERIC.map((name) => ({ name, kind: 'numeric' as const })),
    { name: 'channel', kind: 'categorical' as const, categories: [...CHANNELS] },
  ];
  const perClass = await Promise.all(
    classes.map(async (c, k) => {
      const data = labelledData(
        rows,
        Uint8Array.from(classOf, (v) => (v === k ? 1 : 0)),
      );
      const { artifact } = await fitModelArtifact(data, {
        model: { kind: 'logreg', threshold: 'prevalence' },
        featureNames: FEATURE_NAMES,
        inputColumns,
        labelName: 'kind',
        labels: { positive: c, negative: classes.filter((o) => o !== c).join('|') },
        modelName: MODEL_NAME,
        seed: k,
        runId: 'run-mc',
        datasetSha256: 'test',
      });
      return artifact;
    }),
  );
  const first = perClass[0]!;
  return sealModelArtifact({
    ...first,
    multiClass: { classes, models: perClass.map((m) => m.model), thresholds: perClass.map((m) => m.threshold) },
  });
}

describe('/score pred', () => {
  it('answers pred as the label text ("fraud"/"ok") and counts unseen categories per feature, not as errors', async () => {
    const artifact = await fitTestModel('logreg', 1);
    const s = await serveModel(artifact);
    const { rows } = generatedRows(40, 9);
    rows[0]!.channel = 'kiosk';
    rows[1]!.channel = 'phone';
    rows[2]!.channel = null;
    const preds = new Set<unknown>();
    for (const [i, row] of rows.entries()) {
      const { status, json } = await post(`${s.url}/score`, { requestId: `p-${i}`, features: row });
      expect(status, JSON.stringify(json)).toBe(200);
      const want = expectedScore(artifact, row);
      expect(json.score).toBe(want);
      expect(json.pred).toBe(want >= artifact.threshold ? 'fraud' : 'ok');
      expect(json.label).toBe(json.pred);
      // What was scored otherwise than spelt is said with the answer: the unseen categories, and the null (as predict
      // says of an empty category).
      expect(json.warnings).toEqual(
        i < 2
          ? [`features.channel: the string "${row.channel}" is not a category the model learnt; scored as none of its categories`]
          : i === 2
            ? ['features.channel: null; scored as none of its categories']
            : undefined,
      );
      preds.add(json.pred);
    }
    expect([...preds].sort()).toEqual(['fraud', 'ok']);
    // A JSON boolean in a column the model learnt as numbers is scored as 1/0, and said.
    const flagged = await post(`${s.url}/score`, { requestId: 'b-1', features: { ...rows[5]!, amount: true } });
    expect(flagged.status).toBe(200);
    expect(flagged.json.score).toBe(expectedScore(artifact, { ...rows[5]!, amount: 1 }));
    expect(flagged.json.warnings).toEqual([
      'features.amount: true scored as 1, but the model learnt this column as numbers, not true/false',
    ]);
    // A key the model does not read (a misspelt optional column, say) is ignored, and said.
    const extra = await post(`${s.url}/score`, { features: { ...rows[5]!, amuont: 3 } });
    expect([extra.status, extra.json.score, extra.json.warnings]).toEqual([
      200,
      expectedScore(artifact, rows[5]!),
      ['features.amuont: not an input column of this model; ignored'],
    ]);
    // Many unknown keys: the first 20 named, the rest counted, so the answer stays small.
    const many = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`junk${i}`, i]));
    const flood = await post(`${s.url}/score`, { features: { ...rows[5]!, ...many } });
    expect(flood.status).toBe(200);
    const floodWarnings = flood.json.warnings as string[];
    expect(floodWarnings).toHaveLength(21);
    expect(floodWarnings.at(-1)).toBe('4980 more keys of features are not input columns of this model; ignored');
    // A request id sent again: scored, and said, since its feedback can label only one of the two.
    const again = await post(`${s.url}/score`, { requestId: 'b-1', features: rows[6]! });
    expect(again.status).toBe(200);
    expect(again.json.warnings).toEqual([
      'requestId "b-1" was already used by an earlier request: feedback sent for it labels only the latest; give each request its own id',
    ]);
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    // Two unseen categories; a null category is "unknown", not unseen.
    expect(metricValue(metrics, 'rareflow_unseen_categories_total', { feature: 'channel' })).toBe(2);
    expect(metricValue(metrics, 'rareflow_requests_total', { arm: 'champion', status: 'ok' })).toBe(44);
  });

  it('answers pred as a number for a 0/1 label', async () => {
    const fitted = await fitTestModel('logreg', 2);
    const artifact = sealModelArtifact({ ...fitted, positiveLabel: '1', negativeLabel: '0' });
    const s = await serveModel(artifact);
    const { rows } = generatedRows(30, 3);
    const preds = new Set<unknown>();
    for (const row of rows) {
      const { json } = await post(`${s.url}/score`, { features: row });
      expect(json.pred).toBe(Number(json.score) >= artifact.threshold ? 1 : 0);
      expect(json.label).toBe(String(json.pred));
      preds.add(json.pred);
    }
    expect([...preds].sort()).toEqual([0, 1]);
  });

  it('serves a multi-class model: a score per class and pred the class rareflow predict picks', async () => {
    const classes = ['fraud', 'review', 'ok'];
    const artifact = await multiClassModel(classes);
    const s = await serveModel(artifact);
    const { rows } = generatedRows(60, 11);
    const seen = new Set<unknown>();
    for (const row of rows) {
      const { status, json } = await post(`${s.url}/score`, { features: row });
      expect(status, JSON.stringify(json)).toBe(200);
      const want = scoreMultiClass(artifact, featureMatrix(1, FEATURE_NAMES.length, encodeRow(row)));
      const scores = json.scores as Record<string, number>;
      expect(Object.keys(scores)).toEqual(classes);
      classes.forEach((c, k) => expect(scores[c]).toBeCloseTo(want.scores[k]!, 12));
      expect(json.pred).toBe(classes[want.predicted[0]!]);
      expect(json.score).toBeCloseTo(want.scores[want.predicted[0]!]!, 12);
      seen.add(json.pred);
    }
    expect(seen.size).toBeGreaterThan(1);
  });

  it("counts a multi-class model's predictions and true labels per class value, and logs both class values", async () => {
    const classes = ['fraud', 'review', 'ok'];
    const dir = tempDir('classes-log');
    const s = await serveModel(await multiClassModel(classes), dir);
    const { rows } = generatedRows(40, 12);
    const predicted = new Map<string, number>();
    const preds: string[] = [];
    for (let i = 0; i < rows.length; i++) {
      const { json } = await post(`${s.url}/score`, { requestId: `mc-${i}`, features: rows[i] });
      preds.push(String(json.pred));
      predicted.set(String(json.pred), (predicted.get(String(json.pred)) ?? 0) + 1);
    }
    const truths = rows.map((_, i) => classes[i % 3]!);
    const items = truths.map((label, i) => ({ requestId: `mc-${i}`, label }));
    // A label that is no class is refused naming every class, none of them called positive.
    const bad = await post(`${s.url}/feedback`, { items: [{ requestId: 'mc-0', label: 'spam' }] });
    expect([bad.status, bad.json.error]).toEqual([400, 'items[0].label: expected one of "fraud", "review", "ok", got the string "spam"']);
    expect((await post(`${s.url}/feedback`, { items })).status).toBe(202);
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    for (const c of classes) {
      expect(metricValue(metrics, 'rareflow_predictions_total', { arm: 'champion', class: c }) ?? 0).toBe(predicted.get(c) ?? 0);
      expect(metricValue(metrics, 'rareflow_feedback_total', { class: c })).toBe(truths.filter((t) => t === c).length);
    }
    for (const c of classes) {
      // Recall and precision per class value, from the feedback joined to this replica's predictions.
      const ofClass = truths.map((t, i) => [t, preds[i]!] as const);
      const recall = ofClass.filter(([t, p]) => t === c && p === c).length / ofClass.filter(([t]) => t === c).length;
      expect(metricValue(metrics, 'rareflow_recall', { arm: 'champion', class: c })).toBeCloseTo(recall, 12);
      const predictedC = ofClass.filter(([, p]) => p === c).length;
      const precision = metricValue(metrics, 'rareflow_precision', { arm: 'champion', class: c });
      if (predictedC === 0) expect(precision).toBeUndefined();
      else expect(precision).toBeCloseTo(ofClass.filter(([t, p]) => t === c && p === c).length / predictedC, 12);
    }
    expect(metricValue(metrics, 'rareflow_recall', { arm: 'champion', class: 'positive' })).toBeUndefined();
    expect(metricValue(metrics, 'rareflow_predictions_total', { arm: 'champion', class: 'positive' })).toBe(0);
    expect(metricValue(metrics, 'rareflow_feedback_total', { class: 'negative' })).toBe(0);
    await s.close();
    const window = await summariseServingWindow({ servingDir: dir, modelName: MODEL_NAME, fromMs: 0, toMs: Date.now() + 1 });
    expect(window.champion.classes.map((c) => [c.value, c.predicted, c.labelled])).toEqual(
      [...classes].sort().map((c) => [c, predicted.get(c) ?? 0, truths.filter((t) => t === c).length]),
    );
    rmSync(dir, { recursive: true, force: true });
  });
});
