// The label-based part of a drift report: the label prior, measured performance and each feature among the
// labelled positives. They read the rows whose labels are known: the window itself, or, when labels arrive later
// than a window (chargebacks, confirmed diagnoses), an earlier window whose labels are in (`LabelledRows`).

import { InvalidInputError } from '../invalidInputError.js';
import { benjaminiHochberg } from './benjaminiHochberg.js';
import { chiSquareGoodnessOfFit, type ChiSquareResult } from './chiSquare.js';
import type { ClassWindow } from './classDrift.js';
import { assertNamedMatrix, type DriftReference, type NamedFeatureMatrix } from './driftReference.js';
import type { DriftOptions } from './driftOptions.js';
import { kolmogorovSmirnov } from './kolmogorovSmirnov.js';
import { assertScores, performanceDrift, type PerformanceDriftResult } from './performanceDrift.js';

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

/**
 * Rows whose labels have all arrived, read by the label tests instead of the window's own labels when labels come
 * later than the predictions: typically the window one label delay earlier.
 */
export interface LabelledRows {
  features: NamedFeatureMatrix;
  /** The model's score per row. */
  scores: Float64Array;
  /** 0, 1, or −1 for a row whose label never came. */
  labels: Int8Array;
  /** Multi-class models: each row's predicted and true class value. */
  classes?: ClassWindow;
  /** How messages name these rows, e.g. "the labelled window 7d earlier". */
  name: string;
  /** Where the rows were served (ms since the epoch), for the report. */
  fromMs?: number;
  toMs?: number;
}

export interface LabelledFindings {
  labelled: number;
  minorityFeatures: MinorityFeatureDrift[] | null;
  labelShift: LabelShift | null;
  performance: PerformanceDriftResult | null;
  reasons: string[];
  insufficient: string[];
  drifted: boolean;
}

function fmt(v: number): string {
  return Number(v.toPrecision(3)).toString();
}

/** Shape checks of labelled rows given apart from the window: the same checks the window's own columns get. */
export function assertLabelledRows(rows: LabelledRows): void {
  // An earlier window may hold no rows at all (no traffic then, or another champion served it).
  if (rows.features.rows !== 0) assertNamedMatrix(rows.features, 'labelledRows.features');
  const n = rows.features.rows;
  assertScores(rows.scores, n, 'labelledRows.scores');
  if (!(rows.labels instanceof Int8Array) || rows.labels.length !== n)
    throw new InvalidInputError(
      'labelledRows.labels',
      `labelledRows.labels: expected an Int8Array of ${n} labels, got ${rows.labels?.length}`,
    );
  const bad = rows.labels.findIndex((y) => y !== -1 && y !== 0 && y !== 1);
  if (bad >= 0)
    throw new InvalidInputError(
      'labelledRows.labels',
      `labelledRows.labels: expected 0, 1 or −1 (unknown), got ${rows.labels[bad]} at row ${bad}`,
    );
  if (rows.classes !== undefined && (rows.classes.predicted.length !== n || rows.classes.truth.length !== n))
    throw new InvalidInputError('labelledRows.classes', `labelledRows.classes: expected ${n} predicted and true classes (one per row)`);
}

function minorityFeatureDrift(
  reference: DriftReference,
  features: NamedFeatureMatrix,
  labels: Int8Array,
  positives: number,
  columns: Int32Array,
  o: DriftOptions,
): MinorityFeatureDrift[] {
  const { rows, cols, values } = features;
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
 * The label prior (chi-square, flagged at p ≤ fdr with a positive-rate factor of at least priorRatio), performance
 * against the validation values, and, with at least `minPositiveRows` labelled positives, each feature KS-tested among
 * the positives alone (BH, q ≤ fdr and D ≥ ksThreshold). `columns` maps the reference's features to `features`.
 * `where` names the rows in the messages when they are not the window itself.
 */
export function labelledChecks(
  reference: DriftReference,
  rows: { features: NamedFeatureMatrix; scores: Float64Array; labels: Int8Array | undefined },
  columns: Int32Array,
  o: DriftOptions,
  where?: string,
): LabelledFindings {
  const { labels } = rows;
  const n = rows.features.rows;
  const reasons: string[] = [];
  const insufficient: string[] = [];
  const among = where === undefined ? '' : ` of ${where}`;
  let labelled = 0;
  let positives = 0;
  if (labels !== undefined) {
    for (let i = 0; i < n; i++) {
      if (labels[i] !== -1) labelled++;
      if (labels[i] === 1) positives++;
    }
  }
  let minorityFeatures: MinorityFeatureDrift[] | null = null;
  if (labels !== undefined && positives >= o.minPositiveRows) {
    minorityFeatures = minorityFeatureDrift(reference, rows.features, labels, positives, columns, o);
    for (const f of minorityFeatures) {
      if (f.drifted)
        reasons.push(
          `feature "${f.name}" shifted among the ${positives} labelled positives${among}: KS D ${fmt(f.ks)}, q = ${f.qValue.toExponential(2)} ≤ ${o.fdr}`,
        );
    }
  } else {
    insufficient.push(
      `minority-class feature tests not run: ${positives} labelled positives${among}, below the minimum ${o.minPositiveRows}`,
    );
  }
  let shift: LabelShift | null = null;
  let performance: PerformanceDriftResult | null = null;
  if (labels !== undefined && labelled > 0) {
    shift = labelShift(reference, labels, o);
    if (shift !== null && shift.status === 'insufficient') insufficient.push(shift.reason);
    if (shift !== null && shift.status === 'tested' && shift.drifted) {
      reasons.push(
        `label prior shifted: positive rate ${fmt(shift.currentPositiveRate)} in ${shift.n} labelled rows${among} vs ${fmt(shift.referencePositiveRate)} in training ` +
          `(chi-square ${fmt(shift.statistic)}, p = ${shift.pValue.toExponential(2)} ≤ ${o.fdr})`,
      );
    }
    performance = performanceDrift(labels, rows.scores, reference.threshold, reference.performance, o);
    reasons.push(...(where === undefined ? performance.reasons : performance.reasons.map((r) => `${r} (${where})`)));
    insufficient.push(...performance.insufficient);
  } else {
    insufficient.push(`label-prior and measured performance not run: no labelled rows in ${where ?? 'the window'}`);
  }
  const drifted = (minorityFeatures?.some((f) => f.drifted) ?? false) || (shift?.drifted ?? false) || (performance?.dropped ?? false);
  return { labelled, minorityFeatures, labelShift: shift, performance, reasons, insufficient, drifted };
}
