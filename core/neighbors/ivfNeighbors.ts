// Approximate k-nearest-neighbour search with an inverted file (IVF): k-means lists built in seconds, probed per query
// with an integer SIMD kernel on all cores, then re-ranked in float64. Made for few queries over many rows (ADASYN).

import { availableParallelism } from 'node:os';
import { InvalidInputError } from '../invalidInputError.js';
import { seededRandom, type RandomSource } from '../random.js';
import { integerDistanceKernel } from './integerDistanceKernelWasm.js';
import type { MatrixValues, NeighborIndex, NeighborMatrix, NeighborQueryOptions, NeighborResult } from './neighborIndex.js';
import { assertNeighborMatrix, assertNeighbourCount, assertPointQuery, assertRowIds } from './neighborIndex.js';
import { insertCandidate, squaredDistance } from './candidateRanking.js';
import { WasmKernelPool } from './wasmKernelPool.js';
import { alignTo64, forEachStagedBlock, growWasmMemory, WASM_MAX_PAGES } from './wasmMemory.js';
import { nthSmallest } from '../orderStatistics.js';
import { wasm, type WasmMemory } from './webAssemblyApi.js';

export interface IvfNeighborOptions {
  /**
   * Inverted lists, i.e. k-means centroids. More lists make building slower and each probe cheaper.
   * @default round(√rows), at least 1 and at most rows
   */
  lists?: number;
  /**
   * Lists probed per query, nearest centroid first. Fixing it skips the per-batch calibration.
   * @default calibrated on every query batch to reach `targetRecall`
   */
  probes?: number;
  /**
   * Neighbour recall@k the calibration aims for: probes are raised until that share of the calibration queries'
   * neighbours lies in the probed lists. The estimate varies by about ±0.005 with the sample, hence a target above
   * a required 0.95.
   * @default 0.965
   */
  targetRecall?: number;
  /**
   * Queries of each batch (evenly spaced) that calibrate probes. Each scans the nearest half of the lists (which held
   * over 99.9% of the neighbours in our measurements) and is answered from that scan.
   * @default 400
   */
  calibrationQueries?: number;
  /**
   * Rows sampled to train k-means, per list.
   * @default 32
   */
  trainingRowsPerList?: number;
  /**
   * Lloyd iterations of k-means on the training sample.
   * @default 8
   */
  iterations?: number;
  /**
   * Candidates kept per query beyond k (+1 when excluding self) before the float64 re-rank; they absorb the error of
   * the 16-bit quantisation.
   * @default 4
   */
  candidateMargin?: number;
  /**
   * Threads that share building and probing, the calling thread included.
   * @default os.availableParallelism(), at most 8
   */
  threads?: number;
  /**
   * Distance multiply-adds below which a step runs on the calling thread alone.
   * @default 20_000_000
   */
  minWorkPerThread?: number;
  /**
   * Seed of the k-means sample, initial centroids and re-seeded empty lists; the same seed and input give the same
   * index and answers, whatever the thread count.
   * @default 1
   */
  seed?: number;
}

/** How the last query batch was searched. */
export interface IvfSearchReport {
  /** Lists probed per query (at least; more when the probed lists held fewer than the needed candidates). */
  probes: number;
  /** Share of the calibration queries' neighbours inside their `probes` nearest lists; absent when probes was fixed. */
  estimatedRecall?: number;
  /** Calibration queries, each searched in the nearest half of the lists. */
  calibrationQueries: number;
  /** Rows scanned per query on average, as a share of all rows. */
  scannedShare: number;
}

const SCAN_ARITY = 14;
/** The kernel's exports other than `scan` (which the pool runs), all on the calling thread. */
interface KernelFunctions {
  distances(
    q0: number, q1: number, cols2: number, queries: number, qnorms: number, p0: number, p1: number,
    panels: number, norms: number, out: number, outStride: number,
  ): void;
  ranges(src: number, rows: number, cols: number, lo: number, hi: number): void;
  quantise(src: number, rows: number, cols: number, center: number, scale: number, bound: number, dst: number, cols2: number, norms: number): void;
  gather(slotRow: number, slots: number, cols2: number, points: number, pointNorms: number, panels: number, panelNorms: number): void;
}

/** Where one grouped scan reads and writes (byte offsets into the kernel memory). */
interface ScanRegion {
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

/** Tasks per thread in a kernel batch: enough for a worker that starts late to take a fair share. */
const TASKS_PER_THREAD = 4;

/** Lists from which rows are assigned in two levels (centroid groups first). */
const TWO_LEVEL_MIN_LISTS = 256;
/** Nearest centroid groups whose centroids a row is compared with, in two-level assignment. */
const GROUPS_SEARCHED = 8;

/** Bytes of float64 rows copied into the kernel memory at a time for range scans and quantisation. */
const STAGE_BYTES = 4 << 20;

/**
 * IVF index (Jégou, Douze & Schmid 2011, the coarse quantiser without product codes). Building: values are centred
 * per column and scaled into 16-bit integers by one factor (so distances keep their shape), k-means runs a few Lloyd
 * iterations on a seeded sample, and every row goes to the list of its nearest centroid (found in two levels when
 * there are many lists); lists are stored 8 rows to a panel for the SIMD kernel. Querying: a calibration sample of
 * the batch sets how many lists to probe for the target recall, each query's nearest lists are scanned with exact
 * integer distances, and its best k + margin candidates are re-ranked by float64 distance on the original values,
 * ties to the lower row. Results repeat by seed whatever the thread count: each query meets its lists in list order.
 *
 * Why integers: i32x4.dot_i16x8_s does 8 multiply-adds per instruction, twice f32x4, and the integer sums are exact.
 * The quantisation step is the widest column's range / (2·bound), bound = √(2²⁸ / cols) (2896 at 32 columns); the
 * re-rank margin absorbs its error (every list probed, the answers equalled exact search in our tests).
 *
 * References: H. Jégou, M. Douze and C. Schmid, "Product quantization for nearest neighbor search", IEEE TPAMI 33(1),
 * 117–128, 2011 (the IVF structure); S. Lloyd, "Least squares quantization in PCM", IEEE Trans. Inf. Theory 28(2), 1982.
 */
export class IvfNeighborIndex implements NeighborIndex {
  readonly rows: number;
  readonly cols: number;
  readonly kind = 'approximate' as const;
  /** Inverted lists. */
  readonly lists: number;
  /** Seconds the index took to build. */
  readonly buildSeconds: number;
  /** How the last query batch was searched; undefined before the first. */
  lastSearch: IvfSearchReport | undefined;

  private readonly values: MatrixValues;
  private readonly cols2: number;
  /** Kernel scratch per thread: offered distances, then a group's 4 queries interleaved. */
  private readonly scratchBytes: number;
  private readonly scale: number;
  private readonly bound: number;
  private readonly probes: number | undefined;
  private readonly targetRecall: number;
  private readonly calibrationQueries: number;
  private readonly margin: number;
  private readonly threads: number;
  private readonly minWorkPerThread: number;
  private readonly memory: WasmMemory;
  private readonly pool: WasmKernelPool;
  private readonly fns: KernelFunctions;
  /** Byte offsets of the fixed regions in the kernel memory. */
  private readonly pointsAt: number;
  private readonly pointNormsAt: number;
  private readonly centroidsAt: number;
  private readonly centroidNormsAt: number;
  private readonly centroidPanels: number;
  private readonly panelsAt: number;
  private readonly panelNormsAt: number;
  private readonly centerAt: number;
  private readonly rangesAt: number;
  private readonly centroidRowsAt: number;
  private readonly centroidRowNormsAt: number;
  private readonly centroidSlotsAt: number;
  private readonly stageAt: number;
  private readonly stageRows: number;
  private readonly workAt: number;
  /** List l owns panels listPanel[l] .. listPanel[l + 1] - 1. */
  private readonly listPanel: Int32Array;
  /** Row of each panel slot, -1 for padding. */
  private readonly slotRow: Int32Array;
  /** List of each row, and rows in each list. */
  private readonly rowList: Int32Array;
  private readonly listRows: Int32Array;

  constructor(x: NeighborMatrix, opts: IvfNeighborOptions = {}) {
    const started = performance.now();
    const { rows, cols, values } = assertNeighborMatrix(x);
    const lists = opts.lists ?? Math.max(1, Math.min(rows, Math.round(Math.sqrt(rows))));
    const iterations = opts.iterations ?? 8;
    const perList = opts.trainingRowsPerList ?? 32;
    const threads = opts.threads ?? Math.min(8, availableParallelism());
    const seed = opts.seed ?? 1;
    integerAtLeast('lists', lists, 1);
    if (lists > Math.min(rows, 65536)) {
      throw new InvalidInputError('lists', `lists must be at most the number of rows (${rows}) and at most 65536; got ${lists}.`);
    }
    if (opts.probes !== undefined) integerAtLeast('probes', opts.probes, 1);
    integerAtLeast('iterations', iterations, 0);
    integerAtLeast('trainingRowsPerList', perList, 1);
    integerAtLeast('threads', threads, 1);
    integerAtLeast('calibrationQueries', opts.calibrationQueries ?? 400, 1);
    integerAtLeast('candidateMargin', opts.candidateMargin ?? 4, 0);
    if (!Number.isInteger(seed)) throw new InvalidInputError('seed', `seed must be an integer; got ${seed}.`);
    const targetRecall = opts.targetRecall ?? 0.965;
    if (!(targetRecall > 0 && targetRecall <= 1)) {
      throw new InvalidInputError('targetRecall', `targetRecall must be in (0, 1]; got ${targetRecall}.`);
    }
    const minWork = opts.minWorkPerThread ?? 20_000_000;
    if (!(minWork >= 0)) throw new InvalidInputError('minWorkPerThread', `minWorkPerThread must be ≥ 0; got ${minWork}.`);
    this.rows = rows;
    this.cols = cols;
    this.values = values;
    this.lists = lists;
    this.probes = opts.probes === undefined ? undefined : Math.min(opts.probes, lists);
    this.targetRecall = targetRecall;
    this.calibrationQueries = opts.calibrationQueries ?? 400;
    this.margin = opts.candidateMargin ?? 4;
    this.threads = threads;
    this.minWorkPerThread = minWork;

    // Quantisation: 4·cols·bound² < 2³⁰ keeps every distance and norm sum exact in i32 and below the padding norm.
    // Column pairs, even so the kernel can take two per step; the padding columns are zero.
    const cols2 = Math.ceil(cols / 4) * 2;
    this.cols2 = cols2;
    this.scratchBytes = alignTo64(64 + 16 * cols2);
    this.bound = Math.min(32767, Math.floor(Math.sqrt(2 ** 30 / (4 * cols))) - 1);

    // Memory: points (row-major pairs), their norms, centroid panels and norms, list panels and norms, the centring
    // vector, column ranges, centroid rows, a staging area for float64 rows, then work space.
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

    // Quantisation: 4·cols·bound² < 2³⁰ keeps every distance and norm sum exact in i32 and below the padding norm.
    this.bound = Math.min(32767, Math.floor(Math.sqrt(2 ** 30 / (4 * cols))) - 1);
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

    const random = seededRandom(seed);
    try {
      const centroids = this.trainCentroids(random, iterations, perList);
      const assignment = this.assignAll(centroids, random);
      const built = this.buildLists(assignment);
      this.listPanel = built.listPanel;
      this.slotRow = built.slotRow;
      this.rowList = assignment;
      this.listRows = built.sizes;
    } catch (err) {
      this.pool.close();
      throw err;
    }
    this.buildSeconds = (performance.now() - started) / 1000;
  }

  query(points: MatrixValues, q: number, k: number, opts: NeighborQueryOptions = {}): NeighborResult {
    const { cols } = this;
    const excludeSelf = opts.excludeSelf;
    const excludesAny = assertPointQuery(this, points, q, k, excludeSelf);
    return this.search(q, k, excludeSelf, excludesAny, (queriesAt, normsAt) => this.quantiseInto(points, q, queriesAt, normsAt),
      (i) => points.subarray(i * cols, i * cols + cols));
  }

  queryRows(rowIds: Int32Array, k: number): NeighborResult {
    const { rows, cols, cols2, values } = this;
    assertRowIds(rowIds, rows);
    assertNeighbourCount(rows, k, rowIds.length > 0);
    return this.search(rowIds.length, k, rowIds, rowIds.length > 0, (queriesAt, normsAt) => {
      const i32 = new Int32Array(this.memory.buffer);
      const from = this.pointsAt >> 2;
      for (let i = 0; i < rowIds.length; i++) {
        const r = rowIds[i]!;
        i32.copyWithin((queriesAt >> 2) + i * cols2, from + r * cols2, from + r * cols2 + cols2);
        i32[(normsAt >> 2) + i] = i32[(this.pointNormsAt >> 2) + r]!;
      }
    }, (i) => values.subarray(rowIds[i]! * cols, rowIds[i]! * cols + cols));
  }

  close(): void {
    this.pool.close();
  }

  /** Calls `each(at, n, r0)` for rows r0 .. r0 + n − 1 of `values`, copied as float64 to byte offset `at`. */
  private staged(values: MatrixValues, rows: number, each: (at: number, n: number, r0: number) => void): void {
    forEachStagedBlock(this.memory, { at: this.stageAt, rows: this.stageRows }, values, rows, this.cols, each);
  }

  /** Quantised rows of `values` (i16 pairs, row stride 4·cols2 bytes) at byte `at`, their squared norms at `normsAt`. */
  private quantiseInto(values: MatrixValues, rows: number, at: number, normsAt: number): void {
    const { cols, cols2 } = this;
    this.staged(values, rows, (src, n, r0) =>
      this.fns.quantise(src, n, cols, this.centerAt, this.scale, this.bound, at + r0 * cols2 * 4, cols2, normsAt + r0 * 4));
  }


  private ensureMemory(bytes: number): void {
    growWasmMemory(this.memory, bytes, 'the IVF index');
  }

  /** Threads worth starting for `work` multiply-adds. */
  private threadsFor(work: number): number {
    return Math.max(1, Math.min(this.threads, Math.floor(work / Math.max(1, this.minWorkPerThread))));
  }

  /**
   * k-means by Lloyd's algorithm on a seeded sample of trainingRowsPerList · lists rows: initial centroids are
   * distinct sampled rows, an emptied list is re-seeded with a random sampled row. Means are taken on the original
   * values, assignment on the quantised ones.
   */
  private trainCentroids(random: RandomSource, iterations: number, perList: number): Float64Array {
    const { rows, cols, lists, values } = this;
    const sampleSize = Math.min(rows, perList * lists);
    const order = identity(rows);
    for (let i = 0; i < sampleSize; i++) {
      const j = i + random.nextInt(rows - i);
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
    const centroids = new Float64Array(lists * cols);
    for (let l = 0; l < lists; l++) centroids.set(values.subarray(order[l]! * cols, order[l]! * cols + cols), l * cols);
    const sample = order.slice(0, sampleSize).sort();
    const sums = new Float64Array(lists * cols);
    const counts = new Int32Array(lists);
    for (let it = 0; it < iterations; it++) {
      const assignment = this.assign(sample, centroids);
      sums.fill(0);
      counts.fill(0);
      for (let i = 0; i < sampleSize; i++) {
        const l = assignment[i]!;
        const off = sample[i]! * cols;
        counts[l]!++;
        for (let c = 0; c < cols; c++) sums[l * cols + c]! += values[off + c]!;
      }
      for (let l = 0; l < lists; l++) {
        if (counts[l] === 0) {
          const r = sample[random.nextInt(sampleSize)]!;
          centroids.set(values.subarray(r * cols, r * cols + cols), l * cols);
          continue;
        }
        for (let c = 0; c < cols; c++) centroids[l * cols + c] = sums[l * cols + c]! / counts[l]!;
      }
    }
    return centroids;
  }

  /** Writes the centroids as quantised panels. */
  private storeCentroids(centroids: Float64Array): void {
    const { lists } = this;
    this.quantiseInto(centroids, lists, this.centroidRowsAt, this.centroidRowNormsAt);
    const slotRow = new Int32Array(this.memory.buffer, this.centroidSlotsAt, this.centroidPanels * 8);
    for (let l = 0; l < slotRow.length; l++) slotRow[l] = l < lists ? l : -1;
    this.fns.gather(this.centroidSlotsAt, slotRow.length, this.cols2, this.centroidRowsAt, this.centroidRowNormsAt,
      this.centroidsAt, this.centroidNormsAt);
  }

  /**
   * The list of every row. With many lists the centroids are first grouped by k-means into about √lists groups;
   * each row is compared with the group centres, then with the centroids of its `GROUPS_SEARCHED` nearest groups only
   * (about a tenth of the centroids at 1000 lists). A row whose nearest centroid sits in another group lands in a
   * nearby list instead; the probe calibration absorbs the small loss.
   */
  private assignAll(centroids: Float64Array, random: RandomSource): Int32Array {
    const { rows, cols, cols2, lists, threads } = this;
    if (lists < TWO_LEVEL_MIN_LISTS) return this.assign(identity(rows), centroids);
    this.storeCentroids(centroids);
    const grouping = kMeans(centroids, lists, cols, Math.round(Math.sqrt(lists)), 10, random);
    // Drop groups left empty, so every searched group has centroids.
    const renumber = new Int32Array(grouping.centres.length / cols).fill(-1);
    for (let l = 0; l < lists; l++) renumber[grouping.groupOf[l]!] = 0;
    let groups = 0;
    for (let g = 0; g < renumber.length; g++) if (renumber[g] === 0) renumber[g] = groups++;
    const centres = new Float64Array(groups * cols);
    for (let g = 0; g < renumber.length; g++) {
      if (renumber[g]! >= 0) centres.set(grouping.centres.subarray(g * cols, g * cols + cols), renumber[g]! * cols);
    }
    const groupOf = grouping.groupOf.map((g) => renumber[g]!);
    // Centroid slots grouped by group, each group padded to whole panels; the group centres as panels too.
    const groupPanel = new Int32Array(groups + 1);
    const groupSize = new Int32Array(groups);
    for (let l = 0; l < lists; l++) groupSize[groupOf[l]!]!++;
    for (let g = 0; g < groups; g++) groupPanel[g + 1] = groupPanel[g]! + Math.ceil(groupSize[g]! / 8);
    const slots = groupPanel[groups]! * 8;
    const slotList = new Int32Array(slots).fill(-1);
    const fill = new Int32Array(groups);
    for (let l = 0; l < lists; l++) slotList[groupPanel[groupOf[l]!]! * 8 + fill[groupOf[l]!]!++] = l;
    const centrePanels = Math.ceil(groups / 8);
    const searched = Math.min(groups, GROUPS_SEARCHED);
    // Work region: grouped centroid panels, centre rows and panels, then per row (and per thread's padding query)
    // the nearest centres and the nearest centroid, kernel scratch and the kernel calls' query ids.
    const groupedAt = this.workAt;
    const groupedNormsAt = alignTo64(groupedAt + slots * cols2 * 4);
    const slotListAt = alignTo64(groupedNormsAt + slots * 4);
    const centreRowsAt = alignTo64(slotListAt + slots * 4);
    const centreRowNormsAt = alignTo64(centreRowsAt + groups * cols2 * 4);
    const centreSlotsAt = alignTo64(centreRowNormsAt + groups * 4);
    const centresAt = alignTo64(centreSlotsAt + centrePanels * 32);
    const centreNormsAt = alignTo64(centresAt + centrePanels * cols2 * 32);
    const slotsOf = rows + threads * TASKS_PER_THREAD;
    const d1 = alignTo64(centreNormsAt + centrePanels * 32);
    const i1 = alignTo64(d1 + slotsOf * searched * 4);
    const n1 = alignTo64(i1 + slotsOf * searched * 4);
    const d2 = alignTo64(n1 + slotsOf * 4);
    const i2 = alignTo64(d2 + slotsOf * 4);
    const n2 = alignTo64(i2 + slotsOf * 4);
    const scratch = alignTo64(n2 + slotsOf * 4);
    const qidsAt = alignTo64(scratch + this.scratchBytes * threads * TASKS_PER_THREAD);
    this.ensureMemory(qidsAt);
    let i32 = new Int32Array(this.memory.buffer);
    i32.set(slotList, slotListAt >> 2);
    this.fns.gather(slotListAt, slots, cols2, this.centroidRowsAt, this.centroidRowNormsAt, groupedAt, groupedNormsAt);
    this.quantiseInto(centres, groups, centreRowsAt, centreRowNormsAt);
    i32 = new Int32Array(this.memory.buffer);
    for (let s = 0; s < centrePanels * 8; s++) i32[(centreSlotsAt >> 2) + s] = s < groups ? s : -1;
    this.fns.gather(centreSlotsAt, centrePanels * 8, cols2, centreRowsAt, centreRowNormsAt, centresAt, centreNormsAt);

    // Stage 1: each row's `searched` nearest group centres.
    const allRows = identity(rows);
    i32.fill(0, n1 >> 2, (n1 >> 2) + slotsOf);
    i32.fill(0, n2 >> 2, (n2 >> 2) + slotsOf);
    const rowStarts = new Int32Array(rows + 1);
    for (let r = 0; r <= rows; r++) rowStarts[r] = r;
    const base: Omit<ScanRegion, 'groupPanel' | 'groupRows' | 'panelsAt' | 'panelNormsAt' | 'listD' | 'listI' | 'listN' | 'kp'> = {
      queriesAt: this.pointsAt, qnormsAt: this.pointNormsAt, scratchAt: scratch, qidsAt, dummy: rows,
    };
    this.scanGrouped({
      ...base, panelsAt: centresAt, panelNormsAt: centreNormsAt, groupPanel: Int32Array.from([0, centrePanels]),
      groupRows: Int32Array.from([groups]), listD: d1, listI: i1, listN: n1, kp: searched,
    }, allRows, rowStarts, new Int32Array(rows));
    // Stage 2: the nearest centroid within those groups.
    const members = new Int32Array(new Int32Array(this.memory.buffer, i1, rows * searched));
    const starts = new Int32Array(rows + 1);
    for (let r = 0; r <= rows; r++) starts[r] = r * searched;
    this.scanGrouped({
      ...base, panelsAt: groupedAt, panelNormsAt: groupedNormsAt, groupPanel, groupRows: groupSize,
      listD: d2, listI: i2, listN: n2, kp: 1,
    }, allRows, starts, members);
    const nearest = new Int32Array(this.memory.buffer, i2, rows);
    const out = new Int32Array(rows);
    for (let r = 0; r < rows; r++) out[r] = slotList[nearest[r]!]!;
    return out;
  }

  /** The nearest centroid of each indexed row in `rowIds` (ties to the lower centroid). */
  private assign(rowIds: Int32Array, centroids: Float64Array): Int32Array {
    this.storeCentroids(centroids);
    const { rows, threads } = this;
    const n = rowIds.length;
    // Queries address the points region directly, so the one-entry candidate lists are indexed by row id.
    const padded = Math.ceil(n / 4) * 4;
    const qidsAt = this.workAt;
    const listD = alignTo64(qidsAt + padded * 4);
    const listI = alignTo64(listD + rows * 4);
    const listN = alignTo64(listI + rows * 4);
    const scratch = alignTo64(listN + rows * 4);
    this.ensureMemory(scratch + this.scratchBytes * threads * TASKS_PER_THREAD);
    const i32 = new Int32Array(this.memory.buffer);
    i32.set(rowIds, qidsAt >> 2);
    // A padded group repeats the last row; it gets the same answer again.
    for (let i = n; i < padded; i++) i32[(qidsAt >> 2) + i] = rowIds[n - 1]!;
    for (let i = 0; i < n; i++) i32[(listN >> 2) + rowIds[i]!] = 0;
    const used = this.threadsFor(n * this.lists * this.cols);
    const tasks = Math.min(padded / 4, used === 1 ? 1 : used * TASKS_PER_THREAD);
    const share = Math.ceil(padded / 4 / tasks) * 4;
    const calls: number[] = [];
    const taskStarts = [0];
    for (let t = 0; t < tasks; t++) {
      const g0 = t * share;
      const g1 = Math.min(padded, g0 + share);
      if (g0 >= g1) break;
      calls.push(qidsAt + g0 * 4, g1 - g0, this.cols2, this.pointsAt, this.pointNormsAt, 0, this.centroidPanels,
        this.centroidsAt, this.centroidNormsAt, listD, listI, listN, 1, scratch + this.scratchBytes * t);
      taskStarts.push(calls.length / SCAN_ARITY);
    }
    this.pool.runTasks(SCAN_ARITY, Int32Array.from(calls), Int32Array.from(taskStarts), used - 1);
    const nearest = new Int32Array(this.memory.buffer, listI, rows);
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = nearest[rowIds[i]!]!;
    return out;
  }

  /**
   * Scans, for each query ids[j], the groups (lists, or centroid groups) members[starts[j]] .. members[starts[j + 1] - 1].
   * Queries are shared out to threads in order; a thread's queries are grouped by group, so each group's panels stay
   * in cache while all its queries pass over them, and every query meets its groups in ascending order whatever the
   * thread count. Returns the rows scanned.
   */
  private scanGrouped(region: ScanRegion, ids: Int32Array, starts: Int32Array, members: Int32Array): number {
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
        calls.push(qidsAt + 4 * (nextAt[g]! - perGroup[g]!), padded, cols2, region.queriesAt, region.qnormsAt, groupPanel[g]!,
          groupPanel[g + 1]!, region.panelsAt, region.panelNormsAt, region.listD, region.listI, region.listN, region.kp,
          region.scratchAt + this.scratchBytes * t);
      }
      taskStarts.push(calls.length / SCAN_ARITY);
    }
    this.pool.runTasks(SCAN_ARITY, Int32Array.from(calls), Int32Array.from(taskStarts), used - 1);
    return work;
  }

  /** Lays the rows out list by list, 8 rows to a panel, padding each list to whole panels. */
  private buildLists(assignment: Int32Array): { listPanel: Int32Array; slotRow: Int32Array; sizes: Int32Array } {
    const { rows, lists, cols2 } = this;
    const listPanel = new Int32Array(lists + 1);
    const sizes = new Int32Array(lists);
    for (let r = 0; r < rows; r++) sizes[assignment[r]!]!++;
    for (let l = 0; l < lists; l++) listPanel[l + 1] = listPanel[l]! + Math.ceil(sizes[l]! / 8);
    const slots = listPanel[lists]! * 8;
    const slotRow = new Int32Array(slots).fill(-1);
    const fill = new Int32Array(lists);
    for (let r = 0; r < rows; r++) {
      const l = assignment[r]!;
      slotRow[listPanel[l]! * 8 + fill[l]!++] = r;
    }
    this.ensureMemory(this.workAt + slots * 4);
    new Int32Array(this.memory.buffer, this.workAt, slots).set(slotRow);
    this.fns.gather(this.workAt, slots, cols2, this.pointsAt, this.pointNormsAt, this.panelsAt, this.panelNormsAt);
    return { listPanel, slotRow, sizes };
  }

  private search(
    q: number,
    k: number,
    excludeSelf: Int32Array | undefined,
    excludesAny: boolean,
    writeQueries: (queriesAt: number, normsAt: number) => void,
    queryValues: (i: number) => MatrixValues,
  ): NeighborResult {
    const indices = new Int32Array(q * k);
    const distances = new Float64Array(q * k);
    if (q === 0) return { indices, distances };
    const { rows, cols, cols2, lists, threads, listPanel, listRows } = this;
    const kp = Math.min(rows, k + (excludesAny ? 1 : 0) + this.margin);
    const centroidSlots = this.centroidPanels * 8;
    const batch = Math.max(64, Math.min(8192, Math.floor((32 << 20) / (centroidSlots * 4))));
    // Work region: queries (+ one dummy per thread to pad groups of 4), their norms, candidate lists, scratch, the
    // query-to-centroid table of one batch, then the query ids of the kernel calls.
    const slots = q + threads * TASKS_PER_THREAD;
    const queriesAt = this.workAt;
    const qnormsAt = alignTo64(queriesAt + slots * cols2 * 4);
    const listD = alignTo64(qnormsAt + slots * 4);
    const listI = alignTo64(listD + slots * kp * 4);
    const listN = alignTo64(listI + slots * kp * 4);
    const scratch = alignTo64(listN + slots * 4);
    const tableAt = alignTo64(scratch + this.scratchBytes * threads * TASKS_PER_THREAD);
    const qidsAt = alignTo64(tableAt + batch * centroidSlots * 4);
    this.ensureMemory(qidsAt);
    let i32 = new Int32Array(this.memory.buffer);
    writeQueries(queriesAt, qnormsAt);
    i32 = new Int32Array(this.memory.buffer);
    i32.fill(0, (queriesAt >> 2) + q * cols2, (queriesAt >> 2) + slots * cols2);
    i32.fill(0, (qnormsAt >> 2) + q, (qnormsAt >> 2) + slots);
    i32.fill(0, listN >> 2, (listN >> 2) + slots);

    const region: ScanRegion = {
      queriesAt, qnormsAt, panelsAt: this.panelsAt, panelNormsAt: this.panelNormsAt, groupPanel: listPanel, groupRows: listRows,
      listD, listI, listN, kp, scratchAt: scratch, qidsAt, dummy: q,
    };
    const probeLists = (ids: Int32Array, starts: Int32Array, members: Int32Array): number => {
      const work = this.scanGrouped(region, ids, starts, members);
      i32 = new Int32Array(this.memory.buffer);
      return work;
    };

    const candD = new Float64Array(kp);
    const candI = new Int32Array(kp);
    /** Query i's k nearest among its candidates, by float64 distance on the original values, ties to the lower row. */
    const rerank = (i: number): void => {
      const self = excludeSelf === undefined ? -1 : excludeSelf[i]!;
      const point = queryValues(i);
      const n = i32[(listN >> 2) + i]!;
      let m = 0;
      for (let j = 0; j < n; j++) {
        const r = this.slotRow[i32[(listI >> 2) + i * kp + j]!]!;
        if (r < 0 || r === self) continue;
        m = insertCandidate(candD, candI, m, squaredDistance(point, this.values, r * cols, cols), r);
      }
      if (m < k) throw new Error(`IVF search kept ${m} of ${k} neighbours for query ${i}; this is a bug.`);
      distances.set(candD.subarray(0, k), i * k);
      indices.set(candI.subarray(0, k), i * k);
    };
    const tableRow = (row: number): Int32Array => new Int32Array(this.memory.buffer, tableAt + row * centroidSlots * 4, lists);
    const keys = new Float64Array(lists);
    /** All lists in order of distance from the query whose table row is given, ties to the lower list. */
    const sortedLists = (row: number): Float64Array => {
      const table = tableRow(row);
      for (let l = 0; l < lists; l++) keys[l] = table[l]! * 65536 + l;
      return keys.sort();
    };

    // Calibration: evenly spaced queries scan the nearest half of the lists; the rank of the list holding each of
    // their neighbours tells how many probes reach the target recall.
    const calibrate = this.probes === undefined ? Math.min(q, this.calibrationQueries) : 0;
    const isCalibration = new Uint8Array(q);
    let probes = this.probes ?? lists;
    let estimatedRecall: number | undefined;
    let scanned = 0;
    if (calibrate > 0) {
      const ids = Int32Array.from({ length: calibrate }, (_, j) => Math.floor((j * q) / calibrate));
      for (const i of ids) isCalibration[i] = 1;
      // Each calibration query's list ranks; it scans its nearest half of the lists (more while they hold < kp rows).
      const rankOf = new Int32Array(calibrate * lists);
      const starts = new Int32Array(calibrate + 1);
      let members: Int32Array = new Int32Array(calibrate * Math.ceil(lists / 2));
      for (let j = 0; j < calibrate; j++) {
        const i = ids[j]!;
        this.fns.distances(i, i + 1, cols2, queriesAt, qnormsAt, 0, this.centroidPanels, this.centroidsAt, this.centroidNormsAt, tableAt, centroidSlots);
        const order = sortedLists(0);
        let take = 0;
        let held = 0;
        if (members.length < starts[j]! + lists) members = grow(members, starts[j]! + lists);
        for (let r = 0; r < lists; r++) {
          const l = order[r]! % 65536;
          rankOf[j * lists + l] = r;
          if (take < Math.ceil(lists / 2) || held < kp) {
            members[starts[j]! + take++] = l;
            held += listRows[l]!;
          }
        }
        starts[j + 1] = starts[j]! + take;
      }
      scanned += probeLists(ids, starts, members);
      const ranks = new Int32Array(calibrate * k);
      ids.forEach((i, j) => {
        rerank(i);
        for (let m = 0; m < k; m++) ranks[j * k + m] = rankOf[j * lists + this.rowList[indices[i * k + m]!]!]!;
      });
      ranks.sort();
      probes = ranks[Math.max(0, Math.ceil(this.targetRecall * ranks.length) - 1)]! + 1;
      let inside = 0;
      for (const r of ranks) if (r < probes) inside++;
      estimatedRecall = inside / ranks.length;
    }

    // The other queries, batch by batch: each probes its `probes` nearest lists (more while those hold fewer than
    // kp rows).
    const distancesSeen = new Int32Array(lists);
    let members: Int32Array = new Int32Array(batch * probes);
    for (let b0 = 0; b0 < q; b0 += batch) {
      const b1 = Math.min(q, b0 + batch);
      this.fns.distances(b0, b1, cols2, queriesAt, qnormsAt, 0, this.centroidPanels, this.centroidsAt, this.centroidNormsAt, tableAt, centroidSlots);
      const ids: number[] = [];
      const starts: number[] = [0];
      let used = 0;
      for (let i = b0; i < b1; i++) {
        if (isCalibration[i]) continue;
        const table = tableRow(i - b0);
        distancesSeen.set(table);
        const cut = nthSmallest(distancesSeen, probes - 1);
        // The lists nearer than the cut, then those at the cut in ascending order, `probes` in all.
        let take = 0;
        let held = 0;
        if (members.length < used + lists) members = grow(members, used + lists);
        for (let l = 0; l < lists; l++) {
          if (table[l]! < cut) {
            members[used + take++] = l;
            held += listRows[l]!;
          }
        }
        for (let l = 0; l < lists && take < probes; l++) {
          if (table[l] === cut) {
            members[used + take++] = l;
            held += listRows[l]!;
          }
        }
        if (held < kp) {
          const order = sortedLists(i - b0);
          take = 0;
          held = 0;
          while (take < lists && (take < probes || held < kp)) {
            const l = order[take]! % 65536;
            members[used + take++] = l;
            held += listRows[l]!;
          }
          members.subarray(used, used + take).sort();
        }
        used += take;
        ids.push(i);
        starts.push(used);
      }
      if (ids.length === 0) continue;
      scanned += probeLists(Int32Array.from(ids), Int32Array.from(starts), members);
      for (const i of ids) rerank(i);
    }
    this.lastSearch = {
      probes,
      ...(estimatedRecall !== undefined ? { estimatedRecall } : {}),
      calibrationQueries: calibrate,
      scannedShare: scanned / q / rows,
    };
    return { indices, distances };
  }
}


function grow(a: Int32Array, atLeast: number): Int32Array {
  const out = new Int32Array(Math.max(atLeast, a.length * 2));
  out.set(a);
  return out;
}

/**
 * k-means of `n` float64 points (rows of `cols`) into `k` centres by Lloyd's algorithm, starting from k distinct
 * random points; an emptied centre is re-seeded with a random point. Ties go to the lower centre.
 */
function kMeans(points: Float64Array, n: number, cols: number, k: number, iterations: number, random: RandomSource): { centres: Float64Array; groupOf: Int32Array } {
  const centres = new Float64Array(k * cols);
  const order = identity(n);
  for (let i = 0; i < k; i++) {
    const j = i + random.nextInt(n - i);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
    centres.set(points.subarray(order[i]! * cols, order[i]! * cols + cols), i * cols);
  }
  const groupOf = new Int32Array(n);
  const sums = new Float64Array(k * cols);
  const counts = new Int32Array(k);
  for (let it = 0; it <= iterations; it++) {
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestD = Infinity;
      for (let g = 0; g < k; g++) {
        let d = 0;
        for (let c = 0; c < cols; c++) {
          const diff = points[i * cols + c]! - centres[g * cols + c]!;
          d += diff * diff;
        }
        if (d < bestD) {
          bestD = d;
          best = g;
        }
      }
      groupOf[i] = best;
    }
    if (it === iterations) break;
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const g = groupOf[i]!;
      counts[g]!++;
      for (let c = 0; c < cols; c++) sums[g * cols + c]! += points[i * cols + c]!;
    }
    for (let g = 0; g < k; g++) {
      if (counts[g] === 0) {
        const i = random.nextInt(n);
        centres.set(points.subarray(i * cols, i * cols + cols), g * cols);
      } else {
        for (let c = 0; c < cols; c++) centres[g * cols + c] = sums[g * cols + c]! / counts[g]!;
      }
    }
  }
  return { centres, groupOf };
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


function identity(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}


function integerAtLeast(name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new InvalidInputError(name, `${name} must be an integer ≥ ${min}; got ${v}.`);
}
