// The seeded generator: fillInts draws the very stream nextInt does, and a saved state continues it.

import { describe, expect, it } from 'vitest';
import { randomFromState, seededRandom } from '../../core/random.js';

describe('seeded random', () => {
  it('fillInts gives the integers of as many nextInt calls, and leaves the stream where they would', () => {
    // Bounds with and without rejected draws, the smallest, and the largest a Uint32Array holds.
    for (const n of [1, 2, 3, 7, 1000, 399_790, 2 ** 31 - 1, 2 ** 31 + 1, 3_000_000_000, 2 ** 32]) {
      const one = seededRandom(9);
      const many = seededRandom(9);
      const expected = Array.from({ length: 5000 }, () => one.nextInt(n));
      const got = many.fillInts(n, new Uint32Array(5000));
      expect(Array.from(got)).toEqual(expected);
      expect(many.state()).toEqual(one.state());
      expect(many.next()).toBe(one.next());
    }
    expect(() => seededRandom(1).fillInts(0, new Uint32Array(1))).toThrow('fillInts needs 0 < n ≤ 2^32, got 0');
    expect(() => seededRandom(1).fillInts(2 ** 32 + 1, new Uint32Array(1))).toThrow(/fillInts needs/);
  });

  it('a saved state continues the same stream', () => {
    const a = seededRandom(4);
    a.fillInts(10, new Uint32Array(17));
    const b = randomFromState(a.state());
    expect(Array.from({ length: 20 }, () => b.nextInt(1e6))).toEqual(Array.from({ length: 20 }, () => a.nextInt(1e6)));
  });
});
