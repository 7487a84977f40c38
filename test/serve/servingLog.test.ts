// The prediction and feedback logs: every row persisted once, as complete Parquet parts only, and the window
// readers the canary analysis and the drift monitor use, on a hand-built case with known counts.

import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactStore } from '../../data/artifactStore.js';
import { sqlString, toNumber, withDuckDB } from '../../data/duckdbConnection.js';
import { ServingLog } from '../../data/servingLog.js';
import { exportLabelledServingWindow } from '../../data/servingLogExport.js';
import { readServingRows, summariseServingWindow } from '../../data/servingLogWindow.js';
import { feedbackLogDir, predictionLogDir } from '../../data/servingState.js';
import { startScoringService } from '../../infra/scoringService.js';
import { MODEL_NAME, fitTestModel, generatedRows, post, publish, storeModel, tempDir, type StoredModel } from './servingFixtures.js';

let root: string;
let champion: StoredModel;
let challenger: StoredModel;

beforeAll(async () => {
  root = tempDir('log');
  const store = new ArtifactStore(join(root, 'artifacts'));
  champion = await storeModel(store, await fitTestModel('logreg', 21));
  challenger = await storeModel(store, await fitTestModel('logreg', 22));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Rows of `sql` over a view `log` of the part files in `dir`. */
async function queryLog(dir: string, sql: string): Promise<unknown[][]> {
  return withDuckDB(async (c) => {
    await c.run(`CREATE VIEW log AS SELECT * FROM read_parquet(${sqlString(join(dir, 'part-*.parquet'))}, union_by_name = true)`);
    return (await c.runAndReadAll(sql)).getRowsJS();
  });
}

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const C = 'c'.repeat(64);

describe('the serving log', () => {
  it('persists exactly the N predictions and N feedback rows the service received, as complete part files', async () => {
    const dir = tempDir('persist');
    await publish(dir, 1, champion.served, { challenger: challenger.served, weight: 0.3 });
    // flushRows 64: parts are written while requests arrive (how many depends on timing); close() writes the rest.
    const s = await startScoringService({
      servingDir: dir,
      modelName: MODEL_NAME,
      port: 0,
      pollMs: 60_000,
      flushMs: 60_000,
      flushRows: 64,
      log: () => undefined,
    });
    const N = 257;
    const { rows, labels } = generatedRows(N, 23);
    const started = Date.now();
    const answers = [];
    for (let at = 0; at < N; at += 32) {
      answers.push(
        ...(await Promise.all(
          rows.slice(at, at + 32).map((row, k) => post(`${s.url}/score`, { requestId: `p-${at + k}`, features: row })),
        )),
      );
    }
    await post(`${s.url}/score`, { features: { amount: 'x' } });
    for (let at = 0; at < N; at += 50) {
      const items = Array.from(labels.slice(at, at + 50), (y, k) => ({ requestId: `p-${at + k}`, label: y === 1 ? 'fraud' : 'ok' }));
      expect((await post(`${s.url}/feedback`, { items })).status).toBe(202);
    }
    await s.close();
    const ended = Date.now() + 1;

    for (const logDir of [predictionLogDir(dir, MODEL_NAME), feedbackLogDir(dir, MODEL_NAME)]) {
      const names = readdirSync(logDir);
      expect(names.length).toBeGreaterThan(0);
      for (const n of names) expect(n).toMatch(/^part-\d+-\d+-\d+\.parquet$/);
    }
    // The bad request is not a prediction.
    const predictions = predictionLogDir(dir, MODEL_NAME);
    expect((await queryLog(predictions, 'SELECT count(*), count(DISTINCT request_id) FROM log'))[0]!.map(toNumber)).toEqual([N, N]);
    expect(
      (await queryLog(feedbackLogDir(dir, MODEL_NAME), 'SELECT count(*), count(DISTINCT request_id) FROM log'))[0]!.map(toNumber),
    ).toEqual([N, N]);
    const types = (await queryLog(predictions, 'DESCRIBE SELECT * FROM log')).map((r) => `${String(r[0])} ${String(r[1])}`);
    expect(types).toEqual([
      'request_id VARCHAR',
      'ts_ms BIGINT',
      'arm VARCHAR',
      'model_sha256 VARCHAR',
      'score DOUBLE',
      'predicted_positive BOOLEAN',
      'status VARCHAR',
      'latency_us BIGINT',
      'features VARCHAR',
      'predicted_class VARCHAR',
    ]);
    const [first] = await queryLog(predictions, `SELECT features, score, predicted_class FROM log WHERE request_id = 'p-0'`);
    expect(JSON.parse(String(first![0]))).toEqual(rows[0]);
    expect(first![1]).toBe(answers[0]!.json.score);
    expect(first![2]).toBe(answers[0]!.json.label);

    // The window summary agrees with what the clients were told.
    const want = { champion: { requests: 0, tp: 0, fn: 0, fp: 0, tn: 0 }, challenger: { requests: 0, tp: 0, fn: 0, fp: 0, tn: 0 } };
    answers.forEach(({ json }, i) => {
      const w = want[json.arm as 'champion' | 'challenger'];
      w.requests++;
      const predicted = json.label === 'fraud';
      if (labels[i] === 1) w[predicted ? 'tp' : 'fn']++;
      else w[predicted ? 'fp' : 'tn']++;
    });
    const summary = await summariseServingWindow({
      servingDir: dir,
      modelName: MODEL_NAME,
      fromMs: started,
      toMs: ended,
      championSha256: champion.ref.sha256,
      challengerSha256: challenger.ref.sha256,
    });
    for (const arm of ['champion', 'challenger'] as const) {
      const { requests, ...confusion } = want[arm];
      expect(summary[arm]).toMatchObject({ requests, errors: 0, labelled: requests, confusion });
      expect(summary[arm].latencyP50Ms).toBeGreaterThan(0);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('summarises a hand-built window per arm: only the arm’s own model, [fromMs, toMs), the latest feedback per request', async () => {
    const dir = tempDir('window');
    const log = await ServingLog.open({ servingDir: dir, modelName: MODEL_NAME, flushMs: 60_000 });
    const f = '{"amount":1}';
    const p = (id: string, ts: number, arm: 'champion' | 'challenger', sha: string, predicted: boolean | null, latencyUs: number) =>
      log.logPrediction(
        id,
        ts,
        arm,
        sha,
        predicted === null ? null : predicted ? 0.9 : 0.1,
        predicted,
        predicted === null ? 'error' : 'ok',
        latencyUs,
        f,
      );
    p('c1', 1000, 'champion', A, true, 1000); // tp
    p('c2', 1100, 'champion', A, true, 2000); // fp
    p('c3', 1200, 'champion', A, false, 3000); // tn: its first label (positive) is replaced by a later negative one
    p('c4', 1300, 'champion', A, false, 4000); // fn
    p('c5', 1400, 'champion', A, false, 5000); // no label
    p('c6', 1500, 'champion', A, null, 50); // error
    p('c7', 1600, 'champion', C, true, 100); // another champion (before a swap): not counted for A
    p('c8', 2000, 'champion', A, true, 100); // at toMs: outside
    p('c9', 999, 'champion', A, true, 100); // before fromMs: outside
    p('h1', 1000, 'challenger', B, true, 7000); // tp
    p('h2', 1050, 'challenger', B, false, 9000); // fn
    p('h3', 1100, 'challenger', B, null, 10); // error
    log.logFeedback('c3', 1500, 'fraud', true);
    log.logFeedback('c1', 1500, 'fraud', true);
    await log.flush();
    for (const [id, positive] of [
      ['c2', false],
      ['c3', false],
      ['c4', true],
      ['c7', true],
      ['c8', true],
      ['h1', true],
      ['h2', true],
      ['h3', true],
    ] as const) {
      log.logFeedback(id, 1600, positive ? 'fraud' : 'ok', positive);
    }
    await log.close();

    const both = await summariseServingWindow({
      servingDir: dir,
      modelName: MODEL_NAME,
      fromMs: 1000,
      toMs: 2000,
      championSha256: A,
      challengerSha256: B,
    });
    expect(both.champion).toMatchObject({ requests: 6, errors: 1, confusion: { tp: 1, fn: 1, fp: 1, tn: 1 }, labelled: 4 });
    expect(both.challenger).toMatchObject({ requests: 3, errors: 1, confusion: { tp: 1, fn: 1, fp: 0, tn: 0 }, labelled: 2 });
    // Latency quantiles of ok rows (linear interpolation): champion 1..5 ms, challenger 7 and 9 ms.
    expect(both.champion.latencyP50Ms).toBeCloseTo(3, 9);
    expect(both.champion.latencyP99Ms).toBeCloseTo(4.96, 9);
    expect(both.challenger.latencyP50Ms).toBeCloseTo(8, 9);
    expect(both.challenger.latencyP99Ms).toBeCloseTo(8.98, 9);
    const anyModel = await summariseServingWindow({ servingDir: dir, modelName: MODEL_NAME, fromMs: 1000, toMs: 2000 });
    expect(anyModel.champion).toMatchObject({ requests: 7, confusion: { tp: 2, fn: 1, fp: 1, tn: 1 }, labelled: 5 });
    const otherChallenger = await summariseServingWindow({
      servingDir: dir,
      modelName: MODEL_NAME,
      fromMs: 1000,
      toMs: 2000,
      challengerSha256: C,
    });
    expect(otherChallenger.challenger).toEqual({
      requests: 0,
      errors: 0,
      latencyP50Ms: null,
      latencyP99Ms: null,
      confusion: { tp: 0, fn: 0, fp: 0, tn: 0 },
      labelled: 0,
      classes: [],
    });

    const served = await readServingRows({ servingDir: dir, modelName: MODEL_NAME, fromMs: 1000, toMs: 2000 });
    expect(served.requestIds).toEqual(['c1', 'h1', 'h2', 'c2', 'c3', 'c4', 'c5', 'c7']);
    expect(Array.from(served.truth)).toEqual([1, 1, 1, 0, 0, 1, -1, 1]);
    expect(Array.from(served.predictedPositive)).toEqual([1, 1, 0, 1, 0, 0, 0, 1]);
    expect(Array.from(served.tsMs)).toEqual([1000, 1000, 1050, 1100, 1200, 1300, 1400, 1600]);
    expect(served.features[0]).toEqual({ amount: 1 });
    // Past the limit: a seeded sample from the whole window, oldest first, the same on every read.
    const sampled = (await readServingRows({ servingDir: dir, modelName: MODEL_NAME, fromMs: 1000, toMs: 2000, limit: 2 })).requestIds;
    expect(sampled).toHaveLength(2);
    expect(sampled.every((id) => served.requestIds.includes(id))).toBe(true);
    expect(served.requestIds.indexOf(sampled[0]!)).toBeLessThan(served.requestIds.indexOf(sampled[1]!));
    expect((await readServingRows({ servingDir: dir, modelName: MODEL_NAME, fromMs: 1000, toMs: 2000, limit: 2 })).requestIds).toEqual(
      sampled,
    );
    expect(
      (await readServingRows({ servingDir: dir, modelName: MODEL_NAME, fromMs: 1000, toMs: 2000, modelSha256: B })).requestIds,
    ).toEqual(['h1', 'h2']);
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts one label once when a client sent its request id with several requests: it labels the latest', async () => {
    const dir = tempDir('reused-id');
    const log = await ServingLog.open({ servingDir: dir, modelName: MODEL_NAME, flushMs: 60_000 });
    for (let i = 0; i < 5; i++) log.logPrediction('r-1', 1000 + i, 'champion', A, 0.1, false, 'ok', 100, '{"amount":1}');
    log.logPrediction('r-2', 1010, 'champion', A, 0.9, true, 'ok', 100, '{"amount":2}');
    log.logFeedback('r-1', 1100, 'fraud', true);
    log.logFeedback('r-2', 1100, 'fraud', true);
    await log.close();
    const window = { servingDir: dir, modelName: MODEL_NAME, fromMs: 1000, toMs: 2000, championSha256: A };
    const summary = await summariseServingWindow(window);
    // Six requests, two labels: one false negative (the latest r-1), one true positive; not five false negatives.
    expect(summary.champion).toMatchObject({ requests: 6, labelled: 2, confusion: { tp: 1, fn: 1, fp: 0, tn: 0 } });
    const rows = await readServingRows(window);
    expect(rows.requestIds).toEqual(['r-1', 'r-1', 'r-1', 'r-1', 'r-1', 'r-2']);
    expect(Array.from(rows.truth)).toEqual([-1, -1, -1, -1, 1, 1]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('exports the labelled window as a training table: one row per request, its columns from the features, the label', async () => {
    const dir = tempDir('export');
    const log = await ServingLog.open({ servingDir: dir, modelName: MODEL_NAME });
    const features = (amount: unknown, channel: unknown) => JSON.stringify({ amount, 'odd/"name': 2, channel });
    log.logPrediction('e1', 1000, 'champion', A, 0.9, true, 'ok', 10, features(1.5, 'web'));
    log.logPrediction('e2', 1001, 'champion', A, 0.1, false, 'ok', 10, features(-2, 'app'));
    log.logPrediction('e3', 1002, 'champion', A, 0.1, false, 'ok', 10, features(null, 'app')); // unreadable amount
    log.logPrediction('e4', 1003, 'champion', A, 0.1, false, 'ok', 10, features(4, 'shop')); // no label
    log.logPrediction('e1', 1004, 'champion', A, 0.8, true, 'ok', 10, features(7, 'web')); // scored again: the later row wins
    log.logPrediction('e5', 1005, 'challenger', B, null, null, 'error', 10, features(1, 'web'));
    for (const [id, positive] of [
      ['e1', true],
      ['e2', false],
      ['e3', true],
      ['e5', true],
    ] as const)
      log.logFeedback(id, 1100, positive ? 'fraud' : 'ok', positive);
    await log.close();
    const out = join(dir, 'window.parquet');
    const written = await exportLabelledServingWindow({
      servingDir: dir,
      modelName: MODEL_NAME,
      fromMs: 0,
      toMs: 2000,
      columns: [
        { name: 'amount', numeric: true },
        { name: 'odd/"name', numeric: true },
        { name: 'channel', numeric: false },
      ],
      labelName: 'is_fraud',
      labels: { positive: 'fraud', negative: 'ok' },
      out,
    });
    expect(written).toEqual({ rows: 2, positives: 1, skipped: 1 });
    const rows = await withDuckDB(async (c) => (await c.runAndReadAll(`SELECT * FROM read_parquet(${sqlString(out)})`)).getRowObjectsJS());
    expect(rows).toEqual([
      { amount: -2, 'odd/"name': 2, channel: 'app', is_fraud: 'ok' },
      { amount: 7, 'odd/"name': 2, channel: 'web', is_fraud: 'fraud' },
    ]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads zeros, not an error, before anything was logged', async () => {
    const dir = tempDir('nothing');
    const summary = await summariseServingWindow({ servingDir: dir, modelName: MODEL_NAME, fromMs: 0, toMs: Date.now() });
    expect(summary.champion.requests).toBe(0);
    expect(summary.challenger.latencyP99Ms).toBeNull();
    expect((await readServingRows({ servingDir: dir, modelName: MODEL_NAME, fromMs: 0, toMs: Date.now() })).requestIds).toEqual([]);
    await expect(summariseServingWindow({ servingDir: dir, modelName: MODEL_NAME, fromMs: 10, toMs: 5 })).rejects.toThrow(
      /toMs \(5\) is before fromMs \(10\)/,
    );
    rmSync(dir, { recursive: true, force: true });
  });

  it('says at close how many rows could not be written and are lost', async () => {
    const dir = tempDir('lost');
    const log = await ServingLog.open({ servingDir: dir, modelName: MODEL_NAME, flushMs: 60_000 });
    log.logPrediction('a', 1, 'champion', 'b'.repeat(64), 0.5, true, 'ok', 10, '{}');
    log.logPrediction('b', 2, 'champion', 'b'.repeat(64), 0.5, true, 'ok', 10, '{}');
    log.logFeedback('a', 3, 'fraud', true);
    // A file where the predictions folder should be: every write fails.
    mkdirSync(join(predictionLogDir(dir, MODEL_NAME), '..'), { recursive: true });
    writeFileSync(predictionLogDir(dir, MODEL_NAME), 'not a folder');
    await expect(log.close()).rejects.toThrow(
      `2 prediction row(s) and 1 feedback row(s) of ${MODEL_NAME} could not be written to the serving log and are lost: `,
    );
    rmSync(dir, { recursive: true, force: true });
  });
});
