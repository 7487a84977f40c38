// Classification random forest for rare events: histogram (binned) Gini trees, bootstrap or subsampling,
// mtry, node size, depth, class and sample weights; the probability is the mean of the trees' leaf class frequencies.

import type { FeatureMatrix, LabelledData } from '../dataset.js';
import { classCounts } from '../dataset.js';
import { InvalidInputError } from '../invalidInputError.js';
import { checkSampleWeights } from '../sampling/sampleWeights.js';
import { compileForest, scoreCompiledForest } from './forestScoring.js';
import { binFeatures, growTree, MAX_BINS, type GrownTree, type TreeGrowingParams } from './forestTree.js';

export interface RandomForestOptions {
  /**
   * Trees in the forest.
   * @default 100
   */
  trees?: number;
  /**
   * Features drawn as split candidates at each node.
   * @default floor(sqrt(features)), at least 1
   */
  mtry?: number;
  /**
   * Smallest number of distinct training rows a leaf may hold (randomForestSRC's `nodesize`, scikit-learn's
   * `min_samples_leaf`).
   * @default 1
   */
  minNodeSize?: number;
  /**
   * Deepest level a node may be split at (the root is depth 0).
   * @default Infinity (grow until leaves are pure or too small)
   */
  maxDepth?: number;
  /**
   * `'bootstrap'` draws rows with replacement; `'subsample'` draws without replacement (randomForestSRC's swor);
   * `'balanced'` draws a bootstrap of equal size from each class (Chen, Liaw & Breiman's balanced random forest,
   * imbalanced-learn's BalancedRandomForestClassifier), so the trees see a 1:1 mix and `fitPrevalence` is 1/2.
   * @default 'bootstrap'
   */
  sampling?: 'bootstrap' | 'subsample' | 'balanced';
  /**
   * `'best'` splits a node at the best cut of the drawn features; `'random'` draws one cut per drawn feature and
   * keeps the best of those (extremely randomised trees, scikit-learn's ExtraTrees): smoother scores, less fitted
   * to small training sets.
   * @default 'best'
   */
  splitter?: 'best' | 'random';
  /**
   * Rows drawn per tree as a fraction of the training rows, in (0, 1]; for `'balanced'`, per class as a fraction
   * of the minority class's rows.
   * @default 1 for bootstrap and balanced, 0.632 for subsample
   */
  sampleFraction?: number;
  /**
   * `'balanced'` weights each row by n / (2 · n_class) in the split criterion and the leaf frequencies, as
   * scikit-learn's `class_weight='balanced'`.
   * @default 'none'
   */
  classWeight?: 'none' | 'balanced';
  /**
   * Per-row weights (e.g. the input's `sample_weight` column): finite, ≥ 0, with some weight > 0 in each class.
   * Weighted Gini, not a weighted bootstrap: rows are drawn as without weights, and a drawn row counts
   * multiplicity × class weight × its sample weight in the split criterion and the leaf frequencies (rows of
   * weight 0 drop out of the bag). With `classWeight: 'balanced'` the class weights become Σs / (2 · Σs over the class).
   * @default none (every row weighs 1)
   */
  sampleWeights?: ArrayLike<number>;
  /**
   * Most histogram bins per feature (quantile cuts computed once on the training data), 2..256.
   * @default 256
   */
  maxBins?: number;
  /**
   * Seed of the forest; tree t draws from deriveSeed(seed, `tree t`), so the model does not depend on threading.
   * @default 0
   */
  seed?: number;
}

/** A fitted forest: JSON-plain (arrays of numbers); node arrays of all trees are concatenated. */
export interface RandomForestModel {
  kind: 'forest';
  featureCount: number;
  /** Node index of each tree's root in the node arrays. */
  roots: number[];
  /** Split feature per node; −1 marks a leaf. */
  feature: number[];
  /** Rows with x[feature] ≤ threshold go to `left`; unused (0) at leaves. */
  threshold: number[];
  left: number[];
  right: number[];
  /** Leaf positive-class frequency (weighted by bootstrap counts and class weights); also kept at inner nodes. */
  value: number[];
  /** The options the forest was grown with, resolved. */
  options: ResolvedForestOptions;
  /** Positive share of the training rows as given (unweighted). */
  trainingPrevalence: number;
  /**
   * Positive share of the mix the leaf frequencies estimate under: `trainingPrevalence` for plain bootstrap or
   * subsample, 1/2 with balanced sampling or balanced class weights. The RFQ threshold q* = π (seed 002,
   * Theorem 2) uses this π, since it must be the prevalence of the model's own probability scale. With sample
   * weights it is the expected positive share of the in-bag weight: Σ_pos c₁s / Σ c_ys for bootstrap and
   * subsample, c₁·mean_pos(s) / (c₀·mean_neg(s) + c₁·mean_pos(s)) for balanced sampling (c: class weights).
   */
  fitPrevalence: number;
}

export interface ResolvedForestOptions {
  trees: number;
  mtry: number;
  minNodeSize: number;
  /** JSON cannot hold Infinity: unlimited depth is stored as null. */
  maxDepth: number | null;
  sampling: 'bootstrap' | 'subsample' | 'balanced';
  /** Present only for 'random': absent means 'best' (as in model files written before random cuts existed). */
  splitter?: 'best' | 'random';
  sampleFraction: number;
  classWeight: 'none' | 'balanced';
  maxBins: number;
  seed: number;
}

function resolveOptions(options: RandomForestOptions, features: number): ResolvedForestOptions {
  const int = (name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in ${min}..${max}`;
      throw new InvalidInputError(name, `${name}: expected an integer ${range}, got ${String(value)}`);
    }
    return value;
  };
  const trees = int('trees', options.trees ?? 100, 1);
  const mtry = options.mtry ?? Math.max(1, Math.floor(Math.sqrt(features)));
  if (!Number.isInteger(mtry) || mtry < 1 || mtry > features) {
    // The features drawn at each split: at most the model's features (one-hot and missing-value features included).
    throw new InvalidInputError(
      'mtry',
      `mtry: expected an integer in 1..${features} (the model has ${features} feature${features === 1 ? '' : 's'}), got ${String(mtry)}`,
    );
  }
  const minNodeSize = int('minNodeSize', options.minNodeSize ?? 1, 1);
  const depth = options.maxDepth ?? Number.POSITIVE_INFINITY;
  if (depth !== Number.POSITIVE_INFINITY) int('maxDepth', depth, 1);
  const sampling = options.sampling ?? 'bootstrap';
  if (sampling !== 'bootstrap' && sampling !== 'subsample' && sampling !== 'balanced') {
    throw new InvalidInputError('sampling', `sampling: expected 'bootstrap', 'subsample' or 'balanced', got ${JSON.stringify(sampling)}`);
  }
  const splitter = options.splitter ?? 'best';
  if (splitter !== 'best' && splitter !== 'random') {
    throw new InvalidInputError('splitter', `splitter: expected 'best' or 'random', got ${JSON.stringify(splitter)}`);
  }
  const sampleFraction = options.sampleFraction ?? (sampling === 'subsample' ? 0.632 : 1);
  if (typeof sampleFraction !== 'number' || !(sampleFraction > 0 && sampleFraction <= 1)) {
    throw new InvalidInputError('sampleFraction', `sampleFraction: expected a number in (0, 1], got ${String(sampleFraction)}`);
  }
  const classWeight = options.classWeight ?? 'none';
  if (classWeight !== 'none' && classWeight !== 'balanced') {
    throw new InvalidInputError('classWeight', `classWeight: expected 'none' or 'balanced', got ${JSON.stringify(classWeight)}`);
  }
  const maxBins = int('maxBins', options.maxBins ?? MAX_BINS, 2, MAX_BINS);
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed)) throw new InvalidInputError('seed', `seed: expected an integer, got ${String(seed)}`);
  return {
    trees,
    mtry,
    minNodeSize,
    maxDepth: depth === Number.POSITIVE_INFINITY ? null : depth,
    sampling,
    // Recorded only when random, so a best-split forest's model file (and its content hash) is as before.
    ...(splitter === 'random' ? { splitter } : {}),
    sampleFraction,
    classWeight,
    maxBins,
    seed,
  };
}

function validateData(data: LabelledData): void {
  const { x, y } = data;
  if (x.cols < 1) throw new InvalidInputError('feature matrix', `feature matrix: expected at least 1 feature column, got ${x.cols}`);
  if (x.values.length !== x.rows * x.cols) {
    throw new InvalidInputError(
      'feature matrix',
      `feature matrix: expected ${x.rows}×${x.cols} = ${x.rows * x.cols} values, got ${x.values.length}`,
    );
  }
  if (y.length !== x.rows) throw new InvalidInputError('labels', `labels: expected one label per row (${x.rows}), got ${y.length}`);
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 0 && y[i] !== 1) throw new InvalidInputError('labels', `labels: expected 0 or 1, got ${y[i]} at row ${i}`);
  }
  const [negatives, positives] = classCounts(y);
  if (negatives === 0 || positives === 0) {
    throw new InvalidInputError(
      'labels',
      `labels: expected both classes in the training data, got ${negatives} negatives and ${positives} positives`,
    );
  }
  assertFinite(x);
}

function assertFinite(x: FeatureMatrix): void {
  const v = x.values;
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i]!)) {
      const r = Math.floor(i / x.cols);
      const c = i - r * x.cols;
      throw new InvalidInputError(
        `feature column ${c}`,
        `feature column ${c}: expected finite values, got ${v[i]} at row ${r}; impute or drop missing values first`,
      );
    }
  }
}

/** A prepared training job: the binned matrix and per-tree parameters, shared by the serial and threaded paths. */
export interface ForestJob {
  binned: ReturnType<typeof binFeatures>;
  y: Uint8Array;
  /** Per-row sample weights, when given (checked). */
  sampleWeights?: Float64Array;
  params: TreeGrowingParams;
  options: ResolvedForestOptions;
  trainingPrevalence: number;
  fitPrevalence: number;
}

/** Validate once and bin the features: the forest's single entry check. */
export function prepareForestJob(data: LabelledData, options: RandomForestOptions = {}): ForestJob {
  validateData(data);
  const opts = resolveOptions(options, data.x.cols);
  const n = data.x.rows;
  const [negatives, positives] = classCounts(data.y);
  const sampleWeights = options.sampleWeights === undefined ? undefined : Float64Array.from(options.sampleWeights);
  if (sampleWeights) checkSampleWeights(sampleWeights, data.y, 'sampleWeights');
  const weighting = sampleWeights ? weightedClassMix(sampleWeights, data.y, opts) : undefined;
  const classWeight: [number, number] =
    weighting?.classWeight ?? (opts.classWeight === 'balanced' ? [n / (2 * negatives), n / (2 * positives)] : [1, 1]);
  const fitPrevalence = weighting?.fitPrevalence ?? (opts.sampling === 'balanced' || opts.classWeight === 'balanced' ? 0.5 : positives / n);
  const binned = binFeatures(data.x.values, n, data.x.cols, opts.maxBins);
  return {
    binned,
    y: data.y,
    ...(sampleWeights ? { sampleWeights } : {}),
    params: {
      seed: opts.seed,
      mtry: opts.mtry,
      minNodeSize: opts.minNodeSize,
      maxDepth: opts.maxDepth ?? Number.POSITIVE_INFINITY,
      sampling: opts.sampling,
      splitter: opts.splitter ?? 'best',
      sampleSize: Math.max(1, Math.round(opts.sampleFraction * (opts.sampling === 'balanced' ? Math.min(negatives, positives) : n))),
      classWeight,
      ...(weighting ? { zeroWeightValue: fitPrevalence } : {}),
    },
    options: opts,
    trainingPrevalence: positives / n,
    fitPrevalence,
  };
}

/** Class weights and the in-bag positive share of weight under sample weights (see `fitPrevalence`). */
function weightedClassMix(
  sampleWeights: Float64Array,
  y: Uint8Array,
  opts: ResolvedForestOptions,
): { classWeight: [number, number]; fitPrevalence: number } {
  const sum: [number, number] = [0, 0];
  const rows: [number, number] = [0, 0];
  for (let i = 0; i < y.length; i++) {
    sum[y[i]!]! += sampleWeights[i]!;
    rows[y[i]!]!++;
  }
  const total = sum[0] + sum[1];
  const classWeight: [number, number] = opts.classWeight === 'balanced' ? [total / (2 * sum[0]), total / (2 * sum[1])] : [1, 1];
  // Bootstrap and subsample draw rows uniformly, so a class's expected in-bag weight is ∝ its weight sum;
  // balanced sampling draws equal row counts per class, so it is ∝ the class's mean weight.
  const perClass = opts.sampling === 'balanced' ? [sum[0] / rows[0], sum[1] / rows[1]] : sum;
  const negativeMass = classWeight[0] * perClass[0]!;
  const positiveMass = classWeight[1] * perClass[1]!;
  return { classWeight, fitPrevalence: positiveMass / (negativeMass + positiveMass) };
}

/** Concatenate grown trees (in tree order) into the JSON-plain model. */
export function assembleForest(job: ForestJob, trees: GrownTree[]): RandomForestModel {
  let total = 0;
  for (const t of trees) total += t.feature.length;
  const feature = new Array<number>(total);
  const threshold = new Array<number>(total);
  const left = new Array<number>(total);
  const right = new Array<number>(total);
  const value = new Array<number>(total);
  const roots: number[] = [];
  let offset = 0;
  for (const t of trees) {
    roots.push(offset);
    for (let i = 0; i < t.feature.length; i++) {
      const f = t.feature[i]!;
      feature[offset + i] = f;
      threshold[offset + i] = f < 0 ? 0 : t.threshold[i]!;
      left[offset + i] = f < 0 ? -1 : t.left[i]! + offset;
      right[offset + i] = f < 0 ? -1 : t.right[i]! + offset;
      value[offset + i] = t.value[i]!;
    }
    offset += t.feature.length;
  }
  return {
    kind: 'forest',
    featureCount: job.binned.cols,
    roots,
    feature,
    threshold,
    left,
    right,
    value,
    options: job.options,
    trainingPrevalence: job.trainingPrevalence,
    fitPrevalence: job.fitPrevalence,
  };
}

/** Train on this thread. `trainRandomForestInWorkers` gives the identical model on several threads. */
export function trainRandomForest(data: LabelledData, options: RandomForestOptions = {}): RandomForestModel {
  const job = prepareForestJob(data, options);
  const trees: GrownTree[] = [];
  for (let t = 0; t < job.options.trees; t++) trees.push(growTree(job.binned, job.y, job.params, t, job.sampleWeights));
  return assembleForest(job, trees);
}

/**
 * Mean over trees of the leaf positive frequency each row falls into: P(y = 1 | x). The trees are walked in their
 * compiled layout (forestScoring.ts), converted once per model object.
 */
export function predictProbaForest(model: RandomForestModel, x: FeatureMatrix): Float64Array {
  const d = model.featureCount;
  if (x.cols !== d) {
    throw new InvalidInputError('feature matrix', `feature matrix: expected ${d} feature columns (as trained), got ${x.cols}`);
  }
  assertFinite(x);
  const out = new Float64Array(x.rows);
  scoreCompiledForest(compileForest(model), x.values, 0, x.rows, out);
  return out;
}

/** Validates a parsed forest (e.g. from a model file); `source` names it in errors. */
export function parseRandomForestModel(json: unknown, source: string): RandomForestModel {
  const fail = (what: string): never => {
    throw new InvalidInputError(source, `${source} is not a usable rareflow forest: ${what}.`);
  };
  if (typeof json !== 'object' || json === null) return fail('expected a JSON object');
  const m = json as Partial<RandomForestModel>;
  if (m.kind !== 'forest') return fail(`expected "kind": "forest", got ${JSON.stringify(m.kind)}`);
  if (!Number.isInteger(m.featureCount) || m.featureCount! < 1) return fail('"featureCount" must be an integer ≥ 1');
  const arrays = ['feature', 'threshold', 'left', 'right', 'value'] as const;
  for (const key of arrays) if (!Array.isArray(m[key])) return fail(`"${key}" must be an array of numbers`);
  const nodes = m.feature!.length;
  for (const key of arrays)
    if (m[key]!.length !== nodes) return fail(`"${key}" has ${m[key]!.length} entries, expected ${nodes} (one per node)`);
  for (const key of ['trainingPrevalence', 'fitPrevalence'] as const) {
    if (typeof m[key] !== 'number' || !(m[key]! > 0 && m[key]! < 1)) return fail(`"${key}" must be a number strictly between 0 and 1`);
  }
  if (!Array.isArray(m.roots) || m.roots.length === 0) return fail('"roots" must be a non-empty array of node indices');
  for (const r of m.roots) if (!Number.isInteger(r) || r < 0 || r >= nodes) return fail(`root ${String(r)} is not a node index`);
  for (let i = 0; i < nodes; i++) {
    const f = m.feature![i]!;
    if (!Number.isInteger(f) || f < -1 || f >= m.featureCount!) return fail(`node ${i} splits on feature ${String(f)}`);
    // Children come after their parent, so traversal always terminates.
    if (
      f >= 0 &&
      !(
        Number.isInteger(m.left![i]) &&
        Number.isInteger(m.right![i]) &&
        m.left![i]! > i &&
        m.right![i]! > i &&
        m.left![i]! < nodes &&
        m.right![i]! < nodes
      )
    ) {
      return fail(`node ${i} has children ${String(m.left![i])}, ${String(m.right![i])}; expected node indices after it`);
    }
    if (typeof m.value![i] !== 'number' || !(m.value![i]! >= 0 && m.value![i]! <= 1)) return fail(`node ${i} value must be in [0, 1]`);
  }
  return m as RandomForestModel;
}
