// Sample weights count by their size against each other: every row weighted 0.1, 1/3 or 7 gives the same model as
// every row weighted 1, for each kind (before, a forest's trees and a threshold read from weighted sums moved with
// the scale, and 1e300 gave a constant model).

import { describe, expect, it } from 'vitest';
import type { LabelledData } from '../../core/dataset.js';
import { scoreModel } from '../../core/models/modelArtifact.js';
import { seededRandom } from '../../core/random.js';
import { weightsOfMeanOne } from '../../core/sampling/sampleWeights.js';
import { fitModelArtifact } from '../../stages/train.js';

function rows(n: number): LabelledData {
  const random = seededRandom(4);
  const values = new Float64Array(n * 3);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 3; j++) values[i * 3 + j] = random.next();
    y[i] = values[i * 3]! + 0.5 * values[i * 3 + 1]! + 0.3 * random.next() > 1.1 ? 1 : 0;
  }
  return { x: { rows: n, cols: 3, values }, y };
}

const data = rows(600);
const fit = (kind: 'forest' | 'gbdt' | 'logreg', scale?: number) =>
  fitModelArtifact(data, {
    modelName: 'w',
    featureNames: ['a', 'b', 'c'],
    labelName: 'y',
    labels: { positive: '1', negative: '0' },
    seed: 3,
    datasetSha256: 'x',
    runId: 'local',
    model: { kind, threshold: 'prevalence', ...(kind === 'forest' ? { trees: 30 } : {}) },
    sampleWeights: new Float64Array(data.y.length).fill(scale ?? 1),
  });

describe('sample weights scaled alike', () => {
  it('scale to a mean of 1, equal ones to exactly 1, without overflow', () => {
    expect([...weightsOfMeanOne(Float64Array.from([1e300, 1e300]))]).toEqual([1, 1]);
    expect([...weightsOfMeanOne(Float64Array.from([1e-300, 3e-300]))]).toEqual([0.5, 1.5]);
    expect([...weightsOfMeanOne(Float64Array.from([0.1, 0.1, 0.1]))]).toEqual([1, 1, 1]);
  });

  it.each(['forest', 'gbdt', 'logreg'] as const)('give the same %s at any common scale', async (kind) => {
    const one = await fit(kind);
    for (const scale of [0.1, 1 / 3, 7, 1e300, 1e-300]) {
      const other = await fit(kind, scale);
      expect(other.artifact.threshold).toBe(one.artifact.threshold);
      expect([...scoreModel(other.artifact, data.x)]).toEqual([...scoreModel(one.artifact, data.x)]);
    }
  });
});
