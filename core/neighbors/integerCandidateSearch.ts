// The first pass of exact search: every row quantised once to 16-bit integers on one scale for all columns, and
// each query's nearest candidates found with the integer SIMD kernel, exact in i32, on all cores. Together with a
// bound on what quantising can change a distance, the candidates let ExactNeighborIndex prove its float64 result.

import { integerDistanceKernel } from './wasmKernelModules.js';
import type { MatrixValues, NeighborMatrix } from './neighborIndex.js';
import { WasmKernelPool } from './wasmKernelPool.js';
import { wasm, type WasmMemory } from './webAssemblyApi.js';
import { alignTo64, forEachStagedBlock, growWasmMemory, WASM_MAX_PAGES } from './wasmMemory.js';

const SCAN_ARITY = 14;
/** Bytes of float64 rows copied into the kernel memory at a time for range scans and quantisation. */
const STAGE_BYTES = 4 << 20;
/** Panels (8 rows each) scanned per kernel call: 256 panels × 20 column pairs × 32 bytes = 160 KiB, within L2. */
const PANEL_BLOCK_BYTES = 160 << 10;
/** Query groups per thread: enough for a late-starting worker to take a fair share. */
const TASKS_PER_THREAD = 8;

interface KernelFunctions {
  quantise(
    src: number,
    rows: number,
    cols: number,
    center: number,
    scale: number,
    bound: number,
    dst: number,
    cols2: number,
    norms: number,
  ): void;
}

/** Each column's smallest and largest value. */
export interface ColumnRanges {
  lo: Float64Array;
  hi: Float64Array;
}

/** Each query's kp nearest rows by quantised distance, sorted ascending (ties in the order rows were offered). */
export interface IntegerCandidates {
  kp: number;
  /** Quantised squared distances, q × kp; entries past count[i] are unused. */
  distances: Int32Array;
  /** Row ids, q × kp; ids ≥ rows are padding and never real candidates. */
  rows: Int32Array;
  count: Int32Array;
  /**
   * Per query, a lower bound on the true distance of every row outside its candidates, in the original units
   * (squared): no row missing from a full list is nearer than this. 0 when nothing can be said.
   */
  outsideBound: Float64Array;
}

/**
 * Quantisation: x = (v − centre)·scale with centre the middle of each column's range and one scale for every
 * column (the widest half-range maps to `bound`), rounded to an integer. A row's rounding moves it by at most
 * √cols / 2 in these units, so the distance between a query and a row moves by at most e_q + √cols / 2, e_q being
 * the query's own rounding (also √cols / 2 for indexed rows; measured for outside points, which may be clamped).
 * A row outside a query's full candidate list has quantised distance ≥ T, the list's worst, so its true distance
 * is at least (√T − e_q − √cols/2) / scale. 4·cols·bound² < 2³⁰ keeps every integer sum exact.
 */
export class IntegerCandidateSearch {
  readonly rows: number;
  readonly cols: number;
  private readonly cols2: number;
  private readonly bound: number;
  private readonly scale: number;
  private readonly panels: number;
  private readonly panelBlock: number;
  private readonly scratchBytes: number;
  private readonly memory: WasmMemory;
  private readonly pool: WasmKernelPool;
  private readonly fns: KernelFunctions;
  private readonly panelsAt: number;
  private readonly panelNormsAt: number;
  private readonly centerAt: number;
  private readonly stageAt: number;
  private readonly stageRows: number;
  private readonly workAt: number;
  private readonly center: Float64Array;

  /** Returns undefined when a value is not finite (the caller's float path reports it). */
  static build(x: NeighborMatrix, threads: number, ranges: ColumnRanges): IntegerCandidateSearch | undefined {
    const search = new IntegerCandidateSearch(x, threads, ranges);
    return search.scale > 0 && Number.isFinite(search.scale) ? search : (search.close(), undefined);
  }

  private constructor(x: NeighborMatrix, threads: number, ranges: ColumnRanges) {
    const { rows, cols, values } = x;
    this.rows = rows;
    this.cols = cols;
    // Column pairs, even so the kernel can take two per step; the padding columns are zero.
    const cols2 = Math.ceil(cols / 4) * 2;
    this.cols2 = cols2;
    this.bound = Math.min(32767, Math.floor(Math.sqrt(2 ** 30 / (4 * cols))) - 1);
    this.panels = Math.ceil(rows / 8);
    this.panelBlock = Math.max(1, Math.floor(PANEL_BLOCK_BYTES / (cols2 * 32)));
    this.scratchBytes = alignTo64(64 + 16 * cols2);
    this.panelsAt = 0;
    this.panelNormsAt = alignTo64(this.panelsAt + this.panels * cols2 * 32);
    this.centerAt = alignTo64(this.panelNormsAt + this.panels * 32);
    this.stageAt = alignTo64(this.centerAt + cols * 8);
    this.stageRows = Math.max(1, Math.floor(STAGE_BYTES / (cols * 8)));
    this.workAt = alignTo64(this.stageAt + this.stageRows * cols * 8);
    this.memory = new wasm.Memory({ initial: 1, maximum: WASM_MAX_PAGES, shared: true });
    this.ensureMemory(this.workAt);
    this.pool = new WasmKernelPool(integerDistanceKernel(), this.memory, 'scan', threads);
    this.pool.prestart();
    this.fns = new wasm.Instance(integerDistanceKernel(), { env: { memory: this.memory } }).exports as unknown as KernelFunctions;

    this.center = new Float64Array(this.memory.buffer, this.centerAt, cols);
    let halfRange = 0;
    for (let c = 0; c < cols; c++) {
      if (!Number.isFinite(ranges.lo[c]!) || !Number.isFinite(ranges.hi[c]!)) {
        this.scale = NaN;
        return;
      }
      this.center[c] = (ranges.lo[c]! + ranges.hi[c]!) / 2;
      halfRange = Math.max(halfRange, (ranges.hi[c]! - ranges.lo[c]!) / 2);
    }
    this.scale = halfRange > 0 ? this.bound / halfRange : 1;
    this.quantiseIntoPanels(values);
  }

  /**
   * Rows straight into the kernel's panel layout, in row order: pair c (columns 2c, 2c + 1) of the row in lane l of
   * panel p is the i32 at 8·(cols2·p + c) + l. Padding lanes past the last row hold zeros and the norm 2³⁰. The
   * rounding, floor(x + bound + 0.5) − bound, is the kernel's `quantise` export's, so outside points match.
   */
  private quantiseIntoPanels(values: MatrixValues): void {
    const { rows, cols, cols2, bound, scale } = this;
    const i16 = new Int16Array(this.memory.buffer);
    const i32 = new Int32Array(this.memory.buffer);
    const panelBase = this.panelsAt >> 1;
    const normBase = this.panelNormsAt >> 2;
    // x + bound + 0.5 is positive, so truncation (| 0) is the floor. The offset keeps (v − centre)·scale + bound + 0.5
    // in one multiply-add per value.
    const offset = Float64Array.from(this.center, (m) => bound + 0.5 - m * scale);
    const column = Int32Array.from({ length: cols }, (_, c) => 16 * (c >> 1) + (c & 1));
    const top = 2 * bound + 0.5;
    for (let r = 0; r < rows; r++) {
      const base = panelBase + 16 * cols2 * (r >> 3) + 2 * (r & 7);
      let norm = 0;
      for (let c = 0, from = r * cols; c < cols; c++) {
        let x = values[from + c]! * scale + offset[c]!;
        x = x > top ? top : x < 0.5 ? 0.5 : x;
        const q = (x | 0) - bound;
        i16[base + column[c]!] = q;
        norm += q * q;
      }
      i32[normBase + r] = norm;
    }
    for (let r = rows; r < this.panels * 8; r++) i32[normBase + r] = 1 << 30;
  }

  /** Candidates of indexed rows (each row's own distance 0 included: the caller skips itself). */
  candidateRows(rowIds: Int32Array, kp: number): IntegerCandidates {
    const { cols2, cols } = this;
    return this.search(rowIds.length, kp, (queriesAt, normsAt) => {
      const i32 = new Int32Array(this.memory.buffer);
      const panels = this.panelsAt >> 2;
      for (let i = 0; i < rowIds.length; i++) {
        const r = rowIds[i]!;
        const from = panels + 8 * cols2 * (r >> 3) + (r & 7);
        const to = (queriesAt >> 2) + i * cols2;
        for (let c = 0; c < cols2; c++) i32[to + c] = i32[from + 8 * c]!;
        i32[(normsAt >> 2) + i] = i32[(this.panelNormsAt >> 2) + r]!;
      }
      return new Float64Array(rowIds.length).fill(Math.sqrt(cols) / 2);
    });
  }

  /** Candidates of outside points (q × cols row-major); undefined when a value is not finite. */
  candidatePoints(points: MatrixValues, q: number, kp: number): IntegerCandidates | undefined {
    const { cols, cols2 } = this;
    for (let i = 0; i < q * cols; i++) if (!Number.isFinite(points[i]!)) return undefined;
    return this.search(q, kp, (queriesAt, normsAt) => {
      this.staged(points, q, (src, n, r0) =>
        this.fns.quantise(src, n, cols, this.centerAt, this.scale, this.bound, queriesAt + r0 * cols2 * 4, cols2, normsAt + r0 * 4),
      );
      // Each point's own rounding (clamping included), measured.
      const i16 = new Int16Array(this.memory.buffer);
      const error = new Float64Array(q);
      for (let i = 0; i < q; i++) {
        let e = 0;
        for (let c = 0; c < cols; c++) {
          const d = i16[(queriesAt >> 1) + i * cols2 * 2 + c]! - (points[i * cols + c]! - this.center[c]!) * this.scale;
          e += d * d;
        }
        error[i] = Number.isFinite(e) ? Math.sqrt(e) : Infinity;
      }
      return error;
    });
  }

  close(): void {
    this.pool.close();
  }

  private search(q: number, kp: number, writeQueries: (queriesAt: number, normsAt: number) => Float64Array): IntegerCandidates {
    const { cols2, panels, panelBlock } = this;
    const threads = this.pool.threads;
    const groups = Math.min(Math.ceil(q / 4), threads * TASKS_PER_THREAD);
    const groupQueries = Math.ceil(q / groups / 4) * 4;
    const tasks = Math.ceil(q / groupQueries);
    // Work region: queries then one dummy per task (padding its last group of 4), norms, lists, query ids, scratch.
    const slots = q + tasks;
    const queriesAt = this.workAt;
    const qnormsAt = alignTo64(queriesAt + slots * cols2 * 4);
    const listD = alignTo64(qnormsAt + slots * 4);
    const listI = alignTo64(listD + slots * kp * 4);
    const listN = alignTo64(listI + slots * kp * 4);
    const qidsAt = alignTo64(listN + slots * 4);
    const scratchAt = alignTo64(qidsAt + tasks * groupQueries * 4);
    this.ensureMemory(scratchAt + tasks * this.scratchBytes);
    const rounding = writeQueries(queriesAt, qnormsAt);
    const i32 = new Int32Array(this.memory.buffer);
    i32.fill(0, (queriesAt >> 2) + q * cols2, (queriesAt >> 2) + slots * cols2);
    i32.fill(0, (qnormsAt >> 2) + q, (qnormsAt >> 2) + slots);
    i32.fill(0, listN >> 2, (listN >> 2) + slots);

    const blocks = Math.ceil(panels / panelBlock);
    const calls = new Int32Array(tasks * blocks * SCAN_ARITY);
    const taskStarts = new Int32Array(tasks + 1);
    let call = 0;
    for (let t = 0; t < tasks; t++) {
      const first = t * groupQueries;
      const n = Math.min(groupQueries, q - first);
      const padded = Math.ceil(n / 4) * 4;
      const ids = (qidsAt >> 2) + first;
      for (let j = 0; j < padded; j++) i32[ids + j] = j < n ? first + j : q + t;
      for (let p0 = 0; p0 < panels; p0 += panelBlock) {
        calls.set(
          [
            qidsAt + first * 4,
            padded,
            cols2,
            queriesAt,
            qnormsAt,
            p0,
            Math.min(panels, p0 + panelBlock),
            this.panelsAt,
            this.panelNormsAt,
            listD,
            listI,
            listN,
            kp,
            scratchAt + t * this.scratchBytes,
          ],
          call * SCAN_ARITY,
        );
        call++;
      }
      taskStarts[t + 1] = call;
    }
    this.pool.runTasks(SCAN_ARITY, calls, taskStarts);

    const view = new Int32Array(this.memory.buffer);
    const distances = view.slice(listD >> 2, (listD >> 2) + q * kp);
    const rows = view.slice(listI >> 2, (listI >> 2) + q * kp);
    const count = view.slice(listN >> 2, (listN >> 2) + q);
    const outsideBound = new Float64Array(q);
    const rowRounding = Math.sqrt(this.cols) / 2;
    for (let i = 0; i < q; i++) {
      if (count[i]! < kp) continue;
      // 1e-6 covers the float64 rounding of (v − centre)·scale itself.
      const gap = Math.sqrt(distances[i * kp + kp - 1]!) - rounding[i]! - rowRounding - 1e-6;
      if (gap > 0) outsideBound[i] = (gap / this.scale) ** 2;
    }
    return { kp, distances, rows, count, outsideBound };
  }

  private staged(values: MatrixValues, rows: number, each: (at: number, n: number, r0: number) => void): void {
    forEachStagedBlock(this.memory, { at: this.stageAt, rows: this.stageRows }, values, rows, this.cols, each);
  }

  private ensureMemory(bytes: number): void {
    growWasmMemory(this.memory, bytes, 'exact neighbour search');
  }
}
