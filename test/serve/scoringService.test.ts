// The scoring service over real HTTP on a free port, with real model files: scores equal to scoreModel, the
// deterministic canary split, hot swaps under load, refused model files, and the bad-request matrix.

import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { canaryArm } from '../../core/canary/trafficSplit.js';
import { featureMatrix } from '../../core/dataset.js';
import { withMissingIndicators } from '../../core/features/missingIndicators.js';
import { fillMissingValues, fitMissingValueFill } from '../../core/features/missingValues.js';
import { scoreModel, sealModelArtifact } from '../../core/models/modelArtifact.js';
import { fitModelArtifact } from '../../stages/train.js';
import { ArtifactStore } from '../../data/artifactStore.js';
import { startScoringService, type ScoringService } from '../../infra/scoringService.js';
import {
  CHANNELS,
  FEATURE_NAMES,
  MODEL_NAME,
  expectedScore,
  labelledData,
  fitTestModel,
  generatedRows,
  metricValue,
  post,
  publish,
  storeModel,
  tempDir,
  type StoredModel,
} from './servingFixtures.js';

let root: string;
let store: ArtifactStore;
let logreg: StoredModel;
let forest: StoredModel;
let logreg2: StoredModel;
const running: ScoringService[] = [];
const silent = () => undefined;

beforeAll(async () => {
  root = tempDir('serve');
  store = new ArtifactStore(join(root, 'artifacts'));
  logreg = await storeModel(store, await fitTestModel('logreg', 1));
  forest = await storeModel(store, await fitTestModel('forest', 2));
  logreg2 = await storeModel(store, await fitTestModel('logreg', 3));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

async function serve(servingDir: string, extra: { pollMs?: number; log?: (line: string) => void } = {}): Promise<ScoringService> {
  const s = await startScoringService({
    servingDir,
    modelName: MODEL_NAME,
    port: 0,
    pollMs: extra.pollMs ?? 60_000,
    log: extra.log ?? silent,
  });
  running.push(s);
  return s;
}

describe('POST /score', () => {
  it("answers each model's own score (equal to scoreModel on the same row) and the label its threshold gives", async () => {
    const { rows } = generatedRows(120, 9);
    // Unseen and missing categories encode as all zeros, as in `rareflow predict`.
    rows[0]!.channel = 'kiosk';
    rows[1]!.channel = null;
    for (const model of [logreg, forest]) {
      const dir = tempDir('score');
      await publish(dir, 1, model.served);
      const s = await serve(dir);
      const labels = new Set<unknown>();
      for (const [i, row] of rows.entries()) {
        const { status, json } = await post(`${s.url}/score`, { requestId: `r-${i}`, features: row });
        expect(status, JSON.stringify(json)).toBe(200);
        const want = expectedScore(model.artifact, row);
        expect(json.score).toBe(want);
        expect(json.label).toBe(want >= model.artifact.threshold ? 'fraud' : 'ok');
        expect(json).toMatchObject({ requestId: `r-${i}`, modelVersion: model.ref.sha256, arm: 'champion' });
        labels.add(json.label);
      }
      expect([...labels].sort()).toEqual(['fraud', 'ok']);
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives a request without an id a generated UUID', async () => {
    const dir = tempDir('uuid');
    await publish(dir, 1, logreg.served);
    const s = await serve(dir);
    const { json } = await post(`${s.url}/score`, { features: generatedRows(1, 1).rows[0] });
    expect(json.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('answers 415 naming the encoding for a compressed body, not that its bytes are not UTF-8', async () => {
    const dir = tempDir('gzip');
    await publish(dir, 1, logreg.served);
    const s = await serve(dir);
    const body = gzipSync(JSON.stringify({ features: generatedRows(1, 1).rows[0] }));
    const res = await fetch(`${s.url}/score`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body,
    });
    expect(res.status).toBe(415);
    expect(((await res.json()) as { error: string }).error).toBe(
      '/score: Content-Encoding gzip is not taken; expected the JSON body uncompressed',
    );
  });

  it('splits traffic by request id: the same id always lands on the same arm, and weight 0.25 takes about a quarter', async () => {
    const dir = tempDir('split');
    await publish(dir, 1, logreg.served, { challenger: forest.served, weight: 0.25 });
    const s = await serve(dir);
    const row = generatedRows(1, 4).rows[0]!;
    let challenger = 0;
    const ids = Array.from({ length: 2000 }, (_, i) => `split-${i}`);
    for (let at = 0; at < ids.length; at += 50) {
      const answers = await Promise.all(ids.slice(at, at + 50).map((id) => post(`${s.url}/score`, { requestId: id, features: row })));
      answers.forEach(({ json }, k) => {
        const id = ids[at + k]!;
        expect(json.arm).toBe(canaryArm(id, 0.25));
        expect(json.modelVersion).toBe(json.arm === 'challenger' ? forest.ref.sha256 : logreg.ref.sha256);
        if (json.arm === 'challenger') challenger++;
      });
    }
    // Binomial(2000, 0.25): sd ≈ 19.4; 4 sd either side.
    expect(challenger).toBeGreaterThan(500 - 78);
    expect(challenger).toBeLessThan(500 + 78);
    for (const id of ids.slice(0, 20)) {
      const again = await post(`${s.url}/score`, { requestId: id, features: row });
      expect(again.json.arm).toBe(canaryArm(id, 0.25));
    }
  });

  it('answers with the champion (fallback: true) and logs a challenger error when the challenger cannot score', async () => {
    const dir = tempDir('fallback');
    // A challenger that reads a column the clients do not send yet.
    const other = await fitTestModel('logreg', 5);
    const renamed = await storeModel(
      store,
      sealModelArtifact({
        ...other,
        inputColumns: other.inputColumns!.map((c) => (c.name === 'velocity' ? { ...c, name: 'velocity_v2' } : c)),
        featureNames: other.featureNames.map((f) => (f === 'velocity' ? 'velocity_v2' : f)),
      }),
    );
    await publish(dir, 1, logreg.served, { challenger: renamed.served, weight: 1 });
    const s = await serve(dir);
    const row = generatedRows(1, 6).rows[0]!;
    const { status, json } = await post(`${s.url}/score`, { requestId: 'fb-1', features: row });
    expect(status).toBe(200);
    expect(json).toMatchObject({
      arm: 'champion',
      fallback: true,
      modelVersion: logreg.ref.sha256,
      score: expectedScore(logreg.artifact, row),
    });
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    expect(metricValue(metrics, 'rareflow_requests_total', { arm: 'challenger', status: 'error' })).toBe(1);
    expect(metricValue(metrics, 'rareflow_requests_total', { arm: 'champion', status: 'ok' })).toBe(1);
  });
});

describe('hot swap', () => {
  it('swaps the champion while 20 clients send requests: no request fails, and the new model answers afterwards', async () => {
    const dir = tempDir('swap');
    await publish(dir, 1, logreg.served);
    const s = await serve(dir, { pollMs: 20 });
    const { rows } = generatedRows(50, 7);
    let failed = 0;
    let sent = 0;
    let swapped = false;
    let newAnswers = 0;
    const client = async (c: number) => {
      for (let i = 0; !(swapped && newAnswers >= 200) && i < 5000; i++) {
        const row = rows[(c + i) % rows.length]!;
        try {
          const { status, json } = await post(`${s.url}/score`, { requestId: `swap-${c}-${i}`, features: row });
          sent++;
          if (status !== 200) failed++;
          else if (json.modelVersion === forest.ref.sha256) {
            newAnswers++;
            expect(json.score).toBe(expectedScore(forest.artifact, row));
          } else {
            expect(json.modelVersion).toBe(logreg.ref.sha256);
            expect(json.score).toBe(expectedScore(logreg.artifact, row));
          }
        } catch {
          failed++;
        }
        if (!swapped && sent >= 300) {
          swapped = true;
          await publish(dir, 2, forest.served);
        }
      }
    };
    await Promise.all(Array.from({ length: 20 }, (_, c) => client(c)));
    expect(failed).toBe(0);
    const after = await post(`${s.url}/score`, { requestId: 'after', features: rows[0] });
    expect(after.json.modelVersion).toBe(forest.ref.sha256);
    const health = await (await fetch(`${s.url}/healthz`)).json();
    expect(health).toMatchObject({ status: 'ok', champion: forest.ref.sha256, canaryWeight: 0, revision: 2 });
  });
});

describe('refusals', () => {
  it('refuses a model file whose bytes do not match the published sha256, keeps serving the old routing, and counts the failure', async () => {
    const dir = tempDir('tamper');
    await publish(dir, 1, logreg.served);
    const lines: string[] = [];
    const s = await serve(dir, { log: (l) => lines.push(l) });
    const tampered = join(root, 'tampered.json');
    writeFileSync(tampered, JSON.stringify({ ...logreg2.artifact, threshold: 0.01 }));
    await publish(dir, 2, { ...logreg2.served, uri: pathToFileURL(tampered).href });
    await expect(s.reload()).rejects.toThrow(
      new RegExp(
        `champion file failed verification: ${tampered.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(its sha256 is [0-9a-f]{64}, the registry published ${logreg2.ref.sha256}\\)`,
      ),
    );
    expect(lines.some((l) => l.includes('the registry published') && l.includes('still serving revision 1'))).toBe(true);
    const { json } = await post(`${s.url}/score`, { requestId: 'x', features: generatedRows(1, 1).rows[0] });
    expect(json.modelVersion).toBe(logreg.ref.sha256);
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    expect(metricValue(metrics, 'rareflow_model_load_failures_total')).toBe(1);
    expect(metricValue(metrics, 'rareflow_serving_state_revision')).toBe(1);
    expect(metricValue(metrics, 'rareflow_model_info', { arm: 'champion', sha256: logreg.ref.sha256 })).toBe(1);
    // The served state put back as it was (the refused revision withdrawn): the refusal is not left in /healthz.
    expect(await (await fetch(`${s.url}/healthz`)).text()).toContain('newerRevisionRefused');
    await publish(dir, 1, logreg.served);
    await s.reload();
    expect(await (await fetch(`${s.url}/healthz`)).text()).not.toContain('newerRevisionRefused');
  });

  it('refuses a file whose content seal is broken even when the sha256 matches its bytes', async () => {
    const dir = tempDir('seal');
    const broken = await store.putBytes(JSON.stringify({ ...logreg2.artifact, threshold: 0.01 }), 'model', 'json');
    await publish(dir, 1, { ...logreg2.served, sha256: broken.sha256, uri: broken.uri });
    const s = await serve(dir);
    await expect(s.reload()).rejects.toThrow(/changed or damaged after training/);
    expect((await post(`${s.url}/score`, { features: {} })).status).toBe(503);
  });

  it('loads a republished state of the same revision that serves another champion (state.json deleted, numbered from 1 again)', async () => {
    const dir = tempDir('renumbered');
    await publish(dir, 1, logreg.served);
    const s = await serve(dir);
    await s.reload();
    rmSync(join(dir, MODEL_NAME, 'state.json'));
    await publish(dir, 1, logreg2.served);
    await s.reload();
    const { json } = await post(`${s.url}/score`, { requestId: 'x', features: generatedRows(1, 1).rows[0] });
    expect(json.modelVersion).toBe(logreg2.ref.sha256);
    // A damaged read then the same state readable again: served as it was, and the error is not left in /healthz.
    writeFileSync(join(dir, MODEL_NAME, 'state.json'), '{"format":');
    await expect(s.reload()).rejects.toThrow();
    await publish(dir, 1, logreg2.served);
    await s.reload();
    const health = await fetch(`${s.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.text()).not.toMatch(/JSON/);
  });

  it('answers 503 naming the model while no champion is published, and serves once one is', async () => {
    const dir = tempDir('empty');
    const s = await serve(dir);
    const none = await post(`${s.url}/score`, { features: generatedRows(1, 1).rows[0] });
    expect(none.status).toBe(503);
    expect(none.json.error).toBe(`no champion is published for model ${MODEL_NAME} yet`);
    expect((await fetch(`${s.url}/healthz`)).status).toBe(503);
    await publish(dir, 1, null);
    await s.reload();
    expect((await post(`${s.url}/score`, { features: generatedRows(1, 1).rows[0] })).status).toBe(503);
    await publish(dir, 2, logreg.served);
    await s.reload();
    expect((await post(`${s.url}/score`, { features: generatedRows(1, 1).rows[0] })).status).toBe(200);
  });
});

describe('models with a missing-value fill', () => {
  it('scores null for a numeric feature as the fitted fill; a model without a fill still answers 400', async () => {
    const base = await fitTestModel('logreg', 5);
    const filling = await storeModel(
      store,
      sealModelArtifact({ ...base, missingValues: { policy: 'median', fillValues: [0.5, -0.25, 0.75, 0, 0, 0] } }),
    );
    const dir = tempDir('fill');
    await publish(dir, 1, filling.served);
    const s = await serve(dir);
    const { status, json } = await post(`${s.url}/score`, { features: { amount: null, age: 2, velocity: null, channel: 'web' } });
    expect(status, JSON.stringify(json)).toBe(200);
    expect(json.score).toBe(expectedScore(filling.artifact, { amount: 0.5, age: 2, velocity: 0.75, channel: 'web' }));
    // Said, as predict counts such cells: the score rests on stand-in values.
    expect(json.warnings).toEqual([
      'features.amount: null; scored as the training fill 0.5',
      'features.velocity: null; scored as the training fill 0.75',
    ]);
    const absent = await post(`${s.url}/score`, { features: { age: 2, velocity: 1, channel: 'web' } });
    expect(absent.status).toBe(400);
    expect(absent.json.error).toBe('features.amount is missing; this model reads it as a number (null if unknown)');
    await s.close();
    await publish(dir, 2, logreg.served);
    const strict = await serve(dir);
    const refused = await post(`${strict.url}/score`, { features: { amount: null, age: 2, velocity: 1, channel: 'web' } });
    expect(refused.status).toBe(400);
    expect(refused.json.error).toBe('features.amount: expected a finite number, got null');
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('bad requests', () => {
  it('answers 400 with a message naming the field, never a stack trace, and counts them as bad_request', async () => {
    const dir = tempDir('bad');
    await publish(dir, 1, logreg.served);
    const s = await serve(dir);
    const row = { amount: 1, age: 2, velocity: 3, channel: 'web' };
    const cases: Array<[unknown, boolean, RegExp]> = [
      ['{"features": {"amount": 1,', true, /^request body is not valid JSON/],
      ['[1, 2]', true, /^request body: expected a JSON object/],
      [{ requestId: 'a' }, false, /^features: expected an object of column → value, got nothing$/],
      [{ features: { amount: 1, age: 2, channel: 'web' } }, false, /^features\.velocity is missing; this model reads it as a number$/],
      [{ features: { ...row, age: 'forty' } }, false, /^features\.age: expected a finite number, got the string "forty"$/],
      [{ features: { ...row, age: null } }, false, /^features\.age: expected a finite number, got null$/],
      [{ features: { ...row, channel: { a: 1 } } }, false, /^features\.channel: expected a category \(a string\), got an object$/],
      [{ features: { amount: 1, age: 2, velocity: 3 } }, false, /^features\.channel is missing/],
      [{ requestId: 7, features: row }, false, /^requestId: expected a non-empty string/],
      // A misspelt id would be ignored, and the feedback sent under it could never be joined to the prediction.
      [
        { requestID: 'typo-1', features: row },
        false,
        /^request body: unknown field "requestID": expected only "requestId" and "features"; did you mean "requestId"\?$/,
      ],
      // A feature written twice would be scored with its last value only.
      [
        '{"features": {"amount": 1, "age": 2, "velocity": 3, "channel": "web", "amount": 9}}',
        true,
        /^request body: key "amount" appears twice in "features"/,
      ],
    ];
    for (const [body, raw, message] of cases) {
      const { status, json } = await post(`${s.url}/score`, body, raw);
      expect(status, JSON.stringify(body)).toBe(400);
      expect(json.error).toMatch(message);
      expect(String(json.error)).not.toMatch(/\n\s+at /);
    }
    const big = await post(`${s.url}/score`, JSON.stringify({ features: { ...row, pad: 'x'.repeat(1024 * 1024) } }), true);
    expect(big.status).toBe(413);
    expect(big.json.error).toMatch(/over the 1 MB limit/);
    const feedback = await post(`${s.url}/feedback`, { items: [{ requestId: 'a', label: 'fraud' }, { requestId: 'b' }] });
    expect(feedback.status).toBe(400);
    expect(feedback.json.error).toBe('items[1].label: expected "fraud" (positive) or "ok", got nothing');
    const extra = await post(`${s.url}/feedback`, { requestId: 'a', label: 'fraud', extra: 1 });
    expect(extra.status).toBe(400);
    expect(extra.json.error).toBe('request body: unknown field "extra": expected only "requestId" and "label"');
    const twice = await post(`${s.url}/feedback`, '{"requestId": "a", "label": "ok", "label": "fraud"}', true);
    expect(twice.json.error).toMatch(/^request body: key "label" appears twice at the top level/);
    const wrongMethod = await fetch(`${s.url}/score`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    const unknown = await fetch(`${s.url}/nope`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: string }).error).toMatch(/no such path \/nope/);
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    expect(metricValue(metrics, 'rareflow_requests_total', { arm: 'none', status: 'bad_request' })).toBe(cases.length + 4);
    expect(metricValue(metrics, 'rareflow_requests_total', { arm: 'champion', status: 'ok' })).toBe(0);
  });
});

describe('models with missing-value indicators', () => {
  it('scores null as the fill with its column=missing feature at 1, a number with it at 0, as predict encodes a file', async () => {
    // amount is missing on most positives and few negatives, so the indicator carries weight.
    const { rows, labels } = generatedRows(600, 9);
    const raw = labelledData(rows, labels).x;
    for (let r = 0; r < raw.rows; r++) if (labels[r] === 1 ? r % 3 !== 0 : r % 20 === 0) raw.values[r * raw.cols] = Number.NaN;
    const indicated = withMissingIndicators(raw, FEATURE_NAMES, [0]);
    const fill = fitMissingValueFill(indicated.x, { missing: 'median' });
    const { artifact } = await fitModelArtifact(
      { x: fillMissingValues(fill, indicated.x).x, y: labels },
      {
        model: { kind: 'logreg', threshold: 'prevalence' },
        featureNames: indicated.featureNames,
        inputColumns: [
          { name: 'amount', kind: 'numeric', missingIndicator: true },
          { name: 'age', kind: 'numeric' },
          { name: 'velocity', kind: 'numeric' },
          { name: 'channel', kind: 'categorical', categories: [...CHANNELS] },
        ],
        labelName: 'is_fraud',
        labels: { positive: 'fraud', negative: 'ok' },
        modelName: MODEL_NAME,
        seed: 9,
        runId: 'run-indicator',
        datasetSha256: 'test',
        missingValues: { policy: 'median', fillValues: fill.fillValues! },
      },
    );
    expect(artifact.featureNames).toEqual(['amount', 'amount=missing', 'age', 'velocity', 'channel=app', 'channel=shop', 'channel=web']);
    const stored = await storeModel(store, artifact);
    const dir = tempDir('indicator');
    await publish(dir, 1, stored.served);
    const s = await serve(dir);
    const score = (amount: number, missing: number) =>
      scoreModel(artifact, featureMatrix(1, 7, Float64Array.from([amount, missing, 2, 0.5, 0, 0, 1])))[0]!;
    const gap = await post(`${s.url}/score`, { features: { amount: null, age: 2, velocity: 0.5, channel: 'web' } });
    expect(gap.status, JSON.stringify(gap.json)).toBe(200);
    expect(gap.json.score).toBe(score(fill.fillValues![0]!, 1));
    // The indicator matters: the same fill without it scores otherwise.
    expect(gap.json.score).not.toBe(score(fill.fillValues![0]!, 0));
    const present = await post(`${s.url}/score`, { features: { amount: 1.25, age: 2, velocity: 0.5, channel: 'web' } });
    expect(present.json.score).toBe(score(1.25, 0));
    rmSync(dir, { recursive: true, force: true });
  });
});
