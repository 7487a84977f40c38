// Missing-value indicators: beside a numeric column that has missing values in training, a 0/1 feature that is 1
// where the value was missing, so a model can learn from *whether* a value was recorded (a test not ordered, a
// sensor that failed at high readings) and not only from the fill that replaces it. This is scikit-learn's
// SimpleImputer(add_indicator=True); its HistGradientBoosting learns the same from NaN directly. The indicator
// sits right after its column and is named `column=missing`, as a one-hot feature of the category "missing" would.
// On request (`fit --missing-indicators related`) a column gets one only where its gaps are related to the class in
// the training rows (Fisher's exact test). It is not the default: measured on seeded gaps (bench/missingValues.ts)
// the test lacks power on small minorities and left out indicators that paid, and ranking (PR-AUC) was better with
// an indicator beside every gapped column under every kind of gap tried.

import type { FeatureMatrix } from '../dataset.js';
import { InvalidInputError } from '../invalidInputError.js';
import { fisherExactTwoSided } from '../fisherExact.js';
import { oneHotCategoryOf } from './oneHotFeatures.js';

/** The suffix of an indicator feature's name: `glucose` → `glucose=missing`. */
export const MISSING_INDICATOR_SUFFIX = '=missing';

/** The indicator feature of numeric column `name`. */
export function missingIndicatorName(name: string): string {
  return `${name}${MISSING_INDICATOR_SUFFIX}`;
}

/**
 * The columns of `x` among `eligible` that hold a missing (NaN) value on some row, in column order. A column whose
 * indicator name is already a feature (a file with both `a` and `a=missing`) is among them: `indicateMissingNumbers`
 * refuses it if it would get an indicator.
 */
export function columnsWithMissing(x: FeatureMatrix, featureNames: readonly string[], eligible: ReadonlySet<number>): number[] {
  const out: number[] = [];
  for (let c = 0; c < x.cols; c++) {
    if (!eligible.has(c)) continue;
    for (let r = 0; r < x.rows; r++) {
      if (Number.isNaN(x.values[r * x.cols + c]!)) {
        out.push(c);
        break;
      }
    }
  }
  return out;
}

/** Refuses an indicator whose name is another feature's: it would get none without a word, or two features of one name. */
function refuseTakenIndicatorNames(featureNames: readonly string[], columns: readonly number[]): void {
  const names = new Set(featureNames);
  for (const c of columns) {
    const indicator = missingIndicatorName(featureNames[c]!);
    if (!names.has(indicator)) continue;
    throw new InvalidInputError(
      `column "${indicator}"`,
      `column "${featureNames[c]}" has missing values, and its missing-value feature would be named "${indicator}", the name of another column of the input; expected distinct feature names: rename the column "${indicator}", or turn missing-value indicators off (--missing-indicators off)`,
    );
  }
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

/** Below this p-value a column's gaps count as related to the class. */
export const MISSING_CLASS_ALPHA = 0.05;

/** How a column's gaps fall on the classes, and whether that could be chance. */
export interface MissingClassTest {
  column: string;
  /** Rows where the value is missing, in all and per class (by the class's label). */
  missing: number;
  missingByClass: Record<string, number>;
  /**
   * Fisher's exact test of "missing" against the class (two classes), or the smallest one-class-against-the-rest
   * p-value times the number of classes (Bonferroni; three or more).
   */
  pValue: number;
  /** Whether the column got a `column=missing` feature. */
  indicator: boolean;
}

/** The tests in words: `a=missing added (gaps related to the class, p = 2e-39); no feature for b (p = 0.62)`. */
export function missingClassTestsNote(tests: readonly MissingClassTest[]): string {
  const added = tests.filter((t) => t.indicator);
  const not = tests.filter((t) => !t.indicator);
  const list = (ts: readonly MissingClassTest[], name: (t: MissingClassTest) => string) =>
    ts.map((t) => `${name(t)} (p = ${t.pValue})`).join(', ');
  return [
    ...(added.length ? [`${list(added, (t) => missingIndicatorName(t.column))} added: gaps related to the class`] : []),
    ...(not.length ? [`no missing-value feature for ${list(not, (t) => t.column)}: gaps not related to the class`] : []),
  ].join('; ');
}

/** The training rows' classes: `classOf[r]` indexes `classes` (two-class data: 0 negative, 1 positive). */
export interface RowClasses {
  classOf: ArrayLike<number>;
  classes: readonly string[];
}

/** Column `c`'s gaps against the class: counts per class and the test's p-value. */
export function missingClassTest(x: FeatureMatrix, c: number, rows: RowClasses): Omit<MissingClassTest, 'column' | 'indicator'> {
  const k = rows.classes.length;
  const total = new Array<number>(k).fill(0);
  const missing = new Array<number>(k).fill(0);
  for (let r = 0; r < x.rows; r++) {
    const cls = rows.classOf[r]!;
    if (cls < 0 || cls >= k) continue;
    total[cls]!++;
    if (Number.isNaN(x.values[r * x.cols + c]!)) missing[cls]!++;
  }
  const n = total.reduce((s, v) => s + v, 0);
  const m = missing.reduce((s, v) => s + v, 0);
  // Class i against the rest: [[missing in i, present in i], [missing elsewhere, present elsewhere]].
  const pOf = (i: number) => fisherExactTwoSided(missing[i]!, total[i]! - missing[i]!, m - missing[i]!, n - total[i]! - (m - missing[i]!));
  const pValue = k <= 2 ? pOf(k - 1) : Math.min(1, k * Math.min(...rows.classes.map((_, i) => pOf(i))));
  return { missing: m, missingByClass: Object.fromEntries(rows.classes.map((cls, i) => [cls, missing[i]!])), pValue };
}

/**
 * `x` with an indicator beside each numeric feature (not a one-hot feature of `categorical`) that has a missing
 * value: every such feature (`related` undefined), or only those whose gaps are related to the class of `related`'s
 * rows (p below MISSING_CLASS_ALPHA). Returns the raw columns that got one, and with `related` each gapped column's
 * test.
 */
export function indicateMissingNumbers(
  x: FeatureMatrix,
  featureNames: readonly string[],
  categorical: Readonly<Record<string, readonly string[]>>,
  related?: RowClasses,
): { x: FeatureMatrix; featureNames: string[]; columns: string[]; tests?: MissingClassTest[] } {
  const numeric = new Set<number>();
  featureNames.forEach((f, c) => {
    if (oneHotCategoryOf(f, categorical) === undefined) numeric.add(c);
  });
  const gapped = columnsWithMissing(x, featureNames, numeric);
  const tests = related
    ? gapped.map((c) => {
        const t = missingClassTest(x, c, related);
        // Three significant digits are what a reader needs; the choice uses the exact value.
        return { column: featureNames[c]!, ...t, pValue: Number(t.pValue.toPrecision(3)), indicator: t.pValue < MISSING_CLASS_ALPHA };
      })
    : undefined;
  const columns = tests ? gapped.filter((_, i) => tests[i]!.indicator) : gapped;
  refuseTakenIndicatorNames(featureNames, columns);
  return {
    ...withMissingIndicators(x, featureNames, columns),
    columns: columns.map((c) => featureNames[c]!),
    ...(tests ? { tests } : {}),
  };
}
