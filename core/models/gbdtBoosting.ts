// Histogram gradient boosting for binary classification (logistic loss), after scikit-learn's
// HistGradientBoostingClassifier: binned features, leaf-wise trees, early stopping on a stratified inner split.

import { classCounts, type FeatureMatrix, type LabelledData } from '../dataset.js';
import { InvalidInputError } from '../invalidInputError.js';
import { deriveSeed, seededRandom } from '../random.js';
import { checkSampleWeights } from '../sampling/sampleWeights.js';
import { stratifiedSplit } from '../sampling/stratifiedSplit.js';
import { binningSample, binRows, fitBinEdges, MAX_VALUE_BINS } from './gbdtBinning.js';
import type { GbdtModel, ResolvedGbdtOptions } from './gbdtModel.js';
import { LocalHistograms, plainMemory, sharedMemory, type HistogramInputs } from './gbdtHistograms.js';
import { GbdtWorkers, type SharedBinning } from './gbdtWorkers.js';
import { addTreeOnBins, growGbdtTree, type GbdtTrainingBins, type GbdtTree } from './gbdtTree.js';
import { sigmoid } from './logisticRegression.js';

export interface GradientBoostingOptions {
  /** Shrinkage of each tree's leaf values, in (0, 1]. @default 0.1 */
  learningRate?: number;
  /** Most boosting iterations (trees). @default 200 */
  maxIterations?: number;
  /** Most leaves per tree (trees grow best-first up to it), ≥ 2. @default 31 */
  maxLeafNodes?: number;
  /** Fewest training rows in a leaf. @default 20 */
  minSamplesLeaf?: number;
  /** L2 penalty on leaf values (λ in −G/(H+λ)), ≥ 0. @default 0 */
  l2?: number;
  /** Most value bins per feature, 2..255 (missing values have a bin of their own on top). @default 255 */
  maxBins?: number;
  /**
   * `'auto'` stops early when the training set has ≥ 10,000 rows (scikit-learn's 'auto'): a stratified
   * `validationFraction` of the rows is held out and boosting stops once `iterationsWithoutChange` iterations in a
   * row fail to lower its weighted logistic loss by more than `tolerance`. With fewer than 10 rows of either class
   * no split is made and boosting runs all `maxIterations`, under `'on'` too.
   * @default 'auto'
   */
  earlyStopping?: 'auto' | 'on' | 'off';
  /** @default 0.1 */
  validationFraction?: number;
  /** @default 10 */
  iterationsWithoutChange?: number;
  /** @default 1e-7 */
  tolerance?: number;
  /**
   * `'balanced'` weighs each row by n / (2 · n_class) (with sample weights: Σs / (2 · Σs over the class)), so the
   * loss sees a 1:1 class mix and the scores estimate P(positive) under it. The model's `fitPrevalence` is then 1/2,
   * so the default `prevalence` threshold policy (q* = π) puts the threshold at 1/2: the threshold a logistic
   * regression fitted with balanced class weights gets, and the right one on a 1:1 probability scale (the Bayes rule
   * there is the q*-rule of the raw data). `bayes`, `cost:L0,L1` and `gmean` apply to these scores as to the others'.
   * @default 'balanced'
   */
  classWeight?: 'none' | 'balanced';
  /** Per-row weights: finite, ≥ 0, some weight > 0 in each class; they scale each row's gradient and hessian. @default none */
  sampleWeights?: ArrayLike<number>;
  /** Seed of the inner validation split and the binning subsample. @default 0 */
  seed?: number;
  /** Called after each boosting iteration with the trees grown so far (an activity heartbeats it). @default none */
  onIteration?: (treesGrown: number, maxIterations: number) => void;
}

/** Rows of the smaller class below which no inner validation split is made, even under `earlyStopping: 'on'`. */
const MIN_EARLY_STOPPING_CLASS_ROWS = 10;
/** Training sets of at least this many rows stop early under `earlyStopping: 'auto'`. */
export const AUTO_EARLY_STOPPING_ROWS = 10_000;
/** Smallest hessian sum a child may have (scikit-learn's min_hessian_to_split). */
const MIN_HESSIAN = 1e-3;

function resolveOptions(o: GradientBoostingOptions): ResolvedGbdtOptions {
  const int = (name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in ${min}..${max}`;
      throw new InvalidInputError(name, `${name}: expected an integer ${range}, got ${String(value)}`);
    }
    return value;
  };
  const real = (name: string, value: number, ok: (v: number) => boolean, range: string): number => {
    if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) {
      throw new InvalidInputError(name, `${name}: expected a number ${range}, got ${String(value)}`);
    }
    return value;
  };
  const oneOf = <T extends string>(name: string, value: T, allowed: readonly T[]): T => {
    if (!allowed.includes(value)) {
      throw new InvalidInputError(name, `${name}: expected ${allowed.map((a) => `'${a}'`).join(' or ')}, got ${JSON.stringify(value)}`);
    }
    return value;
  };
  return {
    learningRate: real('learningRate', o.learningRate ?? 0.1, (v) => v > 0 && v <= 1, 'in (0, 1]'),
    maxIterations: int('maxIterations', o.maxIterations ?? 200, 1),
    maxLeafNodes: int('maxLeafNodes', o.maxLeafNodes ?? 31, 2),
    minSamplesLeaf: int('minSamplesLeaf', o.minSamplesLeaf ?? 20, 1),
    l2: real('l2', o.l2 ?? 0, (v) => v >= 0, '≥ 0'),
    maxBins: int('maxBins', o.maxBins ?? MAX_VALUE_BINS, 2, MAX_VALUE_BINS),
    earlyStopping: oneOf('earlyStopping', o.earlyStopping ?? 'auto', ['auto', 'on', 'off'] as const),
    validationFraction: real('validationFraction', o.validationFraction ?? 0.1, (v) => v > 0 && v < 1, 'in (0, 1)'),
    iterationsWithoutChange: int('iterationsWithoutChange', o.iterationsWithoutChange ?? 10, 1),
    tolerance: real('tolerance', o.tolerance ?? 1e-7, (v) => v >= 0, '≥ 0'),
    classWeight: oneOf('classWeight', o.classWeight ?? 'balanced', ['none', 'balanced'] as const),
    seed: int('seed', o.seed ?? 0, -0x80000000, 0xffffffff),
  };
}

/** Each row's weight in the loss: its sample weight times its class weight. */
function rowWeights(y: Uint8Array, sampleWeights: ArrayLike<number> | undefined, classWeight: 'none' | 'balanced'): Float64Array {
  const w = new Float64Array(y.length);
  const classSums = [0, 0];
  for (let i = 0; i < y.length; i++) {
    w[i] = sampleWeights ? sampleWeights[i]! : 1;
    classSums[y[i]!]! += w[i]!;
  }
  if (classWeight === 'balanced') {
    const total = classSums[0]! + classSums[1]!;
    const c = [total / (2 * classSums[0]!), total / (2 * classSums[1]!)];
    for (let i = 0; i < y.length; i++) w[i]! *= c[y[i]!]!;
  }
  return w;
}

function weightedPositiveShare(y: Uint8Array, w: Float64Array, rows: Int32Array): number {
  let pos = 0;
  let total = 0;
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k]!;
    total += w[i]!;
    if (y[i] === 1) pos += w[i]!;
  }
  return pos / total;
}

/** Weighted mean logistic loss of raw scores `raw` for labels y[rows[k]] and weights w[rows[k]]. */
function logisticLoss(raw: Float64Array, y: Uint8Array, w: Float64Array, rows: Int32Array): number {
  let loss = 0;
  let total = 0;
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k]!;
    const z = raw[k]!;
    // log(1 + e^z) − y·z, without overflow.
    const softplus = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
    loss += w[i]! * (softplus - y[i]! * z);
    total += w[i]!;
  }
  return loss / total;
}

export interface GbdtThreadOptions {
  /**
   * Threads binning the rows and building the node histograms: the calling thread and `threads` − 1 worker threads,
   * each taking the next feature not yet taken. The model is the same for every thread count.
   * @default 2
   */
  threads?: number;
  /** Training rows below which the calling thread does all the work alone. @default MIN_THREADED_ROWS */
  minThreadedRows?: number;
}

/**
 * Training rows (after the inner validation split) from which the work is shared with workers. Below it a fit takes
 * about a second or less, and starting the workers and copying the rows into shared memory (50–100 ms) can eat the
 * gain. Measured with `BENCH_GBDT_ROWS=N npm run bench:gbdt` (40 features, 90% of the rows training, 5 fits each,
 * medians, 2 cores under a load average of 6–7, 2 threads against 1): 2,000 rows 0.11 s against 0.17 s, 5,000 0.16
 * against 0.22, 10,000 0.25 against 0.47, 20,000 0.58 against 0.68; on a busy machine a second thread cannot get
 * more of it (sessions share the cores by group), so these are the costs, and the gain needs a free core.
 */
export const MIN_THREADED_ROWS = 50_000;

/** Fits boosted trees; the same data, options and seed give the same model, on any number of threads. */
export async function trainGradientBoosting(
  data: LabelledData,
  options: GradientBoostingOptions = {},
  threadOptions: GbdtThreadOptions = {},
): Promise<GbdtModel> {
  const threads = threadOptions.threads ?? 2;
  if (!Number.isInteger(threads) || threads < 1) {
    throw new InvalidInputError('threads', `threads: expected an integer ≥ 1, got ${String(threads)}`);
  }
  const opts = resolveOptions(options);
  const { x, y } = data;
  const n = y.length;
  if (x.rows !== n) throw new InvalidInputError('labels', `labels: expected one label per row (${x.rows}), got ${n}`);
  const [negatives, positives] = classCounts(y);
  if (negatives === 0 || positives === 0) {
    throw new InvalidInputError(
      'labels',
      `labels: boosting needs rows of both classes, got ${negatives} negative and ${positives} positive`,
    );
  }
  if (options.sampleWeights) checkSampleWeights(options.sampleWeights, y, 'sampleWeights');
  const w = rowWeights(y, options.sampleWeights, opts.classWeight);
  const all = Int32Array.from({ length: n }, (_, i) => i);
  // Balanced weights make the mix 1:1 by construction; say so exactly rather than as a rounded weight sum.
  const fitPrevalence = opts.classWeight === 'balanced' ? 0.5 : weightedPositiveShare(y, w, all);

  // The inner validation split needs rows of both classes on each side; with fewer, boosting runs its full length.
  const canSplit = Math.min(positives, negatives) >= MIN_EARLY_STOPPING_CLASS_ROWS;
  const stopEarly = canSplit && (opts.earlyStopping === 'on' || (opts.earlyStopping === 'auto' && n >= AUTO_EARLY_STOPPING_ROWS));
  let trainRows: Int32Array = all;
  let validationRows: Int32Array = new Int32Array(0);
  if (stopEarly) {
    const parts = stratifiedSplit(
      y,
      { train: 1 - opts.validationFraction, validation: opts.validationFraction, test: 0 },
      seededRandom(deriveSeed(opts.seed, 'gbdt validation')),
    );
    trainRows = parts.train;
    validationRows = parts.validation;
  }
  const m = trainRows.length;
  const threaded = threads > 1 && x.cols > 1 && m >= (threadOptions.minThreadedRows ?? MIN_THREADED_ROWS);
  const memory = threaded ? sharedMemory : plainMemory;
  const inputs: HistogramInputs = {
    codes: new Uint8Array(memory(x.cols * m)),
    rows: m,
    features: x.cols,
    rowIndex: new Int32Array(memory(4 * m)),
    gradients: new Float64Array(memory(8 * m)),
    hessians: new Float64Array(memory(8 * m)),
    orderedGradient: new Float64Array(memory(8 * m)),
    orderedHessian: new Float64Array(memory(8 * m)),
  };
  const binningRows = binningSample(trainRows, seededRandom(deriveSeed(opts.seed, 'gbdt bins')));
  // A tree holds at most maxLeafNodes histograms at once.
  const workers = threaded
    ? new GbdtWorkers(inputs, sharedBinning(x, trainRows, binningRows, opts.maxBins), opts.maxLeafNodes, threads)
    : null;
  let model: GbdtModel;
  try {
    let edges: number[][];
    if (workers) {
      await workers.started();
      edges = workers.cutPoints();
      workers.binCodes();
    } else {
      edges = fitBinEdges(x, binningRows, opts.maxBins);
      binRows(x, trainRows, edges, inputs.codes);
    }
    const bins: GbdtTrainingBins = {
      ...inputs,
      valueBins: Int32Array.from(edges, (e) => e.length + 1),
      edges,
      scratch: new Int32Array(m),
      histograms: workers ?? new LocalHistograms(inputs, opts.maxLeafNodes),
    };
    model = await boost(bins, y, w, trainRows, validationRows, opts, options.onIteration, {
      stopEarly,
      validationCodes: binRows(x, validationRows, edges),
      trainingPrevalence: positives / n,
      fitPrevalence,
    });
  } catch (err) {
    // The fit's own error is the one to report; the workers' end cannot add to it.
    await workers?.close().catch(() => undefined);
    throw err;
  }
  await workers?.close();
  return model;
}

/** Copies of the binning's inputs in shared memory, and room for its cut points, for the workers. */
function sharedBinning(x: FeatureMatrix, trainRows: Int32Array, chosen: Int32Array, maxBins: number): SharedBinning {
  const shared = <T extends Float64Array | Int32Array>(from: T): T => {
    const to = new (from.constructor as new (b: SharedArrayBuffer) => T)(new SharedArrayBuffer(from.byteLength));
    to.set(from);
    return to;
  };
  return {
    x: { rows: x.rows, cols: x.cols, values: shared(x.values) },
    trainRows: shared(trainRows),
    chosen: shared(chosen),
    maxBins,
    cuts: new Float64Array(sharedMemory(8 * x.cols * MAX_VALUE_BINS)),
    cutCounts: new Int32Array(sharedMemory(4 * x.cols)),
  };
}

/** The boosting loop on binned training rows, with early stopping on the validation rows when asked. */
async function boost(
  bins: GbdtTrainingBins,
  y: Uint8Array,
  w: Float64Array,
  trainRows: Int32Array,
  validationRows: Int32Array,
  opts: ResolvedGbdtOptions,
  onIteration: GradientBoostingOptions['onIteration'],
  fit: { stopEarly: boolean; validationCodes: Uint8Array; trainingPrevalence: number; fitPrevalence: number },
): Promise<GbdtModel> {
  const { stopEarly, validationCodes } = fit;
  const { rows: m, edges, gradients, hessians } = bins;
  const trainY = new Uint8Array(m);
  const trainW = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    trainY[k] = y[trainRows[k]!]!;
    trainW[k] = w[trainRows[k]!]!;
  }
  const share = Math.min(Math.max(weightedPositiveShare(y, w, trainRows), 1e-12), 1 - 1e-12);
  const baseline = Math.log(share / (1 - share));
  const raw = new Float64Array(m).fill(baseline);
  const validationRaw = new Float64Array(validationRows.length).fill(baseline);
  const losses = stopEarly ? [logisticLoss(validationRaw, y, w, validationRows)] : [];
  const growth = {
    maxLeafNodes: opts.maxLeafNodes,
    learningRate: opts.learningRate,
    minSamplesLeaf: opts.minSamplesLeaf,
    l2: opts.l2,
    minHessian: MIN_HESSIAN,
  };
  const trees: GbdtTree[] = [];
  let earlyStopped = false;
  for (let iteration = 0; iteration < opts.maxIterations; iteration++) {
    for (let k = 0; k < m; k++) {
      const p = sigmoid(raw[k]!);
      gradients[k] = trainW[k]! * (p - trainY[k]!);
      hessians[k] = trainW[k]! * p * (1 - p);
    }
    const tree = await growGbdtTree(bins, growth, raw);
    trees.push(tree);
    onIteration?.(trees.length, opts.maxIterations);
    if (stopEarly) {
      addTreeOnBins(tree, validationCodes, validationRows.length, validationRaw);
      losses.push(logisticLoss(validationRaw, y, w, validationRows));
      if (noRecentImprovement(losses, opts.iterationsWithoutChange, opts.tolerance)) {
        earlyStopped = true;
        break;
      }
    }
    // A tree that is a single leaf found no split: later ones would find none either.
    if (tree.feature.length === 1) break;
  }
  return assembleGbdtModel(trees, edges, baseline, opts, earlyStopped, fit.trainingPrevalence, fit.fitPrevalence, bins.features);
}

/**
 * scikit-learn's stopping rule: stop when none of the last `k` validation losses is below the loss of the
 * iteration before them by more than `tolerance`.
 */
function noRecentImprovement(losses: number[], k: number, tolerance: number): boolean {
  if (losses.length <= k) return false;
  const reference = losses[losses.length - k - 1]!;
  for (let i = losses.length - k; i < losses.length; i++) if (losses[i]! < reference - tolerance) return false;
  return true;
}

function assembleGbdtModel(
  trees: GbdtTree[],
  edges: number[][],
  baseline: number,
  options: ResolvedGbdtOptions,
  earlyStopped: boolean,
  trainingPrevalence: number,
  fitPrevalence: number,
  featureCount: number,
): GbdtModel {
  const model: GbdtModel = {
    kind: 'gbdt',
    featureCount,
    binEdges: edges,
    baseline,
    roots: [],
    feature: [],
    threshold: [],
    missingLeft: [],
    left: [],
    right: [],
    value: [],
    options,
    iterations: trees.length,
    earlyStopped,
    trainingPrevalence,
    fitPrevalence,
  };
  for (const t of trees) {
    const offset = model.feature.length;
    model.roots.push(offset);
    for (let i = 0; i < t.feature.length; i++) {
      const leaf = t.feature[i]! < 0;
      model.feature.push(t.feature[i]!);
      model.threshold.push(leaf ? 0 : t.threshold[i]!);
      model.missingLeft.push(!leaf && t.missingLeft[i]! ? 1 : 0);
      model.left.push(leaf ? -1 : t.left[i]! + offset);
      model.right.push(leaf ? -1 : t.right[i]! + offset);
      model.value.push(t.value[i]!);
    }
  }
  return model;
}
