// Drift of categorical features: the training categories (plus one bin for every category the reference did not
// keep or never saw) against a serving window's strings, by PSI and a chi-square test of homogeneity.

import { InvalidInputError } from '../invalidInputError.js';
import { chiSquareSurvival } from './chiSquare.js';
import { categoricalPopulationStabilityIndex, categoricalReference, type CategoricalReference } from './populationStabilityIndex.js';

/** Label of the last bin: reference categories beyond the kept ones and every category unseen in training. */
export const OTHER_CATEGORY_BIN = '(other / unseen)';

/** Reference of one categorical feature, stored in the drift reference. */
export interface CategoricalFeatureReference {
  name: string;
  categories: CategoricalReference;
}

/** String columns, one array of row values per name (column-major: strings have no typed array). */
export interface CategoricalColumns {
  names: string[];
  values: string[][];
}

/** Reference and current share per bin: the reference's categories in its order, then the other/unseen bin. */
export interface CategoryHistogram {
  categories: string[];
  reference: number[];
  current: number[];
}

export interface CategoricalFeatureDrift {
  name: string;
  /** Null when the window is below `minRows`. */
  psi: number | null;
  /** Pearson chi-square of homogeneity (reference counts vs window counts); null when not run. */
  chiSquare: number | null;
  degreesOfFreedom: number | null;
  pValue: number | null;
  /** BH-adjusted across all the window's features, numeric and categorical. */
  qValue: number | null;
  /** q ≤ fdr and PSI ≥ psiThreshold. */
  drifted: boolean;
  histogram: CategoryHistogram | null;
  /** Window categories the reference does not name, most frequent first (at most 10), with their row counts. */
  unseen: Array<{ category: string; count: number }>;
}

export interface ChiSquareHomogeneity {
  statistic: number;
  degreesOfFreedom: number;
  pValue: number;
  /** Bins after pooling the sparse ones. */
  bins: number;
}

/**
 * Pearson chi-square test that two samples (rows of a 2×k table of counts) come from one categorical distribution.
 * E_ij = R_i·C_j / N. Bins whose smaller expected count would fall below `minExpected` (Cochran's rule) are pooled,
 * smallest first, into one bin; null when fewer than two bins remain.
 */
export function chiSquareHomogeneity(
  reference: readonly number[],
  current: readonly number[],
  minExpected = 5,
): ChiSquareHomogeneity | null {
  if (reference.length !== current.length)
    throw new InvalidInputError('current', `current: expected ${reference.length} counts (one per reference bin), got ${current.length}`);
  const r = reference.reduce((s, v) => s + v, 0);
  const c = current.reduce((s, v) => s + v, 0);
  if (r === 0 || c === 0) return null;
  const n = r + c;
  // A bin's smaller expected count is min(R)·C_j/N, so it is large enough when C_j ≥ minExpected·N/min(R).
  const enough = (minExpected * n) / Math.min(r, c);
  const bins = reference.map((v, j) => ({ ref: v, cur: current[j]!, total: v + current[j]! })).filter((b) => b.total > 0);
  bins.sort((a, b) => a.total - b.total);
  const kept: Array<{ ref: number; cur: number; total: number }> = [];
  const pool = { ref: 0, cur: 0, total: 0 };
  for (const b of bins) {
    if (b.total < enough || (pool.total > 0 && pool.total < enough)) {
      pool.ref += b.ref;
      pool.cur += b.cur;
      pool.total += b.total;
    } else kept.push(b);
  }
  if (pool.total >= enough) kept.push(pool);
  else if (pool.total > 0 && kept.length > 0) {
    kept[0] = { ref: kept[0]!.ref + pool.ref, cur: kept[0]!.cur + pool.cur, total: kept[0]!.total + pool.total };
  }
  if (kept.length < 2) return null;
  let statistic = 0;
  for (const b of kept) {
    const eRef = (r * b.total) / n;
    const eCur = (c * b.total) / n;
    statistic += (b.ref - eRef) ** 2 / eRef + (b.cur - eCur) ** 2 / eCur;
  }
  const degreesOfFreedom = kept.length - 1;
  return { statistic, degreesOfFreedom, pValue: chiSquareSurvival(statistic, degreesOfFreedom), bins: kept.length };
}

/** The reference of each categorical training column (its kept categories and their shares). */
export function buildCategoricalReferences(training: CategoricalColumns, maxCategories?: number): CategoricalFeatureReference[] {
  assertCategoricalColumns(training, 'trainingCategorical', null);
  return training.names.map((name, k) => ({
    name,
    categories: categoricalReference(training.values[k]!, maxCategories !== undefined ? { maxCategories } : {}),
  }));
}

/** Checks names (distinct, non-empty), one string array per name, all of `rows` strings (the first column's when null). */
export function assertCategoricalColumns(m: CategoricalColumns, subject: string, rows: number | null): void {
  if (m === null || typeof m !== 'object' || !Array.isArray(m.names) || !Array.isArray(m.values))
    throw new InvalidInputError(subject, `${subject}: expected {names, values} with one array of strings per column`);
  if (m.values.length !== m.names.length)
    throw new InvalidInputError(
      `${subject}.values`,
      `${subject}.values: expected ${m.names.length} columns (one per name), got ${m.values.length}`,
    );
  const expectedRows = rows ?? m.values[0]?.length ?? 0;
  const seen = new Set<string>();
  m.names.forEach((name, k) => {
    if (typeof name !== 'string' || name === '' || seen.has(name))
      throw new InvalidInputError(`${subject}.names`, `${subject}.names: expected distinct non-empty strings, got ${JSON.stringify(name)}`);
    seen.add(name);
    const column = m.values[k]!;
    if (!Array.isArray(column) || column.length !== expectedRows)
      throw new InvalidInputError(
        `${subject} column "${name}"`,
        `${subject} column "${name}": expected ${expectedRows} values (one per row), got ${Array.isArray(column) ? column.length : String(column)}`,
      );
    const bad = column.findIndex((v) => typeof v !== 'string');
    if (bad >= 0)
      throw new InvalidInputError(
        `${subject} column "${name}"`,
        `${subject} column "${name}": expected category strings, got ${JSON.stringify(column[bad])} at row ${bad}`,
      );
  });
}

/** Window columns in the reference's categorical order; names must match the reference's, in any order. */
export function categoricalColumnsInReferenceOrder(
  reference: readonly CategoricalFeatureReference[],
  window: CategoricalColumns | undefined,
  rows: number,
): string[][] {
  const given = window ?? { names: [], values: [] };
  assertCategoricalColumns(given, 'window.categorical', rows);
  const expected = reference.map((f) => f.name);
  const missing = expected.filter((n) => !given.names.includes(n));
  const extra = given.names.filter((n) => !expected.includes(n));
  if (missing.length > 0 || extra.length > 0) {
    const parts = [];
    if (missing.length > 0) parts.push(`missing ${missing.map((n) => `"${n}"`).join(', ')}`);
    if (extra.length > 0) parts.push(`not in the reference ${extra.map((n) => `"${n}"`).join(', ')}`);
    throw new InvalidInputError(
      'window.categorical.names',
      `window.categorical.names: expected the ${expected.length} categorical reference features (any order), got ${given.names.length}: ${parts.join('; ')}; rebuild the reference after a schema change`,
    );
  }
  return expected.map((name) => given.values[given.names.indexOf(name)]!);
}

/** PSI, chi-square and histogram of one categorical column; q-value and verdict are filled in by the caller. */
export function categoricalFeatureTest(
  reference: CategoricalFeatureReference,
  values: readonly string[],
  options: { epsilon: number; minExpected: number },
): Omit<CategoricalFeatureDrift, 'qValue' | 'drifted'> {
  const ref = reference.categories;
  const { psi, currentProportions } = categoricalPopulationStabilityIndex(ref, values, { epsilon: options.epsilon });
  const referenceCounts = ref.proportions.map((p) => Math.round(p * ref.n));
  const currentCounts = currentProportions.map((p) => Math.round(p * values.length));
  const test = chiSquareHomogeneity(referenceCounts, currentCounts, options.minExpected);
  const known = new Set(ref.categories);
  const unseenCounts = new Map<string, number>();
  for (const v of values) if (!known.has(v)) unseenCounts.set(v, (unseenCounts.get(v) ?? 0) + 1);
  const unseen = [...unseenCounts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, 10)
    .map(([category, count]) => ({ category, count }));
  return {
    name: reference.name,
    psi,
    chiSquare: test?.statistic ?? null,
    degreesOfFreedom: test?.degreesOfFreedom ?? null,
    pValue: test?.pValue ?? null,
    histogram: { categories: [...ref.categories, OTHER_CATEGORY_BIN], reference: [...ref.proportions], current: currentProportions },
    unseen,
  };
}
