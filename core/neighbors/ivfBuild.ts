// Building an IVF index: k-means centroids trained on a seeded sample, every row's nearest list (in two levels when
// there are many lists), and the rows laid out list by list in 8-row panels for the scan kernel.

import type { RandomSource } from '../random.js';
import { SCAN_ARITY, TASKS_PER_THREAD, type IvfKernelSpace, type ScanRegion } from './ivfKernelSpace.js';
import type { MatrixValues } from './neighborIndex.js';
import { alignTo64 } from './wasmMemory.js';
import type { NeighbourSearchProgress } from './batchedNeighborIndex.js';

/** Lists from which rows are assigned in two levels (centroid groups first). */
const TWO_LEVEL_MIN_LISTS = 256;
/** Nearest centroid groups whose centroids a row is compared with, in two-level assignment. */
const GROUPS_SEARCHED = 8;

/** The inverted lists of a built index. */
export interface IvfLists {
  /** List l owns panels listPanel[l] .. listPanel[l + 1] - 1. */
  listPanel: Int32Array;
  /** Row of each panel slot, -1 for padding. */
  slotRow: Int32Array;
  /** List of each row. */
  rowList: Int32Array;
  /** Rows in each list. */
  listRows: Int32Array;
}

/**
 * Trains the centroids, assigns every row of the (already quantised) `values` to its nearest one and lays out the
 * lists in the kernel memory. The random draws come in a fixed order, so the same seed gives the same lists.
 */
export function buildIvfLists(
  space: IvfKernelSpace,
  values: MatrixValues,
  random: RandomSource,
  iterations: number,
  perList: number,
  onBatch?: NeighbourSearchProgress,
): IvfLists {
  const centroids = trainCentroids(space, values, random, iterations, perList, onBatch);
  const assignment = assignAll(space, centroids, random);
  onBatch?.(space.rows, space.rows);
  const built = buildLists(space, assignment);
  return { listPanel: built.listPanel, slotRow: built.slotRow, rowList: assignment, listRows: built.sizes };
}

/**
 * k-means by Lloyd's algorithm on a seeded sample of trainingRowsPerList · lists rows: initial centroids are
 * distinct sampled rows, an emptied list is re-seeded with a random sampled row. Means are taken on the original
 * values, assignment on the quantised ones.
 */
function trainCentroids(
  space: IvfKernelSpace,
  values: MatrixValues,
  random: RandomSource,
  iterations: number,
  perList: number,
  onBatch: NeighbourSearchProgress | undefined,
): Float64Array {
  const { rows, cols, lists } = space;
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
    if (it > 0) onBatch?.(0, rows);
    const assignment = assign(space, sample, centroids);
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
function storeCentroids(space: IvfKernelSpace, centroids: Float64Array): void {
  const { lists } = space;
  space.quantiseInto(centroids, lists, space.centroidRowsAt, space.centroidRowNormsAt);
  const slotRow = new Int32Array(space.memory.buffer, space.centroidSlotsAt, space.centroidPanels * 8);
  for (let l = 0; l < slotRow.length; l++) slotRow[l] = l < lists ? l : -1;
  space.fns.gather(
    space.centroidSlotsAt,
    slotRow.length,
    space.cols2,
    space.centroidRowsAt,
    space.centroidRowNormsAt,
    space.centroidsAt,
    space.centroidNormsAt,
  );
}

/**
 * The list of every row. With many lists the centroids are first grouped by k-means into about √lists groups;
 * each row is compared with the group centres, then with the centroids of its `GROUPS_SEARCHED` nearest groups only
 * (about a tenth of the centroids at 1000 lists). A row whose nearest centroid sits in another group lands in a
 * nearby list instead; the probe calibration absorbs the small loss.
 */
function assignAll(space: IvfKernelSpace, centroids: Float64Array, random: RandomSource): Int32Array {
  const { rows, cols, cols2, lists, threads } = space;
  if (lists < TWO_LEVEL_MIN_LISTS) return assign(space, identity(rows), centroids);
  storeCentroids(space, centroids);
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
  const groupedAt = space.workAt;
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
  const qidsAt = alignTo64(scratch + space.scratchBytes * threads * TASKS_PER_THREAD);
  space.ensureMemory(qidsAt);
  let i32 = new Int32Array(space.memory.buffer);
  i32.set(slotList, slotListAt >> 2);
  space.fns.gather(slotListAt, slots, cols2, space.centroidRowsAt, space.centroidRowNormsAt, groupedAt, groupedNormsAt);
  space.quantiseInto(centres, groups, centreRowsAt, centreRowNormsAt);
  i32 = new Int32Array(space.memory.buffer);
  for (let s = 0; s < centrePanels * 8; s++) i32[(centreSlotsAt >> 2) + s] = s < groups ? s : -1;
  space.fns.gather(centreSlotsAt, centrePanels * 8, cols2, centreRowsAt, centreRowNormsAt, centresAt, centreNormsAt);

  // Stage 1: each row's `searched` nearest group centres.
  const allRows = identity(rows);
  i32.fill(0, n1 >> 2, (n1 >> 2) + slotsOf);
  i32.fill(0, n2 >> 2, (n2 >> 2) + slotsOf);
  const rowStarts = new Int32Array(rows + 1);
  for (let r = 0; r <= rows; r++) rowStarts[r] = r;
  const base: Omit<ScanRegion, 'groupPanel' | 'groupRows' | 'panelsAt' | 'panelNormsAt' | 'listD' | 'listI' | 'listN' | 'kp'> = {
    queriesAt: space.pointsAt,
    qnormsAt: space.pointNormsAt,
    scratchAt: scratch,
    qidsAt,
    dummy: rows,
  };
  space.scanGrouped(
    {
      ...base,
      panelsAt: centresAt,
      panelNormsAt: centreNormsAt,
      groupPanel: Int32Array.from([0, centrePanels]),
      groupRows: Int32Array.from([groups]),
      listD: d1,
      listI: i1,
      listN: n1,
      kp: searched,
    },
    allRows,
    rowStarts,
    new Int32Array(rows),
  );
  // Stage 2: the nearest centroid within those groups.
  const members = new Int32Array(new Int32Array(space.memory.buffer, i1, rows * searched));
  const starts = new Int32Array(rows + 1);
  for (let r = 0; r <= rows; r++) starts[r] = r * searched;
  space.scanGrouped(
    {
      ...base,
      panelsAt: groupedAt,
      panelNormsAt: groupedNormsAt,
      groupPanel,
      groupRows: groupSize,
      listD: d2,
      listI: i2,
      listN: n2,
      kp: 1,
    },
    allRows,
    starts,
    members,
  );
  const nearest = new Int32Array(space.memory.buffer, i2, rows);
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) out[r] = slotList[nearest[r]!]!;
  return out;
}

/** The nearest centroid of each indexed row in `rowIds` (ties to the lower centroid). */
function assign(space: IvfKernelSpace, rowIds: Int32Array, centroids: Float64Array): Int32Array {
  storeCentroids(space, centroids);
  const { rows, threads } = space;
  const n = rowIds.length;
  // Queries address the points region directly, so the one-entry candidate lists are indexed by row id.
  const padded = Math.ceil(n / 4) * 4;
  const qidsAt = space.workAt;
  const listD = alignTo64(qidsAt + padded * 4);
  const listI = alignTo64(listD + rows * 4);
  const listN = alignTo64(listI + rows * 4);
  const scratch = alignTo64(listN + rows * 4);
  space.ensureMemory(scratch + space.scratchBytes * threads * TASKS_PER_THREAD);
  const i32 = new Int32Array(space.memory.buffer);
  i32.set(rowIds, qidsAt >> 2);
  // A padded group repeats the last row; it gets the same answer again.
  for (let i = n; i < padded; i++) i32[(qidsAt >> 2) + i] = rowIds[n - 1]!;
  for (let i = 0; i < n; i++) i32[(listN >> 2) + rowIds[i]!] = 0;
  const used = space.threadsFor(n * space.lists * space.cols);
  const tasks = Math.min(padded / 4, used === 1 ? 1 : used * TASKS_PER_THREAD);
  const share = Math.ceil(padded / 4 / tasks) * 4;
  const calls: number[] = [];
  const taskStarts = [0];
  for (let t = 0; t < tasks; t++) {
    const g0 = t * share;
    const g1 = Math.min(padded, g0 + share);
    if (g0 >= g1) break;
    calls.push(
      qidsAt + g0 * 4,
      g1 - g0,
      space.cols2,
      space.pointsAt,
      space.pointNormsAt,
      0,
      space.centroidPanels,
      space.centroidsAt,
      space.centroidNormsAt,
      listD,
      listI,
      listN,
      1,
      scratch + space.scratchBytes * t,
    );
    taskStarts.push(calls.length / SCAN_ARITY);
  }
  space.pool.runTasks(SCAN_ARITY, Int32Array.from(calls), Int32Array.from(taskStarts), used - 1);
  const nearest = new Int32Array(space.memory.buffer, listI, rows);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = nearest[rowIds[i]!]!;
  return out;
}

/** Lays the rows out list by list, 8 rows to a panel, padding each list to whole panels. */
function buildLists(space: IvfKernelSpace, assignment: Int32Array): { listPanel: Int32Array; slotRow: Int32Array; sizes: Int32Array } {
  const { rows, lists, cols2 } = space;
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
  space.ensureMemory(space.workAt + slots * 4);
  new Int32Array(space.memory.buffer, space.workAt, slots).set(slotRow);
  space.fns.gather(space.workAt, slots, cols2, space.pointsAt, space.pointNormsAt, space.panelsAt, space.panelNormsAt);
  return { listPanel, slotRow, sizes };
}

/**
 * k-means of `n` float64 points (rows of `cols`) into `k` centres by Lloyd's algorithm, starting from k distinct
 * random points; an emptied centre is re-seeded with a random point. Ties go to the lower centre.
 */
function kMeans(
  points: Float64Array,
  n: number,
  cols: number,
  k: number,
  iterations: number,
  random: RandomSource,
): { centres: Float64Array; groupOf: Int32Array } {
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

function identity(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}
