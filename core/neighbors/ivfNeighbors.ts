// Approximate k-nearest-neighbour search with an inverted file (IVF): k-means lists built in seconds, probed per query
// with an integer SIMD kernel on all cores, then re-ranked in float64. Made for few queries over many rows (ADASYN).

import { availableParallelism } from 'node:os';
import { InvalidInputError } from '../invalidInputError.js';
import { seededRandom } from '../random.js';
import { buildIvfLists, type IvfLists } from './ivfBuild.js';
import { IvfKernelSpace } from './ivfKernelSpace.js';
import { searchIvf, type IvfQueries, type IvfSearchReport, type IvfSearchSettings } from './ivfSearch.js';
import type { MatrixValues, NeighborIndex, NeighborMatrix, NeighborQueryOptions, NeighborResult } from './neighborIndex.js';
import { assertNeighborMatrix, assertNeighbourCount, assertPointQuery, assertRowIds } from './neighborIndex.js';
import type { NeighbourSearchProgress } from './batchedNeighborIndex.js';

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
  /** Called every few seconds of a long build or search (k-means iterations, query batches). @default none */
  onBatch?: NeighbourSearchProgress;
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
  private readonly settings: IvfSearchSettings;
  private readonly space: IvfKernelSpace;
  private readonly built: IvfLists;

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
    this.settings = {
      probes: opts.probes === undefined ? undefined : Math.min(opts.probes, lists),
      targetRecall,
      calibrationQueries: opts.calibrationQueries ?? 400,
      candidateMargin: opts.candidateMargin ?? 4,
      ...(opts.onBatch ? { onBatch: opts.onBatch } : {}),
    };
    this.space = new IvfKernelSpace(rows, cols, lists, threads, minWork);
    try {
      this.space.quantisePoints(values);
      this.built = buildIvfLists(this.space, values, seededRandom(seed), iterations, perList, opts.onBatch);
    } catch (err) {
      this.space.close();
      throw err;
    }
    this.buildSeconds = (performance.now() - started) / 1000;
  }

  query(points: MatrixValues, q: number, k: number, opts: NeighborQueryOptions = {}): NeighborResult {
    const { cols } = this;
    const excludeSelf = opts.excludeSelf;
    const excludesAny = assertPointQuery(this, points, q, k, excludeSelf);
    return this.search(k, {
      count: q,
      write: (queriesAt, normsAt) => this.space.quantiseInto(points, q, queriesAt, normsAt),
      values: (i) => points.subarray(i * cols, i * cols + cols),
      excludeSelf,
      excludesAny,
    });
  }

  queryRows(rowIds: Int32Array, k: number): NeighborResult {
    return this.probeRows(rowIds, k, this.settings.probes);
  }

  /**
   * {@link queryRows} with this batch's own probe count (undefined: the index's `probes`), for callers that widen the
   * search in rounds over one index.
   */
  probeRows(rowIds: Int32Array, k: number, probes: number | undefined): NeighborResult {
    if (probes !== undefined) integerAtLeast('probes', probes, 1);
    const { rows, cols, values, space } = this;
    assertRowIds(rowIds, rows);
    assertNeighbourCount(rows, k, rowIds.length > 0);
    return this.search(
      k,
      {
        count: rowIds.length,
        write: (queriesAt, normsAt) => {
          const i32 = new Int32Array(space.memory.buffer);
          const from = space.pointsAt >> 2;
          const cols2 = space.cols2;
          for (let i = 0; i < rowIds.length; i++) {
            const r = rowIds[i]!;
            i32.copyWithin((queriesAt >> 2) + i * cols2, from + r * cols2, from + r * cols2 + cols2);
            i32[(normsAt >> 2) + i] = i32[(space.pointNormsAt >> 2) + r]!;
          }
        },
        values: (i) => values.subarray(rowIds[i]! * cols, rowIds[i]! * cols + cols),
        excludeSelf: rowIds,
        excludesAny: rowIds.length > 0,
      },
      probes === undefined ? undefined : Math.min(probes, this.lists),
    );
  }

  close(): void {
    this.space.close();
  }

  private search(k: number, queries: IvfQueries, probes = this.settings.probes): NeighborResult {
    const settings = probes === this.settings.probes ? this.settings : { ...this.settings, probes };
    const { result, report } = searchIvf(this.space, this.built, this.values, settings, queries, k);
    if (report) this.lastSearch = report;
    return result;
  }
}

function integerAtLeast(name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new InvalidInputError(name, `${name} must be an integer ≥ ${min}; got ${v}.`);
}
