// The model file's missing-value fill: recorded at training, used by scoring, absent (and unchanged) otherwise.

import { describe, expect, it } from 'vitest';
import { fitModelArtifact, type FitModelOptions } from '../../stages/train.js';
import { featureMatrix, type LabelledData } from '../../core/dataset.js';
import { parseModelArtifact, scoreModel, sealModelArtifact } from '../../core/models/modelArtifact.js';
import { seededRandom } from '../../core/random.js';
import { roundTrip, twoFeatureFitOptions } from '../support/modelFileFixtures.js';

function data(n: number, seed: number): LabelledData {
  const random = seededRandom(seed);
  const x = new Float64Array(n * 2);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 5 === 0 ? 1 : 0;
    x[i * 2] = random.next() + y[i]!;
    x[i * 2 + 1] = random.next() - y[i]!;
  }
  return { x: featureMatrix(n, 2, x), y };
}

const options = (extra: Partial<FitModelOptions> = {}) => twoFeatureFitOptions({ kind: 'logreg', threshold: 'prevalence' }, extra);

describe('model missing-value fill', () => {
  it('scores a missing input exactly as the row with the fitted fill in its place', async () => {
    const { artifact } = await fitModelArtifact(data(200, 4), options({ missingValues: { policy: 'median', fillValues: [0.25, -0.5] } }));
    const loaded = roundTrip(artifact);
    expect(loaded.missingValues).toEqual({ policy: 'median', fillValues: [0.25, -0.5] });
    const withGaps = scoreModel(loaded, featureMatrix(3, 2, Float64Array.from([NaN, 1, 2, NaN, NaN, NaN])));
    const filled = scoreModel(loaded, featureMatrix(3, 2, Float64Array.from([0.25, 1, 2, -0.5, 0.25, -0.5])));
    expect(Array.from(withGaps)).toEqual(Array.from(filled));
    expect(withGaps.every(Number.isFinite)).toBe(true);
  });

  it('loads a model file written before the field existed and scores it exactly as before', async () => {
    const { artifact } = await fitModelArtifact(data(200, 5), options());
    expect('missingValues' in artifact).toBe(false);
    // A file of the older shape: the same JSON, with its seal over the same fields.
    const old = JSON.parse(JSON.stringify(artifact)) as Record<string, unknown>;
    const loaded = parseModelArtifact(old, 'old.json');
    const x = data(50, 6).x;
    expect(Array.from(scoreModel(loaded, x))).toEqual(Array.from(scoreModel(artifact, x)));
    expect(loaded.contentSha256).toBe(artifact.contentSha256);
  });

  it('refuses a fill that does not hold one finite number per feature', async () => {
    const { artifact } = await fitModelArtifact(data(100, 7), options());
    const short = sealModelArtifact({ ...artifact, missingValues: { policy: 'mean', fillValues: [1] } });
    expect(() => roundTrip(short)).toThrow(/"missingValues.fillValues" must hold one finite number per feature \(2\)/);
    const policy = sealModelArtifact({ ...artifact, missingValues: { policy: 'reject' as 'mean', fillValues: [1, 2] } });
    expect(() => roundTrip(policy)).toThrow(/"missingValues.policy" must be "mean", "median" or "constant"/);
  });
});
