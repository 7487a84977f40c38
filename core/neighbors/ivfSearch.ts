// Searching an IVF index for one query batch: calibrate how many lists to probe, probe each query's nearest lists
// with the integer kernel, then re-rank its candidates by float64 distance on the original values.

import { nthSmallest } from '../orderStatistics.js';
import { insertCandidate, squaredDistance } from './candidateRanking.js';
import type { IvfLists } from './ivfBuild.js';
import { TASKS_PER_THREAD, type IvfKernelSpace, type ScanRegion } from './ivfKernelSpace.js';
import type { MatrixValues, NeighborResult } from './neighborIndex.js';
import { alignTo64 } from './wasmMemory.js';
import type { NeighbourSearchProgress } from './batchedNeighborIndex.js';

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

/** The index's search options, validated and defaulted (see `IvfNeighborOptions`). */
export interface IvfSearchSettings {
  /** Fixed probes per query, at most the lists; undefined to calibrate on every batch. */
  probes: number | undefined;
  targetRecall: number;
  calibrationQueries: number;
  candidateMargin: number;
  /** Called after each query batch with the queries answered so far. @default none */
  onBatch?: NeighbourSearchProgress;
}

/** One query batch: how its rows reach the kernel memory and the re-rank, and which row each must skip. */
export interface IvfQueries {
  count: number;
  /** Writes the quantised queries at byte `queriesAt`, their squared norms at `normsAt`. */
  write(queriesAt: number, normsAt: number): void;
  /** Query i's original values. */
  values(i: number): MatrixValues;
  /** Row each query must not return (itself), or −1 entries; undefined when none. */
  excludeSelf: Int32Array | undefined;
  /** Whether any query excludes a row, so one more candidate is kept. */
  excludesAny: boolean;
}

/** Searches `queries` for their k nearest indexed rows; returns the answer and how the batch was searched. */
export function searchIvf(
  space: IvfKernelSpace,
  lists: IvfLists,
  values: MatrixValues,
  settings: IvfSearchSettings,
  queries: IvfQueries,
  k: number,
): { result: NeighborResult; report: IvfSearchReport | undefined } {
  const q = queries.count;
  const indices = new Int32Array(q * k);
  const distances = new Float64Array(q * k);
  if (q === 0) return { result: { indices, distances }, report: undefined };
  const search = new IvfBatchSearch(space, lists, values, settings, queries, k, { indices, distances });
  const isCalibration = new Uint8Array(q);
  const calibrated = search.calibrateProbes(isCalibration);
  search.probeNearestLists(calibrated.probes, isCalibration);
  const report: IvfSearchReport = {
    probes: calibrated.probes,
    ...(calibrated.estimatedRecall !== undefined ? { estimatedRecall: calibrated.estimatedRecall } : {}),
    calibrationQueries: calibrated.calibrationQueries,
    scannedShare: search.scanned / q / space.rows,
  };
  return { result: { indices, distances }, report };
}

/** The state of one batch's search: its work region in the kernel memory and its answers so far. */
class IvfBatchSearch {
  /** Rows scanned so far. */
  scanned = 0;
  private readonly q: number;
  /** Candidates kept per query before the re-rank. */
  private readonly kp: number;
  private readonly centroidSlots: number;
  /** Queries whose centroid distances share the table. */
  private readonly batch: number;
  private readonly queriesAt: number;
  private readonly qnormsAt: number;
  private readonly listI: number;
  private readonly listN: number;
  private readonly tableAt: number;
  private readonly region: ScanRegion;
  /** View of the kernel memory, renewed after every scan (which may grow it). */
  private i32: Int32Array;
  private readonly candD: Float64Array;
  private readonly candI: Int32Array;
  private readonly keys: Float64Array;

  constructor(
    private readonly space: IvfKernelSpace,
    private readonly lists: IvfLists,
    private readonly values: MatrixValues,
    private readonly settings: IvfSearchSettings,
    private readonly queries: IvfQueries,
    private readonly k: number,
    private readonly answer: NeighborResult,
  ) {
    const { rows, cols2, threads, centroidPanels } = space;
    const q = queries.count;
    this.q = q;
    const kp = Math.min(rows, k + (queries.excludesAny ? 1 : 0) + settings.candidateMargin);
    this.kp = kp;
    const centroidSlots = centroidPanels * 8;
    this.centroidSlots = centroidSlots;
    this.batch = Math.max(64, Math.min(8192, Math.floor((32 << 20) / (centroidSlots * 4))));
    // Work region: queries (+ one dummy per thread to pad groups of 4), their norms, candidate lists, scratch, the
    // query-to-centroid table of one batch, then the query ids of the kernel calls.
    const slots = q + threads * TASKS_PER_THREAD;
    const queriesAt = space.workAt;
    const qnormsAt = alignTo64(queriesAt + slots * cols2 * 4);
    const listD = alignTo64(qnormsAt + slots * 4);
    const listI = alignTo64(listD + slots * kp * 4);
    const listN = alignTo64(listI + slots * kp * 4);
    const scratch = alignTo64(listN + slots * 4);
    const tableAt = alignTo64(scratch + space.scratchBytes * threads * TASKS_PER_THREAD);
    const qidsAt = alignTo64(tableAt + this.batch * centroidSlots * 4);
    this.queriesAt = queriesAt;
    this.qnormsAt = qnormsAt;
    this.listI = listI;
    this.listN = listN;
    this.tableAt = tableAt;
    space.ensureMemory(qidsAt);
    queries.write(queriesAt, qnormsAt);
    this.i32 = new Int32Array(space.memory.buffer);
    this.i32.fill(0, (queriesAt >> 2) + q * cols2, (queriesAt >> 2) + slots * cols2);
    this.i32.fill(0, (qnormsAt >> 2) + q, (qnormsAt >> 2) + slots);
    this.i32.fill(0, listN >> 2, (listN >> 2) + slots);
    this.region = {
      queriesAt,
      qnormsAt,
      panelsAt: space.panelsAt,
      panelNormsAt: space.panelNormsAt,
      groupPanel: lists.listPanel,
      groupRows: lists.listRows,
      listD,
      listI,
      listN,
      kp,
      scratchAt: scratch,
      qidsAt,
      dummy: q,
    };
    this.candD = new Float64Array(kp);
    this.candI = new Int32Array(kp);
    this.keys = new Float64Array(space.lists);
  }

  /**
   * Calibration: evenly spaced queries scan the nearest half of the lists (more while they hold < kp rows) and are
   * answered from that scan; the rank of the list holding each of their neighbours tells how many probes reach the
   * target recall. Marks the calibration queries in `isCalibration`.
   */
  calibrateProbes(isCalibration: Uint8Array): { probes: number; estimatedRecall?: number; calibrationQueries: number } {
    const { q, k, kp, settings } = this;
    const lists = this.space.lists;
    const { rowList, listRows } = this.lists;
    const calibrate = settings.probes === undefined ? Math.min(q, settings.calibrationQueries) : 0;
    if (calibrate === 0) return { probes: settings.probes ?? lists, calibrationQueries: 0 };
    const ids = Int32Array.from({ length: calibrate }, (_, j) => Math.floor((j * q) / calibrate));
    for (const i of ids) isCalibration[i] = 1;
    const rankOf = new Int32Array(calibrate * lists);
    const starts = new Int32Array(calibrate + 1);
    let members: Int32Array = new Int32Array(calibrate * Math.ceil(lists / 2));
    for (let j = 0; j < calibrate; j++) {
      const i = ids[j]!;
      this.centroidDistances(i, i + 1);
      const order = this.sortedLists(0);
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
    this.probe(ids, starts, members);
    const { indices } = this.answer;
    const ranks = new Int32Array(calibrate * k);
    ids.forEach((i, j) => {
      this.rerank(i);
      for (let m = 0; m < k; m++) ranks[j * k + m] = rankOf[j * lists + rowList[indices[i * k + m]!]!]!;
    });
    ranks.sort();
    const probes = ranks[Math.max(0, Math.ceil(settings.targetRecall * ranks.length) - 1)]! + 1;
    let inside = 0;
    for (const r of ranks) if (r < probes) inside++;
    return { probes, estimatedRecall: inside / ranks.length, calibrationQueries: calibrate };
  }

  /** The other queries, batch by batch: each probes its `probes` nearest lists, then is re-ranked. */
  probeNearestLists(probes: number, isCalibration: Uint8Array): void {
    const { q, batch } = this;
    const lists = this.space.lists;
    const nearest = new Int32Array(lists);
    let members: Int32Array = new Int32Array(batch * probes);
    for (let b0 = 0; b0 < q; b0 += batch) {
      const b1 = Math.min(q, b0 + batch);
      this.centroidDistances(b0, b1);
      const ids: number[] = [];
      const starts: number[] = [0];
      let used = 0;
      for (let i = b0; i < b1; i++) {
        if (isCalibration[i]) continue;
        if (members.length < used + lists) members = grow(members, used + lists);
        used += this.chooseLists(i - b0, probes, members, used, nearest);
        ids.push(i);
        starts.push(used);
      }
      if (ids.length > 0) {
        this.probe(Int32Array.from(ids), Int32Array.from(starts), members);
        for (const i of ids) this.rerank(i);
      }
      this.settings.onBatch?.(b1, q);
    }
  }

  /**
   * Writes to members[at ..] the lists the query in table row `row` probes, ascending: the lists nearer than the
   * `probes`-th distance, then those at it in ascending order, `probes` in all; more, nearest first, while those hold
   * fewer than kp rows. `scratch` holds one distance per list. Returns how many were written.
   */
  private chooseLists(row: number, probes: number, members: Int32Array, at: number, scratch: Int32Array): number {
    const { kp } = this;
    const lists = this.space.lists;
    const listRows = this.lists.listRows;
    const table = this.tableRow(row);
    scratch.set(table);
    const cut = nthSmallest(scratch, probes - 1);
    let take = 0;
    let held = 0;
    for (let l = 0; l < lists; l++) {
      if (table[l]! < cut) {
        members[at + take++] = l;
        held += listRows[l]!;
      }
    }
    for (let l = 0; l < lists && take < probes; l++) {
      if (table[l] === cut) {
        members[at + take++] = l;
        held += listRows[l]!;
      }
    }
    if (held < kp) {
      const order = this.sortedLists(row);
      take = 0;
      held = 0;
      while (take < lists && (take < probes || held < kp)) {
        const l = order[take]! % 65536;
        members[at + take++] = l;
        held += listRows[l]!;
      }
      members.subarray(at, at + take).sort();
    }
    return take;
  }

  /** Scans each query's chosen lists into its candidate list. */
  private probe(ids: Int32Array, starts: Int32Array, members: Int32Array): void {
    this.scanned += this.space.scanGrouped(this.region, ids, starts, members);
    this.i32 = new Int32Array(this.space.memory.buffer);
  }

  /** Query i's k nearest among its candidates, by float64 distance on the original values, ties to the lower row. */
  private rerank(i: number): void {
    const { k, kp, candD, candI, i32, listI, listN } = this;
    const { cols } = this.space;
    const slotRow = this.lists.slotRow;
    const excludeSelf = this.queries.excludeSelf;
    const self = excludeSelf === undefined ? -1 : excludeSelf[i]!;
    const point = this.queries.values(i);
    const n = i32[(listN >> 2) + i]!;
    let m = 0;
    for (let j = 0; j < n; j++) {
      const r = slotRow[i32[(listI >> 2) + i * kp + j]!]!;
      if (r < 0 || r === self) continue;
      m = insertCandidate(candD, candI, m, squaredDistance(point, this.values, r * cols, cols), r);
    }
    if (m < k) throw new Error(`IVF search kept ${m} of ${k} neighbours for query ${i}; this is a bug.`);
    this.answer.distances.set(candD.subarray(0, k), i * k);
    this.answer.indices.set(candI.subarray(0, k), i * k);
  }

  /** Fills the table with the distances of queries q0 .. q1 − 1 to every centroid, one row per query. */
  private centroidDistances(q0: number, q1: number): void {
    const s = this.space;
    s.fns.distances(
      q0,
      q1,
      s.cols2,
      this.queriesAt,
      this.qnormsAt,
      0,
      s.centroidPanels,
      s.centroidsAt,
      s.centroidNormsAt,
      this.tableAt,
      this.centroidSlots,
    );
  }

  private tableRow(row: number): Int32Array {
    return new Int32Array(this.space.memory.buffer, this.tableAt + row * this.centroidSlots * 4, this.space.lists);
  }

  /** All lists in order of distance from the query whose table row is given, ties to the lower list. */
  private sortedLists(row: number): Float64Array {
    const { keys } = this;
    const table = this.tableRow(row);
    for (let l = 0; l < keys.length; l++) keys[l] = table[l]! * 65536 + l;
    return keys.sort();
  }
}

function grow(a: Int32Array, atLeast: number): Int32Array {
  const out = new Int32Array(Math.max(atLeast, a.length * 2));
  out.set(a);
  return out;
}
