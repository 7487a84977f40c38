// A served yeast3 champion for drift-window tests: a logistic regression trained on the even rows, its drift
// reference built from them and the odd rows (its test split), and a serving state that publishes it. The odd rows
// are returned as `served`, the traffic a test writes to the serving log.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { driftCheckActivities } from '../../activities/driftCheck.js';
import { trainModelActivities } from '../../activities/trainModel.js';
import { takeRows, type LabelledData } from '../../core/dataset.js';
import type { ModelArtifact } from '../../core/models/modelArtifact.js';
import { ArtifactStore } from '../../data/artifactStore.js';
import { saveDatasetArtifact } from '../../data/datasetArtifacts.js';
import { SERVING_STATE_FORMAT, writeServingState } from '../../data/servingState.js';
import { readYeast3 } from './yeast3Fixture.js';

export const YEAST3_MODEL = 'yeast3';

export async function yeast3ServedChampion(dir: string, runId: string) {
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
    modelName: YEAST3_MODEL,
    runId,
  });
  const drift = driftCheckActivities({ artifacts, servingDir });
  await drift.buildDriftReference({ model, train, test, rawPrior: 0.11, seed: 1 });
  const artifact = JSON.parse(await readFile(artifacts.pathOf(model), 'utf8')) as ModelArtifact;
  await writeServingState(servingDir, {
    format: SERVING_STATE_FORMAT,
    modelName: YEAST3_MODEL,
    revision: 1,
    updatedAt: new Date(0).toISOString(),
    champion: { sha256: model.sha256, uri: model.uri, kind: 'logreg', threshold: artifact.threshold, runId },
    canary: null,
  });
  const served: LabelledData = takeRows(yeast.data, half(1));
  return { names: yeast.names, artifacts, servingDir, model, artifact, drift, served };
}
