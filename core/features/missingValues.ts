// The missing-value policy of feature preparation: per-column fill values fitted on the training rows only, and
// their replay on any other rows (validation, test, live). Missing means NaN; readers turn null and empty cells into
// NaN only when a policy other than 'reject' was declared. JSON-plain, so it travels with the model.

import type { FeatureMatrix } from '../dataset.js';
import { InvalidInputError } from '../invalidInputError.js';

export type MissingValuePolicy = 'reject' | 'mean' | 'median' | 'constant';

export const MISSING_VALUE_POLICIES: readonly MissingValuePolicy[] = ['reject', 'mean', 'median', 'constant'];

export interface MissingValueOptions {
  /**
   * `'reject'` fails naming the first missing value; `'mean'` / `'median'` fill each column with its training mean
   * or median; `'constant'` fills with `fillValue`.
   * @default 'reject'
   */
  missing?: MissingValuePolicy;
  /**
   * Fill value of `missing: 'constant'`.
   * @default 0
   */
  fillValue?: number;
}

/** Fitted fill: JSON-plain, so it travels with the model and through Temporal. */
export interface MissingValueFill {
  missing: MissingValuePolicy;
  /** Per-column fill values, or null under `'reject'`. */
  fillValues: number[] | null;
}

export function isMissingValuePolicy(v: unknown): v is MissingValuePolicy {
  return typeof v === 'string' && (MISSING_VALUE_POLICIES as readonly string[]).includes(v);
}

/** Fit the per-column fill values on training rows only; under `'reject'` a NaN fails naming its column and row. */
export function fitMissingValueFill(train: FeatureMatrix, opts: MissingValueOptions = {}): MissingValueFill {
  const missing = opts.missing ?? 'reject';
  const fillValue = opts.fillValue ?? 0;
  if (!isMissingValuePolicy(missing)) {
    throw new InvalidInputError('missing', `missing must be 'reject', 'mean', 'median' or 'constant'; got ${String(missing)}.`);
  }
  if (!Number.isFinite(fillValue)) throw new InvalidInputError('fillValue', `fillValue must be a finite number; got ${fillValue}.`);
  const { rows, cols, values } = train;
  if (rows < 1) throw new InvalidInputError('training rows', `feature preparation needs at least 1 training row; got ${rows}.`);
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
    return { missing, fillValues: null };
  }
  const fillValues = new Array<number>(cols);
  const column = new Float64Array(rows);
  for (let c = 0; c < cols; c++) {
    if (missing === 'constant') {
      fillValues[c] = fillValue;
      continue;
    }
    let n = 0;
    for (let r = 0; r < rows; r++) {
      const v = values[r * cols + c]!;
      if (!Number.isNaN(v)) column[n++] = v;
    }
    if (n === 0) {
      throw new InvalidInputError(
        `feature column ${c}`,
        `feature column ${c}: every training value is missing, so no ${missing} can be imputed; drop the column.`,
      );
    }
    if (missing === 'mean') {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += column[i]!;
      fillValues[c] = sum / n;
    } else {
      const sorted = column.subarray(0, n).sort();
      fillValues[c] = n % 2 === 1 ? sorted[n >> 1]! : (sorted[(n >> 1) - 1]! + sorted[n >> 1]!) / 2;
    }
  }
  return { missing, fillValues };
}

/** Per-column count of the values a fill replaced. */
export interface FilledCounts {
  /** `filled[c]`: NaN values of column c replaced by `fillValues[c]`. */
  filled: number[];
  total: number;
}

/**
 * `x` with every NaN replaced by its column's fill value, as a copy (`x` itself when nothing is missing), and how
 * many were filled per column. Under `'reject'` (fillValues null) a NaN fails naming its column and row.
 */
export function fillMissingValues(fill: MissingValueFill, x: FeatureMatrix): { x: FeatureMatrix; counts: FilledCounts } {
  const { rows, cols, values } = x;
  const fillValues = fill.fillValues;
  if (fillValues !== null && fillValues.length !== cols) {
    throw new InvalidInputError('feature matrix', `expected ${fillValues.length} feature columns (as fitted), got ${cols}.`);
  }
  const filled = new Array<number>(cols).fill(0);
  let out: Float64Array | null = null;
  for (let i = 0; i < rows * cols; i++) {
    if (!Number.isNaN(values[i]!)) continue;
    const c = i % cols;
    if (fillValues === null) {
      throw new InvalidInputError(
        `feature column ${c}`,
        `feature column ${c}: expected no missing values, got NaN at row ${Math.floor(i / cols)}; the preparation was fitted with missing: 'reject'.`,
      );
    }
    out ??= new Float64Array(values);
    out[i] = fillValues[c]!;
    filled[c]!++;
  }
  const total = filled.reduce((s, n) => s + n, 0);
  return { x: out === null ? x : { rows, cols, values: out }, counts: { filled, total } };
}
