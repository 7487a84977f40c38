// Rows of sample_weight 0 take no part in the neighbour steps: the noise filter neither removes nor consults them,
// ADASYN neither seeds from nor interpolates towards them, and every row index in the results (kept, removed,
// lineage) still names a row of the whole input.

import { describe, expect, it } from 'vitest';
import { featureMatrix, type LabelledData } from '../../core/dataset.js';
import { cleaningOfAllRows, lineageOfAllRows, rowsThatWeigh, weightedRowsOf } from '../../core/sampling/zeroWeightRows.js';
import { seededRandom } from '../../core/random.js';
import { denoiseStage } from '../../stages/denoise.js';
import { oversampleClassesWithAdasyn } from '../../stages/multiClassOversample.js';
import { oversampleWithAdasyn } from '../../stages/oversample.js';

/** Rows of two features; `rows[i]` = [x0, x1, label]. */
function data(rows: Array<[number, number, number]>): LabelledData {
  return {
    x: featureMatrix(rows.length, 2, Float64Array.from(rows.flatMap(([a, b]) => [a, b]))),
    y: Uint8Array.from(rows, (r) => r[2]),
  };
}

/**
 * Overlapping classes (20 positives around (0, 0), 80 negatives around (1, 1)), then a negative at (20, 20) (row
 * 100) with three positives right on it (rows 101-103, weight 0) and three negatives a little further (rows
 * 104-106). Rows 0 and 1, positives inside the overlap, weigh 0 too.
 */
function fixture(): { d: LabelledData; weights: Float64Array } {
  const random = seededRandom(11);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
  const rows: Array<[number, number, number]> = [];
  for (let i = 0; i < 20; i++) rows.push([normal(), normal(), 1]);
  for (let i = 0; i < 80; i++) rows.push([1 + normal(), 1 + normal(), 0]);
  rows.push([20, 20, 0], [20.01, 20, 1], [20, 20.01, 1], [20.01, 20.01, 1], [19.5, 19.5, 0], [19.6, 19.5, 0], [19.5, 19.6, 0]);
  const weights = new Float64Array(rows.length).fill(1);
  for (const r of [0, 1, 101, 102, 103]) weights[r] = 0;
  return { d: data(rows), weights };
}

describe('rows of weight 0', () => {
  it('the index maps renumber to the whole input', () => {
    expect(rowsThatWeigh(undefined)).toBeUndefined();
    expect(rowsThatWeigh(Float64Array.from([1, 2, 0.5]))).toBeUndefined();
    const weighing = rowsThatWeigh(Float64Array.from([1, 0, 2, 0, 3]))!;
    expect(Array.from(weighing)).toEqual([0, 2, 4]);
    const cleaning = cleaningOfAllRows(
      { kept: Int32Array.from([0, 2]), removed: Int32Array.from([1]), reasons: Uint8Array.from([1]), removedPerClass: [1, 0] },
      weighing,
      5,
    );
    expect(Array.from(cleaning.kept)).toEqual([0, 1, 3, 4]);
    expect(Array.from(cleaning.removed)).toEqual([2]);
    const lineage = lineageOfAllRows(
      { parent: Int32Array.from([2, 0]), neighbour: Int32Array.from([1, 2]), lambda: Float64Array.from([0.5, 0.25]) },
      weighing,
    );
    expect(Array.from(lineage.parent)).toEqual([4, 0]);
    expect(Array.from(lineage.neighbour)).toEqual([2, 4]);
    expect(lineageOfAllRows(lineage, undefined)).toBe(lineage);
    // The rows a step runs on: the weighted ones, or the input itself when every row weighs.
    const data: LabelledData = { x: featureMatrix(5, 1, Float64Array.from([0, 1, 2, 3, 4])), y: Uint8Array.from([0, 1, 0, 1, 1]) };
    const some = weightedRowsOf(data, Float64Array.from([1, 0, 2, 0, 3]));
    expect(Array.from(some.source.x.values)).toEqual([0, 2, 4]);
    expect(Array.from(some.source.y)).toEqual([0, 0, 1]);
    expect(Array.from(some.weighing!)).toEqual([0, 2, 4]);
    expect(some.setAside).toBe(2);
    const all = weightedRowsOf(data, Float64Array.from([1, 1, 1, 1, 1]));
    expect(all).toEqual({ source: data, weighing: undefined, setAside: 0 });
    expect(all.source).toBe(data);
  });

  it('the noise filter neither removes a row because of them nor removes them', () => {
    const { d, weights } = fixture();
    const options = { method: 'enn' as const, k: 3, neighbors: 'exact' as const };
    // Unweighted, the negative at (20, 20) has three positives as its nearest rows: ENN removes it.
    const plain = denoiseStage(d, options);
    expect(Array.from(plain.cleaning.removed)).toContain(100);
    // With those positives at weight 0, its nearest rows are the three negatives beside it: kept.
    const weighted = denoiseStage(d, options, weights);
    expect(Array.from(weighted.cleaning.removed)).not.toContain(100);
    for (const r of [0, 1, 101, 102, 103]) expect(Array.from(weighted.cleaning.kept)).toContain(r);
    expect(weighted.cleaned.y.length).toBe(d.y.length - weighted.cleaning.removed.length);
    expect(weighted.weights!.filter((w) => w === 0)).toHaveLength(5);
    expect(weighted.summary.note).toMatch(/; 5 rows of weight 0 set aside \(kept, never a neighbour\)$/);
  });

  it('ADASYN neither seeds from them nor interpolates towards them; lineage names rows of the whole input', () => {
    const { d, weights: w } = fixture();
    const done = oversampleWithAdasyn(d, { k: 3, beta: 1, seed: 7, neighbors: 'exact' }, w);
    expect(done.syntheticRows).toBeGreaterThan(0);
    const real = d.y.length;
    const seeds = Array.from(done.lineage!._seed_row.subarray(real));
    const neighbours = Array.from(done.lineage!._neighbor_row.subarray(real));
    for (const r of [...seeds, ...neighbours]) {
      expect(w[r]).toBeGreaterThan(0);
      expect(d.y[r]).toBe(1);
    }
    // Each synthetic row lies on the segment from its seed to its neighbour, both read from the whole input.
    const x = done.augmented.x;
    for (let s = 0; s < done.syntheticRows; s++) {
      const gap = done.lineage!._gap[real + s]!;
      for (let c = 0; c < 2; c++) {
        const seed = d.x.values[seeds[s]! * 2 + c]!;
        const towards = d.x.values[neighbours[s]! * 2 + c]!;
        expect(x.values[(real + s) * 2 + c]).toBeCloseTo(seed + gap * (towards - seed), 12);
      }
      expect(done.weights![real + s]).toBe(w[seeds[s]!]);
    }
    expect(done.note).toMatch(/5 rows of weight 0 set aside \(never a seed or a neighbour\)/);
  });

  it('multi-class ADASYN sets them aside the same way', () => {
    const { d, weights } = fixture();
    // A third class around (5, 5), its first row of weight 0.
    const rows = d.y.length;
    const x = featureMatrix(rows + 8, 2);
    x.values.set(d.x.values);
    for (let i = 0; i < 8; i++) x.values.set([5 + (i % 4) * 0.2, 5 + Math.floor(i / 4) * 0.2], (rows + i) * 2);
    const y = Uint8Array.from({ length: rows + 8 }, (_, r) => (r >= rows ? 2 : d.y[r] === 1 ? 1 : 0));
    const w = new Float64Array(rows + 8).fill(1);
    w.set(weights);
    w[rows] = 0;
    const done = oversampleClassesWithAdasyn({ x, y }, ['a', 'b', 'c'], { k: 3, beta: 1, seed: 3, neighbors: 'exact' }, w);
    expect(done.syntheticRows).toBeGreaterThan(0);
    const total = rows + 8;
    for (const r of [...done.lineage!._seed_row.subarray(total), ...done.lineage!._neighbor_row.subarray(total)])
      expect(w[r]).toBeGreaterThan(0);
    expect(done.note).toMatch(/6 rows of weight 0 set aside/);
  });
});
