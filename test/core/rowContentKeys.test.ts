// The split keyed by row content: two samples of the same rows (another seed, a later retrain) give a row the same
// role, so the rows one retrain trained on are not the next one's test rows; a shuffled split mixes them.

import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../core/random.js';
import { rowContentKeys } from '../../core/sampling/rowContentKeys.js';
import { stratifiedSplit } from '../../core/sampling/stratifiedSplit.js';
import { takeRows, type LabelledData } from '../../core/dataset.js';

const FRACTIONS = { train: 0.6, validation: 0.2, test: 0.2 };

function population(rows: number): LabelledData {
  const random = seededRandom(7);
  const values = new Float64Array(rows * 3);
  for (let i = 0; i < values.length; i++) values[i] = random.next();
  const y = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) y[r] = values[r * 3]! < 0.05 ? 1 : 0;
  return { x: { rows, cols: 3, values }, y };
}

/** A random 60% of the population's row numbers, ascending. */
function sampleOf(rows: number, seed: number): Int32Array {
  const random = seededRandom(seed);
  return Int32Array.from(Array.from({ length: rows }, (_, i) => i).filter(() => random.next() < 0.6));
}

/** The population row numbers each split of `sample` holds. */
function splitOf(d: LabelledData, sample: Int32Array, keyed: boolean, seed: number): { train: Set<number>; test: Set<number> } {
  const rows = takeRows(d, sample);
  const parts = stratifiedSplit(rows.y, FRACTIONS, seededRandom(seed), undefined, keyed ? rowContentKeys(rows) : undefined);
  return { train: new Set(Array.from(parts.train, (i) => sample[i]!)), test: new Set(Array.from(parts.test, (i) => sample[i]!)) };
}

describe('a split keyed by row content', () => {
  it('keys a row by its content, wherever it stands; copies of one row get keys of their own', () => {
    const d = population(1000);
    const keys = rowContentKeys(d);
    expect(new Set(keys).size).toBe(1000);
    // Row 5 keyed alone, or after other rows, has the same key.
    expect(rowContentKeys(takeRows(d, Int32Array.from([9, 5])))[1]).toBe(keys[5]);
    // A second copy of it gets another key, so copies spread over the splits.
    const copies = rowContentKeys(takeRows(d, Int32Array.from([5, 5])));
    expect(copies[0]).toBe(keys[5]);
    expect(copies[1]).not.toBe(keys[5]);
  });

  it("keeps the training rows of one sample out of another sample's test split, where a shuffled split does not", () => {
    const d = population(20_000);
    const a = sampleOf(20_000, 1);
    const b = sampleOf(20_000, 2);
    const overlap = (keyed: boolean) => {
      const first = splitOf(d, a, keyed, 11);
      const second = splitOf(d, b, keyed, 12);
      return [...second.test].filter((r) => first.train.has(r)).length / second.test.size;
    };
    // Only rows near a cut between two classes' quantiles can change sides.
    expect(overlap(true)).toBeLessThan(0.02);
    expect(overlap(false)).toBeGreaterThan(0.3);
  });
});
