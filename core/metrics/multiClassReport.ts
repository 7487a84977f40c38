// The per-class report of a multi-class model on labelled rows: support, recall, precision and F1 of each class
// (one-vs-rest), the confusion matrix, accuracy, and macro G-mean (the geometric mean of the per-class recalls).

export interface MultiClassRow {
  class: string;
  /** Rows whose true class this is. */
  support: number;
  /** Rows predicted as this class. */
  predicted: number;
  /** Null without support (no rows of the class), rather than a 0 that would read as a measurement. */
  recall: number | null;
  /** Null when no row was predicted as this class. */
  precision: number | null;
  f1: number | null;
}

export interface MultiClassReport {
  classes: MultiClassRow[];
  /** confusion[t][p]: rows of true class t predicted as p, in `classes` order. */
  confusion: number[][];
  accuracy: number;
  /** Geometric mean of the recalls of the classes with support: 0 when any such class is never recalled. */
  macroGMean: number;
  /** Mean recall over the classes with support (balanced accuracy). */
  macroRecall: number;
}

/** `truth` and `predicted` hold class indices into `classes`, one per row. */
export function multiClassReport(classes: string[], truth: ArrayLike<number>, predicted: ArrayLike<number>): MultiClassReport {
  const k = classes.length;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let correct = 0;
  for (let i = 0; i < truth.length; i++) {
    confusion[truth[i]!]![predicted[i]!]!++;
    if (truth[i] === predicted[i]) correct++;
  }
  const rows = classes.map((name, c): MultiClassRow => {
    const support = confusion[c]!.reduce((a, b) => a + b, 0);
    const predictedCount = confusion.reduce((a, row) => a + row[c]!, 0);
    const tp = confusion[c]![c]!;
    const recall = support > 0 ? tp / support : null;
    const precision = predictedCount > 0 ? tp / predictedCount : null;
    const f1 =
      recall !== null && precision !== null ? (recall + precision > 0 ? (2 * recall * precision) / (recall + precision) : 0) : null;
    return { class: name, support, predicted: predictedCount, recall, precision, f1 };
  });
  const recalls = rows.flatMap((r) => (r.recall === null ? [] : [r.recall]));
  const macroGMean = recalls.length ? Math.exp(recalls.reduce((a, r) => a + Math.log(r), 0) / recalls.length) : 0;
  const macroRecall = recalls.length ? recalls.reduce((a, b) => a + b, 0) / recalls.length : 0;
  return { classes: rows, confusion, accuracy: truth.length ? correct / truth.length : 0, macroGMean, macroRecall };
}
