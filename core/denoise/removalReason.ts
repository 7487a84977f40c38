// Reason codes carried with every row a cleaning filter removes, so lineage says why a row left the training set.

export const REMOVAL_REASON = {
  /** Edited nearest neighbours: the row's k nearest neighbours disagree with its label. */
  editedNearestNeighbours: 1,
  /** Repeated edited nearest neighbours: as above, in a later round (the round is reported beside it). */
  repeatedEditedNearestNeighbours: 2,
  /** Tomek link: the row and its nearest neighbour are of different classes and each other's nearest. */
  tomekLink: 3,
  /** Confident learning: out-of-fold probabilities say the other class, above that class's own confidence. */
  confidentLearning: 4,
} as const;

export type RemovalReasonName = keyof typeof REMOVAL_REASON;

/** Rows a filter keeps and removes. Row ids refer to the filter's input. */
export interface CleaningResult {
  /** Surviving row indices, ascending. */
  kept: Int32Array;
  /** Removed row indices, ascending. */
  removed: Int32Array;
  /** One {@link REMOVAL_REASON} code per removed row, aligned with `removed`. */
  reasons: Uint8Array;
  /** Rows removed per class: [negatives, positives]. */
  removedPerClass: [number, number];
  /** Repeated ENN: the round (1-based) that removed each row, aligned with `removed`. */
  rounds?: Uint16Array;
  /** ENN: the labels (0/1) of each removed row's `k` nearest neighbours, nearest first, `k` per row, aligned with `removed`. */
  neighbourLabels?: Uint8Array;
  /** ENN: neighbours per removed row in `neighbourLabels`. */
  k?: number;
}

/** Split a keep mask into sorted kept and removed ids, with one reason for all removed rows. */
export function cleaningResult(keep: Uint8Array, y: Uint8Array, reason: number): CleaningResult {
  const rows = keep.length;
  let keptCount = 0;
  for (let r = 0; r < rows; r++) keptCount += keep[r]!;
  const kept = new Int32Array(keptCount);
  const removed = new Int32Array(rows - keptCount);
  const removedPerClass: [number, number] = [0, 0];
  let k = 0;
  let d = 0;
  for (let r = 0; r < rows; r++) {
    if (keep[r] === 1) kept[k++] = r;
    else {
      removed[d++] = r;
      removedPerClass[y[r] === 1 ? 1 : 0]++;
    }
  }
  return { kept, removed, reasons: new Uint8Array(removed.length).fill(reason), removedPerClass };
}
