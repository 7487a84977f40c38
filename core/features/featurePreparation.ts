// Feature preparation shared by every distance user (ENN, typing, ADASYN): a missing-value policy and standardisation,
// both fitted on the training rows only and replayed unchanged on any other split.

import type { FeatureMatrix } from '../dataset.js';
import { InvalidInputError } from '../invalidInputError.js';
import { applyStandardiser, fitStandardiser, type Standardiser } from '../models/standardiser.js';

export interface FeaturePreparationOptions {
  /**
   * Missing values (NaN): `'reject'` fails naming the first one; `'mean'` / `'median'` fill each column with its
   * training mean or median; `'constant'` fills with `fillValue`.
   * @default 'reject'
   */
  missing?: 'reject' | 'mean' | 'median' | 'constant';
  /**
   * Fill value of `missing: 'constant'`.
   * @default 0
   */
  fillValue?: number;
  /**
   * Reject a column that is constant over the training rows: it carries no distance and cannot be standardised.
   * @default true
   */
  rejectConstant?: boolean;
}

/** Fitted preparation: JSON-plain, so it travels with the model and through Temporal. */
export interface FeaturePreparation {
  missing: 'reject' | 'mean' | 'median' | 'constant';
  /** Per-column fill values, or null under `'reject'`. */
  fillValues: number[] | null;
  standardiser: Standardiser;
}

/** Fit the missing-value fill and the standardiser on training rows only. */
export function fitFeaturePreparation(train: FeatureMatrix, opts: FeaturePreparationOptions = {}): FeaturePreparation {
  const missing = opts.missing ?? 'reject';
  const fillValue = opts.fillValue ?? 0;
  const rejectConstant = opts.rejectConstant ?? true;
  if (missing !== 'reject' && missing !== 'mean' && missing !== 'median' && missing !== 'constant') {
    throw new InvalidInputError('missing', `missing must be 'reject', 'mean', 'median' or 'constant'; got ${String(missing)}.`);
  }
  if (!Number.isFinite(fillValue)) throw new InvalidInputError('fillValue', `fillValue must be a finite number; got ${fillValue}.`);
  const { rows, cols, values } = train;
  if (rows < 1) throw new InvalidInputError('training rows', `feature preparation needs at least 1 training row; got ${rows}.`);
  let fillValues: number[] | null = null;
  if (missing === 'reject') {
    for (let i = 0; i < rows * cols; i++) {
      if (Number.isNaN(values[i]!)) {
        throw new InvalidInputError(
          `feature column ${i % cols}`,
          `feature column ${i % cols}: expected no missing values, got NaN at row ${Math.floor(i / cols)}; ` +
            "impute with missing: 'mean', 'median' or 'constant', or drop the rows.",
        );
      }
    }
  } else {
    fillValues = new Array<number>(cols);
    const column = new Float64Array(rows);
    for (let c = 0; c < cols; c++) {
      let n = 0;
      for (let r = 0; r < rows; r++) {
        const v = values[r * cols + c]!;
        if (!Number.isNaN(v)) column[n++] = v;
      }
      if (missing === 'constant') fillValues[c] = fillValue;
      else if (n === 0) {
        throw new InvalidInputError(`feature column ${c}`, `feature column ${c}: every training value is missing, so no ${missing} can be imputed; drop the column.`);
      } else if (missing === 'mean') {
        let sum = 0;
        for (let i = 0; i < n; i++) sum += column[i]!;
        fillValues[c] = sum / n;
      } else {
        const sorted = column.subarray(0, n).sort();
        fillValues[c] = n % 2 === 1 ? sorted[n >> 1]! : (sorted[(n >> 1) - 1]! + sorted[n >> 1]!) / 2;
      }
    }
  }
  const filled = fillValues === null ? train : impute(train, fillValues);
  const standardiser = fitStandardiser(filled);
  if (rejectConstant) {
    for (let c = 0; c < cols; c++) {
      let constant = true;
      const first = filled.values[c]!;
      for (let r = 1; r < rows && constant; r++) if (filled.values[r * cols + c] !== first) constant = false;
      if (constant) {
        throw new InvalidInputError(
          `feature column ${c}`,
          `feature column ${c}: expected a feature that varies over the training rows, got the constant ${first} in all ${rows}; drop it.`,
        );
      }
    }
  }
  return { missing, fillValues, standardiser };
}

/** Impute and standardise any split (training, validation, live) with parameters fitted on the training rows. */
export function applyFeaturePreparation(prep: FeaturePreparation, x: FeatureMatrix): FeatureMatrix {
  if (prep.standardiser.mean.length !== x.cols) {
    throw new InvalidInputError('feature matrix', `expected ${prep.standardiser.mean.length} feature columns (as fitted), got ${x.cols}.`);
  }
  if (prep.fillValues === null) {
    for (let i = 0; i < x.rows * x.cols; i++) {
      if (Number.isNaN(x.values[i]!)) {
        throw new InvalidInputError(
          `feature column ${i % x.cols}`,
          `feature column ${i % x.cols}: expected no missing values, got NaN at row ${Math.floor(i / x.cols)}; the preparation was fitted with missing: 'reject'.`,
        );
      }
    }
  }
  const filled = prep.fillValues === null ? x : impute(x, prep.fillValues);
  return applyStandardiser(prep.standardiser, filled, { inPlace: filled !== x });
}

function impute(x: FeatureMatrix, fill: number[]): FeatureMatrix {
  const values = new Float64Array(x.values);
  for (let r = 0; r < x.rows; r++) {
    const off = r * x.cols;
    for (let c = 0; c < x.cols; c++) if (Number.isNaN(values[off + c]!)) values[off + c] = fill[c]!;
  }
  return { rows: x.rows, cols: x.cols, values };
}
