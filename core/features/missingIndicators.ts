// Missing-value indicators: beside a numeric column that has missing values in training, a 0/1 feature that is 1
// where the value was missing, so a model can learn from *whether* a value was recorded (a test not ordered, a
// sensor that failed at high readings) and not only from the fill that replaces it. This is scikit-learn's
// SimpleImputer(add_indicator=True); its HistGradientBoosting learns the same from NaN directly. The indicator
// sits right after its column and is named `column=missing`, as a one-hot feature of the category "missing" would.

import type { FeatureMatrix } from '../dataset.js';
import { oneHotCategoryOf } from './oneHotFeatures.js';

/** The suffix of an indicator feature's name: `glucose` → `glucose=missing`. */
export const MISSING_INDICATOR_SUFFIX = '=missing';

/** The indicator feature of numeric column `name`. */
export function missingIndicatorName(name: string): string {
  return `${name}${MISSING_INDICATOR_SUFFIX}`;
}

/**
 * The columns of `x` among `eligible` that hold a missing (NaN) value on some row, in column order. A column whose
 * indicator name is already a feature (a file with both `a` and `a=missing`) gets none rather than a duplicate name.
 */
export function columnsWithMissing(x: FeatureMatrix, featureNames: readonly string[], eligible: ReadonlySet<number>): number[] {
  const names = new Set(featureNames);
  const out: number[] = [];
  for (let c = 0; c < x.cols; c++) {
    if (!eligible.has(c) || names.has(missingIndicatorName(featureNames[c]!))) continue;
    for (let r = 0; r < x.rows; r++) {
      if (Number.isNaN(x.values[r * x.cols + c]!)) {
        out.push(c);
        break;
      }
    }
  }
  return out;
}

/**
 * `x` with an indicator column right after each column of `columns` (1 where its value is NaN, else 0), the NaN
 * left in place for the fill; and the feature names to match. `x` itself when `columns` is empty.
 */
export function withMissingIndicators(
  x: FeatureMatrix,
  featureNames: readonly string[],
  columns: readonly number[],
): { x: FeatureMatrix; featureNames: string[] } {
  if (columns.length === 0) return { x, featureNames: [...featureNames] };
  const indicated = new Set(columns);
  const names: string[] = [];
  const from: Array<{ column: number; indicator: boolean }> = [];
  for (let c = 0; c < x.cols; c++) {
    names.push(featureNames[c]!);
    from.push({ column: c, indicator: false });
    if (indicated.has(c)) {
      names.push(missingIndicatorName(featureNames[c]!));
      from.push({ column: c, indicator: true });
    }
  }
  const cols = names.length;
  const values = new Float64Array(x.rows * cols);
  for (let r = 0; r < x.rows; r++) {
    for (let j = 0; j < cols; j++) {
      const f = from[j]!;
      const v = x.values[r * x.cols + f.column]!;
      values[r * cols + j] = f.indicator ? (Number.isNaN(v) ? 1 : 0) : v;
    }
  }
  return { x: { rows: x.rows, cols, values }, featureNames: names };
}

/**
 * `x` with an indicator beside every numeric feature (not a one-hot feature of `categorical`) that has a missing
 * value, and the raw columns that got one.
 */
export function indicateMissingNumbers(
  x: FeatureMatrix,
  featureNames: readonly string[],
  categorical: Readonly<Record<string, readonly string[]>>,
): { x: FeatureMatrix; featureNames: string[]; columns: string[] } {
  const numeric = new Set<number>();
  featureNames.forEach((f, c) => {
    if (oneHotCategoryOf(f, categorical) === undefined) numeric.add(c);
  });
  const columns = columnsWithMissing(x, featureNames, numeric);
  return { ...withMissingIndicators(x, featureNames, columns), columns: columns.map((c) => featureNames[c]!) };
}
