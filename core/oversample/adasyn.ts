// ADASYN (He et al. 2008) and SMOTE as its uniform baseline: synthetic minority rows interpolated between minority
// neighbours, more of them where a minority row is surrounded by other classes. Returns the new rows with their lineage.

import { assertFiniteFeatures, classCounts, type FeatureMatrix, type LabelledData } from '../dataset.js';
import { InvalidInputError } from '../invalidInputError.js';
import { ExactNeighborIndex } from '../neighbors/exactNeighbors.js';
import type { NeighborIndex, NeighborMatrix } from '../neighbors/neighborIndex.js';
import type { RandomSource } from '../random.js';
import { nthSmallest } from '../orderStatistics.js';

export interface AdasynOptions {
  /**
   * K: neighbours per minority row, both for its hardness (among all rows) and for interpolation
   * (among minority rows). Must be below the number of minority rows.
   * @default 5
   */
  k?: number;
  /**
   * β: balance level in (0, 1]. G = (negatives − positives) · β synthetic rows are asked for; 1 balances the classes.
   * @default 1
   */
  beta?: number;
  /** Seeded generator for neighbour choice and interpolation steps. */
  random: RandomSource;
  /**
   * A neighbour index built over all of `data.x`, for the hardness step. It is not closed here.
   * @default an ExactNeighborIndex over data.x, closed before returning
   */
  index?: NeighborIndex;
  /**
   * A neighbour index built over the minority rows only, in ascending row order, for the interpolation step.
   * @default an ExactNeighborIndex over those rows
   */
  minorityIndex?: NeighborIndex;
  /**
   * Quota: at most this many synthetic rows (> 0). A larger allocation is scaled down proportionally to exactly
   * the quota, and `quotaMessage` says so.
   * @default no quota
   */
  maxSyntheticRows?: number;
  /**
   * Quota as a ratio (> 0): at most this many synthetic rows per input row (0.5: the output is at most 1.5× the input).
   * Combined with `maxSyntheticRows`, the lower bound applies.
   * @default no quota
   */
  maxSyntheticRatio?: number;
  /**
   * Columns holding category codes. They still count in distances as given (encode them in core/features first),
   * but are never interpolated: a synthetic row takes the most common value among its seed row's K minority
   * neighbours (SMOTE-NC), ties to the smallest value.
   * @default none
   */
  categoricalColumns?: number[];
  /**
   * One-hot column groups, one per categorical feature (the reader's `colour=red`, `colour=blue`, … columns of
   * `colour`). Never interpolated: a synthetic row takes the category most common among its seed row's K minority
   * neighbours (SMOTE-NC), ties to the group's first column, so each group keeps exactly one 1. For distances that
   * treat a category change as one step, build the indexes with core/neighbors/distanceSpace.ts's groups.
   * @default none
   */
  categoricalGroups?: number[][];
  /**
   * Reject constant (zero-variance) feature columns as bad input. A pipeline that has its own feature checks may
   * turn this off: a constant column does not change distances and interpolates to itself.
   * @default true
   */
  rejectConstantFeatures?: boolean;
}

/** Where each synthetic row came from: x = x[parent] + lambda · (x[neighbour] − x[parent]). */
export interface AdasynLineage {
  /** Input row index of the minority row the synthetic row grew from (`_seed_row`). */
  parent: Int32Array;
  /** Input row index of the minority neighbour it was interpolated towards (`_neighbor_row`). */
  neighbour: Int32Array;
  /** Interpolation step λ in [0, 1) (`_gap`). */
  lambda: Float64Array;
}

/** Summary statistics of the euclidean distance from each synthetic row's seed row to its neighbour row. */
export interface DistanceStats {
  min: number;
  mean: number;
  median: number;
  max: number;
}

export interface OversampleStats {
  syntheticRows: number;
  /** Synthetic rows ÷ all output rows (input + synthetic). */
  syntheticRatio: number;
  /** Seed-to-neighbour distances of the synthetic rows; all 0 when none was made. */
  neighbourDistance: DistanceStats;
}

export interface AdasynResult {
  /** Synthetic rows, label 1; grouped by parent in ascending parent order. */
  synthetic: FeatureMatrix;
  lineage: AdasynLineage;
  /** g_i: synthetic rows generated from each minority row (aligned with `minorityRows`). */
  perRowCount: Int32Array;
  /** Input row indices of the minority rows, ascending. */
  minorityRows: Int32Array;
  /** Δ_i: rows of another class among each minority row's K nearest neighbours (aligned with `minorityRows`). */
  majorityNeighbours: Int32Array;
  /** r_i = Δ_i / K: share of other-class rows among each minority row's K nearest neighbours. */
  hardness: Float64Array;
  /** G: synthetic rows the balance level asks for, before any quota. */
  requested: number;
  /** Set when a quota scaled the allocation down, saying by how much. */
  quotaMessage?: string;
  /** Set when no synthetic row is generated, saying why. */
  warning?: string;
  stats: OversampleStats;
}

/**
 * ADASYN as in He et al. 2008 (seed 001_b07967c92bdc92f7, "How does ADASYN work", steps 1–5):
 * 1. d = m_s / m_l; G = rint((m_l − m_s) · β).
 * 2. For each minority row i, Δ_i = negatives among its K nearest rows of the whole input (itself excluded);
 *    r_i = Δ_i / K; r̂_i = r_i / Σ r.
 * 3. g_i = rint(r̂_i · G), half to even. r_i, Σ r (numpy's pairwise summation) and r̂_i are computed in the same
 *    float64 operations as imbalanced-learn, so counts match it exactly; Σ g_i may differ from G by rounding.
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
  const s = validateOversample(data, opts, 'ADASYN');
  const minorityRows = classRows(data.y, 1, s.positives);
  const requested = roundHalfToEven((s.negatives - s.positives) * s.beta);

  // Step 2: hardness from the K nearest rows of the whole input.
  const index = opts.index ?? new ExactNeighborIndex(data.x as NeighborMatrix);
  let all: Int32Array;
  try {
    all = index.queryRows(minorityRows, s.k).indices;
  } finally {
    if (opts.index === undefined) index.close();
  }
  const delta = new Int32Array(s.positives);
  for (let i = 0; i < s.positives; i++) {
    let d = 0;
    for (let j = i * s.k; j < i * s.k + s.k; j++) if (data.y[all[j]!] !== 1) d++;
    delta[i] = d;
  }
  const { counts, hardness, warning } = adasynAllocation(delta, s.k, requested, s.positives, s.negatives, s.beta);
  const quota = applyQuota(counts, s.quota, s.quotaName);
  const { distances, ...generated } = generate(data.x, minorityRows, quota.counts, s.k, opts.random, s.categorical, opts.minorityIndex);
  const result: AdasynResult = {
    ...generated,
    perRowCount: quota.counts,
    minorityRows,
    majorityNeighbours: delta,
    hardness,
    requested,
    stats: stats(data.x.rows, generated.synthetic.rows, distances),
  };
  if (quota.message !== undefined) result.quotaMessage = quota.message;
  if (warning !== undefined) result.warning = warning;
  return result;
}

export type SmoteOptions = Omit<AdasynOptions, 'index'>;

/**
 * SMOTE (Chawla et al. 2002) as ADASYN's baseline: the same G = rint((m_l − m_s) · β) rows, allocated uniformly:
 * every minority row gets ⌊G / m_s⌋ and the remaining G mod m_s rows go to distinct minority rows drawn at random.
 * `majorityNeighbours` and `hardness` are zero: SMOTE does not look at other classes.
 *
 * References: N. V. Chawla, K. W. Bowyer, L. O. Hall and W. P. Kegelmeyer, "SMOTE: Synthetic minority
 * over-sampling technique", Journal of Artificial Intelligence Research 16, 321–357, 2002.
 */
export function smote(data: LabelledData, opts: SmoteOptions): AdasynResult {
  const s = validateOversample(data, opts, 'SMOTE');
  const minorityRows = classRows(data.y, 1, s.positives);
  const requested = roundHalfToEven((s.negatives - s.positives) * s.beta);
  const counts = new Int32Array(s.positives);
  let warning: string | undefined;
  if (requested <= 0) {
    warning = `SMOTE generated no rows: positives (${s.positives}) are not fewer than negatives (${s.negatives}) × beta (${s.beta}).`;
  } else {
    counts.fill(Math.floor(requested / s.positives));
    const order = Int32Array.from({ length: s.positives }, (_, i) => i);
    const extra = requested % s.positives;
    // Partial Fisher–Yates: the first `extra` slots become a uniform sample of distinct rows.
    for (let i = 0; i < extra; i++) {
      const j = i + opts.random.nextInt(s.positives - i);
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
      counts[order[i]!]!++;
    }
  }
  const quota = applyQuota(counts, s.quota, s.quotaName);
  const generated = generate(data.x, minorityRows, quota.counts, s.k, opts.random, s.categorical, opts.minorityIndex);
  const { distances, ...rest } = generated;
  const result: AdasynResult = {
    ...rest,
    perRowCount: quota.counts,
    minorityRows,
    majorityNeighbours: new Int32Array(s.positives),
    hardness: new Float64Array(s.positives),
    requested,
    stats: stats(data.x.rows, generated.synthetic.rows, distances),
  };
  if (quota.message !== undefined) result.quotaMessage = quota.message;
  if (warning !== undefined) result.warning = warning;
  return result;
}

/** Multi-class data: `labels[i]` is row i's class code (an integer ≥ 0). */
export interface MultiClassData {
  x: FeatureMatrix;
  labels: Int32Array;
}

export type MultiClassAdasynOptions = Omit<AdasynOptions, 'minorityIndex'>;

export interface MultiClassAdasynResult {
  /** The class with most rows (ties: the lowest code); it gets no synthetic rows. */
  majorityClass: number;
  /** Per minority class, ascending by class code: its ADASYN against the majority class. */
  classes: { label: number; result: AdasynResult }[];
  /** All synthetic rows, class after class, with their class codes. */
  synthetic: FeatureMatrix;
  syntheticLabels: Int32Array;
  lineage: AdasynLineage;
  stats: OversampleStats;
  quotaMessage?: string;
}

/**
 * ADASYN for several classes, as imbalanced-learn does: each class c other than the majority is oversampled to
 * G_c = rint((m_majority − m_c) · β), with Δ_i counting rows of any other class among i's K nearest rows of the whole
 * input, and interpolation among class c's rows only. A quota applies to all classes together.
 */
export function adasynMultiClass(data: MultiClassData, opts: MultiClassAdasynOptions): MultiClassAdasynResult {
  const { rows, cols } = data.x;
  const { labels } = data;
  if (labels.length !== rows) {
    throw new InvalidInputError('labels', `labels must have one entry per row (${rows}); got ${labels.length}.`);
  }
  const countOf = new Map<number, number>();
  for (let i = 0; i < rows; i++) {
    const c = labels[i]!;
    if (!Number.isInteger(c) || c < 0) throw new InvalidInputError('labels', `class codes must be integers ≥ 0; got ${c} at row ${i}.`);
    countOf.set(c, (countOf.get(c) ?? 0) + 1);
  }
  const classes = [...countOf.keys()].sort((a, b) => a - b);
  if (classes.length < 2) {
    throw new InvalidInputError('labels', `ADASYN needs at least two classes; got one (${classes[0] ?? 'none'}) in ${rows} rows.`);
  }
  let majorityClass = classes[0]!;
  for (const c of classes) if (countOf.get(c)! > countOf.get(majorityClass)!) majorityClass = c;
  const targets = classes.filter((c) => c !== majorityClass && countOf.get(c)! < countOf.get(majorityClass)!);

  // Validate once on a binary view: every target class against the rest.
  const settings = targets.map((c) => {
    const y = new Uint8Array(rows);
    for (let i = 0; i < rows; i++) y[i] = labels[i] === c ? 1 : 0;
    return { c, y, s: validateOversample({ x: data.x, y }, { ...opts, maxSyntheticRows: undefined, maxSyntheticRatio: undefined }, `ADASYN (class ${c})`) };
  });
  const quotaSettings = validateOversample(
    { x: data.x, y: settings[0]?.y ?? Uint8Array.from(labels, (l) => (l === majorityClass ? 0 : 1)) },
    opts,
    'ADASYN',
  );

  // One batch of queries for all target classes against the whole input.
  const k = quotaSettings.k;
  const queryRows: Int32Array[] = settings.map(({ c }) => classRows(labels, c, countOf.get(c)!));
  const allQueries = new Int32Array(queryRows.reduce((n, r) => n + r.length, 0));
  let at = 0;
  for (const r of queryRows) {
    allQueries.set(r, at);
    at += r.length;
  }
  const index = opts.index ?? new ExactNeighborIndex(data.x as NeighborMatrix);
  let near: Int32Array;
  try {
    near = index.queryRows(allQueries, k).indices;
  } finally {
    if (opts.index === undefined) index.close();
  }

  const allocations: { c: number; rows: Int32Array; delta: Int32Array; counts: Int32Array; hardness: Float64Array; requested: number; warning?: string }[] = [];
  let offset = 0;
  settings.forEach(({ c, s }, t) => {
    const rowsOfC = queryRows[t]!;
    const delta = new Int32Array(rowsOfC.length);
    for (let i = 0; i < rowsOfC.length; i++) {
      let d = 0;
      for (let j = (offset + i) * k; j < (offset + i) * k + k; j++) if (labels[near[j]!] !== c) d++;
      delta[i] = d;
    }
    offset += rowsOfC.length;
    const requested = roundHalfToEven((countOf.get(majorityClass)! - rowsOfC.length) * s.beta);
    const alloc = adasynAllocation(delta, k, requested, rowsOfC.length, countOf.get(majorityClass)!, s.beta);
    allocations.push({ c, rows: rowsOfC, delta, counts: alloc.counts, hardness: alloc.hardness, requested, ...(alloc.warning ? { warning: alloc.warning } : {}) });
  });

  // The quota scales all classes' counts together.
  const joined = new Int32Array(allocations.reduce((n, a) => n + a.counts.length, 0));
  at = 0;
  for (const a of allocations) {
    joined.set(a.counts, at);
    at += a.counts.length;
  }
  const quota = applyQuota(joined, quotaSettings.quota, quotaSettings.quotaName);

  const perClass: { label: number; result: AdasynResult }[] = [];
  at = 0;
  for (const a of allocations) {
    const counts = quota.counts.slice(at, at + a.counts.length);
    at += a.counts.length;
    const generated = generate(data.x, a.rows, counts, k, opts.random, quotaSettings.categorical, undefined);
    const { distances, ...rest } = generated;
    const result: AdasynResult = {
      ...rest,
      perRowCount: counts,
      minorityRows: a.rows,
      majorityNeighbours: a.delta,
      hardness: a.hardness,
      requested: a.requested,
      stats: stats(rows, generated.synthetic.rows, distances),
    };
    if (a.warning !== undefined) result.warning = a.warning;
    perClass.push({ label: a.c, result });
  }
  const total = perClass.reduce((n, p) => n + p.result.synthetic.rows, 0);
  const values = new Float64Array(total * cols);
  const syntheticLabels = new Int32Array(total);
  const lineage: AdasynLineage = { parent: new Int32Array(total), neighbour: new Int32Array(total), lambda: new Float64Array(total) };
  const distances = new Float64Array(total);
  at = 0;
  for (const p of perClass) {
    const n = p.result.synthetic.rows;
    values.set(p.result.synthetic.values, at * cols);
    syntheticLabels.fill(p.label, at, at + n);
    lineage.parent.set(p.result.lineage.parent, at);
    lineage.neighbour.set(p.result.lineage.neighbour, at);
    lineage.lambda.set(p.result.lineage.lambda, at);
    for (let s = 0; s < n; s++) distances[at + s] = seedDistance(data.x, p.result.lineage.parent[s]!, p.result.lineage.neighbour[s]!);
    at += n;
  }
  const out: MultiClassAdasynResult = {
    majorityClass,
    classes: perClass,
    synthetic: { rows: total, cols, values },
    syntheticLabels,
    lineage,
    stats: stats(rows, total, distances),
  };
  if (quota.message !== undefined) out.quotaMessage = quota.message;
  return out;
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

/** The lineage columns over input rows then synthetic rows; real rows: not synthetic, -1, -1, NaN. */
export interface LineageColumns {
  _synthetic: Uint8Array;
  _seed_row: Int32Array;
  _neighbor_row: Int32Array;
  _gap: Float64Array;
}

/** Lineage columns for {@link appendSynthetic}'s output of `inputRows` input rows and `lineage`'s synthetic rows. */
export function lineageColumns(inputRows: number, lineage: AdasynLineage): LineageColumns {
  const n = lineage.parent.length;
  const total = inputRows + n;
  const cols: LineageColumns = {
    _synthetic: new Uint8Array(total).fill(1, inputRows),
    _seed_row: new Int32Array(total).fill(-1),
    _neighbor_row: new Int32Array(total).fill(-1),
    _gap: new Float64Array(total).fill(Number.NaN, 0, inputRows),
  };
  cols._seed_row.set(lineage.parent, inputRows);
  cols._neighbor_row.set(lineage.neighbour, inputRows);
  cols._gap.set(lineage.lambda, inputRows);
  return cols;
}

/** `sample_weight` for the output: input weights, then each synthetic row with its seed row's weight. */
export function syntheticWeights(weights: Float64Array, lineage: AdasynLineage): Float64Array {
  const out = new Float64Array(weights.length + lineage.parent.length);
  out.set(weights);
  for (let s = 0; s < lineage.parent.length; s++) out[weights.length + s] = weights[lineage.parent[s]!]!;
  return out;
}

interface OversampleSettings {
  k: number;
  beta: number;
  negatives: number;
  positives: number;
  quota: number;
  quotaName: string;
  categorical: CategoricalColumns | undefined;
}

/** Columns that are never interpolated: single columns of codes, and one-hot groups. */
interface CategoricalColumns {
  columns: Int32Array;
  groups: Int32Array[];
}

function validateOversample(data: LabelledData, opts: Omit<AdasynOptions, 'random'>, method: string): OversampleSettings {
  const k = opts.k ?? 5;
  const beta = opts.beta ?? 1;
  const { rows, cols, values } = data.x;
  const [negatives, positives] = classCounts(data.y);
  if (positives === 0) {
    throw new InvalidInputError('labels', `${method} needs both classes; got one class only (${negatives} negatives, 0 positives): no minority rows.`);
  }
  if (negatives === 0) {
    throw new InvalidInputError('labels', `${method} needs both classes; got one class only (0 negatives, ${positives} positives): all rows are minority.`);
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
        throw new InvalidInputError(name, `${name}: column ${c} is in ${before} and in ${what}; a column belongs to one categorical feature.`);
      }
      owner.set(c, what);
    };
    for (const c of codes) claim(c, 'categoricalColumns', 'categoricalColumns');
    groups.forEach((g, i) => {
      if (g.length === 0) throw new InvalidInputError('categoricalGroups', `categoricalGroups: group ${i} is empty; expected its one-hot columns.`);
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

// ADASYN steps 1–3 (seed 001: "Estimate the ratio of majority neighbors … Normalize difficulty scores"), in
// imbalanced-learn's float64 operation order: r = Δ / K; r /= Σ r; g = rint(r · G).
function adasynAllocation(delta: Int32Array, k: number, requested: number, positives: number, negatives: number, beta: number) {
  const m = delta.length;
  const hardness = new Float64Array(m);
  for (let i = 0; i < m; i++) hardness[i] = delta[i]! / k;
  const counts = new Int32Array(m);
  let warning: string | undefined;
  const sum = numpyPairwiseSum(hardness, 0, m);
  if (requested <= 0) {
    warning =
      `ADASYN generated no rows: positives (${positives}) are not fewer than negatives (${negatives}) × beta ` +
      `(${beta}), so the balance level asks for G = ${requested} rows.`;
  } else if (sum === 0) {
    warning =
      `ADASYN generated no rows: no minority row has a negative among its ${k} nearest neighbours, so every ` +
      'hardness r_i is 0 and the weights r_i / Σr are undefined. The classes look well separated; skip ' +
      'oversampling, use SMOTE, or raise --k.';
  } else {
    let total = 0;
    for (let i = 0; i < m; i++) {
      const g = roundHalfToEven((hardness[i]! / sum) * requested);
      counts[i] = g;
      total += g;
    }
    if (total === 0) {
      warning = `ADASYN generated no rows: G = ${requested} spread over ${m} minority rows rounds to 0 for each.`;
    }
  }
  return { counts, hardness, warning };
}

// Scale counts down to exactly `quota` in total: ⌊g_i · quota / Σg⌋ each, then one more to the rows with the largest
// remainders (ties to the lower row), so the shares stay proportional.
function applyQuota(counts: Int32Array, quota: number, quotaName: string): { counts: Int32Array; message?: string } {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  if (total <= quota) return { counts };
  const scale = quota / total;
  const out = new Int32Array(counts.length);
  const remainder = new Float64Array(counts.length);
  let given = 0;
  for (let i = 0; i < counts.length; i++) {
    const exact = counts[i]! * scale;
    out[i] = Math.floor(exact);
    remainder[i] = exact - out[i]!;
    given += out[i]!;
  }
  const order = Int32Array.from({ length: counts.length }, (_, i) => i).sort((a, b) => remainder[b]! - remainder[a]! || a - b);
  for (let j = 0; j < quota - given; j++) out[order[j]!]!++;
  return {
    counts: out,
    message: `the allocation of ${total} synthetic rows exceeds the quota (${quotaName}); each row's count was scaled by ${scale.toFixed(4)} to ${quota} rows in all.`,
  };
}

// Step 4 (seed 001: "randomly select one of the k minority neighbors and linearly interpolate"): x_i + λ (x_z − x_i).
function generate(
  x: FeatureMatrix,
  minorityRows: Int32Array,
  counts: Int32Array,
  k: number,
  random: RandomSource,
  categorical: CategoricalColumns | undefined,
  minorityIndex: NeighborIndex | undefined,
): { synthetic: FeatureMatrix; lineage: AdasynLineage; distances: Float64Array } {
  const { cols, values } = x;
  const m = minorityRows.length;
  let total = 0;
  for (let i = 0; i < m; i++) total += counts[i]!;
  const synthetic = new Float64Array(total * cols);
  const parent = new Int32Array(total);
  const neighbour = new Int32Array(total);
  const lambda = new Float64Array(total);
  const distances = new Float64Array(total);
  if (total > 0) {
    const minority = new Float64Array(m * cols);
    for (let i = 0; i < m; i++) minority.set(values.subarray(minorityRows[i]! * cols, minorityRows[i]! * cols + cols), i * cols);
    const index = minorityIndex ?? new ExactNeighborIndex({ rows: m, cols, values: minority });
    let near: Int32Array;
    try {
      near = index.queryRows(Int32Array.from({ length: m }, (_, i) => i), k).indices;
    } finally {
      if (minorityIndex === undefined) index.close();
    }
    const votes = new Float64Array(k);
    // Each row's distances to its K neighbours, looked up per synthetic row for the reported statistics.
    const neighbourDistance = new Float64Array(k);
    let s = 0;
    for (let i = 0; i < m; i++) {
      const g = counts[i]!;
      if (g === 0) continue;
      const from = i * cols;
      for (let j = 0; j < k; j++) {
        const to = near[i * k + j]! * cols;
        let d2 = 0;
        for (let c = 0; c < cols; c++) {
          const diff = minority[to + c]! - minority[from + c]!;
          d2 += diff * diff;
        }
        neighbourDistance[j] = Math.sqrt(d2);
      }
      for (let n = 0; n < g; n++) {
        const j = random.nextInt(k);
        const z = near[i * k + j]!;
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
        distances[s] = neighbourDistance[j]!;
        s++;
      }
      if (categorical !== undefined) {
        // SMOTE-NC: categorical values are never interpolated; they take the mode among the K minority neighbours,
        // the same for all of i's rows.
        for (const c of categorical.columns) {
          for (let j = 0; j < k; j++) votes[j] = minority[near[i * k + j]! * cols + c]!;
          const mode = modeOf(votes);
          for (let t = s - g; t < s; t++) synthetic[t * cols + c] = mode;
        }
        for (const group of categorical.groups) {
          let best = 0;
          let bestVotes = -1;
          for (let m = 0; m < group.length; m++) {
            let n = 0;
            for (let j = 0; j < k; j++) if (minority[near[i * k + j]! * cols + group[m]!] === 1) n++;
            if (n > bestVotes) {
              best = m;
              bestVotes = n;
            }
          }
          for (let t = s - g; t < s; t++) for (let m = 0; m < group.length; m++) synthetic[t * cols + group[m]!] = m === best ? 1 : 0;
        }
      }
    }
  }
  return { synthetic: { rows: total, cols, values: synthetic }, lineage: { parent, neighbour, lambda }, distances };
}

function modeOf(v: Float64Array): number {
  v.sort();
  let best = v[0]!;
  let bestRun = 0;
  let run = 0;
  for (let i = 0; i < v.length; i++) {
    run = i > 0 && v[i] === v[i - 1] ? run + 1 : 1;
    if (run > bestRun) {
      bestRun = run;
      best = v[i]!;
    }
  }
  return best;
}

function seedDistance(x: FeatureMatrix, a: number, b: number): number {
  let d = 0;
  for (let c = 0; c < x.cols; c++) {
    const diff = x.values[a * x.cols + c]! - x.values[b * x.cols + c]!;
    d += diff * diff;
  }
  return Math.sqrt(d);
}

function stats(inputRows: number, syntheticRows: number, distances: Float64Array): OversampleStats {
  const neighbourDistance: DistanceStats = { min: 0, mean: 0, median: 0, max: 0 };
  const n = distances.length;
  if (syntheticRows > 0) {
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      const d = distances[i]!;
      sum += d;
      if (d < min) min = d;
      if (d > max) max = d;
    }
    const work = Float64Array.from(distances);
    const mid = n >> 1;
    const upper = nthSmallest(work, mid);
    neighbourDistance.min = min;
    neighbourDistance.max = max;
    neighbourDistance.mean = sum / n;
    // With an even count the lower middle is the largest value left below `mid` after the selection.
    let lower = -Infinity;
    if (n % 2 === 0) for (let i = 0; i < mid; i++) if (work[i]! > lower) lower = work[i]!;
    neighbourDistance.median = n % 2 === 1 ? upper : (lower + upper) / 2;
  }
  return { syntheticRows, syntheticRatio: syntheticRows / (inputRows + syntheticRows), neighbourDistance };
}

function classRows(y: ArrayLike<number>, label: number, count: number): Int32Array {
  const out = new Int32Array(count);
  let at = 0;
  for (let r = 0; r < y.length; r++) if (y[r] === label) out[at++] = r;
  return out;
}

// numpy's pairwise summation of a contiguous float64 array (numpy/core/src/umath/loops_utils.h.src, PW_BLOCKSIZE 128),
// so Σ r_i rounds exactly as imbalanced-learn's np.sum does.
function numpyPairwiseSum(a: Float64Array, off: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[off + i]!;
    return res;
  }
  if (n <= 128) {
    const r = [a[off]!, a[off + 1]!, a[off + 2]!, a[off + 3]!, a[off + 4]!, a[off + 5]!, a[off + 6]!, a[off + 7]!];
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j]! += a[off + i + j]!;
    let res = ((r[0]! + r[1]!) + (r[2]! + r[3]!)) + ((r[4]! + r[5]!) + (r[6]! + r[7]!));
    for (; i < n; i++) res += a[off + i]!;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return numpyPairwiseSum(a, off, n2) + numpyPairwiseSum(a, off + n2, n - n2);
}

// np.rint: nearest integer, exact halves to the even neighbour.
function roundHalfToEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}
