// Tiny training sets for the model-choice tests: three features, the first two shifted for positives, and the fit
// options every candidate shares.

import type { LabelledData } from '../../core/dataset.js';
import { featureMatrix } from '../../core/dataset.js';
import { seededRandom } from '../../core/random.js';
import type { FitModelOptions } from '../../stages/train.js';

export function shiftedTriples(n: number, positives: number, seed: number): LabelledData {
  const random = seededRandom(seed);
  const x = new Float64Array(n * 3);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i < positives ? 1 : 0;
    x[i * 3] = random.next() + 0.8 * y[i]!;
    x[i * 3 + 1] = random.next() - 0.5 * y[i]!;
    x[i * 3 + 2] = random.next();
  }
  return { x: featureMatrix(n, 3, x), y };
}

export const choiceFitBase: Omit<FitModelOptions, 'model'> = {
  featureNames: ['a', 'b', 'c'],
  labelName: 'y',
  labels: { positive: '1', negative: '0' },
  modelName: 'm',
  seed: 7,
  runId: 'test',
  datasetSha256: 'test',
};
