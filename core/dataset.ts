// The in-memory shape every core/ stage consumes: a dense row-major feature matrix and 0/1 labels.

import { InvalidInputError } from './invalidInputError.js';

/** Dense row-major matrix: value of (row r, column c) is `values[r * cols + c]`. */
export interface FeatureMatrix {
  rows: number;
  cols: number;
  values: Float64Array;
}

/** Binary labelled data. `y[i]` is 1 for the positive (minority) class, 0 for the negative class. */
export interface LabelledData {
  x: FeatureMatrix;
  y: Uint8Array;
}

export function featureMatrix(rows: number, cols: number, values?: Float64Array): FeatureMatrix {
  const v = values ?? new Float64Array(rows * cols);
  if (v.length !== rows * cols) {
    throw new InvalidInputError('feature matrix', `expected ${rows}×${cols} = ${rows * cols} values, got ${v.length}`);
  }
  return { rows, cols, values: v };
}

/** Rows `indices` of `data`, in that order, as a new dataset. */
export function takeRows(data: LabelledData, indices: ArrayLike<number>): LabelledData {
  const { cols } = data.x;
  const n = indices.length;
  const values = new Float64Array(n * cols);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const r = indices[i]!;
    values.set(data.x.values.subarray(r * cols, r * cols + cols), i * cols);
    y[i] = data.y[r]!;
  }
  return { x: { rows: n, cols, values }, y };
}

/** Count of rows per class: [negatives, positives]. */
export function classCounts(y: Uint8Array): [number, number] {
  let pos = 0;
  for (let i = 0; i < y.length; i++) pos += y[i]!;
  return [y.length - pos, pos];
}

/** Rows of each class index 0..k−1 of multi-class labels. */
export function rowsPerClass(y: Uint8Array, k: number): number[] {
  const counts = new Array<number>(k).fill(0);
  for (let i = 0; i < y.length; i++) counts[y[i]!]!++;
  return counts;
}

/** Multi-class labels' "positives", as stage summaries and the registry count them: rows outside the largest class. */
export function rowsOutsideLargestClass(y: Uint8Array): number {
  return y.length - Math.max(0, ...rowsPerClass(y, 256));
}

/** Every feature value finite (no NaN or ±Infinity); the error names the column and row and says `fix`. */
export function assertFiniteFeatures(x: { rows: number; cols: number; values: ArrayLike<number> }, fix: string): void {
  const { rows, cols, values } = x;
  for (let i = 0; i < rows * cols; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) {
      const c = i % cols;
      throw new InvalidInputError(
        `feature column ${c}`,
        `feature column ${c}: expected finite values, got ${v} at row ${Math.floor(i / cols)}; ${fix}.`,
      );
    }
  }
}
