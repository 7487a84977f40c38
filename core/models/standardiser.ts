// Per-column standardisation (z = (x − mean) / scale) fitted on training features and replayed at
// prediction time; the fitted parameters are plain number arrays so they serialise with the model.

import type { FeatureMatrix } from '../dataset.js';
import { InvalidInputError } from '../invalidInputError.js';

/** Fitted per-column parameters. A column with zero spread gets scale 1, so it maps to 0 rather than NaN. */
export interface Standardiser {
  mean: number[];
  scale: number[];
}

export interface ApplyStandardiserOptions {
  /**
   * Overwrite `x.values` instead of returning a standardised copy.
   * @default false
   */
  inPlace?: boolean;
}

/**
 * Column means and population standard deviations (divisor n, as scikit-learn's StandardScaler).
 * Two passes over the matrix: the second sums squared deviations, which avoids the cancellation of
 * E[x²] − E[x]² on large-offset columns. With `weights` (checked by the caller: finite, ≥ 0, sum > 0) the
 * mean and deviation are weighted (divisor Σw), so a row of weight 2 counts as that row twice.
 */
export function fitStandardiser(x: FeatureMatrix, weights?: ArrayLike<number>): Standardiser {
  const { rows, cols, values } = x;
  if (rows < 1) throw new InvalidInputError('feature matrix', `expected at least 1 row to fit a standardiser, got ${rows}`);
  if (weights) return fitWeightedStandardiser(x, weights);
  const mean = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) {
      const v = values[base + c]!;
      if (!Number.isFinite(v)) {
        throw new InvalidInputError(
          `feature column ${c}`,
          `feature column ${c}: expected finite values, got ${v} at row ${r}; impute or drop missing values before training`,
        );
      }
      mean[c]! += v;
    }
  }
  for (let c = 0; c < cols; c++) mean[c]! /= rows;
  const sumSq = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) {
      const d = values[base + c]! - mean[c]!;
      sumSq[c]! += d * d;
    }
  }
  const scale = new Array<number>(cols);
  for (let c = 0; c < cols; c++) {
    let sd = Math.sqrt(sumSq[c]! / rows);
    // Values beyond about 1e154 overflow the sums (the mean or the squares to Infinity), and spreads below about
    // 1e-154 underflow them to 0: such a column is measured again on its values divided by its largest magnitude.
    // Other columns keep the plain sums, bit for bit.
    if (!Number.isFinite(mean[c]!) || !Number.isFinite(sd) || (sd === 0 && varies(values, rows, cols, c))) {
      [mean[c], sd] = rescaledMeanAndSd(values, rows, cols, c);
    }
    scale[c] = sd > 0 ? sd : 1;
  }
  return { mean: Array.from(mean), scale };
}

/** Whether column `c` holds more than one value. */
function varies(values: Float64Array, rows: number, cols: number, c: number): boolean {
  for (let r = 1; r < rows; r++) if (values[r * cols + c] !== values[c]) return true;
  return false;
}

/** Mean and population standard deviation of column `c`, summed on its values divided by its largest magnitude. */
function rescaledMeanAndSd(values: Float64Array, rows: number, cols: number, c: number): [number, number] {
  let top = 0;
  for (let r = 0; r < rows; r++) top = Math.max(top, Math.abs(values[r * cols + c]!));
  let sum = 0;
  for (let r = 0; r < rows; r++) sum += values[r * cols + c]! / top;
  const scaledMean = sum / rows;
  let squares = 0;
  for (let r = 0; r < rows; r++) {
    const d = values[r * cols + c]! / top - scaledMean;
    squares += d * d;
  }
  return [scaledMean * top, top * Math.sqrt(squares / rows)];
}

function fitWeightedStandardiser(x: FeatureMatrix, weights: ArrayLike<number>): Standardiser {
  const { rows, cols, values } = x;
  if (weights.length !== rows) throw new InvalidInputError('weights', `weights: expected one per row (${rows}), got ${weights.length}`);
  const mean = new Float64Array(cols);
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    const w = weights[r]!;
    total += w;
    for (let c = 0; c < cols; c++) {
      const v = values[base + c]!;
      if (!Number.isFinite(v)) {
        throw new InvalidInputError(
          `feature column ${c}`,
          `feature column ${c}: expected finite values, got ${v} at row ${r}; impute or drop missing values before training`,
        );
      }
      mean[c]! += w * v;
    }
  }
  if (!(total > 0)) throw new InvalidInputError('weights', `weights: expected a positive sum to fit a standardiser, got ${total}`);
  for (let c = 0; c < cols; c++) mean[c]! /= total;
  const sumSq = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    const w = weights[r]!;
    for (let c = 0; c < cols; c++) {
      const d = values[base + c]! - mean[c]!;
      sumSq[c]! += w * d * d;
    }
  }
  const scale = new Array<number>(cols);
  for (let c = 0; c < cols; c++) {
    let sd = Math.sqrt(sumSq[c]! / total);
    // As unweighted: sums that overflow or underflow are measured again on the values divided by the largest magnitude.
    if (!Number.isFinite(mean[c]!) || !Number.isFinite(sd) || (sd === 0 && varies(values, rows, cols, c))) {
      [mean[c], sd] = rescaledWeightedMeanAndSd(values, rows, cols, c, weights, total);
    }
    scale[c] = sd > 0 ? sd : 1;
  }
  return { mean: Array.from(mean), scale };
}

/** Weighted mean and standard deviation of column `c`, summed on its values divided by its largest magnitude. */
function rescaledWeightedMeanAndSd(
  values: Float64Array,
  rows: number,
  cols: number,
  c: number,
  weights: ArrayLike<number>,
  total: number,
): [number, number] {
  let top = 0;
  for (let r = 0; r < rows; r++) top = Math.max(top, Math.abs(values[r * cols + c]!));
  if (top === 0) return [0, 0];
  let scaledMean = 0;
  for (let r = 0; r < rows; r++) scaledMean += weights[r]! * (values[r * cols + c]! / top);
  scaledMean /= total;
  let squares = 0;
  for (let r = 0; r < rows; r++) {
    const d = values[r * cols + c]! / top - scaledMean;
    squares += weights[r]! * d * d;
  }
  return [scaledMean * top, top * Math.sqrt(squares / total)];
}

/** `(x − mean) / scale` column-wise, on a copy unless `inPlace`. */
export function applyStandardiser(standardiser: Standardiser, x: FeatureMatrix, options: ApplyStandardiserOptions = {}): FeatureMatrix {
  const { rows, cols } = x;
  if (standardiser.mean.length !== cols || standardiser.scale.length !== cols) {
    throw new InvalidInputError('feature matrix', `expected ${standardiser.mean.length} feature columns (as fitted), got ${cols}`);
  }
  const out = options.inPlace === true ? x.values : new Float64Array(x.values);
  const mean = Float64Array.from(standardiser.mean);
  const inverseScale = Float64Array.from(standardiser.scale, (s) => 1 / s);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) out[base + c] = (out[base + c]! - mean[c]!) * inverseScale[c]!;
  }
  return options.inPlace === true ? x : { rows, cols, values: out };
}

/** The identity standardiser for `cols` columns (mean 0, scale 1): what a model stores when it trains unstandardised. */
export function identityStandardiser(cols: number): Standardiser {
  return { mean: new Array<number>(cols).fill(0), scale: new Array<number>(cols).fill(1) };
}
