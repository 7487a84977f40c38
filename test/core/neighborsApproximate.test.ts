import { describe, it, expect } from 'vitest';
import { ExactNeighborIndex } from '../../core/neighbors/exactNeighbors.js';
import { HnswNeighborIndex } from '../../core/neighbors/hnswNeighbors.js';
import { IvfNeighborIndex } from '../../core/neighbors/ivfNeighbors.js';
import { chooseNeighborIndex, createNeighborIndex } from '../../core/neighbors/chooseNeighborIndex.js';
import { neighbourRecall } from '../../core/neighbors/neighbourRecall.js';
import type { NeighborIndex, NeighborResult } from '../../core/neighbors/neighborIndex.js';
import { seededRandom } from '../../core/random.js';

function randomMatrix(rows: number, cols: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  const v = new Float32Array(rows * cols);
  for (let i = 0; i < v.length; i++) v[i] = random.next() * 10 - 5;
  return v;
}

describe('HnswNeighborIndex', () => {
  it('finds the exact neighbours of a small set, excluding self, and repeats by seed', () => {
    const x = { rows: 300, cols: 4, values: randomMatrix(300, 4, 1) };
    const ids = Int32Array.from({ length: 300 }, (_, i) => i);
    const exact = new ExactNeighborIndex(x).queryRows(ids, 5);
    const a = new HnswNeighborIndex(x, { m: 16, efConstruction: 200, ef: 300, seed: 7 }).queryRows(ids, 5);
    const b = new HnswNeighborIndex(x, { m: 16, efConstruction: 200, ef: 300, seed: 7 }).queryRows(ids, 5);
    expect(Array.from(a.indices)).toEqual(Array.from(exact.indices));
    expect(Array.from(b.indices)).toEqual(Array.from(a.indices));
    for (let i = 0; i < a.distances.length; i++) expect(a.distances[i]).toBeCloseTo(exact.distances[i]!, 3);
  });

  it('rejects bad graph parameters', () => {
    const x = { rows: 3, cols: 1, values: Float64Array.from([0, 1, 2]) };
    expect(() => new HnswNeighborIndex(x, { m: 0 })).toThrow('m must be an integer ≥ 1; got 0.');
    expect(() => new HnswNeighborIndex(x).queryRows(Int32Array.from([0]), 3)).toThrow(/candidate neighbours \(2\); got k=3/);
  });
});

describe('chooseNeighborIndex', () => {
  it("picks exact for ADASYN's shape up to a few hundred thousand rows, IVF beyond, HNSW for ENN beyond about 1.3 million rows, and obeys an override", () => {
    expect(chooseNeighborIndex(200_000, 40, { queries: 2_000 }).kind).toBe('exact');
    expect(chooseNeighborIndex(200_000, 40).kind).toBe('exact');
    const adasyn1m = chooseNeighborIndex(1_000_000, 32, { queries: 10_000 });
    expect(adasyn1m.kind).toBe('ivf');
    expect(adasyn1m.ivfSeconds).toBeLessThan(adasyn1m.exactSeconds / 2);
    expect(chooseNeighborIndex(1_000_000, 32).kind).toBe('exact');
    expect(chooseNeighborIndex(2_000_000, 32).kind).toBe('hnsw');
    const forced = chooseNeighborIndex(1_000_000, 32, { kind: 'exact' });
    expect(forced.kind).toBe('exact');
    expect(forced.reason).toMatch(/^exact forced; exact ≈ 640\.0 s, HNSW ≈ 416\.0 s, IVF ≈ \d+\.\d s/);
    expect(chooseNeighborIndex(1_000_000, 32, { kind: 'ivf' }).kind).toBe('ivf');
    expect(() => chooseNeighborIndex(10, 2, { kind: 'fast' as 'auto' })).toThrow("must be 'auto', 'exact', 'ivf' or 'hnsw'; got fast.");
  });

  it('keeps exact search over few columns, where it walks a k-d tree, unless the tree is turned off', () => {
    const enn = chooseNeighborIndex(2_000_000, 3);
    expect(enn.kind).toBe('exact');
    expect(enn.exactSeconds).toBeLessThan(20);
    expect(chooseNeighborIndex(2_000_000, 3, { exact: { kdTree: false } }).kind).toBe('hnsw');
    expect(chooseNeighborIndex(2_000_000, 5).kind).toBe('hnsw');
  });

  it('keeps exact search when an approximate index would save less than half its time or under a second', () => {
    // IVF is estimated cheaper here, but exact search takes under a second.
    const small = chooseNeighborIndex(300_000, 32, { queries: 3_000 });
    expect(small.ivfSeconds).toBeLessThan(small.exactSeconds);
    expect(small.kind).toBe('exact');
    // With as many queries as rows IVF is not considered, even where its estimate is lowest.
    const enn = chooseNeighborIndex(200_000, 40);
    expect(enn.ivfSeconds).toBeLessThan(enn.exactSeconds);
    expect(enn.kind).toBe('exact');
  });

  it('builds the chosen index', () => {
    const x = { rows: 50, cols: 2, values: randomMatrix(50, 2, 2) };
    expect(createNeighborIndex(x).kind).toBe('exact');
    expect(createNeighborIndex(x, { kind: 'hnsw' }).kind).toBe('approximate');
    const ivf = createNeighborIndex(x, { kind: 'ivf', ivf: { lists: 5 } });
    expect(ivf).toBeInstanceOf(IvfNeighborIndex);
    expect((ivf as IvfNeighborIndex).lists).toBe(5);
    ivf.close();
  });
});

describe('neighbourRecall', () => {
  it('is 1 against itself and counts shared neighbours of a wrong index', () => {
    const x = { rows: 20, cols: 1, values: Float64Array.from({ length: 20 }, (_, i) => i) };
    const exact = new ExactNeighborIndex(x);
    const sample = Int32Array.from([0, 10]);
    expect(neighbourRecall(exact, exact, sample, 2).recall).toBe(1);
    // Always answers rows 1 and 19: row 0's true neighbours are 1, 2 (one hit); row 10's are 9, 11 (none).
    const wrong: NeighborIndex = {
      rows: 20,
      cols: 1,
      kind: 'approximate',
      close: () => undefined,
      query: () => {
        throw new Error('unused');
      },
      queryRows: (ids: Int32Array, k: number): NeighborResult => ({
        indices: Int32Array.from({ length: ids.length * k }, (_, i) => (i % 2 === 0 ? 1 : 19)),
        distances: new Float64Array(ids.length * k),
      }),
    };
    expect(neighbourRecall(wrong, exact, sample, 2)).toEqual({ recall: 0.25, sampled: 2, k: 2 });
  });
});
