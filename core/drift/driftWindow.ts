// The serving window a drift report reads (features, categorical columns, scores, late labels) and its checks:
// columns matched to the reference by name, one score and label per row, calibrated probabilities in range.

import { InvalidInputError } from '../invalidInputError.js';
import type { CategoricalColumns } from './categoricalDrift.js';
import type { ClassWindow } from './classDrift.js';
import type { DriftReference, NamedFeatureMatrix } from './driftReference.js';
import type { LabelledRows } from './labelledChecks.js';
import { assertScores } from './performanceDrift.js';

/** One serving window. Labels arrive late for rare events, so they are optional and partial. */
export interface DriftWindow {
  features: NamedFeatureMatrix;
  /** The window's categorical columns; required exactly when the reference has categorical features. */
  categorical?: CategoricalColumns;
  /** The model's score per row; score ≥ the reference threshold is predicted positive. */
  scores: Float64Array;
  /** Known labels: 0, 1, or −1 for a row not yet labelled. Absent: no row is labelled. */
  labels?: Int8Array;
  /**
   * Calibrated P(positive) per row for the label-free performance estimate.
   * @default `scores`, taken as calibrated when every score is in [0, 1]
   */
  calibrated?: Float64Array;
  /** Multi-class models: each row's predicted and true class value, judged when the reference has `classes`. */
  classes?: ClassWindow;
  /**
   * Labels that arrive later than a window: the label tests read these rows (an earlier window whose labels are in)
   * and not `labels` or `classes.truth` of this window, and the label-free estimate decides for every metric.
   */
  labelledRows?: LabelledRows;
}

export function columnIndex(reference: DriftReference, names: string[]): Int32Array {
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

/** Scores, labels and calibrated probabilities: one per row, each in its range. */
export function assertWindowColumns(window: DriftWindow, rows: number): void {
  assertScores(window.scores, rows, 'window.scores');
  const labels = window.labels;
  if (labels !== undefined) {
    if (!(labels instanceof Int8Array) || labels.length !== rows) {
      throw new InvalidInputError(
        'window.labels',
        `window.labels: expected an Int8Array of ${rows} labels (one per row; −1 = unknown), got ${labels?.length}`,
      );
    }
    for (let i = 0; i < rows; i++) {
      const y = labels[i]!;
      if (y !== -1 && y !== 0 && y !== 1)
        throw new InvalidInputError('window.labels', `window.labels: expected 0, 1 or −1 (unknown), got ${y} at row ${i}`);
    }
  }
  if (window.calibrated !== undefined) {
    assertScores(window.calibrated, rows, 'window.calibrated');
    const bad = window.calibrated.findIndex((p) => !(p >= 0 && p <= 1));
    if (bad >= 0)
      throw new InvalidInputError(
        'window.calibrated',
        `window.calibrated: expected probabilities in [0, 1], got ${window.calibrated[bad]} at row ${bad}`,
      );
  }
}

/** Calibrated probabilities for the estimate: the window's own, or its scores when all lie in [0, 1]; else null. */
export function calibratedProbabilities(window: DriftWindow): Float64Array | null {
  if (window.calibrated !== undefined) return window.calibrated;
  for (let i = 0; i < window.scores.length; i++) {
    const s = window.scores[i]!;
    if (!(s >= 0 && s <= 1)) return null;
  }
  return window.scores;
}
