// The WebAssembly memory and integer kernel an IVF index works in: the layout of its fixed regions, the 16-bit
// quantisation of rows (centre, scale and bound), and the grouped list scan shared out to threads.

import { InvalidInputError } from '../invalidInputError.js';
import { integerDistanceKernel } from './wasmKernelModules.js';
import type { MatrixValues } from './neighborIndex.js';
import { WasmKernelPool } from './wasmKernelPool.js';
import { alignTo64, forEachStagedBlock, growWasmMemory, WASM_MAX_PAGES } from './wasmMemory.js';
import { wasm, type WasmMemory } from './webAssemblyApi.js';

/** Arguments of one call to the kernel's `scan` export. */
export const SCAN_ARITY = 14;

/** Tasks per thread in a kernel batch: enough for a worker that starts late to take a fair share. */
export const TASKS_PER_THREAD = 4;

/** Bytes of float64 rows copied into the kernel memory at a time for range scans and quantisation. */
const STAGE_BYTES = 4 << 20;

/** The kernel's exports other than `scan` (which the pool runs), all on the calling thread. */
export interface KernelFunctions {
  distances(
    q0: number,
    q1: number,
    cols2: number,
    queries: number,
    qnorms: number,
    p0: number,
    p1: number,
    panels: number,
    norms: number,
    out: number,
    outStride: number,
  ): void;
  ranges(src: number, rows: number, cols: number, lo: number, hi: number): void;
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
  gather(slotRow: number, slots: number, cols2: number, points: number, pointNorms: number, panels: number, panelNorms: number): void;
}

/** Where one grouped scan reads and writes (byte offsets into the kernel memory). */
export interface ScanRegion {
  queriesAt: number;
  qnormsAt: number;
  panelsAt: number;
  panelNormsAt: number;
  /** Group g owns panels groupPanel[g] .. groupPanel[g + 1] − 1 and holds groupRows[g] real rows. */
  groupPanel: Int32Array;
  groupRows: Int32Array;
  listD: number;
  listI: number;
  listN: number;
  kp: number;
  /** Per-thread kernel scratch, scratchBytes apart. */
  scratchAt: number;
  /** Where the query ids of the kernel calls go (grows the memory as needed). */
  qidsAt: number;
  /** Query id of task t's padding: dummy + t, whose candidate list is never read. */
  dummy: number;
}

/**
 * Memory: points (row-major i16 pairs), their norms, centroid panels and norms, list panels and norms, the centring
 * vector, column ranges, centroid rows, a staging area for float64 rows, then work space from `workAt` on, which
 * each building step and each search lays out afresh.
 */
export class IvfKernelSpace {
  readonly rows: number;
  readonly cols: number;
  readonly lists: number;
  /** Column pairs, even so the kernel can take two per step; the padding columns are zero. */
  readonly cols2: number;
  /** Kernel scratch per thread: offered distances, then a group's 4 queries interleaved. */
  readonly scratchBytes: number;
  /** Largest quantised magnitude: 4·cols·bound² < 2³⁰ keeps every distance and norm sum exact in i32 and below the padding norm. */
  readonly bound: number;
  readonly threads: number;
  readonly minWorkPerThread: number;
  readonly memory: WasmMemory;
  readonly pool: WasmKernelPool;
  readonly fns: KernelFunctions;
  /** Byte offsets of the fixed regions in the kernel memory. */
  readonly pointsAt: number;
  readonly pointNormsAt: number;
  readonly centroidsAt: number;
  readonly centroidNormsAt: number;
  readonly centroidPanels: number;
  readonly panelsAt: number;
  readonly panelNormsAt: number;
  readonly centerAt: number;
  readonly rangesAt: number;
  readonly centroidRowsAt: number;
  readonly centroidRowNormsAt: number;
  readonly centroidSlotsAt: number;
  readonly stageAt: number;
  readonly stageRows: number;
  readonly workAt: number;
  /** Quantised units per original unit; set by {@link quantisePoints}. */
  private scale = 1;

  constructor(rows: number, cols: number, lists: number, threads: number, minWorkPerThread: number) {
    this.rows = rows;
    this.cols = cols;
    this.lists = lists;
    this.threads = threads;
    this.minWorkPerThread = minWorkPerThread;
    const cols2 = Math.ceil(cols / 4) * 2;
    this.cols2 = cols2;
    this.scratchBytes = alignTo64(64 + 16 * cols2);
    this.bound = Math.min(32767, Math.floor(Math.sqrt(2 ** 30 / (4 * cols))) - 1);

    const listPanelsMax = Math.ceil(rows / 8) + lists;
    this.centroidPanels = Math.ceil(lists / 8);
    this.pointsAt = 0;
    this.pointNormsAt = alignTo64(rows * cols2 * 4);
    this.centroidsAt = alignTo64(this.pointNormsAt + rows * 4);
    this.centroidNormsAt = alignTo64(this.centroidsAt + this.centroidPanels * cols2 * 32);
    this.panelsAt = alignTo64(this.centroidNormsAt + this.centroidPanels * 32);
    this.panelNormsAt = alignTo64(this.panelsAt + listPanelsMax * cols2 * 32);
    this.centerAt = alignTo64(this.panelNormsAt + listPanelsMax * 32);
    this.rangesAt = alignTo64(this.centerAt + cols * 8);
    this.centroidRowsAt = alignTo64(this.rangesAt + cols * 16);
    this.centroidRowNormsAt = alignTo64(this.centroidRowsAt + lists * cols2 * 4);
    this.centroidSlotsAt = alignTo64(this.centroidRowNormsAt + lists * 4);
    this.stageAt = alignTo64(this.centroidSlotsAt + this.centroidPanels * 32);
    this.stageRows = Math.max(1, Math.floor(STAGE_BYTES / (cols * 8)));
    this.workAt = alignTo64(this.stageAt + this.stageRows * cols * 8);
    this.memory = new wasm.Memory({ initial: 1, maximum: WASM_MAX_PAGES, shared: true });
    this.ensureMemory(this.workAt);
    this.pool = new WasmKernelPool(integerDistanceKernel(), this.memory, 'scan', threads);
    this.fns = new wasm.Instance(integerDistanceKernel(), { env: { memory: this.memory } }).exports as unknown as KernelFunctions;
  }

  /**
   * Quantises the indexed rows: values are centred per column and scaled into 16-bit integers by one factor (so
   * distances keep their shape), the step being the widest column's range / (2·bound).
   */
  quantisePoints(values: MatrixValues): void {
    const { rows, cols } = this;
    const f64 = new Float64Array(this.memory.buffer);
    f64.fill(Infinity, this.rangesAt >> 3, (this.rangesAt >> 3) + cols);
    f64.fill(-Infinity, (this.rangesAt >> 3) + cols, (this.rangesAt >> 3) + 2 * cols);
    this.staged(values, rows, (at, n) => this.fns.ranges(at, n, cols, this.rangesAt, this.rangesAt + cols * 8));
    const lo = new Float64Array(this.memory.buffer, this.rangesAt, cols);
    const hi = new Float64Array(this.memory.buffer, this.rangesAt + cols * 8, cols);
    for (let c = 0; c < cols; c++) if (!Number.isFinite(lo[c]!) || !Number.isFinite(hi[c]!)) rejectNonFinite(values, rows, cols);
    const center = new Float64Array(this.memory.buffer, this.centerAt, cols);
    let halfRange = 0;
    for (let c = 0; c < cols; c++) {
      center[c] = (lo[c]! + hi[c]!) / 2;
      halfRange = Math.max(halfRange, (hi[c]! - lo[c]!) / 2);
    }
    this.scale = halfRange > 0 ? this.bound / halfRange : 1;
    this.quantiseInto(values, rows, this.pointsAt, this.pointNormsAt);
  }

  /** Quantised rows of `values` (i16 pairs, row stride 4·cols2 bytes) at byte `at`, their squared norms at `normsAt`. */
  quantiseInto(values: MatrixValues, rows: number, at: number, normsAt: number): void {
    const { cols, cols2 } = this;
    this.staged(values, rows, (src, n, r0) =>
      this.fns.quantise(src, n, cols, this.centerAt, this.scale, this.bound, at + r0 * cols2 * 4, cols2, normsAt + r0 * 4),
    );
  }

  ensureMemory(bytes: number): void {
    growWasmMemory(this.memory, bytes, 'the IVF index');
  }

  /** Threads worth starting for `work` multiply-adds. */
  threadsFor(work: number): number {
    return Math.max(1, Math.min(this.threads, Math.floor(work / Math.max(1, this.minWorkPerThread))));
  }

  /**
   * Scans, for each query ids[j], the groups (lists, or centroid groups) members[starts[j]] .. members[starts[j + 1] - 1].
   * Queries are shared out to threads in order; a thread's queries are grouped by group, so each group's panels stay
   * in cache while all its queries pass over them, and every query meets its groups in ascending order whatever the
   * thread count. Returns the rows scanned.
   */
  scanGrouped(region: ScanRegion, ids: Int32Array, starts: Int32Array, members: Int32Array): number {
    const { cols, cols2 } = this;
    const { groupPanel, groupRows, qidsAt } = region;
    const groups = groupRows.length;
    const n = ids.length;
    let work = 0;
    for (let m = 0; m < starts[n]!; m++) work += groupRows[members[m]!]!;
    const used = Math.max(1, Math.min(n, this.threadsFor(work * cols)));
    // Tasks of consecutive queries, claimed by the threads from a queue (a late worker takes fewer).
    const tasks = Math.min(n, used === 1 ? 1 : used * TASKS_PER_THREAD);
    const share = Math.ceil(n / tasks);
    this.ensureMemory(qidsAt + 4 * (starts[n]! + 3 * groups * tasks));
    const i32 = new Int32Array(this.memory.buffer);
    const qidsWord = qidsAt >> 2;
    const perGroup = new Int32Array(groups);
    const nextAt = new Int32Array(groups);
    let cursor = 0;
    const calls: number[] = [];
    const taskStarts = [0];
    for (let t = 0; t < tasks; t++) {
      const j0 = t * share;
      const j1 = Math.min(n, j0 + share);
      if (j0 >= j1) break;
      perGroup.fill(0);
      for (let m = starts[j0]!; m < starts[j1]!; m++) perGroup[members[m]!]!++;
      for (let g = 0; g < groups; g++) {
        if (perGroup[g] === 0) continue;
        nextAt[g] = cursor;
        const padded = (perGroup[g]! + 3) & ~3;
        i32.fill(region.dummy + t, qidsWord + cursor + perGroup[g]!, qidsWord + cursor + padded);
        cursor += padded;
      }
      for (let j = j0; j < j1; j++) {
        for (let m = starts[j]!; m < starts[j + 1]!; m++) i32[qidsWord + nextAt[members[m]!]!++] = ids[j]!;
      }
      for (let g = 0; g < groups; g++) {
        if (perGroup[g] === 0) continue;
        const padded = (perGroup[g]! + 3) & ~3;
        calls.push(
          qidsAt + 4 * (nextAt[g]! - perGroup[g]!),
          padded,
          cols2,
          region.queriesAt,
          region.qnormsAt,
          groupPanel[g]!,
          groupPanel[g + 1]!,
          region.panelsAt,
          region.panelNormsAt,
          region.listD,
          region.listI,
          region.listN,
          region.kp,
          region.scratchAt + this.scratchBytes * t,
        );
      }
      taskStarts.push(calls.length / SCAN_ARITY);
    }
    this.pool.runTasks(SCAN_ARITY, Int32Array.from(calls), Int32Array.from(taskStarts), used - 1);
    return work;
  }

  close(): void {
    this.pool.close();
  }

  /** Calls `each(at, n, r0)` for rows r0 .. r0 + n − 1 of `values`, copied as float64 to byte offset `at`. */
  private staged(values: MatrixValues, rows: number, each: (at: number, n: number, r0: number) => void): void {
    forEachStagedBlock(this.memory, { at: this.stageAt, rows: this.stageRows }, values, rows, this.cols, each);
  }
}

/** Throws for the first NaN or infinite value, naming its column and row. */
function rejectNonFinite(values: MatrixValues, rows: number, cols: number): never {
  for (let i = 0; i < rows * cols; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) {
      const c = i % cols;
      throw new InvalidInputError(
        `feature column ${c}`,
        `feature column ${c}: expected finite values, got ${v} at row ${(i - c) / cols}; impute or drop missing values first.`,
      );
    }
  }
  throw new Error('a column range was not finite, yet every value is; this is a bug.');
}
