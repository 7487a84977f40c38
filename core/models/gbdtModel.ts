// A fitted gradient-boosted tree model as stored in the model file (bin edges and trees as flat arrays), its
// scoring from raw feature rows, and its validation on load.

import type { FeatureMatrix } from '../dataset.js';
import { InvalidInputError } from '../invalidInputError.js';
import { sigmoid } from './logisticRegression.js';

/** The options a model was boosted with, resolved (see GradientBoostingOptions). */
export interface ResolvedGbdtOptions {
  learningRate: number;
  maxIterations: number;
  maxLeafNodes: number;
  minSamplesLeaf: number;
  l2: number;
  maxBins: number;
  earlyStopping: 'auto' | 'on' | 'off';
  validationFraction: number;
  iterationsWithoutChange: number;
  tolerance: number;
  classWeight: 'none' | 'balanced';
  seed: number;
}

/** JSON-plain boosted trees; the node arrays of all trees are concatenated, as the forest's are. */
export interface GbdtModel {
  kind: 'gbdt';
  featureCount: number;
  /** Cut points of each feature's bins, fitted on the training rows (kept for inspection and re-binning). */
  binEdges: number[][];
  /** Raw score (log-odds) before the first tree: the logit of the weighted positive share. */
  baseline: number;
  /** Node index of each tree's root. */
  roots: number[];
  /** Split feature per node; −1 marks a leaf. */
  feature: number[];
  /** Rows with x[feature] ≤ threshold go left; 0 at leaves. */
  threshold: number[];
  /** 1: a missing (NaN) value goes left at this node; 0: right. */
  missingLeft: number[];
  left: number[];
  right: number[];
  /** Leaf raw-score increment (learning rate applied); 0 at inner nodes. */
  value: number[];
  options: ResolvedGbdtOptions;
  /** Boosting iterations run (trees), fewer than maxIterations when early stopping ended the fit. */
  iterations: number;
  earlyStopped: boolean;
  /** Positive share of the training rows as given (unweighted). */
  trainingPrevalence: number;
  /**
   * Positive share of the weight the loss was fitted under, the scale of the model's probabilities: 1/2 with
   * balanced class weights, else the (sample-weighted) positive share. The `prevalence` threshold policy uses it.
   */
  fitPrevalence: number;
}

function gbdtNodeArrays(model: GbdtModel) {
  return {
    feature: Int32Array.from(model.feature),
    threshold: Float64Array.from(model.threshold),
    missingLeft: Uint8Array.from(model.missingLeft),
    left: Int32Array.from(model.left),
    right: Int32Array.from(model.right),
    value: Float64Array.from(model.value),
    roots: Int32Array.from(model.roots),
  };
}

/**
 * Raw score (log-odds) of the rows of `x`: baseline plus each tree's leaf value. Missing (NaN) values follow each
 * node's learned direction.
 */
export function rawScoreGbdt(model: GbdtModel, x: FeatureMatrix): Float64Array {
  const d = model.featureCount;
  if (x.cols !== d) {
    throw new InvalidInputError('feature matrix', `feature matrix: expected ${d} feature columns (as trained), got ${x.cols}`);
  }
  const { feature, threshold, missingLeft, left, right, value, roots } = gbdtNodeArrays(model);
  const out = new Float64Array(x.rows).fill(model.baseline);
  const v = x.values;
  for (let t = 0; t < roots.length; t++) {
    const root = roots[t]!;
    for (let r = 0; r < x.rows; r++) {
      const base = r * d;
      let node = root;
      let f = feature[node]!;
      while (f >= 0) {
        const xv = v[base + f]!;
        const goLeft = xv <= threshold[node]! || (xv !== xv && missingLeft[node] === 1);
        node = goLeft ? left[node]! : right[node]!;
        f = feature[node]!;
      }
      out[r]! += value[node]!;
    }
  }
  return out;
}

/** P(y = 1 | x) for each row of `x`: the sigmoid of the raw score. */
export function predictProbaGbdt(model: GbdtModel, x: FeatureMatrix): Float64Array {
  const raw = rawScoreGbdt(model, x);
  for (let r = 0; r < raw.length; r++) raw[r] = sigmoid(raw[r]!);
  return raw;
}

/** A one-row scorer with the node arrays prepared once: the same arithmetic, in the same order, as the batch path. */
export function compileGbdtRowScorer(model: GbdtModel): (x: Float64Array) => number {
  const { feature, threshold, missingLeft, left, right, value, roots } = gbdtNodeArrays(model);
  return (x) => {
    let sum = model.baseline;
    for (let t = 0; t < roots.length; t++) {
      let node = roots[t]!;
      let f = feature[node]!;
      while (f >= 0) {
        const xv = x[f]!;
        const goLeft = xv <= threshold[node]! || (xv !== xv && missingLeft[node] === 1);
        node = goLeft ? left[node]! : right[node]!;
        f = feature[node]!;
      }
      sum += value[node]!;
    }
    return sigmoid(sum);
  };
}

/** Validates a parsed gbdt model (e.g. from a model file); `source` names it in errors. */
export function parseGbdtModel(json: unknown, source: string): GbdtModel {
  const fail = (what: string): never => {
    throw new InvalidInputError(source, `${source} is not a usable rareflow gbdt model: ${what}.`);
  };
  if (typeof json !== 'object' || json === null) return fail('expected a JSON object');
  const m = json as Partial<GbdtModel>;
  if (m.kind !== 'gbdt') return fail(`expected "kind": "gbdt", got ${JSON.stringify(m.kind)}`);
  if (!Number.isInteger(m.featureCount) || m.featureCount! < 1) return fail('"featureCount" must be an integer ≥ 1');
  if (typeof m.baseline !== 'number' || !Number.isFinite(m.baseline)) return fail('"baseline" must be a finite number');
  if (!Array.isArray(m.binEdges) || m.binEdges.length !== m.featureCount || m.binEdges.some((e) => !Array.isArray(e))) {
    return fail(`"binEdges" must hold one list of cut points per feature (${String(m.featureCount)})`);
  }
  const arrays = ['feature', 'threshold', 'missingLeft', 'left', 'right', 'value'] as const;
  for (const key of arrays) if (!Array.isArray(m[key])) return fail(`"${key}" must be an array of numbers`);
  const nodes = m.feature!.length;
  for (const key of arrays)
    if (m[key]!.length !== nodes) return fail(`"${key}" has ${m[key]!.length} entries, expected ${nodes} (one per node)`);
  for (const key of ['trainingPrevalence', 'fitPrevalence'] as const) {
    if (typeof m[key] !== 'number' || !(m[key]! > 0 && m[key]! < 1)) return fail(`"${key}" must be a number strictly between 0 and 1`);
  }
  if (!Array.isArray(m.roots)) return fail('"roots" must be an array of node indices');
  for (const r of m.roots) if (!Number.isInteger(r) || r < 0 || r >= nodes) return fail(`root ${String(r)} is not a node index`);
  for (let i = 0; i < nodes; i++) {
    const f = m.feature![i]!;
    if (!Number.isInteger(f) || f < -1 || f >= m.featureCount!) return fail(`node ${i} splits on feature ${String(f)}`);
    if (typeof m.value![i] !== 'number' || !Number.isFinite(m.value![i])) return fail(`node ${i} value must be a finite number`);
    if (f < 0) continue;
    const l = m.left![i]!;
    const r = m.right![i]!;
    // Children come after their parent, so traversal always terminates.
    if (!(Number.isInteger(l) && Number.isInteger(r) && l > i && r > i && l < nodes && r < nodes)) {
      return fail(`node ${i} has children ${String(l)}, ${String(r)}; expected node indices after it`);
    }
    if (typeof m.threshold![i] !== 'number' || Number.isNaN(m.threshold![i])) return fail(`node ${i} threshold must be a number`);
    if (m.missingLeft![i] !== 0 && m.missingLeft![i] !== 1) return fail(`node ${i} "missingLeft" must be 0 or 1`);
  }
  return m as GbdtModel;
}
