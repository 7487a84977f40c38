// Exact k-nearest-neighbour search: WebAssembly SIMD kernels find candidates with ‖q‖² + ‖x‖² − 2q·x (16-bit
// integers first, float32 for what that cannot settle) on all cores, then each query's candidates are re-ranked in
// float64 and proven complete, so results equal a naive search.

import { availableParallelism } from 'node:os';
import { InvalidInputError } from '../invalidInputError.js';
import { distanceKernel } from './wasmKernelModules.js';
import { wasm, type WasmMemory } from './webAssemblyApi.js';
import type { MatrixValues, NeighborIndex, NeighborMatrix, NeighborQueryOptions, NeighborResult } from './neighborIndex.js';
import { assertNeighborMatrix, assertNeighbourCount, assertPointQuery, assertRowIds } from './neighborIndex.js';
import { insertCandidate, squaredDistance } from './candidateRanking.js';
import { WasmKernelPool } from './wasmKernelPool.js';
import { alignTo64, growWasmMemory, WASM_MAX_PAGES } from './wasmMemory.js';
import { IntegerCandidateSearch, type IntegerCandidates } from './integerCandidateSearch.js';

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
}

/** Values (rows × cols) from which `integerScreen: 'auto'` quantises the rows. */
const INTEGER_SCREEN_MIN_VALUES = 1 << 16;

interface Float32Kernel {
  memory: WasmMemory;
  pool: WasmKernelPool;
  normsAt: number;
  dataBytes: number;
  maxNorm: number;
  usable: boolean;
}

const UNIT_ROUNDOFF_F32 = 2 ** -24;

/** Arguments of the float32 kernel's `search` export. */
const SEARCH_ARITY = 14;

/**
 * Exact kNN over a row-major matrix. Distances are squared euclidean Σ(q − x)² summed in float64 in column order;
 * equal distances go to the lower row, as in a stable sort of a naive search.
 *
 * On matrices of 2¹⁶ values or more, an integer screen (IntegerCandidateSearch) first keeps k + 1 + margin
 * candidates per query by exact distances between the rows quantised to 16 bits; its bound on the quantisation
 * error proves most queries' float64 re-rank complete. Queries it cannot prove (ties at the edge of the list,
 * points far outside the rows' range) take the float32 pass.
 *
 * The float32 pass keeps k + 1 + margin candidates per query. Its error is below E = (cols + 16)·2⁻²³·(‖q‖² + max‖x‖²)
 * (the dot-product rounding bound, with a factor 2 to spare), so every row outside the candidates is at least
 * T − E away, T being the worst candidate's float32 distance. When T − E exceeds the k-th exact distance the
 * result is proven exact; otherwise that query is searched again in float64 over all rows.
 */
export class ExactNeighborIndex implements NeighborIndex {
  readonly rows: number;
  readonly cols: number;
  readonly kind = 'exact' as const;
  /** Queries of the last batch the integer screen could not prove (for tests and benchmarks). */
  lastUnproven = 0;
  private readonly values: MatrixValues;
  private readonly queryBlock: number;
  private readonly panelBlock: number;
  private readonly threads: number;
  private readonly minWorkPerThread: number;
  private readonly candidateMargin: number;
  private readonly panels: number;
  private readonly screen: IntegerCandidateSearch | undefined;
  /** The float32 kernel's packed rows, built on first use (with the integer screen, only for unproven queries). */
  private float32: Float32Kernel | undefined;

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
    this.queryBlock = Math.ceil(queryBlock / 4) * 4;
    this.panelBlock = Math.ceil(dataBlock / 8);
    this.threads = threads;
    this.minWorkPerThread = minWork;
    this.candidateMargin = margin;
    this.panels = Math.ceil(rows / 8);
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
    const screen = opts.integerScreen ?? 'auto';
    this.screen = screen === true || (screen === 'auto' && rows * cols >= INTEGER_SCREEN_MIN_VALUES)
      ? IntegerCandidateSearch.build(x, threads, { lo, hi })
      : undefined;
  }

  query(points: MatrixValues, q: number, k: number, opts: NeighborQueryOptions = {}): NeighborResult {
    const { cols } = this;
    const excludeSelf = opts.excludeSelf;
    const excludesAny = assertPointQuery(this, points, q, k, excludeSelf);
    const kp = this.screenWidth(q, k);
    const screened = kp > 0 ? this.screen!.candidatePoints(points, q, kp) : undefined;
    return this.run(q, k, excludeSelf, screened, (i, out, at) => {
      for (let c = 0; c < cols; c++) out[at + c] = points[i * cols + c]!;
    }, (i) => points.subarray(i * cols, i * cols + cols));
  }

  queryRows(rowIds: Int32Array, k: number): NeighborResult {
    const { rows, cols, values } = this;
    assertRowIds(rowIds, rows);
    assertNeighbourCount(rows, k, rowIds.length > 0);
    const kp = this.screenWidth(rowIds.length, k);
    const screened = kp > 0 ? this.screen!.candidateRows(rowIds, kp) : undefined;
    return this.run(rowIds.length, k, rowIds, screened, (i, out, at) => {
      const from = rowIds[i]! * cols;
      for (let c = 0; c < cols; c++) out[at + c] = values[from + c]!;
    }, (i) => values.subarray(rowIds[i]! * cols, rowIds[i]! * cols + cols));
  }

  close(): void {
    this.screen?.close();
    this.float32?.pool.close();
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
    if (screened === undefined) return this.runFloat32(q, k, excludeSelf, copyQuery, queryValues);
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
      const rest = Int32Array.from(pending);
      const sub = this.runFloat32(
        rest.length, k, excludeSelf === undefined ? undefined : Int32Array.from(rest, (i) => excludeSelf[i]!),
        (j, out, at) => copyQuery(rest[j]!, out, at), (j) => queryValues(rest[j]!),
      );
      for (let j = 0; j < rest.length; j++) {
        distances.set(sub.distances.subarray(j * k, j * k + k), rest[j]! * k);
        indices.set(sub.indices.subarray(j * k, j * k + k), rest[j]! * k);
      }
    }
    return { indices, distances };
  }

  private runFloat32(
    q: number,
    k: number,
    excludeSelf: Int32Array | undefined,
    copyQuery: (i: number, out: Float32Array, at: number) => void,
    queryValues: (i: number) => MatrixValues,
  ): NeighborResult {
    const indices = new Int32Array(q * k);
    const distances = new Float64Array(q * k);
    if (q === 0) return { indices, distances };
    const f = this.float32Kernel();
    if (!f.usable) {
      for (let i = 0; i < q; i++) this.scan(queryValues(i), excludeSelf === undefined ? -1 : excludeSelf[i]!, k, indices, distances, i * k);
      return { indices, distances };
    }
    const { cols } = this;
    const kp = Math.min(k + 1 + this.candidateMargin, this.rows);
    const qPadded = Math.ceil(q / 4) * 4;
    const threads = Math.max(1, Math.min(this.threads, Math.floor((q * this.rows * cols) / Math.max(1, this.minWorkPerThread)), qPadded / 4));

    // Per-call region after the data: queries, their norms, candidate lists (distances, rows, counts), scratch.
    const queriesAt = alignTo64(f.dataBytes);
    const queryNormsAt = queriesAt + qPadded * cols * 4;
    const listD = queryNormsAt + qPadded * 4;
    const listI = listD + qPadded * kp * 4;
    const listN = listI + qPadded * kp * 4;
    const scratch = alignTo64(listN + qPadded * 4);
    this.ensureScratch(f, scratch + 64 * Math.min(qPadded / 4, threads * 8));
    const buffer = f.memory.buffer;
    const f32 = new Float32Array(buffer);
    const i32 = new Int32Array(buffer);
    const qValues = f32.subarray(queriesAt >> 2, (queriesAt >> 2) + qPadded * cols);
    for (let i = 0; i < q; i++) copyQuery(i, qValues, i * cols);
    qValues.fill(0, q * cols);
    const queryNorms = new Float64Array(q);
    for (let i = 0; i < qPadded; i++) {
      let norm = 0;
      for (let c = 0; c < cols; c++) {
        const v = Math.fround(qValues[i * cols + c]!);
        qValues[i * cols + c] = v;
        norm += v * v;
      }
      f32[(queryNormsAt >> 2) + i] = norm;
      if (i < q) queryNorms[i] = Math.fround(norm);
    }
    i32.fill(0, listN >> 2, (listN >> 2) + qPadded);

    // Tasks of whole groups of 4 queries over every panel block, claimed by the threads from a queue; each task
    // has its own scratch. One thread unless the batch is worth more.
    const groups = qPadded / 4;
    const tasks = Math.min(groups, threads * 8);
    const groupsPerTask = Math.min(Math.ceil(groups / tasks), this.queryBlock / 4);
    const taskCount = Math.ceil(groups / groupsPerTask);
    this.ensureScratch(f, scratch + 64 * taskCount);
    const blocks = Math.ceil(this.panels / this.panelBlock);
    const calls = new Int32Array(taskCount * blocks * SEARCH_ARITY);
    const taskStarts = new Int32Array(taskCount + 1);
    let call = 0;
    for (let t = 0; t < taskCount; t++) {
      const q0 = t * groupsPerTask * 4;
      const q1 = Math.min(qPadded, q0 + groupsPerTask * 4);
      for (let p0 = 0; p0 < this.panels; p0 += this.panelBlock) {
        calls.set([q0, q1, cols, queriesAt, queryNormsAt, p0, Math.min(this.panels, p0 + this.panelBlock), 0, f.normsAt,
          listD, listI, listN, kp, scratch + 64 * t], call * SEARCH_ARITY);
        call++;
      }
      taskStarts[t + 1] = call;
    }
    f.pool.runTasks(SEARCH_ARITY, calls, taskStarts, threads - 1);

    // Re-rank each query's candidates in float64 and prove no other row can enter its k nearest.
    const candD = new Float64Array(kp);
    const candI = new Int32Array(kp);
    const epsilonFactor = (cols + 16) * 2 * UNIT_ROUNDOFF_F32;
    for (let i = 0; i < q; i++) {
      const self = excludeSelf === undefined ? -1 : excludeSelf[i]!;
      const point = queryValues(i);
      const n = i32[(listN >> 2) + i]!;
      let m = 0;
      for (let j = 0; j < n; j++) {
        const r = i32[(listI >> 2) + i * kp + j]!;
        if (r === self) continue;
        m = insertCandidate(candD, candI, m, squaredDistance(point, this.values, r * cols, cols), r);
      }
      const worst = f32[(listD >> 2) + i * kp + kp - 1]!;
      const complete = n < kp || kp === this.rows || worst - epsilonFactor * (queryNorms[i]! + f.maxNorm) > candD[k - 1]!;
      if (m >= k && complete) {
        distances.set(candD.subarray(0, k), i * k);
        indices.set(candI.subarray(0, k), i * k);
      } else {
        this.scan(point, self, k, indices, distances, i * k);
      }
    }
    return { indices, distances };
  }

  /** Rows packed for the float32 kernel: panels of 8 rows, column-major inside a panel, and squared norms. */
  private float32Kernel(): Float32Kernel {
    if (this.float32) return this.float32;
    const { rows, cols, values } = this;
    const panelFloats = this.panels * 8 * cols;
    const normsAt = panelFloats * 4;
    const dataBytes = normsAt + this.panels * 8 * 4;
    const memory = new wasm.Memory({ initial: Math.ceil(dataBytes / 65536) + 1, maximum: WASM_MAX_PAGES, shared: true });
    const f32 = new Float32Array(memory.buffer);
    const norms = normsAt >> 2;
    let maxNorm = 0;
    for (let r = 0; r < rows; r++) {
      const panelBase = (r >> 3) * cols * 8 + (r & 7);
      let norm = 0;
      for (let c = 0; c < cols; c++) {
        const v32 = Math.fround(values[r * cols + c]!);
        f32[panelBase + c * 8] = v32;
        norm += v32 * v32;
      }
      f32[norms + r] = norm;
      if (norm > maxNorm) maxNorm = norm;
    }
    for (let r = rows; r < this.panels * 8; r++) f32[norms + r] = Infinity;
    const fMax = Math.fround(maxNorm);
    // Squared norms that overflow float32 leave every query to the float64 scan.
    this.float32 = { memory, pool: new WasmKernelPool(distanceKernel(), memory, 'search', this.threads), normsAt, dataBytes, maxNorm: fMax, usable: Number.isFinite(fMax) && fMax < 1e30 };
    return this.float32;
  }

  private ensureScratch(f: Float32Kernel, end: number): void {
    growWasmMemory(f.memory, end, 'exact neighbour search');
  }

  /** Float64 scan of every row with partial-distance pruning; ascending rows, so ties go to the lower row. */
  private scan(point: MatrixValues, self: number, k: number, indices: Int32Array, distances: Float64Array, base: number): void {
    const { rows, cols, values } = this;
    let count = 0;
    const last = base + k - 1;
    for (let r = 0; r < rows; r++) {
      if (r === self) continue;
      const bound = count < k ? Infinity : distances[last]!;
      const off = r * cols;
      let d = 0;
      for (let c = 0; c < cols && d <= bound; c++) {
        const diff = point[c]! - values[off + c]!;
        d += diff * diff;
      }
      let pos: number;
      if (count < k) pos = base + count++;
      else if (d < bound) pos = last;
      else continue;
      while (pos > base && distances[pos - 1]! > d) {
        distances[pos] = distances[pos - 1]!;
        indices[pos] = indices[pos - 1]!;
        pos--;
      }
      distances[pos] = d;
      indices[pos] = r;
    }
  }
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
