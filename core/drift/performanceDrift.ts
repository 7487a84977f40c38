// Per-class performance drift on labelled feedback: recall and precision of each class against the model's
// validation values, with Wilson intervals, so a drop is flagged only when the data rule out noise.

import { InvalidInputError } from '../invalidInputError.js';
import { differenceInterval, wilsonInterval, Z_95 } from '../metrics/intervals.js';

/** A class's validation values; the shape of `ClassificationReport.perClass.<class>` fits. */
export interface ReferenceClassPerformance {
  recall: number | null;
  precision: number | null;
  /**
   * Wilson intervals of the validation values, when known (a reference built from `classificationReport` keeps
   * them). With one, a drop must clear the uncertainty of both sides, not of the live window's alone.
   */
  recallInterval?: [number, number] | null;
  precisionInterval?: [number, number] | null;
  /**
   * The rows behind each value (the class's rows for recall, the rows predicted as it for precision), when known:
   * the reference's interval is then the Wilson interval at the check's own z, not the stored 95% one.
   */
  recallSupport?: number;
  precisionSupport?: number;
}

/** The reference's interval of `metric` at `z`: from its rows when they are known, else the stored interval. */
export function referenceIntervalAt(reference: ReferenceClassPerformance, metric: DriftMetric, z: number): [number, number] | null {
  const value = reference[metric];
  const support = reference[`${metric}Support`];
  if (value !== null && typeof support === 'number' && Number.isInteger(support) && support > 0)
    return wilsonInterval(Math.round(value * support), support, z);
  return reference[`${metric}Interval`] ?? null;
}

/** The model's validation per-class values, e.g. `classificationReport(...).perClass`. */
export interface ReferencePerformance {
  negative: ReferenceClassPerformance;
  positive: ReferenceClassPerformance;
}

export type DriftClass = 'negative' | 'positive';
export type DriftMetric = 'recall' | 'precision';

export interface MetricDrift {
  /**
   * `dropped` when the live value is below the reference by more than the tolerance beyond the uncertainty: the
   * upper end of the interval of (current − reference) is below −tolerance, that interval combining the live
   * interval with the reference's own (`differenceInterval`), or the live interval alone when the reference has
   * none; `insufficient` below the minimum support or with no reference.
   */
  status: 'ok' | 'dropped' | 'insufficient';
  /** Validation value; null when it was undefined there. */
  reference: number | null;
  /** Current value (observed on labels, or estimated without them); null when undefined (0/0). */
  current: number | null;
  /** Interval of the current value (Wilson on labels; Monte Carlo for estimates); null when `current` is. */
  interval: [number, number] | null;
  /** Rows behind the value: the class's rows for recall, rows predicted as the class for precision (an expected count for estimates). */
  support: number;
  /** One sentence with the numbers. */
  message: string;
}

export interface ClassDrift {
  recall: MetricDrift;
  precision: MetricDrift;
}

export interface PerformanceDriftOptions {
  /**
   * A drop must exceed this much, in absolute recall or precision, beyond the interval.
   * @default 0.05
   */
  tolerance?: number;
  /**
   * Fewest rows behind a class's metric (labelled rows of the class for recall, rows predicted as the class for
   * precision) for it to be compared.
   * @default { positive: 20, negative: 100 }
   */
  minSupport?: { positive?: number; negative?: number };
  /**
   * Standard-normal quantile of the Wilson intervals.
   * @default 1.959964 (95%)
   */
  z?: number;
}

export interface PerformanceDriftResult {
  perClass: { negative: ClassDrift; positive: ClassDrift };
  /** Rows with a known label (label ≥ 0). */
  labelled: number;
  /** Any metric `dropped`. */
  dropped: boolean;
  /** The messages of dropped metrics. */
  reasons: string[];
  /** The messages of metrics that could not be compared. */
  insufficient: string[];
}

export interface ResolvedPerformanceOptions {
  tolerance: number;
  minSupport: { positive: number; negative: number };
  z: number;
}

/** Validated options with defaults filled in; shared by the labelled and the estimated comparison. */
export function resolvePerformanceOptions(options: PerformanceDriftOptions): ResolvedPerformanceOptions {
  const tolerance = options.tolerance ?? 0.05;
  if (typeof tolerance !== 'number' || !(tolerance >= 0 && tolerance < 1)) {
    throw new InvalidInputError('tolerance', `tolerance: expected a number in [0, 1), got ${String(tolerance)}`);
  }
  const positive = options.minSupport?.positive ?? 20;
  const negative = options.minSupport?.negative ?? 100;
  for (const [name, v] of [
    ['minSupport.positive', positive],
    ['minSupport.negative', negative],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new InvalidInputError(name, `${name}: expected an integer ≥ 1, got ${String(v)}`);
  }
  const z = options.z ?? Z_95;
  if (typeof z !== 'number' || !(z > 0) || !Number.isFinite(z))
    throw new InvalidInputError('z', `z: expected a finite number > 0, got ${String(z)}`);
  return { tolerance, minSupport: { positive, negative }, z };
}

function fmt(v: number): string {
  return v.toFixed(3);
}

export interface MetricJudgement {
  /** Names the metric in messages, e.g. `positive recall`, `estimated positive recall`. */
  label: string;
  reference: number | null;
  current: number | null;
  interval: [number, number] | null;
  support: number;
  minSupport: number;
  /** Names the support in messages, e.g. `labelled positives`, `expected positives`. */
  supportName: string;
  tolerance: number;
  /**
   * Names the reference in messages.
   * @default 'the validation value'
   */
  referenceName?: string;
  /** The reference's own interval; absent or null when the reference is taken as exact (an expectation, say). */
  referenceInterval?: [number, number] | null;
}

/**
 * Judges one metric against its reference: `dropped` when the upper end of the interval of current − reference is
 * below −tolerance (with no reference interval: when interval[1] < reference − tolerance).
 */
export function judgeMetric(j: MetricJudgement): MetricDrift {
  const { label, reference, current, interval, support, minSupport, tolerance } = j;
  const referenceName = j.referenceName ?? 'the validation value';
  const supportText = `${Number.isInteger(support) ? support : support.toFixed(1)} ${j.supportName}`;
  const base = { reference, current, interval, support };
  if (support < minSupport || current === null || interval === null) {
    return { status: 'insufficient', ...base, message: `${label} not compared: ${supportText}, below the minimum ${minSupport}` };
  }
  if (reference === null) {
    return { status: 'insufficient', ...base, message: `${label} not compared: ${referenceName} is undefined` };
  }
  const observed = `${label} ${fmt(current)} (interval ${fmt(interval[0])}–${fmt(interval[1])}, ${supportText})`;
  const refInterval = j.referenceInterval ?? null;
  const referenceText =
    refInterval === null ? fmt(reference) : `${fmt(reference)} (interval ${fmt(refInterval[0])}–${fmt(refInterval[1])})`;
  const worstCase = refInterval === null ? interval[1] - reference : differenceInterval(current, interval, reference, refInterval)[1];
  if (worstCase < -tolerance) {
    return { status: 'dropped', ...base, message: `${observed} is below ${referenceName} ${referenceText} − tolerance ${tolerance}` };
  }
  return { status: 'ok', ...base, message: `${observed} is consistent with ${referenceName} ${referenceText}` };
}

/** Collects the drop and insufficiency messages of four judged metrics. */
export function summarisePerformance(perClass: { negative: ClassDrift; positive: ClassDrift }): {
  dropped: boolean;
  reasons: string[];
  insufficient: string[];
} {
  const all = [perClass.positive.recall, perClass.positive.precision, perClass.negative.recall, perClass.negative.precision];
  const reasons = all.filter((m) => m.status === 'dropped').map((m) => m.message);
  const insufficient = all.filter((m) => m.status === 'insufficient').map((m) => m.message);
  return { dropped: reasons.length > 0, reasons, insufficient };
}

export function assertScores(scores: Float64Array, rows: number, subject: string): void {
  if (!(scores instanceof Float64Array)) throw new InvalidInputError(subject, `${subject}: expected a Float64Array`);
  if (scores.length !== rows)
    throw new InvalidInputError(subject, `${subject}: expected ${rows} scores (one per row), got ${scores.length}`);
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i]!))
      throw new InvalidInputError(subject, `${subject}: expected finite scores, got ${scores[i]} at row ${i}`);
  }
}

export function assertThreshold(threshold: number): void {
  if (typeof threshold !== 'number' || !Number.isFinite(threshold)) {
    throw new InvalidInputError('threshold', `threshold: expected a finite number, got ${String(threshold)}`);
  }
}

export function assertReferencePerformance(reference: ReferencePerformance, subject: string): void {
  for (const cls of ['negative', 'positive'] as const) {
    for (const metric of ['recall', 'precision'] as const) {
      const v = reference?.[cls]?.[metric];
      if (v !== null && !(typeof v === 'number' && v >= 0 && v <= 1)) {
        throw new InvalidInputError(subject, `${subject}.${cls}.${metric}: expected a number in [0, 1] or null, got ${String(v)}`);
      }
      const interval = reference[cls][`${metric}Interval`];
      const inside = (b: unknown): boolean => typeof b === 'number' && b >= 0 && b <= 1;
      if (
        interval !== undefined &&
        interval !== null &&
        !(
          Array.isArray(interval) &&
          interval.length === 2 &&
          inside(interval[0]) &&
          inside(interval[1]) &&
          interval[0] <= interval[1] &&
          v !== null
        )
      ) {
        throw new InvalidInputError(
          subject,
          `${subject}.${cls}.${metric}Interval: expected [lower, upper] within [0, 1] beside a value, got ${JSON.stringify(interval)}`,
        );
      }
      const support = reference[cls][`${metric}Support`];
      if (support !== undefined && !(Number.isInteger(support) && support >= 0)) {
        throw new InvalidInputError(subject, `${subject}.${cls}.${metric}Support: expected a whole number ≥ 0, got ${String(support)}`);
      }
    }
  }
}

/**
 * Per-class recall and precision of the rows with a known label, at `threshold` (score ≥ threshold is
 * predicted positive), against the validation values. Labels are 0/1, or −1 for a row not yet labelled.
 * Labelled feedback must be a random sample of the window for the comparison to mean anything.
 */
export function performanceDrift(
  labels: Int8Array | Uint8Array,
  scores: Float64Array,
  threshold: number,
  reference: ReferencePerformance,
  options: PerformanceDriftOptions = {},
): PerformanceDriftResult {
  const { tolerance, minSupport, z } = resolvePerformanceOptions(options);
  assertThreshold(threshold);
  assertReferencePerformance(reference, 'reference');
  assertScores(scores, labels.length, 'scores');
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!;
    if (y === -1) continue;
    if (y !== 0 && y !== 1) throw new InvalidInputError('labels', `labels: expected 0, 1 or −1 (unknown), got ${y} at row ${i}`);
    const predicted = scores[i]! >= threshold;
    if (y === 1) {
      if (predicted) tp++;
      else fn++;
    } else if (predicted) fp++;
    else tn++;
  }
  const judge = (cls: DriftClass, metric: DriftMetric, hits: number, trials: number, supportName: string): MetricDrift =>
    judgeMetric({
      label: `${cls} ${metric}`,
      reference: reference[cls][metric],
      referenceInterval: referenceIntervalAt(reference[cls], metric, z),
      current: trials === 0 ? null : hits / trials,
      interval: wilsonInterval(hits, trials, z),
      support: trials,
      minSupport: minSupport[cls],
      supportName,
      tolerance,
    });
  const perClass = {
    positive: {
      recall: judge('positive', 'recall', tp, tp + fn, 'labelled positives'),
      precision: judge('positive', 'precision', tp, tp + fp, 'labelled rows predicted positive'),
    },
    negative: {
      recall: judge('negative', 'recall', tn, tn + fp, 'labelled negatives'),
      precision: judge('negative', 'precision', tn, tn + fn, 'labelled rows predicted negative'),
    },
  };
  return { perClass, labelled: tp + fp + tn + fn, ...summarisePerformance(perClass) };
}
