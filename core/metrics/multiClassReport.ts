// The per-class report of a multi-class model on labelled rows: support, recall, precision and F1 of each class
// (one-vs-rest), the confusion matrix, accuracy, and macro G-mean (the geometric mean of the per-class recalls).
// Rows may be counted at another class mix than their own (a retrain's sample keeps the rare classes whole): each
// row of true class t then counts `classWeights[t]` times in precision, F1 and accuracy; recall is within a class
// and does not move.

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
  /** Present when the rows were counted at another class mix than their own: each class's row weight. */
  classMix?: { rowsShares: number[]; weights: number[] };
}

/** Weights within this relative spread of each other count the rows as they are. */
const MIX_TOLERANCE = 0.05;

/**
 * The weight of each true class's rows that makes their shares `rowsShares` count as `shares` (share / rows' share,
 * scaled so the largest weight is 1), or undefined when the two mixes agree within 5% (or a class the rows hold has no
 * share to go by).
 */
export function classWeightsFor(support: readonly number[], shares: readonly number[]): number[] | undefined {
  const n = support.reduce((a, b) => a + b, 0);
  if (n === 0 || shares.length !== support.length) return undefined;
  const raw = support.map((s, c) => (s > 0 ? shares[c]! / (s / n) : NaN));
  const present = raw.filter((w) => !Number.isNaN(w));
  if (present.some((w) => !(w > 0) || !Number.isFinite(w))) return undefined;
  const top = Math.max(...present);
  if (top / Math.min(...present) - 1 <= MIX_TOLERANCE) return undefined;
  return raw.map((w) => (Number.isNaN(w) ? 1 : w / top));
}

/**
 * `truth` and `predicted` hold class indices into `classes`, one per row; `classWeights` (classWeightsFor) counts each
 * true class's rows that many times in precision, F1 and accuracy. The confusion matrix stays in rows.
 */
export function multiClassReport(
  classes: string[],
  truth: ArrayLike<number>,
  predicted: ArrayLike<number>,
  classWeights?: readonly number[],
): MultiClassReport {
  const k = classes.length;
  const w = (t: number) => classWeights?.[t] ?? 1;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let correct = 0;
  for (let i = 0; i < truth.length; i++) {
    confusion[truth[i]!]![predicted[i]!]!++;
    if (truth[i] === predicted[i]) correct++;
  }
  const rows = classes.map((name, c): MultiClassRow => {
    const support = confusion[c]!.reduce((a, b) => a + b, 0);
    const predictedCount = confusion.reduce((a, row) => a + row[c]!, 0);
    const predictedWeight = confusion.reduce((a, row, t) => a + w(t) * row[c]!, 0);
    const tp = confusion[c]![c]!;
    const recall = support > 0 ? tp / support : null;
    const precision = predictedCount > 0 ? (w(c) * tp) / predictedWeight : null;
    const f1 =
      recall !== null && precision !== null ? (recall + precision > 0 ? (2 * recall * precision) / (recall + precision) : 0) : null;
    return { class: name, support, predicted: predictedCount, recall, precision, f1 };
  });
  const recalls = rows.flatMap((r) => (r.recall === null ? [] : [r.recall]));
  const macroGMean = recalls.length ? Math.exp(recalls.reduce((a, r) => a + Math.log(r), 0) / recalls.length) : 0;
  const macroRecall = recalls.length ? recalls.reduce((a, b) => a + b, 0) / recalls.length : 0;
  if (!classWeights) return { classes: rows, confusion, accuracy: truth.length ? correct / truth.length : 0, macroGMean, macroRecall };
  const total = rows.reduce((a, r, t) => a + w(t) * r.support, 0);
  const hits = rows.reduce((a, _, t) => a + w(t) * confusion[t]![t]!, 0);
  return {
    classes: rows,
    confusion,
    accuracy: total > 0 ? hits / total : 0,
    macroGMean,
    macroRecall,
    classMix: { rowsShares: rows.map((r) => (truth.length ? r.support / truth.length : 0)), weights: [...classWeights] },
  };
}
