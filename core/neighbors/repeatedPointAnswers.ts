// Answers of query points that the exact search's screens could not prove, kept per point value so that a point
// repeated many times (a row with hundreds of exact duplicates, as in low-dimensional or discrete data) is searched
// in float64 once instead of once per copy. The kept answer has one neighbour more than asked and excludes no row;
// a query that must exclude itself drops its own row from it. That equals its own search: removing one row from a
// list sorted by (distance, row) leaves the others in order, and a row beyond the first k + 1 cannot enter the
// first k when one row is left out.

import type { MatrixValues, NeighborResult } from './neighborIndex.js';

/** One kept answer: `width` neighbours of the point, excluding no row, sorted by (distance, row). */
interface KeptAnswer {
  indices: Int32Array;
  distances: Float64Array;
}

/** Bytes the kept answers may take in all (keys included); past that it answers but keeps nothing more. */
const DEFAULT_MAX_KEPT_BYTES = 64 * 1024 * 1024;
/** A kept answer's bytes beyond its values and key: the map entry and two typed arrays' headers (measured ≈ 150–200). */
const ENTRY_OVERHEAD_BYTES = 256;

export class RepeatedPointAnswers {
  private readonly kept = new Map<string, KeptAnswer>();
  private keptBytes = 0;

  constructor(private readonly maxKeptBytes = DEFAULT_MAX_KEPT_BYTES) {}

  /** Distinct points searched by the last `answer` call (its float64 work). */
  lastSearched = 0;

  /**
   * The k nearest rows of the queries `ids` (positions in a batch), each excluding its row `excludeSelf[id]` (−1: none),
   * written into `indices` and `distances` at `id * k`. Identical points are searched once, by `search`, with
   * `width` neighbours excluding no row: k + 1 when any query may exclude a row, else k.
   */
  answer(
    ids: readonly number[],
    k: number,
    width: number,
    excludeSelf: Int32Array | undefined,
    pointOf: (id: number) => MatrixValues,
    search: (ids: Int32Array, width: number) => NeighborResult,
    indices: Int32Array,
    distances: Float64Array,
  ): void {
    const keys = ids.map((id) => keyOf(pointOf(id), width));
    const found = new Map<string, KeptAnswer>();
    // Each point not kept yet, once: its key and the first query holding it.
    const toSearch = new Map<string, number>();
    keys.forEach((key, j) => {
      const known = this.kept.get(key);
      if (known) found.set(key, known);
      else if (!toSearch.has(key)) toSearch.set(key, ids[j]!);
    });
    this.lastSearched = toSearch.size;
    if (toSearch.size > 0) {
      const result = search(Int32Array.from(toSearch.values()), width);
      [...toSearch.keys()].forEach((key, s) => {
        const answer = {
          indices: result.indices.slice(s * width, s * width + width),
          distances: result.distances.slice(s * width, s * width + width),
        };
        found.set(key, answer);
        // 12 bytes a neighbour (row and distance), 2 a key character.
        const bytes = 12 * width + 2 * key.length + ENTRY_OVERHEAD_BYTES;
        if (this.keptBytes + bytes <= this.maxKeptBytes) {
          this.kept.set(key, answer);
          this.keptBytes += bytes;
        }
      });
    }
    keys.forEach((key, j) => {
      const id = ids[j]!;
      const answer = found.get(key)!;
      const self = excludeSelf === undefined ? -1 : excludeSelf[id]!;
      for (let t = 0, m = 0; t < width && m < k; t++) {
        if (answer.indices[t] === self) continue;
        indices[id * k + m] = answer.indices[t]!;
        distances[id * k + m] = answer.distances[t]!;
        m++;
      }
    });
  }

  /** Forgets every kept answer. */
  clear(): void {
    this.kept.clear();
    this.keptBytes = 0;
  }
}

/** The point's exact bytes and the answer's width: equal keys, equal answers. */
function keyOf(point: MatrixValues, width: number): string {
  // Float32 and float64 values are whole 16-bit units: one character each, so distinct bytes give distinct keys.
  const units = new Uint16Array(point.buffer, point.byteOffset, point.byteLength / 2);
  let key = `${width}:`;
  for (let from = 0; from < units.length; from += 4096) key += String.fromCharCode(...units.subarray(from, from + 4096));
  return key;
}
