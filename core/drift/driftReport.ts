// One drift report per serving window against a stored reference from training and validation: feature shift
// (PSI + KS, BH across features, effect-size gated), label-prior shift, prediction shift, and per-class
// performance measured on labels or estimated from calibrated scores.

import { InvalidInputError } from '../invalidInputError.js';
import { benjaminiHochberg } from './benjaminiHochberg.js';
import { categoricalColumnsInReferenceOrder, categoricalFeatureTest, type CategoricalFeatureDrift } from './categoricalDrift.js';
import { chiSquareGoodnessOfFit, type ChiSquareResult } from './chiSquare.js';
import { classDrift, type ClassDriftResult } from './classDrift.js';
import { confidenceBasedPerformance, type EstimatedPerformanceResult } from './confidenceBasedPerformance.js';
import { kolmogorovSmirnov } from './kolmogorovSmirnov.js';
import { estimateVerdicts } from './labelledEvidence.js';
import { assertNamedMatrix, type DriftReference } from './driftReference.js';
import { assertWindowColumns, calibratedProbabilities, columnIndex, type DriftWindow } from './driftWindow.js';
import { resolveOptions, type DriftOptions } from './driftOptions.js';
import { assertReferencePerformance, performanceDrift, type PerformanceDriftResult } from './performanceDrift.js';
import { predictionDrift, type PredictionDriftResult } from './predictionDrift.js';
import { populationStabilityIndex } from './populationStabilityIndex.js';

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
  /** Reference and window share per reference bin (`edges` as in ReferenceBins); null when not run. */
  histogram: { edges: number[]; reference: number[]; current: number[] } | null;
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
  /** In the reference's categorical order; empty when the reference has none. */
  categoricalFeatures: CategoricalFeatureDrift[];
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
  /**
   * Multi-class models (reference and window both carry classes): label prior and predicted classes over all
   * classes, and per-class recall on labels. The binary label, prediction and performance tests above read the
   * first class as positive.
   */
  classDrift?: ClassDriftResult;
  /** Any feature, the label prior, the predictions, a measured performance, or an estimate the labels do not cover drifted. */
  drifted: boolean;
  /** One sentence with the numbers per finding. */
  reasons: string[];
  /** One sentence per test that could not run or compare. */
  insufficient: string[];
}

function fmt(v: number): string {
  return Number(v.toPrecision(3)).toString();
}

/**
 * Numeric (PSI + KS) and categorical (PSI + chi-square) tests, with one Benjamini–Hochberg adjustment over all of
 * them. A categorical feature whose chi-square could not run (too few rows per bin) keeps a null q and never drifts.
 */
function featureDrift(
  reference: DriftReference,
  window: DriftWindow,
  columns: Int32Array,
  categorical: string[][],
  o: DriftOptions,
): { features: FeatureDrift[]; categoricalFeatures: CategoricalFeatureDrift[] } {
  const { rows, cols, values } = window.features;
  const column = new Float64Array(rows);
  const tested = reference.features.map((f, k) => {
    const c = columns[k]!;
    for (let r = 0; r < rows; r++) column[r] = values[r * cols + c]!;
    const { psi, currentProportions } = populationStabilityIndex(f.bins, column, { epsilon: o.epsilon });
    const ks = kolmogorovSmirnov(Float64Array.from(f.sample), column);
    const histogram = { edges: [...f.bins.edges], reference: [...f.bins.proportions], current: currentProportions };
    return { name: f.name, psi, ks: ks.statistic, pValue: ks.pValue, histogram };
  });
  const testedCategorical = (reference.categoricalFeatures ?? []).map((f, k) =>
    categoricalFeatureTest(f, categorical[k]!, { epsilon: o.epsilon, minExpected: o.minExpected }),
  );
  const runnable = testedCategorical.filter((t) => t.pValue !== null);
  const q = benjaminiHochberg([...tested.map((t) => t.pValue), ...runnable.map((t) => t.pValue!)]);
  const features = tested.map((t, k) => ({
    ...t,
    qValue: q[k]!,
    drifted: q[k]! <= o.fdr && (t.psi >= o.psiThreshold || t.ks >= o.ksThreshold),
  }));
  const categoricalFeatures = testedCategorical.map((t) => {
    const k = runnable.indexOf(t);
    const qValue = k >= 0 ? q[tested.length + k]! : null;
    return { ...t, qValue, drifted: qValue !== null && qValue <= o.fdr && t.psi! >= o.psiThreshold };
  });
  return { features, categoricalFeatures };
}

function minorityFeatureDrift(
  reference: DriftReference,
  window: DriftWindow,
  labels: Int8Array,
  positives: number,
  columns: Int32Array,
  o: DriftOptions,
): MinorityFeatureDrift[] {
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
  if (window === null || typeof window !== 'object')
    throw new InvalidInputError('window', `window: expected {features, scores, labels?}, got ${String(window)}`);
  assertNamedMatrix(window.features, 'window.features');
  const columns = columnIndex(reference, window.features.names);
  const rows = window.features.rows;
  assertWindowColumns(window, rows);
  const categorical = categoricalColumnsInReferenceOrder(reference.categoricalFeatures ?? [], window.categorical, rows);
  const labels = window.labels;

  const reasons: string[] = [];
  const insufficient: string[] = [];
  let features: FeatureDrift[];
  let categoricalFeatures: CategoricalFeatureDrift[];
  let predictionShift: PredictionDriftResult | null = null;
  if (rows < o.minRows) {
    features = reference.features.map((f) => ({
      name: f.name,
      psi: null,
      ks: null,
      pValue: null,
      qValue: null,
      drifted: false,
      histogram: null,
    }));
    categoricalFeatures = (reference.categoricalFeatures ?? []).map((f) => ({
      name: f.name,
      psi: null,
      chiSquare: null,
      degreesOfFreedom: null,
      pValue: null,
      qValue: null,
      drifted: false,
      histogram: null,
      unseen: [],
    }));
    insufficient.push(`feature and prediction tests not run: the window has ${rows} rows, below the minimum ${o.minRows}`);
  } else {
    ({ features, categoricalFeatures } = featureDrift(reference, window, columns, categorical, o));
    for (const f of features) {
      if (f.drifted)
        reasons.push(`feature "${f.name}" shifted: PSI ${fmt(f.psi!)}, KS D ${fmt(f.ks!)}, q = ${f.qValue!.toExponential(2)} ≤ ${o.fdr}`);
    }
    for (const f of categoricalFeatures) {
      if (f.drifted) {
        const unseen = f.unseen.reduce((s, u) => s + u.count, 0);
        reasons.push(
          `categorical feature "${f.name}" shifted: PSI ${fmt(f.psi!)}, chi-square ${fmt(f.chiSquare!)} (df ${f.degreesOfFreedom}), ` +
            `q = ${f.qValue!.toExponential(2)} ≤ ${o.fdr}${unseen > 0 ? `; ${unseen} rows in categories unseen in training` : ''}`,
        );
      }
      if (f.pValue === null)
        insufficient.push(`categorical feature "${f.name}": chi-square not run, fewer than two categories with enough rows`);
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
      if (f.drifted)
        reasons.push(
          `feature "${f.name}" shifted among the ${labelledPositives} labelled positives: KS D ${fmt(f.ks)}, q = ${f.qValue.toExponential(2)} ≤ ${o.fdr}`,
        );
    }
  } else {
    insufficient.push(
      `minority-class feature tests not run: ${labelledPositives} labelled positives, below the minimum ${o.minPositiveRows}`,
    );
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
    insufficient.push(
      'estimated performance not run: the scores are not probabilities in [0, 1] and no calibrated probabilities were given',
    );
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

  let classes: ClassDriftResult | undefined;
  if (reference.classes !== undefined && window.classes !== undefined) {
    if (window.classes.predicted.length !== rows)
      throw new InvalidInputError(
        'window.classes',
        `window.classes: expected ${rows} predicted classes (one per row), got ${window.classes.predicted.length}`,
      );
    classes = classDrift(reference.classes, window.classes, o);
    reasons.push(...classes.reasons);
    insufficient.push(...classes.insufficient);
  }

  const drifted =
    (classes?.drifted ?? false) ||
    features.some((f) => f.drifted) ||
    categoricalFeatures.some((f) => f.drifted) ||
    (minorityFeatures?.some((f) => f.drifted) ?? false) ||
    (shift?.drifted ?? false) ||
    (predictionShift?.drifted ?? false) ||
    (performance?.dropped ?? false) ||
    estimateDecides;
  return {
    rows,
    labelled,
    features,
    categoricalFeatures,
    minorityFeatures,
    labelShift: shift,
    predictionShift,
    performance,
    estimatedPerformance,
    estimatesSetAside,
    ...(classes !== undefined ? { classDrift: classes } : {}),
    drifted,
    reasons,
    insufficient,
  };
}
