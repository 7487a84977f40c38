// Exact k-nearest-neighbour search: WebAssembly SIMD kernels find candidates with ‖q‖² + ‖x‖² − 2q·x (16-bit
// integers first, float32 for what that cannot settle) on all cores, then each query's candidates are re-ranked in
// float64 and proven complete, so results equal a naive search.

import { availableParallelism } from 'node:os';
import { InvalidInputError } from '../invalidInputError.js';
import type { MatrixValues, NeighborIndex, NeighborMatrix, NeighborQueryOptions, NeighborResult } from './neighborIndex.js';
import { assertNeighborMatrix, assertNeighbourCount, assertPointQuery, assertRowIds } from './neighborIndex.js';
import { insertCandidate, squaredDistance } from './candidateRanking.js';
import { Float32Search } from './float32Search.js';
import { IntegerCandidateSearch, type IntegerCandidates } from './integerCandidateSearch.js';
import { KdTreeSearch } from './kdTreeSearch.js';
import { RepeatedPointAnswers } from './repeatedPointAnswers.js';

/** Tile sizes and threads of the search. They change speed only, never results. */
export interface ExactNeighborOptions {
  /**
   * Queries per tile (rounded up to a multiple of 4).
   * @default 4096
   */
  queryBlock?: number;
  /**
   * Indexed rows per tile (rounded up to a multiple of 8); a tile should fit in L2 cache
   * (2048 rows × 40 columns × 4 bytes = 320 KiB).
   * @default 2048
   */
  dataBlock?: number;
  /**
   * Threads that share a query batch, the calling thread included; the others are worker threads started on
   * first use and stopped by {@link ExactNeighborIndex.close} (they never keep the process alive).
   * @default os.availableParallelism(), at most 8
   */
  threads?: number;
  /**
   * Distance multiply-adds (queries × rows × cols) below which a batch runs on the calling thread alone and
   * skips the integer screen.
   * @default 50_000_000
   */
  minWorkPerThread?: number;
  /**
   * Candidates kept per query beyond k + 1 before the float64 re-rank. More makes the completeness proof fail
   * (and a query fall back to a float64 scan) less often, at a little more re-rank work.
   * @default 8
   */
  candidateMargin?: number;
  /**
   * Screen candidates with 16-bit integer distances first (twice the float32 kernel's multiply-adds per
   * instruction), proving each query's result from a bound on the quantisation error; `'auto'` does so for
   * matrices of at least 2¹⁶ values.
   * @default 'auto'
   */
  integerScreen?: boolean | 'auto';
  /**
   * Search a k-d tree (kdTreeSearch.ts) instead of every row; `'auto'` does so for matrices of at most
   * KD_TREE_MAX_COLS columns, where it visits a few leaves per query.
   * @default 'auto'
   */
  kdTree?: boolean | 'auto';
}

/**
 * Columns up to which `kdTree: 'auto'` searches a k-d tree. `npm run bench:few-columns` (100,000 uniformly random
 * rows queried by every row, k = 4: the tree's worst case, real rows are rarely spread so evenly), the tree against
 * the blocked search on 2 cores: 2 columns 0.48 s vs 2.81 s, 3: 0.60 vs 3.00, 4: 1.00 vs 2.72, 5: 2.03 vs 3.46,
 * 6: 3.05 vs 2.86; 10 columns took 31.8 s vs 4.5 s in a separate run (a tree prunes less with every column).
 */
export const KD_TREE_MAX_COLS = 4;

/** Whether an exact index over `cols` columns searches a k-d tree under its `kdTree` option (chooseNeighborIndex asks too). */
export function searchesKdTree(cols: number, option: ExactNeighborOptions['kdTree'] = 'auto'): boolean {
  return option === true || (option === 'auto' && cols <= KD_TREE_MAX_COLS);
}

/** Values (rows × cols) from which `integerScreen: 'auto'` quantises the rows. */
const INTEGER_SCREEN_MIN_VALUES = 1 << 16;

/**
 * Exact kNN over a row-major matrix. Distances are squared euclidean Σ(q − x)² summed in float64 in column order;
 * equal distances go to the lower row, as in a stable sort of a naive search.
 *
 * On matrices of 2¹⁶ values or more, an integer screen (IntegerCandidateSearch) first keeps k + 1 + margin
 * candidates per query by exact distances between the rows quantised to 16 bits; its bound on the quantisation
 * error proves most queries' float64 re-rank complete. Queries it cannot prove (ties at the edge of the list,
 * points far outside the rows' range), and every query of a batch too small for the screen, take the float32 pass
 * (Float32Search), which proves its own results or falls back to a float64 scan.
 */
export class ExactNeighborIndex implements NeighborIndex {
  readonly rows: number;
  readonly cols: number;
  readonly kind = 'exact' as const;
  /** Queries of the last batch the integer screen could not prove (for tests and benchmarks). */
  lastUnproven = 0;
  /** Distinct points of the last batch's unproven queries searched again (the others were answered before). */
  lastSearched = 0;
  /** Unproven queries' answers, kept per point value (the first row of each group of duplicates is searched). */
  private readonly repeated = new RepeatedPointAnswers();
  private readonly values: MatrixValues;
  private readonly minWorkPerThread: number;
  private readonly candidateMargin: number;
  private readonly screen: IntegerCandidateSearch | undefined;
  private readonly kdTree: KdTreeSearch | undefined;
  private readonly float32: Float32Search;

  constructor(x: NeighborMatrix, opts: ExactNeighborOptions = {}) {
    const queryBlock = opts.queryBlock ?? 4096;
    const dataBlock = opts.dataBlock ?? 2048;
    const threads = opts.threads ?? Math.min(8, availableParallelism());
    const minWork = opts.minWorkPerThread ?? 50_000_000;
    const margin = opts.candidateMargin ?? 8;
    positiveInteger('queryBlock', queryBlock);
    positiveInteger('dataBlock', dataBlock);
    positiveInteger('threads', threads);
    positiveInteger('candidateMargin', margin + 1);
    if (!(minWork >= 0)) throw new InvalidInputError('minWorkPerThread', `minWorkPerThread must be ≥ 0; got ${minWork}.`);
    const { rows, cols, values } = assertNeighborMatrix(x);
    this.rows = rows;
    this.cols = cols;
    this.values = values;
    this.minWorkPerThread = minWork;
    this.candidateMargin = margin;
    this.float32 = new Float32Search(values, rows, cols, {
      threads,
      minWorkPerThread: minWork,
      candidateMargin: margin,
      queryBlock: Math.ceil(queryBlock / 4) * 4,
      panelBlock: Math.ceil(dataBlock / 8),
    });
    // Every value finite (else an error naming the first), and each column's range for the integer screen.
    const lo = new Float64Array(cols).fill(Infinity);
    const hi = new Float64Array(cols).fill(-Infinity);
    // v·0 is NaN for NaN and ±Infinity alone, so one sum tells whether any value is not finite.
    let notFinite = 0;
    for (let r = 0, i = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++, i++) {
        const v = values[i]!;
        notFinite += v * 0;
        if (v < lo[c]!) lo[c] = v;
        if (v > hi[c]!) hi[c] = v;
      }
    }
    if (notFinite !== 0) rejectNonFinite(values, rows * cols, cols);
    this.kdTree = searchesKdTree(cols, opts.kdTree) ? new KdTreeSearch(values, rows, cols) : undefined;
    const screen = opts.integerScreen ?? 'auto';
    this.screen =
      this.kdTree === undefined && (screen === true || (screen === 'auto' && rows * cols >= INTEGER_SCREEN_MIN_VALUES))
        ? IntegerCandidateSearch.build(x, threads, { lo, hi })
        : undefined;
  }

  query(points: MatrixValues, q: number, k: number, opts: NeighborQueryOptions = {}): NeighborResult {
    const { cols } = this;
    const excludeSelf = opts.excludeSelf;
    assertPointQuery(this, points, q, k, excludeSelf);
    // A point with a value that is not finite has no nearest rows to speak of: the blocked search's order is kept.
    if (this.kdTree !== undefined && allFinite(points, q * cols)) {
      return this.treeSearch(q, k, excludeSelf, (i) => points.subarray(i * cols, i * cols + cols));
    }
    const kp = this.screenWidth(q, k);
    const screened = kp > 0 ? this.screen!.candidatePoints(points, q, kp) : undefined;
    return this.run(
      q,
      k,
      excludeSelf,
      screened,
      (i, out, at) => {
        for (let c = 0; c < cols; c++) out[at + c] = points[i * cols + c]!;
      },
      (i) => points.subarray(i * cols, i * cols + cols),
    );
  }

  queryRows(rowIds: Int32Array, k: number): NeighborResult {
    const { rows, cols, values } = this;
    assertRowIds(rowIds, rows);
    assertNeighbourCount(rows, k, rowIds.length > 0);
    if (this.kdTree !== undefined) {
      return this.treeSearch(rowIds.length, k, rowIds, (i) => values.subarray(rowIds[i]! * cols, rowIds[i]! * cols + cols));
    }
    const kp = this.screenWidth(rowIds.length, k);
    const screened = kp > 0 ? this.screen!.candidateRows(rowIds, kp) : undefined;
    return this.run(
      rowIds.length,
      k,
      rowIds,
      screened,
      (i, out, at) => {
        const from = rowIds[i]! * cols;
        for (let c = 0; c < cols; c++) out[at + c] = values[from + c]!;
      },
      (i) => values.subarray(rowIds[i]! * cols, rowIds[i]! * cols + cols),
    );
  }

  /** The k-d tree's answer (few columns): every query proven, nothing searched again. */
  private treeSearch(q: number, k: number, excludeSelf: Int32Array | undefined, queryValues: (i: number) => MatrixValues): NeighborResult {
    this.lastUnproven = 0;
    this.lastSearched = 0;
    return this.kdTree!.search(q, k, excludeSelf, queryValues);
  }

  close(): void {
    this.repeated.clear();
    this.screen?.close();
    this.float32.close();
  }

  /** Candidates per query of the integer screen, or 0 when this batch goes straight to the float32 kernel. */
  private screenWidth(q: number, k: number): number {
    const kp = k + 1 + this.candidateMargin;
    return this.screen !== undefined && kp < this.rows && q * this.rows * this.cols >= this.minWorkPerThread ? kp : 0;
  }

  /**
   * Queries proven by the integer screen take their float64 re-rank of its candidates; the others go through the
   * float32 kernel (its own proof), and what that cannot prove is scanned in float64.
   */
  private run(
    q: number,
    k: number,
    excludeSelf: Int32Array | undefined,
    screened: IntegerCandidates | undefined,
    copyQuery: (i: number, out: Float32Array, at: number) => void,
    queryValues: (i: number) => MatrixValues,
  ): NeighborResult {
    this.lastUnproven = 0;
    this.lastSearched = 0;
    if (screened === undefined) return this.float32.search(q, k, excludeSelf, copyQuery, queryValues);
    const indices = new Int32Array(q * k);
    const distances = new Float64Array(q * k);
    const { cols, rows } = this;
    const { kp } = screened;
    const candD = new Float64Array(kp);
    const candI = new Int32Array(kp);
    const pending: number[] = [];
    for (let i = 0; i < q; i++) {
      const self = excludeSelf === undefined ? -1 : excludeSelf[i]!;
      const point = queryValues(i);
      const n = screened.count[i]!;
      let m = 0;
      for (let j = 0; j < n; j++) {
        const r = screened.rows[i * kp + j]!;
        if (r === self || r >= rows) continue;
        m = insertCandidate(candD, candI, m, squaredDistance(point, this.values, r * cols, cols), r);
      }
      // Strictly beyond: a row outside the list cannot even tie the k-th (ties go to the lower row).
      if (m >= k && candD[k - 1]! * (1 + 1e-12) < screened.outsideBound[i]!) {
        distances.set(candD.subarray(0, k), i * k);
        indices.set(candI.subarray(0, k), i * k);
      } else {
        pending.push(i);
      }
    }
    this.lastUnproven = pending.length;
    if (pending.length > 0) {
      // Identical points are searched once (a row with many exact duplicates is what the screen cannot prove).
      const width = excludeSelf === undefined ? k : Math.min(k + 1, rows);
      this.repeated.answer(
        pending,
        k,
        width,
        excludeSelf,
        queryValues,
        (ids, w) =>
          this.float32.search(
            ids.length,
            w,
            undefined,
            (j, out, at) => copyQuery(ids[j]!, out, at),
            (j) => queryValues(ids[j]!),
          ),
        indices,
        distances,
      );
      this.lastSearched = this.repeated.lastSearched;
    }
    return { indices, distances };
  }
}

/** Whether the first n values are all finite (v·0 is NaN for NaN and ±Infinity alone, as in the constructor). */
function allFinite(values: MatrixValues, n: number): boolean {
  let notFinite = 0;
  for (let i = 0; i < n; i++) notFinite += values[i]! * 0;
  return notFinite === 0;
}

/** Throws the error naming the first value that is not finite. */
function rejectNonFinite(values: MatrixValues, n: number, cols: number): never {
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(values[i]!)) {
      const c = i % cols;
      throw new InvalidInputError(
        `feature column ${c}`,
        `feature column ${c}: expected finite values, got ${values[i]} at row ${Math.floor(i / cols)}; impute or drop missing values first.`,
      );
    }
  }
  throw new Error('rejectNonFinite found no such value; this is a bug.');
}

function positiveInteger(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new InvalidInputError(name, `${name} must be an integer ≥ 1; got ${v}.`);
}
