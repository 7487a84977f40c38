// The oversample stage on class indices: multi-class ADASYN grows every class but the majority towards it, labels
// each synthetic row with its class, and keeps the lineage columns of the binary stage.

import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../core/random.js';
import { oversampleStage } from '../../stages/oversample.js';

describe('oversampleStage with classes', () => {
  it('oversamples the minority classes against the majority, with lineage', () => {
    const random = seededRandom(2);
    const sizes = [200, 40, 20];
    const y: number[] = [];
    const values: number[] = [];
    sizes.forEach((n, c) => {
      for (let i = 0; i < n; i++) {
        y.push(c);
        values.push(c * 0.6 + random.next(), random.next());
      }
    });
    const data = { x: { rows: y.length, cols: 2, values: Float64Array.from(values) }, y: Uint8Array.from(y) };
    const done = oversampleStage(data, { k: 5, beta: 1, seed: 1, classes: ['bird', 'cat', 'eel'] });
    const counts = [0, 0, 0];
    for (const c of done.augmented.y) counts[c]!++;
    // ADASYN rounds per seed row, so each class lands near the majority's 200, not on it.
    expect(counts[0]).toBe(200);
    expect(Math.abs(counts[1]! - 200)).toBeLessThanOrEqual(10);
    expect(Math.abs(counts[2]! - 200)).toBeLessThanOrEqual(10);
    expect(done.syntheticRows).toBe(counts[1]! + counts[2]! - 60);
    expect([...done.augmented.y.subarray(260)].every((c) => c === 1 || c === 2)).toBe(true);
    const seeds = done.extra!._seed_row as Int32Array;
    // Each synthetic row grew from a real row of its own class.
    for (let r = 260; r < done.augmented.y.length; r++) expect(data.y[seeds[r]!]).toBe(done.augmented.y[r]);
    expect(done.summary.positivesIn).toBe(60);
    expect(done.summary.positivesOut).toBe(done.augmented.y.length - Math.max(...counts));
    expect(done.summary.note).toContain(
      `synthetic rows per class against the majority class bird: ${counts[1]! - 40} cat, ${counts[2]! - 20} eel`,
    );
  });
});
