// Exact k-nearest-neighbour search: a WebAssembly SIMD kernel finds candidates with ‖q‖² + ‖x‖² − 2q·x in float32
// on all cores, then each query's candidates are re-ranked in float64 and proven complete, so results equal a naive search.

import { availableParallelism } from 'node:os';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { InvalidInputError } from '../invalidInputError.js';
import { DISTANCE_KERNEL_WASM_BASE64 } from './distanceKernelWasm.js';
import { wasm, type WasmMemory, type WasmModule } from './webAssemblyApi.js';
import type { MatrixValues, NeighborIndex, NeighborMatrix, NeighborQueryOptions, NeighborResult } from './neighborIndex.js';
import { assertNeighborMatrix, assertQueryPoints, assertRowIds, excludesAnyRow } from './neighborIndex.js';
import { insertCandidate, squaredDistance } from './candidateRanking.js';
import { SEARCH_WORKER_SOURCE, SLOT } from './searchWorkerSource.js';

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
   * Distance multiply-adds (queries × rows × cols) below which a batch runs on the calling thread alone.
   * @default 50_000_000
   */
  minWorkPerThread?: number;
  /**
   * Candidates kept per query beyond k + 1 before the float64 re-rank. More makes the completeness proof fail
   * (and a query fall back to a float64 scan) less often, at a little more re-rank work.
   * @default 8
   */
  candidateMargin?: number;
}

const PAGE = 65536;
const MAX_PAGES = 65536;
const UNIT_ROUNDOFF_F32 = 2 ** -24;
let kernelModule: WasmModule | undefined;

function kernel(): WasmModule {
  kernelModule ??= new wasm.Module(Buffer.from(DISTANCE_KERNEL_WASM_BASE64, 'base64'));
  return kernelModule;
}

type SearchFn = (
  q0: number, q1: number, cols: number, queries: number, queryNorms: number, p0: number, p1: number,
  panels: number, norms: number, listD: number, listI: number, listN: number, kp: number, scratch: number,
) => void;

interface Job {
  slot: number;
  q0: number;
  q1: number;
  queryBlock: number;
  panels: number;
  panelBlock: number;
  cols: number;
  queries: number;
  queryNorms: number;
  panelsAt: number;
  normsAt: number;
  listD: number;
  listI: number;
  listN: number;
  kp: number;
  scratch: number;
}

/**
 * Exact kNN over a row-major matrix. Distances are squared euclidean Σ(q − x)² summed in float64 in column order;
 * equal distances go to the lower row, as in a stable sort of a naive search.
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
  private readonly values: MatrixValues;
  private readonly queryBlock: number;
  private readonly panelBlock: number;
  private readonly threads: number;
  private readonly minWorkPerThread: number;
  private readonly candidateMargin: number;
  private readonly panels: number;
  private readonly memory: WasmMemory;
  private readonly search: SearchFn;
  private readonly normsAt: number;
  private readonly dataBytes: number;
  private readonly maxNorm: number;
  /** False when squared norms overflow float32: then every query takes the float64 scan. */
  private readonly kernelUsable: boolean;
  private workers: Worker[] = [];
  private control: Int32Array | undefined;
  private errorPorts: MessagePort[] = [];

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

    const panelFloats = this.panels * 8 * cols;
    this.normsAt = panelFloats * 4;
    this.dataBytes = this.normsAt + this.panels * 8 * 4;
    this.memory = new wasm.Memory({ initial: Math.ceil(this.dataBytes / PAGE) + 1, maximum: MAX_PAGES, shared: true });
    this.search = new wasm.Instance(kernel(), { env: { memory: this.memory } }).exports.search as SearchFn;
    const f32 = new Float32Array(this.memory.buffer);
    const norms = this.normsAt >> 2;
    let maxNorm = 0;
    for (let r = 0; r < rows; r++) {
      const panelBase = (r >> 3) * cols * 8 + (r & 7);
      let norm = 0;
      for (let c = 0; c < cols; c++) {
        const v = values[r * cols + c]!;
        if (!Number.isFinite(v)) {
          throw new InvalidInputError(
            `feature column ${c}`,
            `feature column ${c}: expected finite values, got ${v} at row ${r}; impute or drop missing values first.`,
          );
        }
        const v32 = Math.fround(v);
        f32[panelBase + c * 8] = v32;
        norm += v32 * v32;
      }
      f32[norms + r] = norm;
      if (norm > maxNorm) maxNorm = norm;
    }
    for (let r = rows; r < this.panels * 8; r++) f32[norms + r] = Infinity;
    this.maxNorm = Math.fround(maxNorm);
    this.kernelUsable = Number.isFinite(this.maxNorm) && this.maxNorm < 1e30;
  }

  query(points: MatrixValues, q: number, k: number, opts: NeighborQueryOptions = {}): NeighborResult {
    const { cols } = this;
    const excludeSelf = opts.excludeSelf;
    assertQueryPoints(points, q, cols, excludeSelf);
    const excludesAny = excludesAnyRow(excludeSelf, q);
    this.checkK(k, excludesAny);
    return this.run(q, k, excludeSelf, (i, out, at) => {
      for (let c = 0; c < cols; c++) out[at + c] = points[i * cols + c]!;
    }, (i) => points.subarray(i * cols, i * cols + cols));
  }

  queryRows(rowIds: Int32Array, k: number): NeighborResult {
    const { rows, cols, values } = this;
    assertRowIds(rowIds, rows);
    this.checkK(k, rowIds.length > 0);
    return this.run(rowIds.length, k, rowIds, (i, out, at) => {
      const from = rowIds[i]! * cols;
      for (let c = 0; c < cols; c++) out[at + c] = values[from + c]!;
    }, (i) => values.subarray(rowIds[i]! * cols, rowIds[i]! * cols + cols));
  }

  close(): void {
    for (const w of this.workers) void w.terminate();
    this.workers = [];
    for (const p of this.errorPorts) p.close();
    this.errorPorts = [];
  }

  private checkK(k: number, excludesAny: boolean): void {
    const available = this.rows - (excludesAny ? 1 : 0);
    if (!Number.isInteger(k) || k < 1 || k > available) {
      throw new InvalidInputError(
        'k',
        `k must be an integer from 1 to the number of candidate neighbours (${available}); got k=${k}. Lower k.`,
      );
    }
  }

  private run(
    q: number,
    k: number,
    excludeSelf: Int32Array | undefined,
    copyQuery: (i: number, out: Float32Array, at: number) => void,
    queryValues: (i: number) => MatrixValues,
  ): NeighborResult {
    const indices = new Int32Array(q * k);
    const distances = new Float64Array(q * k);
    if (q === 0) return { indices, distances };
    if (!this.kernelUsable) {
      for (let i = 0; i < q; i++) this.scan(queryValues(i), excludeSelf === undefined ? -1 : excludeSelf[i]!, k, indices, distances, i * k);
      return { indices, distances };
    }
    const { cols } = this;
    const kp = Math.min(k + 1 + this.candidateMargin, this.rows);
    const qPadded = Math.ceil(q / 4) * 4;
    const threads = Math.max(1, Math.min(this.threads, Math.floor((q * this.rows * cols) / Math.max(1, this.minWorkPerThread)), qPadded / 4));

    // Per-call region after the data: queries, their norms, candidate lists (distances, rows, counts), scratch.
    const queriesAt = align(this.dataBytes);
    const queryNormsAt = queriesAt + qPadded * cols * 4;
    const listD = queryNormsAt + qPadded * 4;
    const listI = listD + qPadded * kp * 4;
    const listN = listI + qPadded * kp * 4;
    const scratch = align(listN + qPadded * 4);
    const end = scratch + 64 * threads;
    const need = Math.ceil(end / PAGE);
    const have = this.memory.buffer.byteLength / PAGE;
    if (need > MAX_PAGES) {
      throw new InvalidInputError(
        'query batch',
        `exact neighbour search needs ${Math.ceil(end / 2 ** 20)} MiB of WebAssembly memory, above its 4 GiB limit; query in smaller batches.`,
      );
    }
    if (need > have) this.memory.grow(need - have);
    const buffer = this.memory.buffer;
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

    const share = Math.ceil(qPadded / 4 / threads) * 4;
    const jobs: Job[] = [];
    for (let t = 0; t < threads; t++) {
      const q0 = t * share;
      const q1 = Math.min(qPadded, q0 + share);
      if (q0 >= q1) break;
      jobs.push({
        slot: t, q0, q1, queryBlock: this.queryBlock, panels: this.panels, panelBlock: this.panelBlock, cols,
        queries: queriesAt, queryNorms: queryNormsAt, panelsAt: 0, normsAt: this.normsAt, listD, listI, listN, kp,
        scratch: scratch + 64 * t,
      });
    }
    this.runJobs(jobs);

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
      const complete = n < kp || kp === this.rows || worst - epsilonFactor * (queryNorms[i]! + this.maxNorm) > candD[k - 1]!;
      if (m >= k && complete) {
        distances.set(candD.subarray(0, k), i * k);
        indices.set(candI.subarray(0, k), i * k);
      } else {
        this.scan(point, self, k, indices, distances, i * k);
      }
    }
    return { indices, distances };
  }

  private runJobs(jobs: Job[]): void {
    if (jobs.length > 1) this.ensureWorkers(jobs.length - 1);
    const control = this.control;
    for (let t = 1; t < jobs.length; t++) {
      Atomics.store(control!, t, SLOT.posted);
      this.workers[t - 1]!.postMessage(jobs[t]);
    }
    this.runJob(jobs[0]!);
    for (let t = 1; t < jobs.length; t++) {
      for (;;) {
        const state = Atomics.load(control!, t);
        if (state === SLOT.done) break;
        if (state === SLOT.failed) {
          const message = receiveMessageOnPort(this.errorPorts[t - 1]!)?.message as string | undefined;
          throw new Error(`neighbour search worker ${t} failed: ${message ?? 'no message'}`);
        }
        if (state === SLOT.posted) {
          // A worker that has not claimed its job within 2 s (still starting, or dead) gives it back.
          if (Atomics.wait(control!, t, SLOT.posted, 2000) === 'timed-out' &&
            Atomics.compareExchange(control!, t, SLOT.posted, SLOT.reclaimed) === SLOT.posted) {
            this.runJob(jobs[t]!);
            break;
          }
        } else {
          Atomics.wait(control!, t, state, 1000);
        }
      }
      Atomics.store(control!, t, SLOT.idle);
    }
  }

  private runJob(job: Job): void {
    for (let c0 = job.q0; c0 < job.q1; c0 += job.queryBlock) {
      const c1 = Math.min(job.q1, c0 + job.queryBlock);
      for (let p0 = 0; p0 < job.panels; p0 += job.panelBlock) {
        this.search(c0, c1, job.cols, job.queries, job.queryNorms, p0, Math.min(job.panels, p0 + job.panelBlock),
          job.panelsAt, job.normsAt, job.listD, job.listI, job.listN, job.kp, job.scratch);
      }
    }
  }

  private ensureWorkers(count: number): void {
    this.control ??= new Int32Array(new SharedArrayBuffer(4 * (this.threads + 1)));
    while (this.workers.length < count) {
      const channel = new MessageChannel();
      channel.port1.unref();
      const worker = new Worker(SEARCH_WORKER_SOURCE, {
        eval: true,
        workerData: { module: kernel(), memory: this.memory, control: this.control.buffer, errors: channel.port2 },
        transferList: [channel.port2],
      });
      worker.unref();
      this.workers.push(worker);
      this.errorPorts.push(channel.port1);
    }
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


function align(bytes: number): number {
  return Math.ceil(bytes / 64) * 64;
}

function positiveInteger(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new InvalidInputError(name, `${name} must be an integer ≥ 1; got ${v}.`);
}
