// A drift window with fewer rows than the feature tests need (and no labelled drop) judged nothing: the check says
// `too-few-rows`, which the monitor treats like a window without traffic (it neither counts toward the hold nor
// breaks a run of drifted windows), instead of `checked` with no drift, which reset the run.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scoreModel } from '../../core/models/modelArtifact.js';
import { ServingLog } from '../../data/servingLog.js';
import { yeast3ServedChampion } from '../support/yeast3Champion.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rareflow-drift-window-size-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a drift window below the rows the tests need', () => {
  it('is too-few-rows, not checked with no drift; a full window is checked', async () => {
    const { names, servingDir, model, artifact, drift, served } = await yeast3ServedChampion(dir, 'window-size');
    // Rows of the test half served at ts 1000 + i: the first 50 in one window, 400 in the next.
    const scores = scoreModel(artifact, served.x);
    const log = await ServingLog.open({ servingDir, modelName: 'yeast3', flushMs: 60_000 });
    for (let i = 0; i < 450; i++) {
      const features = Object.fromEntries(names.map((n, c) => [n, served.x.values[i * served.x.cols + c]]));
      log.logPrediction(
        `r-${i}`,
        1000 + i,
        'champion',
        model.sha256,
        scores[i]!,
        scores[i]! >= artifact.threshold,
        'ok',
        100,
        JSON.stringify(features),
      );
    }
    await log.close();
    const small = await drift.checkDrift({ modelName: 'yeast3', fromMs: 1000, toMs: 1050 });
    expect(small).toMatchObject({ status: 'too-few-rows', rows: 50, drifted: false });
    expect(small.insufficient[0]).toBe('feature and prediction tests not run: the window has 50 rows, below the minimum 200');
    const full = await drift.checkDrift({ modelName: 'yeast3', fromMs: 1050, toMs: 1450 });
    expect(full).toMatchObject({ status: 'checked', rows: 400 });
  }, 60_000);
});
