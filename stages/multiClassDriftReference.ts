// The drift reference of a multi-class model: the features and top-class scores as for a binary model, plus the
// class reference (class prior as collected, predicted-class shares and per-class recall on the held-out rows).

import { takeRows, type LabelledData } from '../core/dataset.js';
import type { CategoricalColumns } from '../core/drift/categoricalDrift.js';
import { buildClassReference } from '../core/drift/classDrift.js';
import { buildDriftReference, type DriftReference } from '../core/drift/driftReference.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import { scoreMultiClass, type ModelArtifact } from '../core/models/modelArtifact.js';
import { seededRandom, shuffleInPlace } from '../core/random.js';

/**
 * Rows of `y` (class indices) whose class mix is `prior`: sampling keeps rare classes whole and the large ones in a
 * uniform reservoir, so each class is an unbiased sample of its own rows, and dropping rows of the over-represented
 * classes at random restores the population's mix (every class keeps at least one row).
 */
export function rowsAtClassPrior(y: Uint8Array, prior: readonly number[], seed: number): Int32Array {
  const byClass: number[][] = prior.map(() => []);
  for (let i = 0; i < y.length; i++) byClass[y[i]!]!.push(i);
  // The largest total n with n·prior[c] ≤ rows of class c for every class.
  let scale = Number.POSITIVE_INFINITY;
  prior.forEach((p, c) => {
    if (p > 0) scale = Math.min(scale, byClass[c]!.length / p);
  });
  const random = seededRandom(seed);
  const kept: number[] = [];
  byClass.forEach((rows, c) => {
    shuffleInPlace(rows, random);
    const n = Math.min(rows.length, Math.max(1, Math.round(scale * prior[c]!)));
    kept.push(...rows.slice(0, n));
  });
  return Int32Array.from(kept.sort((a, b) => a - b));
}

export interface MultiClassReferenceInput {
  model: ModelArtifact;
  /** The training split as sampled (class indices), and the held-out test split. */
  train: LabelledData;
  test: LabelledData;
  /** Share of each class in the raw input (the describe stage's counts), in the model's class order. */
  classPrior: number[];
  /** Numeric input columns of the model: their names and feature positions. */
  features: Array<{ name: string; index: number }>;
  categorical: (x: LabelledData['x']) => CategoricalColumns;
  seed: number;
}

/**
 * The stored reference's body for a multi-class model. The binary parts see class 0 (the model file's
 * `positiveLabel`) as positive, as the scoring service logs it, and the top class's score as the row's score; their
 * per-class performance is left null (not judged): the class reference's per-class recall is the performance check.
 */
export function multiClassDriftReference(o: MultiClassReferenceInput): DriftReference {
  const classes = o.model.multiClass!.classes;
  if (o.classPrior.length !== classes.length || o.classPrior.some((p) => !(p > 0 && p < 1))) {
    throw new InvalidInputError(
      'classPrior',
      `classPrior: expected ${classes.length} class shares in (0, 1), got ${JSON.stringify(o.classPrior)}`,
    );
  }
  const trainRows = takeRows(o.train, rowsAtClassPrior(o.train.y, o.classPrior, o.seed));
  const testAtPrior = rowsAtClassPrior(o.test.y, o.classPrior, o.seed + 1);
  const cols = o.features.length;
  const values = new Float64Array(trainRows.x.rows * cols);
  for (let r = 0; r < trainRows.x.rows; r++) {
    for (let c = 0; c < cols; c++) values[r * cols + c] = trainRows.x.values[r * trainRows.x.cols + o.features[c]!.index]!;
  }
  const scoredAll = scoreMultiClass(o.model, o.test.x);
  const k = classes.length;
  const predicted = Int32Array.from(testAtPrior, (i) => scoredAll.predicted[i]!);
  const topScores = Float64Array.from(testAtPrior, (i) => scoredAll.scores[i * k + scoredAll.predicted[i]!]!);
  const none = { recall: null, precision: null };
  const reference = buildDriftReference(
    { rows: trainRows.x.rows, cols, values, names: o.features.map((f) => f.name) },
    Uint8Array.from(trainRows.y, (v) => (v === 0 ? 1 : 0)),
    topScores,
    o.model.threshold,
    { positive: none, negative: none },
    { seed: o.seed, categorical: o.categorical(trainRows.x) },
  );
  reference.classes = buildClassReference(
    classes,
    trainRows.y,
    Uint8Array.from(testAtPrior, (i) => o.test.y[i]!),
    predicted,
  );
  // Each class's recall is a share within the class, the same at any class mix: read it on every test row, not on
  // the few rare-class rows left at the raw prior, so the validation value is not one lucky or unlucky draw.
  const everyTestRow = buildClassReference(classes, trainRows.y, o.test.y, scoredAll.predicted);
  reference.classes.recall = everyTestRow.recall;
  reference.classes.recallSupport = everyTestRow.recallSupport;
  // The prior as collected: the raw input's class shares, not the resampled rows' rounding of them.
  reference.classes.prior = [...o.classPrior];
  return reference;
}
