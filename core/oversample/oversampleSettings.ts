// The one validation of ADASYN's and SMOTE's input and options: classes, k, beta, quotas, categorical columns and
// feature values, turned into the settings the algorithm runs with; and the rows of one class.

import { assertFiniteFeatures, classCounts, type LabelledData } from '../dataset.js';
import { InvalidInputError } from '../invalidInputError.js';
import type { AdasynOptions } from './adasyn.js';

export interface OversampleSettings {
  k: number;
  beta: number;
  negatives: number;
  positives: number;
  quota: number;
  quotaName: string;
  categorical: CategoricalColumns | undefined;
}

/** Columns that are never interpolated: single columns of codes, and one-hot groups. */
export interface CategoricalColumns {
  columns: Int32Array;
  groups: Int32Array[];
}

export function validateOversample(data: LabelledData, opts: Omit<AdasynOptions, 'random'>, method: string): OversampleSettings {
  const k = opts.k ?? 5;
  const beta = opts.beta ?? 1;
  const { rows, cols, values } = data.x;
  const [negatives, positives] = classCounts(data.y);
  if (positives === 0) {
    throw new InvalidInputError(
      'labels',
      `${method} needs both classes; got one class only (${negatives} negatives, 0 positives): no minority rows.`,
    );
  }
  if (negatives === 0) {
    throw new InvalidInputError(
      'labels',
      `${method} needs both classes; got one class only (0 negatives, ${positives} positives): all rows are minority.`,
    );
  }
  if (!Number.isInteger(k) || k < 1 || k >= positives) {
    throw new InvalidInputError(
      '--k',
      `k must be an integer ≥ 1 and below the number of minority rows (${positives}); got k=${k}. Lower --k.`,
    );
  }
  if (!Number.isFinite(beta) || beta <= 0 || beta > 1) {
    throw new InvalidInputError('--beta', `beta must be in (0, 1]; got ${beta}. Use 1 to balance the classes.`);
  }
  let quota = Infinity;
  let quotaName = '';
  if (opts.maxSyntheticRows !== undefined) {
    const q = opts.maxSyntheticRows;
    if (!Number.isInteger(q) || q <= 0) {
      throw new InvalidInputError('--max-synthetic-rows', `max synthetic rows must be an integer > 0; got ${q}.`);
    }
    quota = q;
    quotaName = `max synthetic rows ${q}`;
  }
  if (opts.maxSyntheticRatio !== undefined) {
    const r = opts.maxSyntheticRatio;
    if (!Number.isFinite(r) || r <= 0) {
      throw new InvalidInputError('--max-synthetic-ratio', `max synthetic ratio must be a number > 0; got ${r}.`);
    }
    const q = Math.floor(r * rows);
    if (q < quota) {
      quota = q;
      quotaName = `max synthetic ratio ${r} × ${rows} input rows = ${q}`;
    }
  }
  let categorical: CategoricalColumns | undefined;
  const codes = opts.categoricalColumns ?? [];
  const groups = opts.categoricalGroups ?? [];
  if (codes.length > 0 || groups.length > 0) {
    const owner = new Map<number, string>();
    const claim = (c: number, what: string, name: string) => {
      if (!Number.isInteger(c) || c < 0 || c >= cols) {
        throw new InvalidInputError(name, `${name}: expected column numbers from 0 to ${cols - 1}; got ${c}.`);
      }
      const before = owner.get(c);
      if (before !== undefined) {
        throw new InvalidInputError(
          name,
          `${name}: column ${c} is in ${before} and in ${what}; a column belongs to one categorical feature.`,
        );
      }
      owner.set(c, what);
    };
    for (const c of codes) claim(c, 'categoricalColumns', 'categoricalColumns');
    groups.forEach((g, i) => {
      if (g.length === 0)
        throw new InvalidInputError('categoricalGroups', `categoricalGroups: group ${i} is empty; expected its one-hot columns.`);
      for (const c of g) claim(c, `group ${i}`, 'categoricalGroups');
    });
    categorical = { columns: Int32Array.from(codes), groups: groups.map((g) => Int32Array.from(g)) };
  }
  // One pass for both checks: v·0 is NaN for NaN and ±Infinity alone, so one sum tells whether any value is not
  // finite (then the slower check names the first).
  const min = new Float64Array(cols).fill(Infinity);
  const max = new Float64Array(cols).fill(-Infinity);
  let notFinite = 0;
  for (let r = 0; r < rows; r++) {
    const off = r * cols;
    for (let c = 0; c < cols; c++) {
      const v = values[off + c]!;
      notFinite += v * 0;
      if (v < min[c]!) min[c] = v;
      if (v > max[c]!) max[c] = v;
    }
  }
  if (notFinite !== 0) assertFiniteFeatures(data.x, `impute or drop missing values before ${method}`);
  for (let c = 0; c < cols && opts.rejectConstantFeatures !== false; c++) {
    if (min[c] === max[c]) {
      throw new InvalidInputError(
        `feature column ${c}`,
        `feature column ${c}: expected a feature that varies, got the constant ${min[c]} in all ${rows} rows; drop it before ${method}.`,
      );
    }
  }
  return { k, beta, negatives, positives, quota, quotaName, categorical };
}

export function classRows(y: ArrayLike<number>, label: number, count: number): Int32Array {
  const out = new Int32Array(count);
  let at = 0;
  for (let r = 0; r < y.length; r++) if (y[r] === label) out[at++] = r;
  return out;
}
