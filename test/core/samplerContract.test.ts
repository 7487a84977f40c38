// One contract, run over every sampler, noise filter and oversampler of core/: same seed same output, inputs left
// as they were, outputs of the promised shape and per-class counts, weights that follow their rows, and bad
// parameters refused with an InvalidInputError naming them. Golden outputs live in each method's own test file.

import { describe, expect, it } from 'vitest';
import { classCounts, type LabelledData } from '../../core/dataset.js';
import { confidentLearning } from '../../core/denoise/confidentLearning.js';
import { editedNearestNeighbours, repeatedEditedNearestNeighbours } from '../../core/denoise/editedNearestNeighbours.js';
import { REMOVAL_REASON, type CleaningResult } from '../../core/denoise/removalReason.js';
import { tomekLinks } from '../../core/denoise/tomekLinks.js';
import { InvalidInputError } from '../../core/invalidInputError.js';
import { adasyn, smote, type AdasynOptions, type AdasynResult } from '../../core/oversample/adasyn.js';
import { appendSynthetic, syntheticWeights } from '../../core/oversample/syntheticLineage.js';
import { seededRandom } from '../../core/random.js';
import { AdaptiveSampler, mergeShardSamples, type AdaptiveSampleResult } from '../../core/sampling/adaptiveSample.js';
import { createRowIdSampler, offerLabels, type RowIdSamplerKind } from '../../core/sampling/rowIdSamplers.js';
import { copyOf, oneClass, overlappingClasses, withoutRowIds } from '../support/overlappingClasses.js';

function invalidInput(run: () => unknown): InvalidInputError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error('expected an InvalidInputError, nothing was thrown');
}

function expectAscendingUniqueInRange(ids: ArrayLike<number>, rows: number): void {
  for (let i = 0; i < ids.length; i++) {
    expect(Number.isInteger(ids[i])).toBe(true);
    expect(ids[i]).toBeGreaterThanOrEqual(0);
    expect(ids[i]).toBeLessThan(rows);
    if (i > 0) expect(ids[i]).toBeGreaterThan(ids[i - 1]!);
  }
}

const DATA = overlappingClasses(300, 40, 11);
const [NEGATIVES, POSITIVES] = classCounts(DATA.y);

describe('the contract data', () => {
  it('has the intended class sizes', () => {
    expect([NEGATIVES, POSITIVES]).toEqual([260, 40]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Samplers: the adaptive row sampler (Algorithm 1 over rows) and every row-id sampler (Algorithm 1 and the
// uniform, first-come and dual-reservoir baselines). Each is run over DATA and reports the input row ids it kept.

interface SampleRun {
  positiveRows: number[];
  negativeRows: number[];
  complete: boolean;
  warning: string | undefined;
}

interface SamplerCase {
  name: string;
  /** Whether the seed matters (a first-come sampler keeps the same rows whatever the seed). */
  seeded: boolean;
  run(data: LabelledData, targetSize: number, positiveTarget: number, seed: number): SampleRun;
  /** Rows of each class promised when the data has enough of both: [negatives, positives]; undefined: only the total. */
  promised(targetSize: number, positiveTarget: number): [number, number] | undefined;
}

const rowSampler: SamplerCase = {
  name: 'AdaptiveSampler (rows)',
  seeded: true,
  run(data, targetSize, positiveTarget, seed) {
    const sampler = new AdaptiveSampler({ targetSize, positiveTarget, cols: data.x.cols, random: seededRandom(seed) });
    // Two batches, so a batch boundary is crossed.
    const half = Math.floor(data.x.rows / 2);
    const cols = data.x.cols;
    if (!sampler.offerBatch(data.x.values.subarray(0, half * cols), data.y.subarray(0, half), half)) {
      sampler.offerBatch(data.x.values.subarray(half * cols), data.y.subarray(half), data.x.rows - half);
    }
    const result = sampler.result();
    expect(result.x.values).toBeInstanceOf(Float64Array);
    expect(result.y).toBeInstanceOf(Uint8Array);
    expect(result.x.cols).toBe(cols);
    const positiveRows: number[] = [];
    const negativeRows: number[] = [];
    for (let i = 0; i < result.x.rows; i++) {
      const id = result.x.values[i * cols]!;
      // A kept row is a copy of its input row, label included.
      expect(Array.from(result.x.values.subarray(i * cols, (i + 1) * cols))).toEqual(
        Array.from(data.x.values.subarray(id * cols, (id + 1) * cols)),
      );
      expect(result.y[i]).toBe(data.y[id]);
      (result.y[i] === 1 ? positiveRows : negativeRows).push(id);
    }
    return { positiveRows, negativeRows, complete: result.complete, warning: result.warning };
  },
  promised: (n, nr) => [n - nr, nr],
};

function rowIdSampler(kind: RowIdSamplerKind, seeded: boolean, promised: SamplerCase['promised']): SamplerCase {
  return {
    name: `createRowIdSampler ${kind}`,
    seeded,
    run(data, targetSize, positiveTarget, seed) {
      const sampler = createRowIdSampler({ kind, targetSize, positiveTarget, random: seededRandom(seed) });
      offerLabels(sampler, 0, data.y, data.y.length);
      const result = sampler.result();
      expect(result.positiveRows).toBeInstanceOf(Float64Array);
      expect(result.negativeRows).toBeInstanceOf(Float64Array);
      for (const id of result.positiveRows) expect(data.y[id]).toBe(1);
      for (const id of result.negativeRows) expect(data.y[id]).toBe(0);
      return {
        positiveRows: Array.from(result.positiveRows),
        negativeRows: Array.from(result.negativeRows),
        complete: result.complete,
        warning: result.warning,
      };
    },
    promised,
  };
}

const SAMPLERS: SamplerCase[] = [
  rowSampler,
  rowIdSampler('adaptive', true, (n, nr) => [n - nr, nr]),
  rowIdSampler('uniform', true, () => undefined),
  rowIdSampler('firstCome', false, (n, nr) => [n - nr, nr]),
  rowIdSampler('dualReservoir', true, (n, nr) => [n - nr, nr]),
];

describe.each(SAMPLERS)('sampler contract: $name', (sampler) => {
  const N = 60;
  const NR = 20;

  it('gives the same rows for the same seed', () => {
    expect(sampler.run(DATA, N, NR, 5)).toEqual(sampler.run(DATA, N, NR, 5));
  });

  it(sampler.seeded ? 'gives other rows for another seed' : 'keeps the same rows whatever the seed', () => {
    const a = sampler.run(DATA, N, NR, 5);
    const b = sampler.run(DATA, N, NR, 6);
    if (sampler.seeded) expect(b).not.toEqual(a);
    else expect(b).toEqual(a);
  });

  it('leaves its input unchanged', () => {
    const before = copyOf(DATA);
    sampler.run(DATA, N, NR, 5);
    expect(DATA.x.values).toEqual(before.x.values);
    expect(DATA.y).toEqual(before.y);
  });

  it('keeps distinct input rows, as many per class as promised', () => {
    const got = sampler.run(DATA, N, NR, 5);
    const all = [...got.positiveRows, ...got.negativeRows];
    expect(new Set(all).size).toBe(all.length);
    for (const id of all) {
      expect(Number.isInteger(id)).toBe(true);
      expect(id).toBeGreaterThanOrEqual(0);
      expect(id).toBeLessThan(DATA.x.rows);
    }
    for (const id of got.positiveRows) expect(DATA.y[id]).toBe(1);
    for (const id of got.negativeRows) expect(DATA.y[id]).toBe(0);
    expect(all.length).toBe(N);
    const promised = sampler.promised(N, NR);
    if (promised !== undefined) expect([got.negativeRows.length, got.positiveRows.length]).toEqual(promised);
    expect(got.complete).toBe(true);
    expect(got.warning).toBeUndefined();
  });

  it('reports an incomplete sample with a warning when a class runs out, not an error', () => {
    const got = sampler.run(oneClass(DATA, 0), N, NR, 5);
    expect(got.positiveRows).toEqual([]);
    if (sampler.promised(N, NR) !== undefined) {
      expect(got.complete).toBe(false);
      expect(got.warning).toMatch(/ran out|rows/);
    } else {
      // Uniform sampling does not ask for positives: N negatives are a complete sample.
      expect(got.negativeRows.length).toBe(N);
      expect(got.complete).toBe(true);
    }
  });

  it.each([
    ['target size 0', 0, 1, /target size must be an integer ≥ 1; got 0/],
    ['a fractional target size', 10.5, 1, /target size must be an integer ≥ 1; got 10.5/],
  ])('refuses %s', (_what, targetSize, positiveTarget, message) => {
    expect(invalidInput(() => sampler.run(DATA, targetSize, positiveTarget, 1)).message).toMatch(message);
  });

  it('refuses a positive target above the target size, unless it ignores the positive target', () => {
    if (sampler.promised(N, NR) === undefined) {
      const got = sampler.run(DATA, 10, 11, 1);
      expect(got.positiveRows.length + got.negativeRows.length).toBe(10);
      return;
    }
    expect(invalidInput(() => sampler.run(DATA, 10, 11, 1)).message).toMatch(
      /positive target Nr must be an integer from 1 to the target size N \(10\); got Nr=11/,
    );
  });
});

describe('sampler contract: weights follow their rows through the shard merge', () => {
  // Weight of input row r is 1 + r / 1000, so any row that lost its weight shows.
  const weightOf = (id: number) => 1 + id / 1000;

  function shard(from: number, to: number, seed: number): AdaptiveSampleResult {
    const cols = DATA.x.cols;
    const sampler = new AdaptiveSampler({ targetSize: 30, positiveTarget: 10, cols, random: seededRandom(seed) });
    sampler.offerBatch(DATA.x.values.subarray(from * cols, to * cols), DATA.y.subarray(from, to), to - from);
    const result = sampler.result();
    const weights = new Float64Array(result.x.rows);
    for (let i = 0; i < result.x.rows; i++) weights[i] = weightOf(result.x.values[i * cols]!);
    return { ...result, weights };
  }

  it('keeps each row with its own weight and its label, for the same seed the same order', () => {
    const shards = [shard(0, 150, 1), shard(150, 300, 2)];
    const merged = mergeShardSamples(shards, seededRandom(3));
    const cols = DATA.x.cols;
    expect(merged.weights).toBeInstanceOf(Float64Array);
    expect(merged.x.rows).toBe(60);
    expect(merged.weights!.length).toBe(60);
    for (let i = 0; i < merged.x.rows; i++) {
      const id = merged.x.values[i * cols]!;
      expect(merged.weights![i]).toBe(weightOf(id));
      expect(merged.y[i]).toBe(DATA.y[id]);
    }
    expect(classCounts(merged.y)).toEqual([40, 20]);
    expect(mergeShardSamples(shards, seededRandom(3))).toEqual(merged);
  });

  it('refuses shards of which only some carry weights', () => {
    const { weights: _dropped, ...unweighted } = shard(150, 300, 2);
    expect(invalidInput(() => mergeShardSamples([shard(0, 150, 1), unweighted], seededRandom(3))).message).toMatch(
      /either every shard sample has sample weights or none has/,
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Noise filters: edited nearest neighbours, repeated ENN, Tomek links and confident learning. Each returns the kept
// row indices of its input.

interface FilterCase {
  name: string;
  reason: number;
  filter(data: LabelledData, seed: number): CleaningResult;
  /** Parameter mistakes and the message each must give. */
  bad: Array<[string, (data: LabelledData) => unknown, RegExp]>;
}

const FILTERS: FilterCase[] = [
  {
    name: 'editedNearestNeighbours',
    reason: REMOVAL_REASON.editedNearestNeighbours,
    filter: (data) => editedNearestNeighbours(data, { k: 3 }),
    bad: [
      [
        'k = 0',
        (d) => editedNearestNeighbours(d, { k: 0 }),
        /k must be an integer from 1 to one below the number of rows \(300\); got k=0/,
      ],
      ['k = rows', (d) => editedNearestNeighbours(d, { k: 300 }), /got k=300/],
      ['an unknown kindSel', (d) => editedNearestNeighbours(d, { kindSel: 'most' as 'mode' }), /kindSel must be 'all' or 'mode'; got most/],
      [
        'an unknown sampling',
        (d) => editedNearestNeighbours(d, { sampling: 'minority' as 'all' }),
        /sampling must be 'majority' or 'all'; got minority/,
      ],
    ],
  },
  {
    name: 'repeatedEditedNearestNeighbours',
    reason: REMOVAL_REASON.repeatedEditedNearestNeighbours,
    filter: (data) => repeatedEditedNearestNeighbours(data, { k: 3 }),
    bad: [
      [
        'k = 0',
        (d) => repeatedEditedNearestNeighbours(d, { k: 0 }),
        /k must be an integer from 1 to one below the number of rows \(300\); got k=0/,
      ],
      ['maxRounds = 0', (d) => repeatedEditedNearestNeighbours(d, { maxRounds: 0 }), /maxRounds must be an integer from 1 to 65535; got 0/],
    ],
  },
  {
    name: 'tomekLinks',
    reason: REMOVAL_REASON.tomekLink,
    filter: (data) => tomekLinks(data),
    bad: [
      [
        'an unknown sampling',
        (d) => tomekLinks(d, { sampling: 'minority' as 'all' }),
        /sampling must be 'majority' or 'all'; got minority/,
      ],
    ],
  },
  {
    name: 'confidentLearning',
    reason: REMOVAL_REASON.confidentLearning,
    filter: (data, seed) => confidentLearning(data, { random: seededRandom(seed) }),
    bad: [
      ['folds = 1', (d) => confidentLearning(d, { folds: 1, random: seededRandom(1) }), /folds must be an integer ≥ 2; got 1/],
      [
        'more folds than positives',
        (d) => confidentLearning(d, { folds: 41, random: seededRandom(1) }),
        /each class needs at least 41 rows for 41-fold/,
      ],
      [
        'an unknown sampling',
        (d) => confidentLearning(d, { sampling: 'minority' as 'all', random: seededRandom(1) }),
        /sampling must be 'majority' or 'all'; got minority/,
      ],
    ],
  },
];

describe.each(FILTERS)('noise filter contract: $name', (f) => {
  const data = withoutRowIds(DATA);
  const rows = data.x.rows;

  it('gives the same result for the same seed', () => {
    expect(f.filter(data, 5)).toEqual(f.filter(data, 5));
  });

  it('leaves its input unchanged', () => {
    const before = copyOf(data);
    f.filter(data, 5);
    expect(data.x.values).toEqual(before.x.values);
    expect(data.y).toEqual(before.y);
  });

  it('returns kept and removed row indices: Int32Array, ascending, unique, in range, together every row once', () => {
    const got = f.filter(data, 5);
    expect(got.kept).toBeInstanceOf(Int32Array);
    expect(got.removed).toBeInstanceOf(Int32Array);
    expectAscendingUniqueInRange(got.kept, rows);
    expectAscendingUniqueInRange(got.removed, rows);
    // The data has label noise: a filter that finds none here is broken.
    expect(got.removed.length).toBeGreaterThan(0);
    expect([...got.kept, ...got.removed].sort((a, b) => a - b)).toEqual(Array.from({ length: rows }, (_, i) => i));
  });

  it('gives every removed row its reason and counts removals per class; by default it removes negatives only', () => {
    const got = f.filter(data, 5);
    expect(got.reasons).toBeInstanceOf(Uint8Array);
    expect(Array.from(got.reasons)).toEqual(new Array<number>(got.removed.length).fill(f.reason));
    const removedPositives = Array.from(got.removed).filter((r) => data.y[r] === 1).length;
    expect(got.removedPerClass).toEqual([got.removed.length - removedPositives, removedPositives]);
    expect(removedPositives).toBe(0);
  });

  it.each([
    ['only negatives', 0],
    ['only positives', 1],
  ] as const)('refuses input with %s', (_what, label) => {
    expect(invalidInput(() => f.filter(oneClass(data, label), 5)).message).toMatch(/both classes/);
  });

  it.each(f.bad)('refuses %s', (_what, call, message) => {
    expect(invalidInput(() => call(data)).message).toMatch(message);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Oversamplers: ADASYN and SMOTE. Each makes synthetic positives between minority rows, with their lineage.

interface OversamplerCase {
  name: string;
  oversample(data: LabelledData, opts: AdasynOptions): AdasynResult;
}

const OVERSAMPLERS: OversamplerCase[] = [
  { name: 'adasyn', oversample: adasyn },
  { name: 'smote', oversample: (data, { index: _index, ...opts }) => smote(data, opts) },
];

/** numpy's rint: half to even. */
function rint(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

describe.each(OVERSAMPLERS)('oversampler contract: $name', (o) => {
  const data = withoutRowIds(DATA);

  it('gives the same synthetic rows and lineage for the same seed, other rows for another seed', () => {
    const a = o.oversample(data, { k: 5, random: seededRandom(5) });
    expect(o.oversample(data, { k: 5, random: seededRandom(5) })).toEqual(a);
    expect(o.oversample(data, { k: 5, random: seededRandom(6) }).synthetic.values).not.toEqual(a.synthetic.values);
  });

  it('leaves its input unchanged', () => {
    const before = copyOf(data);
    o.oversample(data, { k: 5, random: seededRandom(5) });
    expect(data.x.values).toEqual(before.x.values);
    expect(data.y).toEqual(before.y);
  });

  it.each([1, 0.5])('makes G = rint((negatives − positives) · β) rows for β = %s, as many per minority row as perRowCount says', (beta) => {
    const got = o.oversample(data, { k: 5, beta, random: seededRandom(5) });
    const G = rint((NEGATIVES - POSITIVES) * beta);
    expect(got.requested).toBe(G);
    const total = Array.from(got.perRowCount).reduce((s, g) => s + g, 0);
    expect(got.synthetic.rows).toBe(total);
    // SMOTE hands out exactly G; ADASYN's per-row rounding may miss G by at most half a row per minority row.
    if (o.name === 'smote') expect(total).toBe(G);
    else expect(Math.abs(total - G)).toBeLessThanOrEqual(POSITIVES / 2);
    expect(total).toBeGreaterThan(0);
    expect(Array.from(got.minorityRows)).toEqual(Array.from(data.y.keys()).filter((r) => data.y[r] === 1));
    const perParent = new Map<number, number>();
    for (const p of got.lineage.parent) perParent.set(p, (perParent.get(p) ?? 0) + 1);
    got.minorityRows.forEach((row, i) => expect(perParent.get(row) ?? 0).toBe(got.perRowCount[i]));
  });

  it('keeps the dtypes and width, and each synthetic row lies between its parent and neighbour, both positives', () => {
    const got = o.oversample(data, { k: 5, random: seededRandom(5) });
    const { cols } = data.x;
    expect(got.synthetic.values).toBeInstanceOf(Float64Array);
    expect(got.synthetic.cols).toBe(cols);
    expect(got.synthetic.values.length).toBe(got.synthetic.rows * cols);
    expect(got.lineage.parent).toBeInstanceOf(Int32Array);
    expect(got.lineage.neighbour).toBeInstanceOf(Int32Array);
    expect(got.lineage.lambda).toBeInstanceOf(Float64Array);
    for (let s = 0; s < got.synthetic.rows; s++) {
      const p = got.lineage.parent[s]!;
      const n = got.lineage.neighbour[s]!;
      const lambda = got.lineage.lambda[s]!;
      expect(data.y[p]).toBe(1);
      expect(data.y[n]).toBe(1);
      expect(n).not.toBe(p);
      expect(lambda).toBeGreaterThanOrEqual(0);
      expect(lambda).toBeLessThan(1);
      for (let c = 0; c < cols; c++) {
        const expected = data.x.values[p * cols + c]! + lambda * (data.x.values[n * cols + c]! - data.x.values[p * cols + c]!);
        expect(got.synthetic.values[s * cols + c]).toBeCloseTo(expected, 12);
      }
    }
    const augmented = appendSynthetic(data, got.synthetic);
    expect(augmented.y).toBeInstanceOf(Uint8Array);
    expect(augmented.x.values).toBeInstanceOf(Float64Array);
    expect(classCounts(augmented.y)).toEqual([NEGATIVES, POSITIVES + got.synthetic.rows]);
  });

  it('gives each synthetic row its parent row’s weight and keeps the input weights in front', () => {
    const got = o.oversample(data, { k: 5, random: seededRandom(5) });
    const weights = Float64Array.from({ length: data.x.rows }, (_, r) => 1 + r / 1000);
    const out = syntheticWeights(weights, got.lineage);
    expect(out).toBeInstanceOf(Float64Array);
    expect(out.length).toBe(data.x.rows + got.synthetic.rows);
    expect(Array.from(out.subarray(0, data.x.rows))).toEqual(Array.from(weights));
    for (let s = 0; s < got.synthetic.rows; s++) expect(out[data.x.rows + s]).toBe(weights[got.lineage.parent[s]!]);
  });

  it.each([
    ['input without positives', 0, /needs both classes; got one class only \(300 negatives, 0 positives\)/],
    ['input without negatives', 1, /needs both classes; got one class only \(0 negatives, 300 positives\)/],
  ] as const)('refuses %s', (_what, label, message) => {
    expect(invalidInput(() => o.oversample(oneClass(data, label), { random: seededRandom(1) })).message).toMatch(message);
  });

  it.each([
    ['k = 0', { k: 0 }, /k must be an integer ≥ 1 and below the number of minority rows \(40\); got k=0/],
    ['k = positives', { k: 40 }, /got k=40/],
    ['β = 0', { beta: 0 }, /beta must be in \(0, 1\]; got 0/],
    ['β above 1', { beta: 1.5 }, /beta must be in \(0, 1\]; got 1.5/],
    ['a quota of 0 rows', { maxSyntheticRows: 0 }, /max synthetic rows must be an integer > 0; got 0/],
    ['a quota ratio of 0', { maxSyntheticRatio: 0 }, /max synthetic ratio must be a number > 0; got 0/],
  ] as const)('refuses %s', (_what, opts, message) => {
    const error = invalidInput(() => o.oversample(data, { ...opts, random: seededRandom(1) }));
    expect(error.message).toMatch(message);
  });
});
