// The reference a drift check compares serving windows with, built once per model from its training data and
// validation scores: per-feature quantile bins and subsamples, the class prior, the score reference and performance.

import type { FeatureMatrix } from '../dataset.js';
import { InvalidInputError } from '../invalidInputError.js';
import { deriveSeed } from '../random.js';
import type { ClassReference } from './classDrift.js';
import { buildCategoricalReferences, type CategoricalColumns, type CategoricalFeatureReference } from './categoricalDrift.js';
import { assertReferencePerformance, assertThreshold, type ReferencePerformance } from './performanceDrift.js';
import { buildPredictionReference, type PredictionReference } from './predictionDrift.js';
import { referenceBins, type ReferenceBins } from './populationStabilityIndex.js';
import { referenceSampleRows, sortedColumnSample } from './referenceSample.js';

/** A row-major feature matrix with one name per column. */
export interface NamedFeatureMatrix extends FeatureMatrix {
  names: string[];
}

/** Reference of one numeric feature. */
export interface FeatureReference {
  name: string;
  /** Quantile bins of the training values. */
  bins: ReferenceBins;
  /** Ascending seeded subsample of the training values (the same rows for every feature), for KS. */
  sample: number[];
  /** Ascending seeded subsample of the training positives' values, for the minority-class KS. */
  positiveSample: number[];
}

/**
 * Everything a window is compared with, built once per model from its training and validation data.
 * JSON-plain, to be stored as an artifact next to the model; with the default cap it holds up to 5,000 numbers
 * per feature, so pass it between activities by reference, not inside a Temporal payload.
 */
export interface DriftReference {
  version: 1;
  features: FeatureReference[];
  /** Categorical features by their kept training categories; absent when the model has none. */
  categoricalFeatures?: CategoricalFeatureReference[];
  /** Class proportions of the training labels as collected (before any resampling). */
  labelPrior: { negative: number; positive: number; n: number };
  /** Validation scores: bins, a KS subsample and the predicted-positive rate at `threshold`. */
  prediction: PredictionReference;
  /** The model's validation recall and precision per class. */
  performance: ReferencePerformance;
  /**
   * The label-free estimate (CBPE) of the same metrics on the validation rows. When present, window estimates are
   * compared with it rather than with the measured values, so a steady miscalibration of the scores cancels out.
   */
  estimatedPerformance?: ReferencePerformance;
  /** Score ≥ threshold is predicted positive. */
  threshold: number;
  /** Multi-class models: the class prior, predicted-class shares and recall per class (classDrift.ts). */
  classes?: ClassReference;
}

export interface DriftReferenceOptions {
  /**
   * Quantile bins per feature (and for the scores) before merging ties.
   * @default 10
   */
  bins?: number;
  /**
   * Most training rows (and validation scores) kept for the KS tests.
   * @default 5000
   */
  sampleCap?: number;
  /**
   * Seed of the subsamples.
   * @default 0
   */
  seed?: number;
  /** The training rows' categorical columns (same rows as the numeric matrix), when the model has any. */
  categorical?: CategoricalColumns;
  /**
   * Most frequent categories kept by name per categorical feature; the rest share the other/unseen bin.
   * @default 50
   */
  maxCategories?: number;
}

/** Checks a named matrix: its shape, distinct non-empty names, and finite values (naming the first that is not). */
export function assertNamedMatrix(m: NamedFeatureMatrix, subject: string): void {
  if (m === null || typeof m !== 'object')
    throw new InvalidInputError(subject, `${subject}: expected {values, rows, cols, names}, got ${String(m)}`);
  const { values, rows, cols, names } = m;
  if (!(values instanceof Float64Array))
    throw new InvalidInputError(`${subject}.values`, `${subject}.values: expected a row-major Float64Array`);
  if (!Number.isInteger(rows) || rows < 1)
    throw new InvalidInputError(`${subject}.rows`, `${subject}.rows: expected at least one row, got ${String(rows)}`);
  if (!Number.isInteger(cols) || cols < 1)
    throw new InvalidInputError(`${subject}.cols`, `${subject}.cols: expected at least one column, got ${String(cols)}`);
  if (values.length !== rows * cols) {
    throw new InvalidInputError(
      `${subject}.values`,
      `${subject}.values: expected ${rows}×${cols} = ${rows * cols} values, got ${values.length}`,
    );
  }
  if (!Array.isArray(names) || names.length !== cols) {
    throw new InvalidInputError(
      `${subject}.names`,
      `${subject}.names: expected ${cols} column names (one per column), got ${Array.isArray(names) ? names.length : String(names)}`,
    );
  }
  const seen = new Set<string>();
  for (const name of names) {
    if (typeof name !== 'string' || name === '')
      throw new InvalidInputError(`${subject}.names`, `${subject}.names: expected non-empty strings, got ${JSON.stringify(name)}`);
    if (seen.has(name)) throw new InvalidInputError(`${subject}.names`, `${subject}.names: expected distinct names, got "${name}" twice`);
    seen.add(name);
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) {
      const name = names[i % cols]!;
      throw new InvalidInputError(
        `${subject} column "${name}"`,
        `${subject} column "${name}": expected finite values, got ${v} at row ${Math.floor(i / cols)}; impute or drop missing values before the drift check`,
      );
    }
  }
}

/**
 * Builds the stored reference: quantile bins and a seeded subsample (the same rows for every feature) of the
 * training features, the training class prior, and the validation scores' bins, subsample and predicted-positive
 * rate. Pass the training data as collected: after oversampling, the prior and the feature distributions would
 * describe the synthetic rows, not the population the model serves.
 */
export function buildDriftReference(
  trainingFeatures: NamedFeatureMatrix,
  trainingLabels: Uint8Array,
  validationScores: Float64Array,
  threshold: number,
  validationPerClass: ReferencePerformance,
  options: DriftReferenceOptions = {},
): DriftReference {
  assertNamedMatrix(trainingFeatures, 'trainingFeatures');
  const { rows, cols, values, names } = trainingFeatures;
  if (!(trainingLabels instanceof Uint8Array) || trainingLabels.length !== rows) {
    throw new InvalidInputError(
      'trainingLabels',
      `trainingLabels: expected a Uint8Array of ${rows} labels (one per training row), got ${trainingLabels?.length}`,
    );
  }
  let positives = 0;
  for (let i = 0; i < rows; i++) {
    const y = trainingLabels[i]!;
    if (y !== 0 && y !== 1) throw new InvalidInputError('trainingLabels', `trainingLabels: expected 0 or 1, got ${y} at row ${i}`);
    positives += y;
  }
  if (positives === 0 || positives === rows) {
    throw new InvalidInputError('trainingLabels', `trainingLabels: expected both classes, got ${positives} positives in ${rows} rows`);
  }
  assertThreshold(threshold);
  assertReferencePerformance(validationPerClass, 'validationPerClass');
  const bins = options.bins ?? 10;
  const sampleCap = options.sampleCap ?? 5000;
  const seed = options.seed ?? 0;
  const sampleRows = referenceSampleRows(rows, sampleCap, deriveSeed(seed, 'features'));
  const positiveRows = new Int32Array(positives);
  for (let i = 0, k = 0; i < rows; i++) if (trainingLabels[i] === 1) positiveRows[k++] = i;
  const positiveSampleRows = referenceSampleRows(positives, sampleCap, deriveSeed(seed, 'positives')).map((k) => positiveRows[k]!);
  const column = new Float64Array(rows);
  const features: FeatureReference[] = names.map((name, c) => {
    for (let r = 0; r < rows; r++) column[r] = values[r * cols + c]!;
    return {
      name,
      bins: referenceBins(column, bins),
      sample: sortedColumnSample(values, cols, c, sampleRows),
      positiveSample: sortedColumnSample(values, cols, c, positiveSampleRows),
    };
  });
  const categorical = options.categorical;
  if (categorical !== undefined && categorical.values[0]?.length !== rows && categorical.names.length > 0) {
    throw new InvalidInputError(
      'options.categorical',
      `options.categorical: expected ${rows} values per column (one per training row), got ${categorical.values[0]?.length}`,
    );
  }
  return {
    version: 1,
    features,
    ...(categorical !== undefined && categorical.names.length > 0
      ? { categoricalFeatures: buildCategoricalReferences(categorical, options.maxCategories) }
      : {}),
    labelPrior: { negative: (rows - positives) / rows, positive: positives / rows, n: rows },
    prediction: buildPredictionReference(validationScores, threshold, { bins, sampleCap, seed: deriveSeed(seed, 'scores') }),
    performance: { negative: { ...validationPerClass.negative }, positive: { ...validationPerClass.positive } },
    threshold,
  };
}
