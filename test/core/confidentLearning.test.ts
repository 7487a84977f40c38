import { describe, expect, it } from 'vitest';
import { confidentLearning } from '../../core/denoise/confidentLearning.js';
import { seededRandom } from '../../core/random.js';

/**
 * Two well separated clusters; the rows in `flipped` sit at the centre of their cluster but carry the other
 * cluster's label (a row at a cluster's edge may stay under the per-class mean confidence, by design).
 */
function clusters(flipped: number[]) {
  const rows = 200;
  const values = new Float64Array(rows * 2);
  const y = new Uint8Array(rows);
  const random = seededRandom(3);
  for (let i = 0; i < rows; i++) {
    const positive = i >= 160;
    values[i * 2] = (positive ? 4 : 0) + random.next();
    values[i * 2 + 1] = (positive ? 4 : 0) + random.next();
    y[i] = positive ? 1 : 0;
  }
  for (const i of flipped) {
    const centre = y[i] === 1 ? 4.5 : 0.5;
    values[i * 2] = centre;
    values[i * 2 + 1] = centre;
    y[i] = 1 - y[i]!;
  }
  return { x: { rows, cols: 2, values }, y };
}

describe('confidentLearning', () => {
  it('flags exactly the rows whose labels were flipped, in both classes with sampling "all"', () => {
    const data = clusters([3, 50, 170]);
    const r = confidentLearning(data, { random: seededRandom(1), sampling: 'all' });
    expect(Array.from(r.removed)).toEqual([3, 50, 170]);
    expect(r.removedPerClass).toEqual([1, 2]);
    expect(Array.from(r.reasons)).toEqual([4, 4, 4]);
    expect(r.kept.length).toBe(197);
  });

  it('keeps every positive by default (only majority rows may go) and is reproducible by seed', () => {
    const data = clusters([3, 50, 170]);
    const a = confidentLearning(data, { random: seededRandom(7) });
    const b = confidentLearning(data, { random: seededRandom(7) });
    expect(Array.from(a.removed)).toEqual([170]);
    expect(a.removedPerClass).toEqual([1, 0]);
    expect(Array.from(b.outOfFold)).toEqual(Array.from(a.outOfFold));
  });

  it('removes nothing from clean, separated data', () => {
    const r = confidentLearning(clusters([]), { random: seededRandom(2), sampling: 'all' });
    expect(r.removed.length).toBe(0);
  });

  it('rejects one class and too few rows per fold, naming the numbers', () => {
    const data = clusters([]);
    expect(() => confidentLearning({ x: data.x, y: new Uint8Array(200) }, { random: seededRandom(1) })).toThrow(
      /needs both classes; got 200 negatives and 0 positives/,
    );
    expect(() => confidentLearning(data, { random: seededRandom(1), folds: 50 })).toThrow(/at least 50 rows for 50-fold/);
  });
});
