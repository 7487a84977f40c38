// The float32 pass of exact search: rows packed in 8-row panels for the SIMD kernel, candidates found on all cores,
// each query's float64 re-rank proven complete from the float32 error bound, else a float64 scan of every row.

import { insertCandidate, squaredDistance } from './candidateRanking.js';
import type { MatrixValues, NeighborResult } from './neighborIndex.js';
import { distanceKernel } from './wasmKernelModules.js';
import { WasmKernelPool } from './wasmKernelPool.js';
import { alignTo64, growWasmMemory, WASM_MAX_PAGES } from './wasmMemory.js';
import { wasm, type WasmMemory } from './webAssemblyApi.js';

/** The float32 pass's settings, validated by ExactNeighborIndex (see ExactNeighborOptions). */
export interface Float32SearchSettings {
  threads: number;
  minWorkPerThread: number;
  candidateMargin: number;
  /** Queries per tile, a multiple of 4. */
  queryBlock: number;
  /** Panels of 8 rows per tile. */
  panelBlock: number;
}

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
 * The float32 pass keeps k + 1 + margin candidates per query. Its error is below E = (cols + 16)·2⁻²³·(‖q‖² + max‖x‖²)
 * (the dot-product rounding bound, with a factor 2 to spare), so every row outside the candidates is at least
 * T − E away, T being the worst candidate's float32 distance. When T − E exceeds the k-th exact distance the
 * result is proven exact; otherwise that query is searched again in float64 over all rows.
 */
export class Float32Search {
  private readonly queryBlock: number;
  private readonly panelBlock: number;
  private readonly threads: number;
  private readonly minWorkPerThread: number;
  private readonly candidateMargin: number;
  private readonly panels: number;
  /** The kernel's packed rows, built on first use (with the integer screen, only for unproven queries). */
  private float32: Float32Kernel | undefined;

  constructor(
    private readonly values: MatrixValues,
    private readonly rows: number,
    private readonly cols: number,
    settings: Float32SearchSettings,
  ) {
    this.queryBlock = settings.queryBlock;
    this.panelBlock = settings.panelBlock;
    this.threads = settings.threads;
    this.minWorkPerThread = settings.minWorkPerThread;
    this.candidateMargin = settings.candidateMargin;
    this.panels = Math.ceil(rows / 8);
  }

  close(): void {
    this.float32?.pool.close();
  }

  /** The k nearest rows of queries 0 .. q − 1 (each row `excludeSelf[i]` left out), equal to a naive search. */
  search(
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
    const threads = Math.max(
      1,
      Math.min(this.threads, Math.floor((q * this.rows * cols) / Math.max(1, this.minWorkPerThread)), qPadded / 4),
    );

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
        calls.set(
          [
            q0,
            q1,
            cols,
            queriesAt,
            queryNormsAt,
            p0,
            Math.min(this.panels, p0 + this.panelBlock),
            0,
            f.normsAt,
            listD,
            listI,
            listN,
            kp,
            scratch + 64 * t,
          ],
          call * SEARCH_ARITY,
        );
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
    this.float32 = {
      memory,
      pool: new WasmKernelPool(distanceKernel(), memory, 'search', this.threads),
      normsAt,
      dataBytes,
      maxNorm: fMax,
      usable: Number.isFinite(fMax) && fMax < 1e30,
    };
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
