// A gbdt model file: fitted by the train stage, sealed, read back identical and scored the same; a changed byte
// breaks its seal; its threshold follows the policies as the other kinds' do.

import { describe, expect, it } from 'vitest';
import { featureMatrix, type LabelledData } from '../../core/dataset.js';
import { IntegrityError } from '../../core/integrityError.js';
import { InvalidInputError } from '../../core/invalidInputError.js';
import { parseModelArtifact, scoreModel, sealModelArtifact, type ModelArtifact } from '../../core/models/modelArtifact.js';
import { seededRandom } from '../../core/random.js';
import { fitModelArtifact, type FitModelOptions } from '../../stages/train.js';
import { roundTrip, twoFeatureFitOptions } from '../support/modelFileFixtures.js';

function data(n: number, seed: number): LabelledData {
  const random = seededRandom(seed);
  const x = new Float64Array(n * 2);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 8 === 0 ? 1 : 0;
    x[i * 2] = random.next() + y[i]!;
    x[i * 2 + 1] = random.next() - y[i]!;
  }
  return { x: featureMatrix(n, 2, x), y };
}

const options = (extra: Partial<FitModelOptions> = {}) =>
  twoFeatureFitOptions({ kind: 'gbdt', threshold: 'prevalence', maxIterations: 15 }, extra);

describe('gbdt model file', () => {
  it('reads back equal to what was written and scores the same', async () => {
    const { artifact, note } = await fitModelArtifact(data(400, 1), options());
    expect(note).toMatch(/^gbdt \(15 trees, learning rate 0\.1, 31 leaves\); threshold 0\.5000: /);
    const loaded = roundTrip(artifact);
    expect(loaded).toEqual(artifact);
    const test = data(50, 2).x;
    expect(Array.from(scoreModel(loaded, test))).toEqual(Array.from(scoreModel(artifact, test)));
  });

  it('is the same file for the same seed', async () => {
    const a = await fitModelArtifact(data(400, 3), options());
    const b = await fitModelArtifact(data(400, 3), options());
    expect(JSON.stringify(b.artifact)).toBe(JSON.stringify(a.artifact));
  });

  it('fails to load when a tree value was changed after training, or when it reads another feature count', async () => {
    const { artifact } = await fitModelArtifact(data(400, 4), options());
    const changed = JSON.parse(JSON.stringify(artifact)) as ModelArtifact & { model: { value: number[] } };
    changed.model.value[1] = changed.model.value[1]! + 1;
    expect(() => parseModelArtifact(changed, 'model.json')).toThrow(IntegrityError);
    const wider = sealModelArtifact({ ...artifact, featureNames: ['a', 'b', 'c'] });
    expect(() => parseModelArtifact(JSON.parse(JSON.stringify(wider)), 'model.json')).toThrow(
      new InvalidInputError(
        'model.json',
        'model.json is not a usable rareflow model: the boosted trees read 2 features, the file lists 3.',
      ),
    );
  });

  it('chooses its threshold by the policy: G-mean on validation rows, the cost rule moved to its 1:1 scale', async () => {
    const gmean = await fitModelArtifact(
      data(400, 5),
      options({ model: { kind: 'gbdt', threshold: 'gmean', maxIterations: 15 }, validation: data(200, 6) }),
    );
    expect(gmean.artifact.thresholdPolicy).toEqual({ kind: 'gmean' });
    expect(gmean.artifact.threshold).toBeGreaterThan(0);
    expect(gmean.artifact.threshold).toBeLessThan(1);
    const rows = data(400, 5);
    const cost = await fitModelArtifact(rows, options({ model: { kind: 'gbdt', threshold: 'cost:1,9', maxIterations: 15 } }));
    // q = 1/10 holds at the data's positive share π; balanced class weights fit the scores at 1/2, so the threshold
    // on the model's odds is (1/9) · odds(1/2) / odds(π).
    const pi = rows.y.reduce((a, v) => a + v, 0) / rows.y.length;
    const odds = (1 / 9) * (1 / (pi / (1 - pi)));
    expect(cost.artifact.training.fitPrevalence).toBe(0.5);
    expect(cost.artifact.threshold).toBeCloseTo(odds / (1 + odds), 12);
  });
});
