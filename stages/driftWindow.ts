// The drift-check stage: one window of the scoring service's log (the champion's rows) against the champion's stored
// drift reference. The drift monitor's check and `rareflow monitor report` both run it, so they judge alike.

import type { DriftOptions } from '../core/drift/driftOptions.js';
import type { DriftReference } from '../core/drift/driftReference.js';
import { driftReport, type DriftReport } from '../core/drift/driftReport.js';
import type { CategoricalColumns } from '../core/drift/categoricalDrift.js';
import type { ClassWindow } from '../core/drift/classDrift.js';
import { IntegrityError } from '../core/integrityError.js';
import { ArtifactStore } from '../data/artifactStore.js';
import { readServingRows, type ServingRows } from '../data/servingLogWindow.js';
import type { LabelledRows } from '../core/drift/labelledChecks.js';
import { spanText } from '../core/elapsedText.js';
import type { ArtifactRef } from '../core/pipelineTypes.js';

/** The drift reference as stored next to a model: the report's reference plus the priors its window scores need. */
export interface StoredReference {
  reference: DriftReference;
  rawPrior: number;
  fitPrior: number;
  featureIndexes: number[];
}

/** Where the reference of model `sha256` is found (the artifact store's key index), so no registry read is needed. */
export function driftReferenceKey(modelSha256: string): string {
  return ArtifactStore.keyOf({ driftReferenceOf: modelSha256 });
}

/**
 * Scores on the model's fitted mix, mapped to the population prior (Bayes' rule with the class ratio changed):
 * p' = p·r1 / (p·r1 + (1 − p)·r0), r1 = π/π_fit, r0 = (1 − π)/(1 − π_fit). The estimate of performance without
 * labels needs probabilities on the population's scale.
 */
export function priorCorrected(scores: Float64Array, fitPrior: number, prior: number): Float64Array {
  const r1 = prior / fitPrior;
  const r0 = (1 - prior) / (1 - fitPrior);
  const out = new Float64Array(scores.length);
  for (let i = 0; i < scores.length; i++) {
    const p = Math.min(1, Math.max(0, scores[i]!));
    const a = p * r1;
    const d = a + (1 - p) * r0;
    out[i] = d > 0 ? a / d : 0;
  }
  return out;
}

/**
 * The report of one served window (rows in the reference's feature order, row-major) against a stored reference:
 * what the check runs once it has read the window's rows.
 */
export function servedWindowReport(
  stored: StoredReference,
  values: Float64Array,
  scores: Float64Array,
  labels: Int8Array,
  options: Partial<DriftOptions>,
  categorical?: CategoricalColumns,
  classes?: ClassWindow,
  labelledRows?: LabelledRows,
): DriftReport {
  const names = stored.reference.features.map((f) => f.name);
  return driftReport(
    stored.reference,
    {
      features: { rows: scores.length, cols: names.length, values, names },
      ...(categorical !== undefined ? { categorical } : {}),
      ...(classes !== undefined ? { classes } : {}),
      ...(labelledRows !== undefined ? { labelledRows } : {}),
      scores,
      labels,
      // The reference carries the model's fit mix, so a window never re-reads the (possibly large) model file.
      ...(stored.fitPrior > 0 && stored.fitPrior < 1 ? { calibrated: priorCorrected(scores, stored.fitPrior, stored.rawPrior) } : {}),
    },
    options,
  );
}

/** A stored reference read back, or why there is none to compare with. */
export type StoredReferenceLookup =
  | { status: 'found'; stored: StoredReference; ref: ArtifactRef }
  | { status: 'no-reference' }
  | { status: 'reference-failed-verification'; message: string };

export async function loadStoredReference(artifacts: ArtifactStore, modelSha256: string): Promise<StoredReferenceLookup> {
  const found = await artifacts.findByKey(driftReferenceKey(modelSha256));
  if (!found?.reference || !(await artifacts.has(found.reference))) return { status: 'no-reference' };
  try {
    const stored = JSON.parse((await artifacts.readVerified(found.reference)).toString('utf8')) as StoredReference;
    return { status: 'found', stored, ref: found.reference };
  } catch (err) {
    // A damaged reference is no evidence of drift: the caller says why instead of failing.
    if (err instanceof IntegrityError) return { status: 'reference-failed-verification', message: err.message };
    throw err;
  }
}

export interface ServedWindow {
  /** Null when no row of the window could be read. */
  report: DriftReport | null;
  /** Rows left out because a numeric feature was missing or not a number, or a categorical one missing. */
  unreadableRows: number;
}

function numberOf(v: unknown): number {
  return typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
}

/** A category as the service logged it: strings as sent; numbers and booleans by their text; null when absent. */
function categoryOf(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

/** A logged class value, or null when none was logged (the feedback checked labels against the model already). */
function knownClass(value: string | null, classes: string[]): string | null {
  return value !== null && classes.includes(value) ? value : null;
}

/** A served window's rows in the reference's column order; rows with a missing or non-numeric value are left out. */
interface ReadableRows {
  values: Float64Array;
  scores: Float64Array;
  labels: Int8Array;
  categories: string[][];
  predictedClass: Array<string | null>;
  truthClass: Array<string | null>;
  unreadable: number;
}

function readableRows(stored: StoredReference, served: ServingRows): ReadableRows {
  const names = stored.reference.features.map((f) => f.name);
  const categoricalNames = (stored.reference.categoricalFeatures ?? []).map((f) => f.name);
  const keep: number[] = [];
  const values: number[] = [];
  const categories: string[][] = categoricalNames.map(() => []);
  let unreadable = 0;
  served.features.forEach((record, i) => {
    const row = names.map((name) => numberOf(record[name]));
    const cats = categoricalNames.map((name) => categoryOf(record[name]));
    if (!row.every(Number.isFinite) || cats.some((c) => c === null)) {
      unreadable += 1;
      return;
    }
    keep.push(i);
    values.push(...row);
    cats.forEach((c, k) => categories[k]!.push(c!));
  });
  return {
    values: Float64Array.from(values),
    scores: Float64Array.from(keep, (i) => served.scores[i]!),
    labels: Int8Array.from(keep, (i) => served.truth[i]!),
    categories,
    predictedClass: keep.map((i) => served.predictedClass[i]!),
    truthClass: keep.map((i) => served.truthClass[i]!),
    unreadable,
  };
}

/** A multi-class reference judges the rows' class values; rows logged before the class column read as unknown. */
function classWindowOf(stored: StoredReference, rows: ReadableRows, withTruth = true): ClassWindow | undefined {
  const classes = stored.reference.classes?.classes;
  if (classes === undefined) return undefined;
  return {
    predicted: rows.predictedClass.map((c) => knownClass(c, classes)),
    truth: rows.truthClass.map((c) => (withTruth ? knownClass(c, classes) : null)),
  };
}

/** The rows whose labels have had `labelDelayMs` to arrive: the window that long before [fromMs, toMs). */
async function lateLabelledRows(
  o: { stored: StoredReference; servingDir: string; modelName: string; fromMs: number; toMs: number; modelSha256: string },
  labelDelayMs: number,
): Promise<LabelledRows> {
  const fromMs = o.fromMs - labelDelayMs;
  const toMs = o.toMs - labelDelayMs;
  const served = await readServingRows({ servingDir: o.servingDir, modelName: o.modelName, fromMs, toMs, modelSha256: o.modelSha256 });
  const rows = readableRows(o.stored, served);
  const names = o.stored.reference.features.map((f) => f.name);
  const classes = classWindowOf(o.stored, rows);
  return {
    features: { rows: rows.scores.length, cols: names.length, values: rows.values, names },
    scores: rows.scores,
    labels: rows.labels,
    ...(classes !== undefined ? { classes } : {}),
    name: `the window ${spanText(labelDelayMs)} earlier`,
    fromMs,
    toMs,
  };
}

/**
 * Reads the champion's rows of [fromMs, toMs) from the serving log and reports them against `stored`. With
 * `labelDelayMs`, labels are taken to arrive that long after their predictions: the label tests read the window
 * that long before (its labels are in), and this window's own labels, an early and possibly biased few, are not read.
 */
export async function checkServedWindow(o: {
  stored: StoredReference;
  servingDir: string;
  modelName: string;
  fromMs: number;
  toMs: number;
  modelSha256: string;
  options?: Partial<DriftOptions>;
  labelDelayMs?: number;
}): Promise<ServedWindow> {
  const served = await readServingRows({
    servingDir: o.servingDir,
    modelName: o.modelName,
    fromMs: o.fromMs,
    toMs: o.toMs,
    modelSha256: o.modelSha256,
  });
  const rows = readableRows(o.stored, served);
  if (rows.scores.length === 0) return { report: null, unreadableRows: rows.unreadable };
  const delay = o.labelDelayMs ?? 0;
  const labelledRows = delay > 0 ? await lateLabelledRows(o, delay) : undefined;
  const categoricalNames = (o.stored.reference.categoricalFeatures ?? []).map((f) => f.name);
  const report = servedWindowReport(
    o.stored,
    rows.values,
    rows.scores,
    labelledRows === undefined ? rows.labels : new Int8Array(rows.scores.length).fill(-1),
    o.options ?? {},
    categoricalNames.length > 0 ? { names: categoricalNames, values: rows.categories } : undefined,
    classWindowOf(o.stored, rows, labelledRows === undefined),
    labelledRows,
  );
  return { report, unreadableRows: rows.unreadable };
}
