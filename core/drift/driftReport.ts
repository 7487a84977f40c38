// One drift report per serving window against a stored reference from training and validation: feature shift
// (PSI + KS, BH across features, effect-size gated), label-prior shift, prediction shift, and per-class
// performance measured on labels or estimated from calibrated scores.

import type { FeatureMatrix } from '../dataset.js';
import { InvalidInputError } from '../invalidInputError.js';
import { deriveSeed } from '../random.js';
import { benjaminiHochberg } from './benjaminiHochberg.js';
import { chiSquareGoodnessOfFit, type ChiSquareResult } from './chiSquare.js';
import { confidenceBasedPerformance, type EstimatedPerformanceResult } from './confidenceBasedPerformance.js';
import { kolmogorovSmirnov } from './kolmogorovSmirnov.js';
import { estimateVerdicts } from './labelledEvidence.js';
import { assertReferencePerformance, assertScores, assertThreshold, performanceDrift, type PerformanceDriftResult, type ReferencePerformance } from './performanceDrift.js';
import { buildPredictionReference, predictionDrift, type PredictionDriftResult, type PredictionReference } from './predictionDrift.js';
import { populationStabilityIndex, referenceBins, type ReferenceBins } from './populationStabilityIndex.js';
import { referenceSampleRows, sortedColumnSample } from './referenceSample.js';

/** A row-major feature matrix with one name per column. */
export interface NamedFeatureMatrix extends FeatureMatrix {
  names: string[];
}

/** Reference of one numeric feature. */
export interface FeatureReference {
  name: string;
  /** Quantile bins of the training values. */
  bins: ReferenceBins;
  /** Ascending seeded subsample of the training values (the same rows for every feature), for KS. */
  sample: number[];
  /** Ascending seeded subsample of the training positives' values, for the minority-class KS. */
  positiveSample: number[];
}

/**
 * Everything a window is compared with, built once per model from its training and validation data.
 * JSON-plain, to be stored as an artifact next to the model; with the default cap it holds up to 5,000 numbers
 * per feature, so pass it between activities by reference, not inside a Temporal payload.
 */
export interface DriftReference {
  version: 1;
  features: FeatureReference[];
  /** Class proportions of the training labels as collected (before any resampling). */
  labelPrior: { negative: number; positive: number; n: number };
  /** Validation scores: bins, a KS subsample and the predicted-positive rate at `threshold`. */
  prediction: PredictionReference;
  /** The model's validation recall and precision per class. */
  performance: ReferencePerformance;
  /**
   * The label-free estimate (CBPE) of the same metrics on the validation rows. When present, window estimates are
   * compared with it rather than with the measured values, so a steady miscalibration of the scores cancels out.
   */
  estimatedPerformance?: ReferencePerformance;
  /** Score ≥ threshold is predicted positive. */
  threshold: number;
}

export interface DriftReferenceOptions {
  /**
   * Quantile bins per feature (and for the scores) before merging ties.
   * @default 10
   */
  bins?: number;
  /**
   * Most training rows (and validation scores) kept for the KS tests.
   * @default 5000
   */
  sampleCap?: number;
  /**
   * Seed of the subsamples.
   * @default 0
   */
  seed?: number;
}

/** One serving window. Labels arrive late for rare events, so they are optional and partial. */
export interface DriftWindow {
  features: NamedFeatureMatrix;
  /** The model's score per row; score ≥ the reference threshold is predicted positive. */
  scores: Float64Array;
  /** Known labels: 0, 1, or −1 for a row not yet labelled. Absent: no row is labelled. */
  labels?: Int8Array;
  /**
   * Calibrated P(positive) per row for the label-free performance estimate.
   * @default `scores`, taken as calibrated when every score is in [0, 1]
   */
  calibrated?: Float64Array;
}

export interface DriftOptions {
  /**
   * Fewest rows in a window for the feature and prediction tests; smaller windows report them `insufficient`.
   * @default 200
   */
  minRows: number;
  /**
   * False discovery rate across the feature tests (Benjamini–Hochberg), and the significance level of the
   * label-prior and prediction tests.
   * @default 0.01
   */
  fdr: number;
  /**
   * PSI at or above which a feature's shift is practically large.
   * @default 0.2
   */
  psiThreshold: number;
  /**
   * KS D at or above which a feature's shift is practically large.
   * @default 0.1
   */
  ksThreshold: number;
  /**
   * Floor of an empty bin's proportion in PSI.
   * @default 1e-4
   */
  epsilon: number;
  /**
   * Fewest labelled positives in a window for the minority-class feature tests.
   * @default 30
   */
  minPositiveRows: number;
  /**
   * Smallest expected count per class for the label-prior chi-square test.
   * @default 5
   */
  minExpected: number;
  /**
   * Smallest factor current/training (or its inverse) of the labelled positive rate that counts as a prior shift.
   * @default 1.5
   */
  priorRatio: number;
  /**
   * Smallest factor current/validation (or its inverse) of the predicted-positive rate that counts as a shift.
   * @default 1.5
   */
  rateRatio: number;
  /**
   * Standard-normal quantile of the predicted-positive rate's Wilson interval.
   * @default 2.575829 (99%)
   */
  rateZ: number;
  /**
   * A performance drop must exceed this much (absolute recall or precision) beyond the interval.
   * @default 0.05
   */
  tolerance: number;
  /**
   * Fewest rows behind a class's recall or precision to compare it.
   * @default { positive: 20, negative: 100 }
   */
  minSupport: { positive: number; negative: number };
  /**
   * Monte Carlo draws of the label-free performance interval.
   * @default 200
   */
  draws: number;
  /**
   * Seed of the Monte Carlo draws.
   * @default 0
   */
  seed: number;
}

export const DEFAULT_DRIFT_OPTIONS: DriftOptions = {
  minRows: 200,
  fdr: 0.01,
  psiThreshold: 0.2,
  ksThreshold: 0.1,
  epsilon: 1e-4,
  minPositiveRows: 30,
  minExpected: 5,
  priorRatio: 1.5,
  rateRatio: 1.5,
  rateZ: 2.575829,
  tolerance: 0.05,
  minSupport: { positive: 20, negative: 100 },
  draws: 200,
  seed: 0,
};

export interface FeatureDrift {
  name: string;
  /** Null when the window is below `minRows`. */
  psi: number | null;
  /** KS D; null when the window is below `minRows`. */
  ks: number | null;
  /** KS p-value. */
  pValue: number | null;
  /** BH-adjusted p-value across the window's features. */
  qValue: number | null;
  /** q ≤ fdr and (PSI ≥ psiThreshold or D ≥ ksThreshold). */
  drifted: boolean;
}

/**
 * KS of one feature over the labelled positives of the window against the training positives: a shift of the
 * rare class alone barely moves a feature's marginal distribution, but shows here.
 */
export interface MinorityFeatureDrift {
  name: string;
  /** KS D between training and window positives. */
  ks: number;
  pValue: number;
  /** BH-adjusted across the features' minority tests. */
  qValue: number;
  /** q ≤ fdr and D ≥ ksThreshold. */
  drifted: boolean;
}

/** The chi-square result on the labelled rows, with the positive rates and the verdict. */
export type LabelShift = ChiSquareResult & {
  /** Training positive rate. */
  referencePositiveRate: number;
  /** Positive rate of the labelled rows. */
  currentPositiveRate: number;
  /** p ≤ fdr and the positive rate moved by at least `priorRatio`. */
  drifted: boolean;
};

export interface DriftReport {
  rows: number;
  /** Rows with a known label. */
  labelled: number;
  /** In the reference's feature order. */
  features: FeatureDrift[];
  /** KS per feature on the labelled positives; null below `minPositiveRows` labelled positives. */
  minorityFeatures: MinorityFeatureDrift[] | null;
  /** Null when no row is labelled. */
  labelShift: LabelShift | null;
  /** Null when the window is below `minRows`. */
  predictionShift: PredictionDriftResult | null;
  /** On labelled rows; null when no row is labelled. */
  performance: PerformanceDriftResult | null;
  /** Label-free estimate; null when no calibrated probabilities are available. */
  estimatedPerformance: EstimatedPerformanceResult | null;
  /** Estimated drops of metrics that the window's labels measure: reported, but they never decide drift. */
  estimatesSetAside: string[];
  /** Any feature, the label prior, the predictions, a measured performance, or an estimate the labels do not cover drifted. */
  drifted: boolean;
  /** One sentence with the numbers per finding. */
  reasons: string[];
  /** One sentence per test that could not run or compare. */
  insufficient: string[];
}

function assertNamedMatrix(m: NamedFeatureMatrix, subject: string): void {
  if (m === null || typeof m !== 'object') throw new InvalidInputError(subject, `${subject}: expected {values, rows, cols, names}, got ${String(m)}`);
  const { values, rows, cols, names } = m;
  if (!(values instanceof Float64Array)) throw new InvalidInputError(`${subject}.values`, `${subject}.values: expected a row-major Float64Array`);
  if (!Number.isInteger(rows) || rows < 1) throw new InvalidInputError(`${subject}.rows`, `${subject}.rows: expected at least one row, got ${String(rows)}`);
  if (!Number.isInteger(cols) || cols < 1) throw new InvalidInputError(`${subject}.cols`, `${subject}.cols: expected at least one column, got ${String(cols)}`);
  if (values.length !== rows * cols) {
    throw new InvalidInputError(`${subject}.values`, `${subject}.values: expected ${rows}×${cols} = ${rows * cols} values, got ${values.length}`);
  }
  if (!Array.isArray(names) || names.length !== cols) {
    throw new InvalidInputError(`${subject}.names`, `${subject}.names: expected ${cols} column names (one per column), got ${Array.isArray(names) ? names.length : String(names)}`);
  }
  const seen = new Set<string>();
  for (const name of names) {
    if (typeof name !== 'string' || name === '') throw new InvalidInputError(`${subject}.names`, `${subject}.names: expected non-empty strings, got ${JSON.stringify(name)}`);
    if (seen.has(name)) throw new InvalidInputError(`${subject}.names`, `${subject}.names: expected distinct names, got "${name}" twice`);
    seen.add(name);
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) {
      const name = names[i % cols]!;
      throw new InvalidInputError(
        `${subject} column "${name}"`,
        `${subject} column "${name}": expected finite values, got ${v} at row ${Math.floor(i / cols)}; impute or drop missing values before the drift check`,
      );
    }
  }
}

/**
 * Builds the stored reference: quantile bins and a seeded subsample (the same rows for every feature) of the
 * training features, the training class prior, and the validation scores' bins, subsample and predicted-positive
 * rate. Pass the training data as collected: after oversampling, the prior and the feature distributions would
 * describe the synthetic rows, not the population the model serves.
 */
export function buildDriftReference(
  trainingFeatures: NamedFeatureMatrix,
  trainingLabels: Uint8Array,
  validationScores: Float64Array,
  threshold: number,
  validationPerClass: ReferencePerformance,
  options: DriftReferenceOptions = {},
): DriftReference {
  assertNamedMatrix(trainingFeatures, 'trainingFeatures');
  const { rows, cols, values, names } = trainingFeatures;
  if (!(trainingLabels instanceof Uint8Array) || trainingLabels.length !== rows) {
    throw new InvalidInputError('trainingLabels', `trainingLabels: expected a Uint8Array of ${rows} labels (one per training row), got ${trainingLabels?.length}`);
  }
  let positives = 0;
  for (let i = 0; i < rows; i++) {
    const y = trainingLabels[i]!;
    if (y !== 0 && y !== 1) throw new InvalidInputError('trainingLabels', `trainingLabels: expected 0 or 1, got ${y} at row ${i}`);
    positives += y;
  }
  if (positives === 0 || positives === rows) {
    throw new InvalidInputError('trainingLabels', `trainingLabels: expected both classes, got ${positives} positives in ${rows} rows`);
  }
  assertThreshold(threshold);
  assertReferencePerformance(validationPerClass, 'validationPerClass');
  const bins = options.bins ?? 10;
  const sampleCap = options.sampleCap ?? 5000;
  const seed = options.seed ?? 0;
  const sampleRows = referenceSampleRows(rows, sampleCap, deriveSeed(seed, 'features'));
  const positiveRows = new Int32Array(positives);
  for (let i = 0, k = 0; i < rows; i++) if (trainingLabels[i] === 1) positiveRows[k++] = i;
  const positiveSampleRows = referenceSampleRows(positives, sampleCap, deriveSeed(seed, 'positives')).map((k) => positiveRows[k]!);
  const column = new Float64Array(rows);
  const features: FeatureReference[] = names.map((name, c) => {
    for (let r = 0; r < rows; r++) column[r] = values[r * cols + c]!;
    return {
      name,
      bins: referenceBins(column, bins),
      sample: sortedColumnSample(values, cols, c, sampleRows),
      positiveSample: sortedColumnSample(values, cols, c, positiveSampleRows),
    };
  });
  return {
    version: 1,
    features,
    labelPrior: { negative: (rows - positives) / rows, positive: positives / rows, n: rows },
    prediction: buildPredictionReference(validationScores, threshold, { bins, sampleCap, seed: deriveSeed(seed, 'scores') }),
    performance: { negative: { ...validationPerClass.negative }, positive: { ...validationPerClass.positive } },
    threshold,
  };
}

function resolveOptions(options: Partial<DriftOptions>): DriftOptions {
  const o: DriftOptions = { ...DEFAULT_DRIFT_OPTIONS, ...options, minSupport: { ...DEFAULT_DRIFT_OPTIONS.minSupport, ...options.minSupport } };
  for (const key of ['minRows', 'minPositiveRows'] as const) {
    if (!Number.isInteger(o[key]) || o[key] < 1) throw new InvalidInputError(key, `${key}: expected an integer ≥ 1, got ${String(o[key])}`);
  }
  if (typeof o.fdr !== 'number' || !(o.fdr > 0 && o.fdr < 1)) throw new InvalidInputError('fdr', `fdr: expected a rate in (0, 1), got ${String(o.fdr)}`);
  for (const key of ['psiThreshold', 'ksThreshold'] as const) {
    if (typeof o[key] !== 'number' || !(o[key] > 0)) throw new InvalidInputError(key, `${key}: expected a number > 0, got ${String(o[key])}`);
  }
  if (typeof o.priorRatio !== 'number' || !(o.priorRatio >= 1) || !Number.isFinite(o.priorRatio)) {
    throw new InvalidInputError('priorRatio', `priorRatio: expected a finite number ≥ 1, got ${String(o.priorRatio)}`);
  }
  return o;
}

function fmt(v: number): string {
  return Number(v.toPrecision(3)).toString();
}

function columnIndex(reference: DriftReference, names: string[]): Int32Array {
  const position = new Map<string, number>();
  names.forEach((name, c) => position.set(name, c));
  const expected = reference.features.map((f) => f.name);
  const missing = expected.filter((name) => !position.has(name));
  const known = new Set(expected);
  const extra = names.filter((name) => !known.has(name));
  if (missing.length > 0 || extra.length > 0) {
    const parts = [];
    if (missing.length > 0) parts.push(`missing ${missing.map((n) => `"${n}"`).join(', ')}`);
    if (extra.length > 0) parts.push(`not in the reference ${extra.map((n) => `"${n}"`).join(', ')}`);
    throw new InvalidInputError(
      'window.features.names',
      `window.features.names: expected the ${expected.length} reference features (any order), got ${names.length} columns: ${parts.join('; ')}; rebuild the reference after a schema change`,
    );
  }
  return Int32Array.from(expected, (name) => position.get(name)!);
}

function featureDrift(reference: DriftReference, window: DriftWindow, columns: Int32Array, o: DriftOptions): FeatureDrift[] {
  const { rows, cols, values } = window.features;
  const column = new Float64Array(rows);
  const tested = reference.features.map((f, k) => {
    const c = columns[k]!;
    for (let r = 0; r < rows; r++) column[r] = values[r * cols + c]!;
    const { psi } = populationStabilityIndex(f.bins, column, { epsilon: o.epsilon });
    const ks = kolmogorovSmirnov(Float64Array.from(f.sample), column);
    return { name: f.name, psi, ks: ks.statistic, pValue: ks.pValue };
  });
  const q = benjaminiHochberg(tested.map((t) => t.pValue));
  return tested.map((t, k) => ({
    ...t,
    qValue: q[k]!,
    drifted: q[k]! <= o.fdr && (t.psi >= o.psiThreshold || t.ks >= o.ksThreshold),
  }));
}

function minorityFeatureDrift(reference: DriftReference, window: DriftWindow, labels: Int8Array, positives: number, columns: Int32Array, o: DriftOptions): MinorityFeatureDrift[] {
  const { rows, cols, values } = window.features;
  const positiveRows = new Int32Array(positives);
  for (let r = 0, k = 0; r < rows; r++) if (labels[r] === 1) positiveRows[k++] = r;
  const column = new Float64Array(positives);
  const tested = reference.features.map((f, k) => {
    const c = columns[k]!;
    for (let i = 0; i < positives; i++) column[i] = values[positiveRows[i]! * cols + c]!;
    const ks = kolmogorovSmirnov(Float64Array.from(f.positiveSample), column);
    return { name: f.name, ks: ks.statistic, pValue: ks.pValue };
  });
  const q = benjaminiHochberg(tested.map((t) => t.pValue));
  return tested.map((t, k) => ({ ...t, qValue: q[k]!, drifted: q[k]! <= o.fdr && t.ks >= o.ksThreshold }));
}

function labelShift(reference: DriftReference, labels: Int8Array, o: DriftOptions): LabelShift | null {
  let negatives = 0;
  let positives = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === 1) positives++;
    else if (labels[i] === 0) negatives++;
  }
  if (negatives + positives === 0) return null;
  const result = chiSquareGoodnessOfFit([negatives, positives], [reference.labelPrior.negative, reference.labelPrior.positive], {
    minExpected: o.minExpected,
    classNames: ['the negative class', 'the positive class'],
  });
  const referencePositiveRate = reference.labelPrior.positive;
  const currentPositiveRate = positives / (negatives + positives);
  const factor = currentPositiveRate / referencePositiveRate;
  const large = factor >= o.priorRatio || factor <= 1 / o.priorRatio;
  return { ...result, referencePositiveRate, currentPositiveRate, drifted: result.status === 'tested' && result.pValue <= o.fdr && large };
}

/** Scores, labels and calibrated probabilities: one per row, each in its range. */
function assertWindowColumns(window: DriftWindow, rows: number): void {
  assertScores(window.scores, rows, 'window.scores');
  const labels = window.labels;
  if (labels !== undefined) {
    if (!(labels instanceof Int8Array) || labels.length !== rows) {
      throw new InvalidInputError('window.labels', `window.labels: expected an Int8Array of ${rows} labels (one per row; −1 = unknown), got ${labels?.length}`);
    }
    for (let i = 0; i < rows; i++) {
      const y = labels[i]!;
      if (y !== -1 && y !== 0 && y !== 1) throw new InvalidInputError('window.labels', `window.labels: expected 0, 1 or −1 (unknown), got ${y} at row ${i}`);
    }
  }
  if (window.calibrated !== undefined) {
    assertScores(window.calibrated, rows, 'window.calibrated');
    const bad = window.calibrated.findIndex((p) => !(p >= 0 && p <= 1));
    if (bad >= 0) throw new InvalidInputError('window.calibrated', `window.calibrated: expected probabilities in [0, 1], got ${window.calibrated[bad]} at row ${bad}`);
  }
}

/** Calibrated probabilities for the estimate: the window's own, or its scores when all lie in [0, 1]; else null. */
function calibratedProbabilities(window: DriftWindow): Float64Array | null {
  if (window.calibrated !== undefined) return window.calibrated;
  for (let i = 0; i < window.scores.length; i++) {
    const s = window.scores[i]!;
    if (!(s >= 0 && s <= 1)) return null;
  }
  return window.scores;
}

/**
 * Compares one window with the reference. Feature tests (PSI + KS per feature) and the prediction tests need
 * `minRows` rows. A feature is flagged only when it is both significant after Benjamini–Hochberg across the
 * features (q ≤ fdr) and practically large (PSI ≥ psiThreshold or KS D ≥ ksThreshold): with tens of thousands
 * of rows every negligible shift is significant. The label prior is tested on the labelled rows (chi-square,
 * flagged at p ≤ fdr with a positive-rate factor of at least priorRatio), performance on labelled rows against
 * the validation values, and estimated performance (CBPE) from calibrated probabilities; an estimate decides only
 * for the metrics the labelled rows do not measure (see estimateVerdicts). With at least
 * `minPositiveRows` labelled positives, each feature is also KS-tested among the positives alone (BH, q ≤ fdr
 * and D ≥ ksThreshold), which catches a shift of the rare class that its marginals hide.
 */
export function driftReport(reference: DriftReference, window: DriftWindow, options: Partial<DriftOptions> = {}): DriftReport {
  const o = resolveOptions(options);
  if (reference === null || typeof reference !== 'object' || reference.version !== 1 || !Array.isArray(reference.features)) {
    throw new InvalidInputError('reference', 'reference: expected a DriftReference of version 1 (from buildDriftReference)');
  }
  if (window === null || typeof window !== 'object') throw new InvalidInputError('window', `window: expected {features, scores, labels?}, got ${String(window)}`);
  assertNamedMatrix(window.features, 'window.features');
  const columns = columnIndex(reference, window.features.names);
  const rows = window.features.rows;
  assertWindowColumns(window, rows);
  const labels = window.labels;

  const reasons: string[] = [];
  const insufficient: string[] = [];
  let features: FeatureDrift[];
  let predictionShift: PredictionDriftResult | null = null;
  if (rows < o.minRows) {
    features = reference.features.map((f) => ({ name: f.name, psi: null, ks: null, pValue: null, qValue: null, drifted: false }));
    insufficient.push(`feature and prediction tests not run: the window has ${rows} rows, below the minimum ${o.minRows}`);
  } else {
    features = featureDrift(reference, window, columns, o);
    for (const f of features) {
      if (f.drifted) reasons.push(`feature "${f.name}" shifted: PSI ${fmt(f.psi!)}, KS D ${fmt(f.ks!)}, q = ${f.qValue!.toExponential(2)} ≤ ${o.fdr}`);
    }
    predictionShift = predictionDrift(reference.prediction, window.scores, {
      alpha: o.fdr,
      psiThreshold: o.psiThreshold,
      ksThreshold: o.ksThreshold,
      rateZ: o.rateZ,
      rateRatio: o.rateRatio,
      epsilon: o.epsilon,
    });
    reasons.push(...predictionShift.reasons);
  }

  let labelled = 0;
  let labelledPositives = 0;
  let shift: LabelShift | null = null;
  let performance: PerformanceDriftResult | null = null;
  let minorityFeatures: MinorityFeatureDrift[] | null = null;
  if (labels !== undefined) {
    for (let i = 0; i < rows; i++) {
      if (labels[i] !== -1) labelled++;
      if (labels[i] === 1) labelledPositives++;
    }
  }
  if (labels !== undefined && labelledPositives >= o.minPositiveRows) {
    minorityFeatures = minorityFeatureDrift(reference, window, labels, labelledPositives, columns, o);
    for (const f of minorityFeatures) {
      if (f.drifted) reasons.push(`feature "${f.name}" shifted among the ${labelledPositives} labelled positives: KS D ${fmt(f.ks)}, q = ${f.qValue.toExponential(2)} ≤ ${o.fdr}`);
    }
  } else {
    insufficient.push(`minority-class feature tests not run: ${labelledPositives} labelled positives, below the minimum ${o.minPositiveRows}`);
  }
  if (labels !== undefined && labelled > 0) {
    shift = labelShift(reference, labels, o);
    if (shift !== null && shift.status === 'insufficient') insufficient.push(shift.reason);
    if (shift !== null && shift.status === 'tested' && shift.drifted) {
      reasons.push(
        `label prior shifted: positive rate ${fmt(shift.currentPositiveRate)} in ${shift.n} labelled rows vs ${fmt(shift.referencePositiveRate)} in training ` +
          `(chi-square ${fmt(shift.statistic)}, p = ${shift.pValue.toExponential(2)} ≤ ${o.fdr})`,
      );
    }
    performance = performanceDrift(labels, window.scores, reference.threshold, reference.performance, o);
    reasons.push(...performance.reasons);
    insufficient.push(...performance.insufficient);
  } else {
    insufficient.push('label-prior and measured performance not run: no labelled rows in the window');
  }

  let estimatedPerformance: EstimatedPerformanceResult | null = null;
  let estimateDecides = false;
  let estimatesSetAside: string[] = [];
  const calibrated = calibratedProbabilities(window);
  if (calibrated === null) {
    insufficient.push('estimated performance not run: the scores are not probabilities in [0, 1] and no calibrated probabilities were given');
  } else {
    const estimatedReference = reference.estimatedPerformance;
    if (estimatedReference !== undefined) assertReferencePerformance(estimatedReference, 'reference.estimatedPerformance');
    estimatedPerformance = confidenceBasedPerformance(calibrated, reference.threshold, estimatedReference ?? reference.performance, {
      ...(estimatedReference !== undefined ? { referenceName: 'the same estimate on the validation rows' } : {}),
      scores: window.scores,
      tolerance: o.tolerance,
      minSupport: o.minSupport,
      draws: o.draws,
      seed: o.seed,
    });
    const verdicts = estimateVerdicts(performance, estimatedPerformance);
    reasons.push(...verdicts.decisive);
    estimateDecides = verdicts.decisive.length > 0;
    estimatesSetAside = verdicts.setAside;
    insufficient.push(...estimatedPerformance.insufficient);
  }

  const drifted =
    features.some((f) => f.drifted) ||
    (minorityFeatures?.some((f) => f.drifted) ?? false) ||
    (shift?.drifted ?? false) ||
    (predictionShift?.drifted ?? false) ||
    (performance?.dropped ?? false) ||
    estimateDecides;
  return { rows, labelled, features, minorityFeatures, labelShift: shift, predictionShift, performance, estimatedPerformance, estimatesSetAside, drifted, reasons, insufficient };
}
