// ADASYN (He et al. 2008): synthetic positives interpolated between minority neighbours, more of them
// where a minority row is surrounded by negatives. Returns the new rows with their lineage.

import { classCounts, type FeatureMatrix, type LabelledData } from '../dataset.js';
import { InvalidInputError } from '../invalidInputError.js';
import { ExactNeighborIndex } from '../neighbors/exactNeighbors.js';
import type { NeighborIndex } from '../neighbors/neighborIndex.js';
import type { RandomSource } from '../random.js';

export interface AdasynOptions {
  /**
   * K: neighbours per minority row, both for its hardness (among all rows) and for interpolation
   * (among minority rows). Must be below the number of minority rows.
   * @default 5
   */
  k?: number;
  /**
   * β: balance level. G = (negatives − positives) · β synthetic rows are asked for; 1 balances the classes.
   * @default 1
   */
  beta?: number;
  /** Seeded generator for neighbour choice and interpolation steps. */
  random: RandomSource;
  /**
   * A neighbour index built over all of `data.x`, for the hardness step.
   * @default an ExactNeighborIndex over data.x
   */
  index?: NeighborIndex;
  /**
   * A neighbour index built over the minority rows only, in ascending row order, for the interpolation step.
   * @default an ExactNeighborIndex over those rows
   */
  minorityIndex?: NeighborIndex;
  /**
   * Upper bound on synthetic rows; more is rejected before any row is allocated, not truncated.
   * @default no bound
   */
  maxSyntheticRows?: number;
}

/** Where each synthetic row came from: x = x[parent] + lambda · (x[neighbour] − x[parent]). */
export interface AdasynLineage {
  /** Input row index of the minority row the synthetic row grew from. */
  parent: Int32Array;
  /** Input row index of the minority neighbour it was interpolated towards. */
  neighbour: Int32Array;
  /** Interpolation step λ in [0, 1). */
  lambda: Float64Array;
}

export interface AdasynResult {
  /** Synthetic rows, label 1; grouped by parent in ascending parent order. */
  synthetic: FeatureMatrix;
  lineage: AdasynLineage;
  /** g_i: synthetic rows generated from each minority row (aligned with `minorityRows`). */
  perRowCount: Int32Array;
  /** Input row indices of the minority rows, ascending. */
  minorityRows: Int32Array;
  /** r_i = Δ_i / K: share of negatives among each minority row's K nearest neighbours. */
  hardness: Float64Array;
  /** Set when no synthetic row is generated, saying why. */
  warning?: string;
}

/**
 * ADASYN as in He et al. 2008, steps (a)–(c):
 * 1. G = round((m_l − m_s) · β).
 * 2. For each minority row i, Δ_i = negatives among its K nearest rows of the whole input (itself excluded);
 *    r_i = Δ_i / K; r̂_i = r_i / Σ r.
 * 3. g_i = round(r̂_i · G), where round is half-to-even like imbalanced-learn's `np.rint`. It is computed as
 *    round(Δ_i · G / Σ Δ) from the integer counts, so Σ g_i may differ from G by rounding (imbalanced-learn
 *    accepts the same drift).
 * 4. Each synthetic row of i picks one of i's K nearest minority rows z uniformly and a step λ ~ U[0, 1):
 *    x_new = x_i + λ (x_z − x_i).
 *
 * When Σ r = 0 (no minority row has a negative neighbour) imbalanced-learn raises a RuntimeError. Here the
 * result is empty with a `warning` instead: the data is valid, just well separated, and a pipeline can go on
 * without oversampling. An empty result with a warning is also returned when G ≤ 0 or every g_i rounds to 0.
 *
 * Example: 4 negatives, 2 positives, K = 1, β = 1 gives G = 2; if one positive has Δ = 1 and the other Δ = 0,
 * the first gets g = 2 and the second none.
 *
 * References: H. He, Y. Bai, E. A. Garcia and S. Li, "ADASYN: Adaptive synthetic sampling approach for
 * imbalanced learning", IEEE International Joint Conference on Neural Networks, 1322–1328, 2008.
 */
export function adasyn(data: LabelledData, opts: AdasynOptions): AdasynResult {
  const k = opts.k ?? 5;
  const beta = opts.beta ?? 1;
  const { random, maxSyntheticRows } = opts;
  const { rows, cols, values } = data.x;
  const [negatives, positives] = classCounts(data.y);
  if (negatives === 0 || positives === 0) {
    throw new InvalidInputError(
      'labels',
      `ADASYN needs both classes; got one class only (${negatives} negatives, ${positives} positives).`,
    );
  }
  if (!Number.isInteger(k) || k < 1 || k >= positives) {
    throw new InvalidInputError(
      '--k',
      `k must be an integer ≥ 1 and below the number of minority rows (${positives}); got k=${k}. Lower --k.`,
    );
  }
  if (!Number.isFinite(beta) || beta <= 0) {
    throw new InvalidInputError('--beta', `beta must be a finite number > 0; got ${beta}. Use 1 to balance the classes.`);
  }
  if (maxSyntheticRows !== undefined && (!Number.isInteger(maxSyntheticRows) || maxSyntheticRows < 0)) {
    throw new InvalidInputError(
      '--max-synthetic-rows',
      `max synthetic rows must be an integer ≥ 0; got ${maxSyntheticRows}.`,
    );
  }

  const requested = roundHalfToEven((negatives - positives) * beta);
  const minorityRows = new Int32Array(positives);
  const minority = new Float64Array(positives * cols);
  let at = 0;
  for (let r = 0; r < rows; r++) {
    if (data.y[r] !== 1) continue;
    minorityRows[at] = r;
    minority.set(values.subarray(r * cols, r * cols + cols), at * cols);
    at++;
  }

  // Step 2: hardness from the K nearest rows of the whole input.
  const index = opts.index ?? new ExactNeighborIndex(data.x);
  const all = index.query(minority, positives, k, { excludeSelf: minorityRows });
  const majorityNeighbours = new Int32Array(positives);
  const hardness = new Float64Array(positives);
  let sumDelta = 0;
  for (let i = 0; i < positives; i++) {
    let delta = 0;
    for (let j = i * k; j < i * k + k; j++) if (data.y[all.indices[j]!] === 0) delta++;
    majorityNeighbours[i] = delta;
    hardness[i] = delta / k;
    sumDelta += delta;
  }

  const perRowCount = new Int32Array(positives);
  let total = 0;
  let warning: string | undefined;
  if (requested <= 0) {
    warning =
      `ADASYN generated no rows: positives (${positives}) are not fewer than negatives (${negatives}) × beta ` +
      `(${beta}), so the balance level asks for G = ${requested} rows.`;
  } else if (sumDelta === 0) {
    warning =
      `ADASYN generated no rows: no minority row has a negative among its ${k} nearest neighbours, so every ` +
      'hardness r_i is 0 and the weights r_i / Σr are undefined. The classes look well separated; skip ' +
      'oversampling, use SMOTE, or raise --k.';
  } else {
    for (let i = 0; i < positives; i++) {
      const g = roundHalfToEven((majorityNeighbours[i]! * requested) / sumDelta);
      perRowCount[i] = g;
      total += g;
    }
    if (total === 0) {
      warning = `ADASYN generated no rows: G = ${requested} spread over ${positives} minority rows rounds to 0 for each.`;
    }
  }
  if (maxSyntheticRows !== undefined && total > maxSyntheticRows) {
    throw new InvalidInputError(
      '--max-synthetic-rows',
      `ADASYN would generate ${total} synthetic rows, above max synthetic rows (${maxSyntheticRows}). ` +
        'Lower --beta or raise --max-synthetic-rows.',
    );
  }

  const synthetic = new Float64Array(total * cols);
  const parent = new Int32Array(total);
  const neighbour = new Int32Array(total);
  const lambda = new Float64Array(total);
  if (total > 0) {
    // Step 4: interpolation partners come from the minority rows only.
    const minorityIndex = opts.minorityIndex ?? new ExactNeighborIndex({ rows: positives, cols, values: minority });
    const self = new Int32Array(positives);
    for (let i = 0; i < positives; i++) self[i] = i;
    const near = minorityIndex.query(minority, positives, k, { excludeSelf: self });
    let s = 0;
    for (let i = 0; i < positives; i++) {
      const from = i * cols;
      for (let n = 0; n < perRowCount[i]!; n++) {
        const z = near.indices[i * k + random.nextInt(k)]!;
        const step = random.next();
        const to = z * cols;
        const out = s * cols;
        for (let c = 0; c < cols; c++) {
          const xi = minority[from + c]!;
          synthetic[out + c] = xi + step * (minority[to + c]! - xi);
        }
        parent[s] = minorityRows[i]!;
        neighbour[s] = minorityRows[z]!;
        lambda[s] = step;
        s++;
      }
    }
  }

  const result: AdasynResult = {
    synthetic: { rows: total, cols, values: synthetic },
    lineage: { parent, neighbour, lambda },
    perRowCount,
    minorityRows,
    hardness,
  };
  if (warning !== undefined) result.warning = warning;
  return result;
}

/** The input rows followed by the synthetic rows, labelled 1. */
export function appendSynthetic(data: LabelledData, synthetic: FeatureMatrix): LabelledData {
  if (synthetic.cols !== data.x.cols) {
    throw new InvalidInputError(
      'synthetic',
      `synthetic rows must have the input's ${data.x.cols} columns; got ${synthetic.cols}.`,
    );
  }
  const rows = data.x.rows + synthetic.rows;
  const values = new Float64Array(rows * data.x.cols);
  values.set(data.x.values.subarray(0, data.x.rows * data.x.cols), 0);
  values.set(synthetic.values.subarray(0, synthetic.rows * synthetic.cols), data.x.rows * data.x.cols);
  const y = new Uint8Array(rows);
  y.set(data.y.subarray(0, data.x.rows), 0);
  y.fill(1, data.x.rows);
  return { x: { rows, cols: data.x.cols, values }, y };
}

// np.rint: nearest integer, exact halves to the even neighbour.
function roundHalfToEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}
