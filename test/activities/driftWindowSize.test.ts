// A drift window with fewer rows than the feature tests need (and no labelled drop) judged nothing: the check says
// `too-few-rows`, which the monitor treats like a window without traffic (it neither counts toward the hold nor
// breaks a run of drifted windows), instead of `checked` with no drift, which reset the run.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driftCheckActivities } from '../../activities/driftCheck.js';
import { trainModelActivities } from '../../activities/trainModel.js';
import { takeRows, type LabelledData } from '../../core/dataset.js';
import { scoreModel, type ModelArtifact } from '../../core/models/modelArtifact.js';
import { ArtifactStore } from '../../data/artifactStore.js';
import { saveDatasetArtifact } from '../../data/datasetArtifacts.js';
import { ServingLog } from '../../data/servingLog.js';
import { SERVING_STATE_FORMAT, writeServingState } from '../../data/servingState.js';
import { readYeast3 } from '../support/yeast3Fixture.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rareflow-drift-window-size-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a drift window below the rows the tests need', () => {
  it('is too-few-rows, not checked with no drift; a full window is checked', async () => {
    const yeast = await readYeast3();
    const artifacts = new ArtifactStore(join(dir, 'store'));
    const servingDir = join(dir, 'serving');
    const half = (odd: number) => Int32Array.from({ length: Math.floor((yeast.data.y.length - odd + 1) / 2) }, (_, i) => 2 * i + odd);
    const part = (name: string, rows: Int32Array) =>
      saveDatasetArtifact(artifacts, name, { data: takeRows(yeast.data, rows), featureNames: yeast.names, labelName: 'label' });
    const train = await part('train', half(0));
    const test = await part('test', half(1));
    const { model } = await trainModelActivities({ artifacts }).trainModel({
      train,
      validation: test,
      model: { kind: 'logreg', threshold: 'prevalence' },
      labels: { positive: 'positive', negative: 'negative' },
      seed: 1,
      modelName: 'yeast3',
      runId: 'window-size',
    });
    const drift = driftCheckActivities({ artifacts, servingDir });
    await drift.buildDriftReference({ model, train, test, rawPrior: 0.11, seed: 1 });
    const artifact = JSON.parse(await readFile(artifacts.pathOf(model), 'utf8')) as ModelArtifact;
    await writeServingState(servingDir, {
      format: SERVING_STATE_FORMAT,
      modelName: 'yeast3',
      revision: 1,
      updatedAt: new Date(0).toISOString(),
      champion: { sha256: model.sha256, uri: model.uri, kind: 'logreg', threshold: artifact.threshold, runId: 'window-size' },
      canary: null,
    });
    // Rows of the test half served at ts 1000 + i: the first 50 in one window, 400 in the next.
    const served: LabelledData = takeRows(yeast.data, half(1));
    const scores = scoreModel(artifact, served.x);
    const log = await ServingLog.open({ servingDir, modelName: 'yeast3', flushMs: 60_000 });
    for (let i = 0; i < 450; i++) {
      const features = Object.fromEntries(yeast.names.map((n, c) => [n, served.x.values[i * served.x.cols + c]]));
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
