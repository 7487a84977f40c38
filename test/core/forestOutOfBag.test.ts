// Out-of-bag scores of the random forest: equal to a brute-force recomputation, deterministic, on every thread
// count, with their coverage reported; and the trees themselves are the ones grown before out-of-bag existed.

import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../core/contentHash.js';
import type { LabelledData } from '../../core/dataset.js';
import { classificationReport } from '../../core/metrics/classMetrics.js';
import {
  coveredOutOfBagRows,
  summariseOutOfBag,
  trainRandomForestWithOutOfBag,
  type ForestOutOfBag,
} from '../../core/models/forestOutOfBag.js';
import { growTree } from '../../core/models/forestTree.js';
import { trainRandomForestInWorkers, trainRandomForestWithOutOfBagInWorkers } from '../../core/models/forestWorkers.js';
import {
  assembleForest,
  predictProbaForest,
  prepareForestJob,
  trainRandomForest,
  type RandomForestOptions,
} from '../../core/models/randomForest.js';
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

/**
 * The definition, the slow way: grow each tree again with its bag read back, score every row with that tree alone on
 * the raw feature values, and average over the trees whose bag left the row out.
 */
function bruteForceOutOfBag(train: LabelledData, options: RandomForestOptions): { scores: number[]; treeCounts: number[] } {
  const job = prepareForestJob(train, options);
  const n = train.y.length;
  const sum = new Float64Array(n);
  const treeCounts = new Array<number>(n).fill(0);
  for (let t = 0; t < job.options.trees; t++) {
    const bag = new Uint32Array(n);
    const tree = growTree(job.binned, job.y, job.params, t, job.sampleWeights, bag);
    const alone = predictProbaForest(assembleForest(job, [tree]), train.x);
    for (let r = 0; r < n; r++) {
      if (bag[r] === 0) {
        sum[r]! += alone[r]!;
        treeCounts[r]!++;
      }
    }
  }
  return { scores: Array.from(sum, (s, r) => (treeCounts[r]! > 0 ? s / treeCounts[r]! : Number.NaN)), treeCounts };
}

const plain = (o: ForestOutOfBag) => ({ scores: Array.from(o.scores), treeCounts: Array.from(o.treeCounts) });

describe('random forest: out-of-bag scores', () => {
  for (const [name, options] of configurations) {
    it(`equal a brute-force recomputation (${name}), with the model trainRandomForest grows`, () => {
      const { model, outOfBag } = trainRandomForestWithOutOfBag(data, options);
      expect(model).toEqual(trainRandomForest(data, options));
      expect(plain(outOfBag)).toEqual(bruteForceOutOfBag(data, options));
    });
  }

  it('are the same on worker threads (bit for bit) and on every run with the seed; another seed changes them', async () => {
    const options = { trees: 9, seed: 21, sampling: 'subsample' } as const;
    const serial = trainRandomForestWithOutOfBag(data, options);
    for (const threads of [1, 2, 3]) {
      const threaded = await trainRandomForestWithOutOfBagInWorkers(data, options, { threads });
      expect(threaded.model).toEqual(serial.model);
      expect(plain(threaded.outOfBag)).toEqual(plain(serial.outOfBag));
    }
    expect(plain(trainRandomForestWithOutOfBag(data, options).outOfBag)).toEqual(plain(serial.outOfBag));
    expect(plain(trainRandomForestWithOutOfBag(data, { ...options, seed: 22 }).outOfBag).scores).not.toEqual(plain(serial.outOfBag).scores);
  });

  it('reports coverage: NaN and a tree count of 0 exactly where every tree saw the row', () => {
    // One tree over every row: nothing is out of bag.
    const none = trainRandomForestWithOutOfBag(data, { trees: 1, sampling: 'subsample', sampleFraction: 1 }).outOfBag;
    expect(none.coveredRows).toBe(0);
    expect(none.coverage).toBe(0);
    expect(none.scores.every(Number.isNaN)).toBe(true);
    // Two bootstrap trees: about (1 − 1/e)² ≈ 40% of the rows are in both bags.
    const two = trainRandomForestWithOutOfBag(data, { trees: 2, seed: 1 }).outOfBag;
    const covered = Array.from(two.treeCounts).filter((c) => c > 0).length;
    expect(two.coveredRows).toBe(covered);
    expect(two.coverage).toBe(covered / data.y.length);
    expect(two.coverage).toBeGreaterThan(0.45);
    expect(two.coverage).toBeLessThan(0.75);
    for (let r = 0; r < data.y.length; r++) expect(Number.isNaN(two.scores[r]!)).toBe(two.treeCounts[r] === 0);
    // Enough trees cover every row.
    expect(trainRandomForestWithOutOfBag(data, { trees: 40, seed: 1 }).outOfBag.coverage).toBe(1);
  });

  it('leave rows of sample weight 0 out of every bag, so every tree scores them', () => {
    const { outOfBag } = trainRandomForestWithOutOfBag(data, { trees: 5, seed: 2, sampleWeights: weights });
    for (let r = 0; r < data.y.length; r += 7) expect(outOfBag.treeCounts[r]).toBe(5);
  });

  it('summarise as G-mean at the threshold and PR-AUC over the covered rows', () => {
    const { outOfBag } = trainRandomForestWithOutOfBag(data, { trees: 3, seed: 4 });
    const summary = summariseOutOfBag(outOfBag, data.y, 0.3);
    const { scores, labels } = coveredOutOfBagRows(outOfBag, data.y);
    const report = classificationReport(labels, scores, 0.3);
    expect(summary).toEqual({
      rows: outOfBag.coveredRows,
      uncoveredRows: data.y.length - outOfBag.coveredRows,
      positives: report.support.positive,
      gMean: report.gMean,
      prAuc: report.prAuc,
      threshold: 0.3,
    });
    expect(outOfBag.coveredRows).toBeLessThan(data.y.length);
    expect(summary.gMean).toBeGreaterThan(0.6);
  });
});
