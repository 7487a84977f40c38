// Out-of-bag scores of the random forest: equal to a brute-force recomputation, deterministic, on every thread
// count, with their coverage reported; and the trees themselves are the ones grown before out-of-bag existed.

import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../core/contentHash.js';
import type { LabelledData } from '../../core/dataset.js';
import { trainRandomForestInWorkers } from '../../core/models/forestWorkers.js';
import { trainRandomForest, type RandomForestOptions } from '../../core/models/randomForest.js';
import { seededRandom } from '../../core/random.js';

/** 4 features; y = 1 when x0 + x1 > 1.2 with 5% labels flipped (about 15% positives). */
function generated(seed: number, rows: number): LabelledData {
  const rng = seededRandom(seed);
  const cols = 4;
  const values = new Float64Array(rows * cols);
  const y = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) values[r * cols + c] = rng.next() * 2 - 1 + (c < 2 ? 0.3 : 0);
    const clean = values[r * cols]! + values[r * cols + 1]! > 1.2 ? 1 : 0;
    y[r] = rng.next() < 0.05 ? 1 - clean : clean;
  }
  return { x: { rows, cols, values }, y };
}

const data = generated(3, 300);
const weights = Float64Array.from({ length: 300 }, (_, i) => (i % 7 === 0 ? 0 : 1 + (i % 3)));
const configurations: Array<[string, RandomForestOptions]> = [
  ['bootstrap', { trees: 7, seed: 5 }],
  ['subsample', { trees: 7, seed: 6, sampling: 'subsample' }],
  ['balanced', { trees: 7, seed: 7, sampling: 'balanced', minNodeSize: 2 }],
  ['weighted', { trees: 7, seed: 8, sampleWeights: weights, classWeight: 'balanced' }],
];

describe('random forest trees: unchanged by out-of-bag scoring', () => {
  // sha256 of the model JSON, recorded with the code before out-of-bag scoring was added.
  const expected: Record<string, string> = {
    bootstrap: 'abf512fe02b13af2e7b35bd59ae942c831facb219adc859edecdfa6020f02bed',
    subsample: 'a87237ec10cd9807473354d3eacab8d71ded5cb80ceed73d5727ac24cc896f4a',
    balanced: '664425182006859e21a36405e7eef0ad25e4c1f38dc2369b66abac40046f6c8c',
    weighted: '581d8c012ff39c1a787751bf729b777aedd592aaf7cf6889c5c3d9fd0e410df9',
  };
  for (const [name, options] of configurations) {
    it(`grows the same ${name} forest as before`, async () => {
      const serial = trainRandomForest(data, options);
      expect(sha256Hex(JSON.stringify(serial))).toBe(expected[name]);
      expect(sha256Hex(JSON.stringify(await trainRandomForestInWorkers(data, options, { threads: 2 })))).toBe(expected[name]);
    });
  }
});
