// One drift report per serving window against a stored reference from training and validation: feature shift
// (PSI + KS, BH across features, effect-size gated), label-prior shift, prediction shift, and per-class
// performance measured on labels or estimated from calibrated scores.

import { InvalidInputError } from '../invalidInputError.js';
import { benjaminiHochberg } from './benjaminiHochberg.js';
import { categoricalColumnsInReferenceOrder, categoricalFeatureTest, type CategoricalFeatureDrift } from './categoricalDrift.js';
import { classDrift, classDriftWithLateLabels, type ClassDriftResult } from './classDrift.js';
import { confidenceBasedPerformance, type EstimatedPerformanceResult } from './confidenceBasedPerformance.js';
import { kolmogorovSmirnov } from './kolmogorovSmirnov.js';
import { assertLabelledRows, labelledChecks, type LabelShift, type MinorityFeatureDrift } from './labelledChecks.js';
import { estimateVerdicts } from './labelledEvidence.js';
import { assertNamedMatrix, type DriftReference } from './driftReference.js';
import { assertWindowColumns, calibratedProbabilities, columnIndex, type DriftWindow } from './driftWindow.js';
import { resolveOptions, type DriftOptions } from './driftOptions.js';
import { assertReferencePerformance, type PerformanceDriftResult } from './performanceDrift.js';
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

export type { LabelShift, MinorityFeatureDrift } from './labelledChecks.js';

export interface DriftReport {
  rows: number;
  /** Rows with a known label (of `labelsFrom` when labels come late). */
  labelled: number;
  /** Labels later than predictions: the earlier rows the label tests read (the window's own labels were not read). */
  labelsFrom?: { name: string; fromMs?: number; toMs?: number };
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

  // Late labels: the label tests read an earlier window whose labels are in, and this window's own (an early,
  // possibly biased few) are not read.
  const delayed = window.labelledRows;
  if (delayed !== undefined) assertLabelledRows(delayed);
  const found = labelledChecks(
    reference,
    delayed ?? { features: window.features, scores: window.scores, labels },
    delayed !== undefined ? columnIndex(reference, delayed.features.names) : columns,
    o,
    delayed?.name,
  );
  const { labelled, minorityFeatures, labelShift: shift, performance } = found;
  reasons.push(...found.reasons);
  insufficient.push(...found.insufficient);

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
    // Labels of an earlier window measure that window, not this one: here the estimate decides for every metric.
    const verdicts = estimateVerdicts(delayed !== undefined ? null : performance, estimatedPerformance);
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
    classes =
      delayed === undefined
        ? classDrift(reference.classes, window.classes, o)
        : classDriftWithLateLabels(reference.classes, window.classes, delayed.classes, delayed.name, o);
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
    ...(delayed !== undefined
      ? {
          labelsFrom: {
            name: delayed.name,
            ...(delayed.fromMs !== undefined ? { fromMs: delayed.fromMs } : {}),
            ...(delayed.toMs !== undefined ? { toMs: delayed.toMs } : {}),
          },
        }
      : {}),
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
