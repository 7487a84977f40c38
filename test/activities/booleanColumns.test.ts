// The pipeline's side of the boolean rule: describeInput names the columns read as booleans, and trainModel marks
// them in the model file, so /score takes their spellings for a pipeline model as it does for a `fit` one.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeInputActivities } from '../../activities/describeInput.js';
import { trainModelActivities } from '../../activities/trainModel.js';
import { loadModelArtifact } from '../../data/modelArtifacts.js';
import { ArtifactStore } from '../../data/artifactStore.js';
import { saveDatasetArtifact } from '../../data/datasetArtifacts.js';
import { readLabelledDataset } from '../../data/datasetReader.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-bool-activities-'));
  const lines = ['amount,member,label'];
  for (let i = 0; i < 80; i++) {
    const positive = i % 4 === 0;
    lines.push(`${((i * 13) % 11) / 5 + (positive ? 1 : 0)},${(positive ? i % 3 !== 0 : i % 5 === 0) ? 'Yes' : 'No'},${positive ? 1 : 0}`);
  }
  writeFileSync(join(dir, 'rows.csv'), `${lines.join('\n')}\n`);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('boolean-like columns through the pipeline activities', () => {
  it('describeInput names them and trainModel marks them in the model', async () => {
    const path = join(dir, 'rows.csv');
    const described = await describeInputActivities().describeInput({
      input: { paths: [path], label: 'label', positive: '1' },
      sampling: { targetSize: 80, positivesPerParameter: 2 },
    });
    expect(described.booleanColumns).toEqual(['member']);
    const store = new ArtifactStore(join(dir, 'artifacts'));
    const d = await readLabelledDataset(path, { label: 'label', positive: '1' });
    const data = await saveDatasetArtifact(store, 'train', { data: d.data, featureNames: d.featureNames, labelName: d.labelName });
    const base = {
      train: data,
      validation: data,
      model: { kind: 'logreg', threshold: 'prevalence' } as const,
      labels: { positive: '1', negative: '0' },
      seed: 1,
      modelName: 'bools',
      runId: 'run-b',
    };
    const marked = await loadModelArtifact(
      store,
      (await trainModelActivities({ artifacts: store }).trainModel({ ...base, booleanColumns: described.booleanColumns! })).model,
    );
    expect(marked.inputColumns).toEqual([
      { name: 'amount', kind: 'numeric' },
      { name: 'member', kind: 'numeric', boolean: true },
    ]);
    // Without boolean columns the model file stays as before (no inputColumns), so its memo key and bytes do not move.
    const plain = await loadModelArtifact(store, (await trainModelActivities({ artifacts: store }).trainModel(base)).model);
    expect(plain.inputColumns).toBeUndefined();
  });
});
