// Seeded pseudo-random generator (xoshiro128**) injected into every random step, so runs repeat by seed.

export interface RandomSource {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  nextInt(n: number): number;
  /**
   * Fills `out` with uniform integers in [0, n), n ≤ 2³²: the same stream as `out.length` calls of nextInt(n), drawn
   * in one loop (for the millions of draws of a bootstrap).
   */
  fillInts(n: number, out: Uint32Array): Uint32Array;
  /** The generator's internal state, for checkpoints; `randomFromState` continues the same stream. */
  state(): number[];
}

function splitMix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * The 32-bit word a seed starts the generators from. A seed in [0, 2³²) is its own word (the streams every seed there
 * always gave); a larger or negative one folds its high part in, so seeds that differ only above bit 32 (1 and
 * 2³² + 1, −1 and 2³² − 1) do not give the same stream, as they did when the seed was simply cut to 32 bits.
 */
export function seedWord(seed: number): number {
  if (seed >= 0 && seed <= 0xffffffff) return seed;
  const high = Math.floor(seed / 0x1_0000_0000);
  const low = seed - high * 0x1_0000_0000;
  return (low ^ splitMix32((high ^ 0x5bd1e995) >>> 0)()) >>> 0;
}

/** A xoshiro128** generator seeded through splitmix32; the same seed gives the same stream everywhere. */
export function seededRandom(seed: number): RandomSource {
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  const init = splitMix32(seedWord(seed));
  return xoshiro128(init(), init(), init(), init());
}

/** Continues the stream of a generator whose `state()` was saved (e.g. in an activity checkpoint). */
export function randomFromState(state: readonly number[]): RandomSource {
  if (state.length !== 4 || state.some((v) => !Number.isInteger(v) || v < 0 || v > 0xffffffff)) {
    throw new RangeError(`a random state is 4 unsigned 32-bit integers, got ${JSON.stringify(state)}`);
  }
  return xoshiro128(state[0]!, state[1]!, state[2]!, state[3]!);
}

/** One xoshiro128** step on `s` (four 32-bit words, updated in place): the next unsigned 32-bit output. */
function xoshiroStep(s: Uint32Array): number {
  const result = Math.imul(rotl(Math.imul(s[1]!, 5) >>> 0, 7), 9) >>> 0;
  const t = (s[1]! << 9) >>> 0;
  // A Uint32Array stores each xor's 32 bits as they are.
  s[2] = s[2]! ^ s[0]!;
  s[3] = s[3]! ^ s[1]!;
  s[1] = s[1]! ^ s[2]!;
  s[0] = s[0]! ^ s[3]!;
  s[2] = s[2]! ^ t;
  s[3] = rotl(s[3]!, 11);
  return result;
}

function xoshiro128(a: number, b: number, c: number, d: number): RandomSource {
  // The state lives in a typed array, not in numbers the closure captures: a captured number above 2³⁰ is a heap
  // object, and every step would allocate.
  const s = Uint32Array.of(a, b, c, d);
  const nextUint32 = (): number => xoshiroStep(s);
  return {
    state: () => Array.from(s),
    next: () => nextUint32() / 4294967296,
    nextInt: (n: number) => {
      if (n <= 0) throw new RangeError(`nextInt needs n > 0, got ${n}`);
      if (n <= 4294967296) {
        // Rejection sampling keeps the integers exactly uniform.
        const limit = 4294967296 - (4294967296 % n);
        let r = nextUint32();
        while (r >= limit) r = nextUint32();
        return r % n;
      }
      return Math.floor((nextUint32() / 4294967296 + nextUint32() / 4294967296 / 4294967296) * n);
    },
    fillInts: (n: number, out: Uint32Array) => {
      if (!(n > 0 && n <= 4294967296)) throw new RangeError(`fillInts needs 0 < n ≤ 2^32, got ${n}`);
      // nextInt's rejection step with its limit taken once; the remainder as r − ⌊r/n⌋·n, exact for integers
      // below 2³² and cheaper than a float modulo.
      const limit = 4294967296 - (4294967296 % n);
      for (let i = 0; i < out.length; i++) {
        let r = xoshiroStep(s);
        while (r >= limit) r = xoshiroStep(s);
        out[i] = r - Math.floor(r / n) * n;
      }
      return out;
    },
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Derive an independent child seed for a named sub-step (e.g. a shard or a stage) from a run seed. */
export function deriveSeed(seed: number, label: string): number {
  let h = (seedWord(seed) ^ 0x811c9dc5) >>> 0;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return splitMix32(h)();
}

/** Shuffles `values` in place (Fisher–Yates, drawing nextInt(i + 1) from the last index down) and returns it. */
export function shuffleInPlace<T extends Int32Array | number[]>(values: T, random: RandomSource): T {
  for (let i = values.length - 1; i > 0; i--) {
    const j = random.nextInt(i + 1);
    const t = values[i]!;
    values[i] = values[j]!;
    values[j] = t;
  }
  return values;
}

/** 0..n−1 in a seeded random order. */
export function randomPermutation(n: number, random: RandomSource): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return shuffleInPlace(order, random);
}
