// Proves most rows of an edited-nearest-neighbours pass kept without their exact k nearest neighbours, so only the
// rest need the full exact search: a row is kept when enough rows of its own class lie strictly nearer than the
// nearest rows of the other class.

import { ExactNeighborIndex } from '../neighbors/exactNeighbors.js';
import { IvfNeighborIndex } from '../neighbors/ivfNeighbors.js';
import { batchedNeighborIndex, type NeighbourSearchProgress } from '../neighbors/batchedNeighborIndex.js';
import type { NeighborMatrix } from '../neighbors/neighborIndex.js';

/** Settings of {@link certifyKeptRows}. */
export interface KeepCertificateSettings {
  /** Neighbours of the vote, not counting the row itself. */
  k: number;
  /** Neighbours of its own class, among its k, a row of the certified class needs to be kept. */
  need: number;
  /** The class whose candidates are certified (the other one should be the smaller). */
  label: 0 | 1;
  /**
   * IVF lists probed per row when looking for its own-class neighbours, round by round: each round searches again,
   * wider, only the rows the previous ones left unproven.
   */
  probes: readonly number[];
  /** Called after each batch of the nearest-other search and after each probe round. @default none */
  onBatch?: NeighbourSearchProgress;
}

/**
 * For each candidate row (ascending row numbers in `x`), 1 when it is proven kept. Only rows of `settings.label` are
 * tried; the others get 0.
 *
 * Why it is exact: with m = k − need + 1, a row whose `need`-th nearest own-class row is strictly nearer than its
 * m-th nearest other-class row is kept. Were m or more other-class rows among its k nearest, the m-th of them would
 * have at least need + m − 1 = k rows strictly nearer, so it could not be among the k nearest. Any `need` own-class
 * rows with their true distances bound the need-th nearest from above, so an approximate search (IVF over the
 * own class) serves as a witness; a row whose witness is not near enough is simply left unproven. The other class's
 * m-th nearest distance comes from exact search. Both distances are the same float64 sums the exact search ranks
 * by, so the strict comparison carries over to its ranking too.
 */
export function certifyKeptRows(x: NeighborMatrix, y: Uint8Array, candidates: Int32Array, settings: KeepCertificateSettings): Uint8Array {
  const { k, need, label, probes, onBatch } = settings;
  const { rows, cols, values } = x;
  const proven = new Uint8Array(candidates.length);
  const m = k - need + 1;
  let ownCount = 0;
  for (let r = 0; r < rows; r++) if (y[r] === label) ownCount++;
  const otherCount = rows - ownCount;
  if (otherCount < m || ownCount <= need || need < 1) return proven;

  // Own and other rows copied apart; ownPosition maps a row to its place among its class.
  const ownValues = new Float64Array(ownCount * cols);
  const otherValues = new Float64Array(otherCount * cols);
  const ownPosition = new Int32Array(rows);
  for (let r = 0, o = 0, t = 0; r < rows; r++) {
    const row = values.subarray(r * cols, r * cols + cols);
    if (y[r] === label) {
      ownPosition[r] = o;
      ownValues.set(row, o++ * cols);
    } else {
      otherValues.set(row, t++ * cols);
    }
  }
  const tried: number[] = [];
  for (let i = 0; i < candidates.length; i++) if (y[candidates[i]!] === label) tried.push(i);
  if (tried.length === 0) return proven;
  const queryRows = Int32Array.from(tried, (i) => ownPosition[candidates[i]!]!);

  const points = new Float64Array(queryRows.length * cols);
  for (let j = 0; j < queryRows.length; j++) points.set(ownValues.subarray(queryRows[j]! * cols, queryRows[j]! * cols + cols), j * cols);
  const otherIndex = new ExactNeighborIndex({ rows: otherCount, cols, values: otherValues });
  let nearestOther: Float64Array;
  try {
    const search = onBatch ? batchedNeighborIndex(otherIndex, onBatch) : otherIndex;
    nearestOther = search.query(points, queryRows.length, m).distances;
  } finally {
    otherIndex.close();
  }
  const ownIndex = new IvfNeighborIndex({ rows: ownCount, cols, values: ownValues }, { seed: 1 });
  try {
    // `open` lists positions in `tried` still unproven.
    let open = Int32Array.from(tried, (_, j) => j);
    for (const p of probes) {
      if (open.length === 0) break;
      const nearestOwn = ownIndex.probeRows(
        Int32Array.from(open, (j) => queryRows[j]!),
        need,
        p,
      ).distances;
      const still: number[] = [];
      open.forEach((j, o) => {
        if (nearestOwn[o * need + need - 1]! < nearestOther[j * m + m - 1]!) proven[tried[j]!] = 1;
        else still.push(j);
      });
      open = Int32Array.from(still);
      onBatch?.(tried.length - open.length, tried.length);
    }
  } finally {
    ownIndex.close();
  }
  return proven;
}
