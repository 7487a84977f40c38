// The pipeline's train activity with the `gmean-oob` threshold: the forest's threshold comes from its out-of-bag
// scores, so the activity never reads the validation split (here a reference to nothing), which `gmean` needs.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainModelActivities } from '../../activities/trainModel.js';
import { featureMatrix } from '../../core/dataset.js';
import type { ArtifactRef } from '../../core/pipelineTypes.js';
import { seededRandom } from '../../core/random.js';
import { ArtifactStore } from '../../data/artifactStore.js';
import { saveDatasetArtifact } from '../../data/datasetArtifacts.js';
import { loadModelArtifact } from '../../data/modelArtifacts.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-oob-activities-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('trainModel with the gmean-oob threshold', () => {
  it('chooses the threshold on out-of-bag scores without reading the validation split', async () => {
    const store = new ArtifactStore(join(dir, 'artifacts'));
    const random = seededRandom(5);
    const n = 200;
    const x = new Float64Array(n * 2);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = i % 5 === 0 ? 1 : 0;
      x[i * 2] = random.next() + 0.8 * y[i]!;
      x[i * 2 + 1] = random.next();
    }
    const train = await saveDatasetArtifact(store, 'train', {
      data: { x: featureMatrix(n, 2, x), y },
      featureNames: ['a', 'b'],
      labelName: 'y',
    });
    const nowhere: ArtifactRef = { sha256: '0'.repeat(64), uri: `file://${join(dir, 'no-such-split.arrow')}`, bytes: 1, kind: 'dataset' };
    const base = {
      train,
      validation: nowhere,
      labels: { positive: '1', negative: '0' },
      seed: 2,
      modelName: 'oob',
      runId: 'run-oob',
    };
    const activities = trainModelActivities({ artifacts: store });
    const result = await activities.trainModel({
      ...base,
      model: { kind: 'forest', threshold: 'gmean-oob', trees: 12, sampling: 'bootstrap' },
    });
    const model = await loadModelArtifact(store, result.model);
    expect(model.thresholdPolicy).toEqual({ kind: 'gmean-oob' });
    expect(model.thresholdReason).toMatch(/^G-mean-optimal threshold on the out-of-bag scores of \d+ training rows/);
    expect(model.training.outOfBag!.threshold).toBe(result.threshold);
    expect(model.training.outOfBag!.rows + model.training.outOfBag!.uncoveredRows).toBe(n);
    // The held-out policy does read it, and fails on the missing split.
    await expect(activities.trainModel({ ...base, model: { kind: 'forest', threshold: 'gmean', trees: 12 } })).rejects.toThrow(
      /artifact dataset 0{64} is not in the store/,
    );
  });
});
