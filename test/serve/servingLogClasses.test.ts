// Multi-class serving logs: the predicted class value is logged beside the binary view, parts written before that
// column still read, and the canary activity judges a multi-class champion/challenger per class on such logs.

import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { canaryAnalysisActivities } from '../../activities/canaryAnalysis.js';
import type { ComputeDeps } from '../../activities/activityRuntime.js';
import { sqlString, withDuckDB } from '../../data/duckdbConnection.js';
import { ServingLog } from '../../data/servingLog.js';
import { summariseServingWindow } from '../../data/servingLogWindow.js';
import { predictionLogDir } from '../../data/servingState.js';
import { MODEL_NAME, tempDir } from './servingFixtures.js';

const CHAMPION = 'a'.repeat(64);
const CHALLENGER = 'b'.repeat(64);
const CLASSES = ['cat', 'dog', 'eel'];
const PER_CLASS = 400;
const T0 = 1_000_000;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/**
 * Writes, for each arm, `PER_CLASS` labelled requests of every class; `recalls[arm][c]` of class c's requests are
 * predicted right, the rest predicted as the next class.
 */
async function writeLogs(dir: string, recalls: Record<'champion' | 'challenger', number[]>): Promise<void> {
  const log = await ServingLog.open({ servingDir: dir, modelName: MODEL_NAME, flushMs: 60_000 });
  let seq = 0;
  for (const arm of ['champion', 'challenger'] as const) {
    const sha = arm === 'champion' ? CHAMPION : CHALLENGER;
    CLASSES.forEach((truth, c) => {
      const right = Math.round(recalls[arm][c]! * PER_CLASS);
      for (let i = 0; i < PER_CLASS; i++) {
        const id = `r${++seq}`;
        const predicted = i < right ? truth : CLASSES[(c + 1) % CLASSES.length]!;
        log.logPrediction(id, T0 + seq, arm, sha, 0.7, predicted === CLASSES[0], 'ok', 800, '{}', predicted);
        log.logFeedback(id, T0 + seq + 1, truth, truth === CLASSES[0]);
      }
    });
  }
  await log.close();
}

async function judge(dir: string, classes?: string[]) {
  const activities = canaryAnalysisActivities({ servingDir: dir } as ComputeDeps);
  return activities.canaryAnalysis({
    modelName: MODEL_NAME,
    championSha256: CHAMPION,
    challengerSha256: CHALLENGER,
    fromMs: T0,
    toMs: T0 + 1_000_000,
    ...(classes ? { classes } : {}),
  });
}

describe('multi-class serving logs', () => {
  it('counts predictions and per-class recall of each arm, and still reads parts written before predicted_class', async () => {
    const dir = tempDir('classes');
    dirs.push(dir);
    // An old part: the columns as they were, no predicted_class.
    const predictions = predictionLogDir(dir, MODEL_NAME);
    mkdirSync(predictions, { recursive: true });
    await withDuckDB(async (c) => {
      await c.run(`COPY (SELECT 'old1' AS request_id, CAST(${T0} AS BIGINT) AS ts_ms, 'champion' AS arm, '${CHAMPION}' AS model_sha256,
        0.9 AS score, true AS predicted_positive, 'ok' AS status, CAST(900 AS BIGINT) AS latency_us, '{}' AS features)
        TO ${sqlString(join(predictions, 'part-1-1-1.parquet'))} (FORMAT parquet)`);
    });
    const log = await ServingLog.open({ servingDir: dir, modelName: MODEL_NAME, flushMs: 60_000 });
    log.logPrediction('n1', T0 + 1, 'champion', CHAMPION, 0.8, true, 'ok', 700, '{}', 'cat');
    log.logPrediction('n2', T0 + 2, 'champion', CHAMPION, 0.6, false, 'ok', 700, '{}', 'dog');
    log.logPrediction('n3', T0 + 3, 'champion', CHAMPION, 0.6, false, 'ok', 700, '{}', 'eel');
    log.logPrediction('n4', T0 + 4, 'champion', CHAMPION, null, null, 'error', 700, '{}');
    log.logFeedback('n2', T0 + 5, 'dog', false);
    log.logFeedback('n3', T0 + 6, 'dog', false);
    log.logFeedback('old1', T0 + 7, 'cat', true);
    await log.close();
    const window = await summariseServingWindow({ servingDir: dir, modelName: MODEL_NAME, fromMs: T0, toMs: T0 + 100 });
    expect(window.champion.requests).toBe(5);
    expect(window.champion.errors).toBe(1);
    // The binary view still holds every ok row, the old one included.
    expect(window.champion.confusion).toEqual({ tp: 1, fn: 0, fp: 0, tn: 2 });
    expect(window.champion.classes).toEqual([
      { value: 'cat', predicted: 1, labelled: 0, correct: 0 },
      { value: 'dog', predicted: 1, labelled: 2, correct: 1 },
      { value: 'eel', predicted: 1, labelled: 0, correct: 0 },
    ]);
    expect(window.challenger.classes).toEqual([]);
  });

  it('reads a log of old parts only (no predicted_class anywhere) with no per-class counts', async () => {
    const dir = tempDir('oldonly');
    dirs.push(dir);
    const predictions = predictionLogDir(dir, MODEL_NAME);
    mkdirSync(predictions, { recursive: true });
    await withDuckDB(async (c) => {
      await c.run(`COPY (SELECT 'old1' AS request_id, CAST(${T0} AS BIGINT) AS ts_ms, 'champion' AS arm, '${CHAMPION}' AS model_sha256,
        0.9 AS score, true AS predicted_positive, 'ok' AS status, CAST(900 AS BIGINT) AS latency_us, '{}' AS features)
        TO ${sqlString(join(predictions, 'part-1-1-1.parquet'))} (FORMAT parquet)`);
    });
    const window = await summariseServingWindow({ servingDir: dir, modelName: MODEL_NAME, fromMs: T0, toMs: T0 + 100 });
    expect(window.champion.requests).toBe(1);
    expect(window.champion.classes).toEqual([]);
  });

  it("rolls back a challenger that loses one class's recall", async () => {
    const dir = tempDir('lose');
    dirs.push(dir);
    await writeLogs(dir, { champion: [0.9, 0.9, 0.9], challenger: [0.97, 0.97, 0.75] });
    const result = await judge(dir);
    expect(result.decision).toBe('rollback');
    const byName = Object.fromEntries(result.checks.map((c) => [c.name, c]));
    expect(byName['classRecall:eel']!.passed).toBe(false);
    expect(byName['macroGMean']!.passed).toBe(true);
    expect(result.reasons).toEqual([byName['classRecall:eel']!.detail]);
    expect(result.arms.challenger.classRecall).toEqual({ cat: 0.97, dog: 0.97, eel: 0.75 });
  });

  it('promotes a challenger that is better on every class', async () => {
    const dir = tempDir('win');
    dirs.push(dir);
    await writeLogs(dir, { champion: [0.9, 0.9, 0.9], challenger: [0.95, 0.96, 0.95] });
    const result = await judge(dir);
    expect(result.decision).toBe('promote');
    expect(result.checks.filter((c) => c.name.startsWith('classRecall:')).map((c) => c.passed)).toEqual([true, true, true]);
  });

  it('judges a window without any request of one class per class when the challenger is multi-class: no promotion without that class', async () => {
    const dir = tempDir('absent');
    dirs.push(dir);
    // Only cat and dog traffic: each arm predicts two class values, as a binary model would.
    const log = await ServingLog.open({ servingDir: dir, modelName: MODEL_NAME, flushMs: 60_000 });
    let seq = 0;
    for (const [arm, sha] of [
      ['champion', CHAMPION],
      ['challenger', CHALLENGER],
    ] as const) {
      for (const truth of ['cat', 'dog']) {
        for (let i = 0; i < PER_CLASS; i++) {
          const id = `r${++seq}`;
          log.logPrediction(id, T0 + seq, arm, sha, 0.7, truth === 'cat', 'ok', 800, '{}', truth);
          log.logFeedback(id, T0 + seq + 1, truth, truth === 'cat');
        }
      }
    }
    await log.close();
    // Without the challenger's classes the window looks binary (the rule for two-class models whose negative side
    // holds several label values), and passes.
    expect((await judge(dir)).decision).toBe('promote');
    const result = await judge(dir, CLASSES);
    expect(result.decision).toBe('insufficient-evidence');
    expect(result.reasons).toContain('champion has 0 labelled requests of class "eel", needs at least 20');
    expect(result.arms.challenger.classRecall).toEqual({ cat: 1, dog: 1, eel: null });
  });
});
