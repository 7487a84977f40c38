// ADASYN for more than two classes: every class but the majority oversampled against it, one neighbour query for all
// of them and one quota over all classes together.

import type { FeatureMatrix } from '../dataset.js';
import { InvalidInputError } from '../invalidInputError.js';
import { ExactNeighborIndex } from '../neighbors/exactNeighbors.js';
import type { NeighborMatrix } from '../neighbors/neighborIndex.js';
import type { AdasynOptions, AdasynResult } from './adasyn.js';
import { roundHalfToEven } from './numpyRounding.js';
import { classRows, validateOversample } from './oversampleSettings.js';
import { seedDistance, stats, type OversampleStats } from './oversampleStats.js';
import { adasynAllocation, applyQuota } from './syntheticAllocation.js';
import { generate } from './syntheticGeneration.js';
import type { AdasynLineage } from './syntheticLineage.js';

/** Multi-class data: `labels[i]` is row i's class code (an integer ≥ 0). */
export interface MultiClassData {
  x: FeatureMatrix;
  labels: Int32Array;
}

export type MultiClassAdasynOptions = Omit<AdasynOptions, 'minorityIndex'>;

export interface MultiClassAdasynResult {
  /** The class with most rows (ties: the lowest code); it gets no synthetic rows. */
  majorityClass: number;
  /** Per minority class, ascending by class code: its ADASYN against the majority class. */
  classes: { label: number; result: AdasynResult }[];
  /** All synthetic rows, class after class, with their class codes. */
  synthetic: FeatureMatrix;
  syntheticLabels: Int32Array;
  lineage: AdasynLineage;
  stats: OversampleStats;
  quotaMessage?: string;
}

/**
 * ADASYN for several classes, as imbalanced-learn does: each class c other than the majority is oversampled to
 * G_c = rint((m_majority − m_c) · β), with Δ_i counting rows of any other class among i's K nearest rows of the whole
 * input, and interpolation among class c's rows only. A quota applies to all classes together.
 */
export function adasynMultiClass(data: MultiClassData, opts: MultiClassAdasynOptions): MultiClassAdasynResult {
  const { rows, cols } = data.x;
  const { labels } = data;
  if (labels.length !== rows) {
    throw new InvalidInputError('labels', `labels must have one entry per row (${rows}); got ${labels.length}.`);
  }
  const countOf = new Map<number, number>();
  for (let i = 0; i < rows; i++) {
    const c = labels[i]!;
    if (!Number.isInteger(c) || c < 0) throw new InvalidInputError('labels', `class codes must be integers ≥ 0; got ${c} at row ${i}.`);
    countOf.set(c, (countOf.get(c) ?? 0) + 1);
  }
  const classes = [...countOf.keys()].sort((a, b) => a - b);
  if (classes.length < 2) {
    throw new InvalidInputError('labels', `ADASYN needs at least two classes; got one (${classes[0] ?? 'none'}) in ${rows} rows.`);
  }
  let majorityClass = classes[0]!;
  for (const c of classes) if (countOf.get(c)! > countOf.get(majorityClass)!) majorityClass = c;
  const targets = classes.filter((c) => c !== majorityClass && countOf.get(c)! < countOf.get(majorityClass)!);

  // Validate once on a binary view: every target class against the rest.
  const settings = targets.map((c) => {
    const y = new Uint8Array(rows);
    for (let i = 0; i < rows; i++) y[i] = labels[i] === c ? 1 : 0;
    return {
      c,
      y,
      s: validateOversample(
        { x: data.x, y },
        { ...opts, maxSyntheticRows: undefined, maxSyntheticRatio: undefined },
        `ADASYN (class ${c})`,
      ),
    };
  });
  const quotaSettings = validateOversample(
    { x: data.x, y: settings[0]?.y ?? Uint8Array.from(labels, (l) => (l === majorityClass ? 0 : 1)) },
    opts,
    'ADASYN',
  );

  // One batch of queries for all target classes against the whole input.
  const k = quotaSettings.k;
  const queryRows: Int32Array[] = settings.map(({ c }) => classRows(labels, c, countOf.get(c)!));
  const allQueries = new Int32Array(queryRows.reduce((n, r) => n + r.length, 0));
  let at = 0;
  for (const r of queryRows) {
    allQueries.set(r, at);
    at += r.length;
  }
  const index = opts.index ?? new ExactNeighborIndex(data.x as NeighborMatrix);
  let near: Int32Array;
  try {
    near = index.queryRows(allQueries, k).indices;
  } finally {
    if (opts.index === undefined) index.close();
  }

  const allocations: {
    c: number;
    rows: Int32Array;
    delta: Int32Array;
    counts: Int32Array;
    hardness: Float64Array;
    requested: number;
    warning?: string;
  }[] = [];
  let offset = 0;
  settings.forEach(({ c, s }, t) => {
    const rowsOfC = queryRows[t]!;
    const delta = new Int32Array(rowsOfC.length);
    for (let i = 0; i < rowsOfC.length; i++) {
      let d = 0;
      for (let j = (offset + i) * k; j < (offset + i) * k + k; j++) if (labels[near[j]!] !== c) d++;
      delta[i] = d;
    }
    offset += rowsOfC.length;
    const requested = roundHalfToEven((countOf.get(majorityClass)! - rowsOfC.length) * s.beta);
    const alloc = adasynAllocation(delta, k, requested, rowsOfC.length, countOf.get(majorityClass)!, s.beta);
    allocations.push({
      c,
      rows: rowsOfC,
      delta,
      counts: alloc.counts,
      hardness: alloc.hardness,
      requested,
      ...(alloc.warning ? { warning: alloc.warning } : {}),
    });
  });

  // The quota scales all classes' counts together.
  const joined = new Int32Array(allocations.reduce((n, a) => n + a.counts.length, 0));
  at = 0;
  for (const a of allocations) {
    joined.set(a.counts, at);
    at += a.counts.length;
  }
  const quota = applyQuota(joined, quotaSettings.quota, quotaSettings.quotaName);

  const perClass: { label: number; result: AdasynResult }[] = [];
  at = 0;
  for (const a of allocations) {
    const counts = quota.counts.slice(at, at + a.counts.length);
    at += a.counts.length;
    const generated = generate(data.x, a.rows, counts, k, opts.random, quotaSettings.categorical, undefined);
    const { distances, ...rest } = generated;
    const result: AdasynResult = {
      ...rest,
      perRowCount: counts,
      minorityRows: a.rows,
      majorityNeighbours: a.delta,
      hardness: a.hardness,
      requested: a.requested,
      stats: stats(rows, generated.synthetic.rows, distances),
    };
    if (a.warning !== undefined) result.warning = a.warning;
    perClass.push({ label: a.c, result });
  }
  const total = perClass.reduce((n, p) => n + p.result.synthetic.rows, 0);
  const values = new Float64Array(total * cols);
  const syntheticLabels = new Int32Array(total);
  const lineage: AdasynLineage = { parent: new Int32Array(total), neighbour: new Int32Array(total), lambda: new Float64Array(total) };
  const distances = new Float64Array(total);
  at = 0;
  for (const p of perClass) {
    const n = p.result.synthetic.rows;
    values.set(p.result.synthetic.values, at * cols);
    syntheticLabels.fill(p.label, at, at + n);
    lineage.parent.set(p.result.lineage.parent, at);
    lineage.neighbour.set(p.result.lineage.neighbour, at);
    lineage.lambda.set(p.result.lineage.lambda, at);
    for (let s = 0; s < n; s++) distances[at + s] = seedDistance(data.x, p.result.lineage.parent[s]!, p.result.lineage.neighbour[s]!);
    at += n;
  }
  const out: MultiClassAdasynResult = {
    majorityClass,
    classes: perClass,
    synthetic: { rows: total, cols, values },
    syntheticLabels,
    lineage,
    stats: stats(rows, total, distances),
  };
  if (quota.message !== undefined) out.quotaMessage = quota.message;
  return out;
}
