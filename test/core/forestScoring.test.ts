// The compiled forest scores every row bit-identically to the plain walk over the model's node lists (the scoring
// before the compiled layout), in batch, row by row, through model files with fills and one-hot columns, multi-class.

import { describe, expect, it } from 'vitest';
import type { FeatureMatrix, LabelledData } from '../../core/dataset.js';
import { compileForest, compiledForestRowScorer, scoreCompiledForest } from '../../core/models/forestScoring.js';
import { ForestScoringPool } from '../../core/models/forestScoringPool.js';
import { fillMissingInputs, scoreModel, scoreMultiClass, type ModelArtifact } from '../../core/models/modelArtifact.js';
import { compileRowScorer, predictProbaModel } from '../../core/models/predictModel.js';
import { predictProbaForest, trainRandomForest, type RandomForestModel, type RandomForestOptions } from '../../core/models/randomForest.js';
import { seededRandom } from '../../core/random.js';

/** The plain walk: each tree in order, each row from the root, `x ≤ threshold` left; sum, then × 1/trees. */
function referenceScores(model: RandomForestModel, x: FeatureMatrix): Float64Array {
  const out = new Float64Array(x.rows);
  for (const root of model.roots) {
    for (let r = 0; r < x.rows; r++) {
      let node = root;
      while (model.feature[node]! >= 0) {
        node = x.values[r * x.cols + model.feature[node]!]! <= model.threshold[node]! ? model.left[node]! : model.right[node]!;
      }
      out[r]! += model.value[node]!;
    }
  }
  const inv = 1 / model.roots.length;
  for (let r = 0; r < x.rows; r++) out[r]! *= inv;
  return out;
}

/** Float64 bit patterns, so 0 and −0 or any last-bit difference would show. */
const bits = (a: Float64Array) => Array.from(new BigUint64Array(a.buffer, a.byteOffset, a.length));

/** `cols` features: `numeric` Gaussians, then a 3-category one-hot group; about 8% positives. Values repeat on a grid. */
function generated(seed: number, rows: number, numeric: number): LabelledData {
  const rng = seededRandom(seed);
  const cols = numeric + 3;
  const values = new Float64Array(rows * cols);
  const y = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < numeric; c++) {
      // Rounded to 1/8, so rows sit exactly on the forest's thresholds' neighbours and ties happen.
      const v = Math.round((rng.next() * 4 - 2) * 8) / 8;
      values[r * cols + c] = v;
      s += c < 2 ? v : 0;
    }
    const category = rng.nextInt(3);
    values[r * cols + numeric + category] = 1;
    y[r] = s + (category === 2 ? 0.8 : 0) > 1.6 || rng.next() < 0.02 ? 1 : 0;
  }
  return { x: { rows, cols, values }, y };
}

const forests: Array<[string, RandomForestOptions]> = [
  ['default bootstrap, 7 trees', { trees: 7, seed: 1 }],
  ['balanced sampling, 20 trees', { trees: 20, sampling: 'balanced', seed: 2 }],
  ['subsample, balanced class weights, depth 3', { trees: 9, sampling: 'subsample', classWeight: 'balanced', maxDepth: 3, seed: 3 }],
  ['stumps and single leaves (huge node size)', { trees: 5, minNodeSize: 400, seed: 4 }],
  ['coarse bins, mtry 1', { trees: 6, maxBins: 4, mtry: 1, seed: 5 }],
];

describe('compiled forest scoring', () => {
  const train = generated(11, 900, 5);
  // 2,501 rows: more than one row block, and not a multiple of the four rows walked together.
  const probe = generated(12, 2501, 5).x;

  for (const [name, options] of forests) {
    it(`is bit-identical to the plain walk in batch and row by row: ${name}`, () => {
      const model = trainRandomForest(train, options);
      const expected = referenceScores(model, probe);
      expect(bits(predictProbaForest(model, probe))).toEqual(bits(expected));
      expect(bits(predictProbaModel(model, probe))).toEqual(bits(expected));
      const forest = compileForest(model);
      const part = new Float64Array(probe.rows);
      scoreCompiledForest(forest, probe.values, 5, 1030, part);
      expect(bits(part.subarray(5, 1030))).toEqual(bits(expected.subarray(5, 1030)));
      const row = compileRowScorer(model);
      const rowScores = new Float64Array(probe.rows);
      for (let r = 0; r < probe.rows; r++) rowScores[r] = row(probe.values.subarray(r * probe.cols, (r + 1) * probe.cols));
      expect(bits(rowScores)).toEqual(bits(expected));
      expect(bits(Float64Array.from([compiledForestRowScorer(forest)(probe.values.subarray(0, probe.cols))]))).toEqual(
        bits(expected.subarray(0, 1)),
      );
    });
  }

  it('sends a value equal to a threshold left, as the plain walk does, and scores a one-leaf tree', () => {
    // Tree 0: x0 ≤ 0.5 → 0.25, else x1 ≤ −1 → 0.5, else 1. Tree 1: a single leaf of 0.125.
    const model: RandomForestModel = {
      ...trainRandomForest(generated(1, 50, 1), { trees: 1 }),
      featureCount: 2,
      roots: [0, 5],
      feature: [0, -1, 1, -1, -1, -1],
      threshold: [0.5, 0, -1, 0, 0, 0],
      left: [1, -1, 3, -1, -1, -1],
      right: [2, -1, 4, -1, -1, -1],
      value: [0.3, 0.25, 0.7, 0.5, 1, 0.125],
    };
    const x = { rows: 5, cols: 2, values: Float64Array.from([0.5, 0, 0.5000001, -1, 0.6, -0.9999, -3, 7, 1e300, -1e300]) };
    const expected = referenceScores(model, x);
    expect(Array.from(expected)).toEqual([0.1875, 0.3125, 0.5625, 0.1875, 0.3125]);
    expect(bits(predictProbaForest(model, x))).toEqual(bits(expected));
    const row = compileRowScorer(model);
    for (let r = 0; r < x.rows; r++) expect(row(x.values.subarray(2 * r, 2 * r + 2))).toBe(expected[r]);
  });

  it('scores a model file with fitted fills for missing values and one-hot columns as the plain walk of the filled rows', () => {
    const model = trainRandomForest(train, { trees: 13, seed: 6 });
    const fillValues = [0.25, -0.5, 0, 1.125, -2, 0, 0, 0];
    const artifact = {
      featureNames: ['a', 'b', 'c', 'd', 'e', 'k=x', 'k=y', 'k=z'],
      inputColumns: [
        ...['a', 'b', 'c', 'd', 'e'].map((name) => ({ name, kind: 'numeric' as const })),
        { name: 'k', kind: 'categorical' as const, categories: ['x', 'y', 'z'] },
      ],
      missingValues: { policy: 'mean', fillValues },
      model,
    } as unknown as ModelArtifact;
    const values = Float64Array.from(probe.values);
    const rng = seededRandom(7);
    for (let i = 0; i < values.length; i++) if (i % probe.cols < 5 && rng.next() < 0.1) values[i] = Number.NaN;
    // An unseen category: none of the one-hot columns set.
    values.fill(0, 5, 8);
    const x = { rows: probe.rows, cols: probe.cols, values };
    const expected = referenceScores(model, fillMissingInputs(artifact, x));
    expect(bits(scoreModel(artifact, x))).toEqual(bits(expected));
  });

  it('scores each class of a multi-class model as the plain walk does', () => {
    const models = [13, 14, 15].map((seed) => {
      const data = generated(seed, 600, 5);
      return trainRandomForest(data, { trees: 5 + seed - 13, seed });
    });
    const artifact = {
      featureNames: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'],
      model: models[0],
      multiClass: { classes: ['p', 'q', 'r'], models, thresholds: [0.5, 0.4, 0.3] },
    } as unknown as ModelArtifact;
    const { scores } = scoreMultiClass(artifact, probe);
    models.forEach((m, c) => {
      const expected = referenceScores(m, probe);
      const got = Float64Array.from({ length: probe.rows }, (_, r) => scores[r * 3 + c]!);
      expect(bits(got)).toEqual(bits(expected));
    });
  });

  it('scores batches on two worker threads, both buffers, bit-identically to the plain walk', async () => {
    const model = trainRandomForest(train, { trees: 11, seed: 8 });
    const big = generated(16, 9001, 5).x;
    const second = generated(17, 5003, 5).x;
    const pool = new ForestScoringPool(model, { threads: 2, batchRows: 10000 });
    try {
      // Two batches in flight at once, one per buffer; then a small one, scored on the calling thread.
      pool.buffers[0].values.set(big.values);
      pool.buffers[1].values.set(second.values);
      await Promise.all([pool.score(0, big.rows), pool.score(1, second.rows)]);
      expect(bits(pool.buffers[0].out.slice(0, big.rows))).toEqual(bits(referenceScores(model, big)));
      expect(bits(pool.buffers[1].out.slice(0, second.rows))).toEqual(bits(referenceScores(model, second)));
      pool.buffers[0].values.set(probe.values);
      await pool.score(0, 100);
      expect(bits(pool.buffers[0].out.slice(0, 100))).toEqual(bits(referenceScores(model, { ...probe, rows: 100 })));
    } finally {
      await pool.close();
    }
  });
});
