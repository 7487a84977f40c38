// Population stability index (PSI) of a feature between the training (reference) data and a serving window:
// bins fixed once from reference quantiles, PSI = Σ (c_i − r_i)·ln(c_i / r_i). Numeric and categorical forms.

import { InvalidInputError } from '../invalidInputError.js';

/**
 * Bins of one numeric feature fixed from the reference data. With interior `edges` e_0 < … < e_{k−2}, bin 0
 * is (−∞, e_0), bin i is [e_{i−1}, e_i) and the last bin is [e_{k−2}, +∞): a value falls into the bin whose
 * index is the number of edges ≤ value. JSON-plain, so it is stored with the model.
 */
export interface ReferenceBins {
  /** Interior cut points, ascending and distinct; empty when the reference has one distinct value. */
  edges: number[];
  /** Reference fraction of rows per bin; `edges.length + 1` entries summing to 1. */
  proportions: number[];
  /** Reference rows the bins were built from. */
  n: number;
}

export interface PsiOptions {
  /**
   * Floor for a bin's proportion (reference or current) before the logarithm, so an empty bin gives a large
   * but finite term rather than ∞. A proportion, not a count.
   * @default 1e-4
   */
  epsilon?: number;
}

export interface PsiResult {
  /** Σ (c_i − r_i)·ln(c_i / r_i) over bins, proportions floored at `epsilon`. ≥ 0; ≥ 0.2 is the usual "large shift". */
  psi: number;
  /** Fraction of the current rows per bin, aligned with the reference proportions. */
  currentProportions: number[];
  /** Current rows. */
  n: number;
}

/** Default floor of an empty bin's proportion in PSI. */
export const PSI_EPSILON = 1e-4;

function assertFiniteValues(values: ArrayLike<number>, subject: string): void {
  if (values.length === 0) throw new InvalidInputError(subject, `${subject}: expected at least one value, got none`);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) throw new InvalidInputError(subject, `${subject}: expected finite values, got ${v} at index ${i}`);
  }
}

function epsilonOption(options: PsiOptions): number {
  const epsilon = options.epsilon ?? PSI_EPSILON;
  if (typeof epsilon !== 'number' || !(epsilon > 0 && epsilon < 1)) {
    throw new InvalidInputError('epsilon', `epsilon: expected a proportion in (0, 1), got ${String(epsilon)}`);
  }
  return epsilon;
}

/** Index of the bin of `v`: the number of edges ≤ v (binary search). */
function binOf(edges: readonly number[], v: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function binProportions(edges: readonly number[], values: ArrayLike<number>): number[] {
  const counts = new Float64Array(edges.length + 1);
  for (let i = 0; i < values.length; i++) counts[binOf(edges, values[i]!)]! += 1;
  return Array.from(counts, (c) => c / values.length);
}

/** PSI of two aligned proportion vectors, each proportion floored at `epsilon`. */
export function psiFromProportions(reference: readonly number[], current: readonly number[], epsilon: number = PSI_EPSILON): number {
  if (reference.length !== current.length) {
    throw new InvalidInputError(
      'current',
      `current: expected ${reference.length} proportions (one per reference bin), got ${current.length}`,
    );
  }
  let psi = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = Math.max(reference[i]!, epsilon);
    const c = Math.max(current[i]!, epsilon);
    psi += (c - r) * Math.log(c / r);
  }
  return psi;
}

/**
 * Bins from the reference (training) values at the quantiles j/bins, j = 1 … bins − 1. A quantile's edge is
 * the order statistic x_(⌊j·n/bins⌋), so about j·n/bins rows fall below it. Repeated edges (a discrete or
 * mass-point feature) are merged and an edge at the minimum is dropped, so no bin is empty by construction:
 * a 0/1 feature gets the two bins (−∞, 1) and [1, ∞).
 *
 * @param bins number of quantile bins before merging; @default 10
 */
export function referenceBins(values: Float64Array, bins = 10): ReferenceBins {
  if (!Number.isInteger(bins) || bins < 2) throw new InvalidInputError('bins', `bins: expected an integer ≥ 2, got ${String(bins)}`);
  assertFiniteValues(values, 'values');
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  const edges: number[] = [];
  for (let j = 1; j < bins; j++) {
    const edge = sorted[Math.floor((j * n) / bins)]!;
    if (edge > sorted[0]! && (edges.length === 0 || edge > edges[edges.length - 1]!)) edges.push(edge);
  }
  return { edges, proportions: binProportions(edges, sorted), n };
}

/** PSI of `current` against bins fixed from the reference. */
export function populationStabilityIndex(reference: ReferenceBins, current: Float64Array, options: PsiOptions = {}): PsiResult {
  const epsilon = epsilonOption(options);
  if (reference.proportions.length !== reference.edges.length + 1) {
    throw new InvalidInputError(
      'reference',
      `reference: expected edges.length + 1 = ${reference.edges.length + 1} proportions, got ${reference.proportions.length}`,
    );
  }
  assertFiniteValues(current, 'current');
  const currentProportions = binProportions(reference.edges, current);
  return { psi: psiFromProportions(reference.proportions, currentProportions, epsilon), currentProportions, n: current.length };
}

/**
 * Categories of one categorical feature seen in the reference data, most frequent first (ties by name).
 * `proportions` has one more entry than `categories`: the last is the "other" bucket, which collects the
 * categories beyond `maxCategories` in the reference and every category unseen in training at serving time.
 */
export interface CategoricalReference {
  categories: string[];
  /** Reference fraction per category, then the "other" bucket; sums to 1. */
  proportions: number[];
  /** Reference rows. */
  n: number;
}

export interface CategoricalReferenceOptions {
  /**
   * Most frequent categories kept by name; the rest go to the "other" bucket.
   * @default 50
   */
  maxCategories?: number;
}

export function categoricalReference(values: readonly string[], options: CategoricalReferenceOptions = {}): CategoricalReference {
  const maxCategories = options.maxCategories ?? 50;
  if (!Number.isInteger(maxCategories) || maxCategories < 1) {
    throw new InvalidInputError('maxCategories', `maxCategories: expected an integer ≥ 1, got ${String(maxCategories)}`);
  }
  if (values.length === 0) throw new InvalidInputError('values', 'values: expected at least one value, got none');
  const counts = new Map<string, number>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'string') throw new InvalidInputError('values', `values: expected strings, got ${String(v)} at index ${i}`);
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const kept = ranked.slice(0, maxCategories);
  const otherCount = ranked.slice(maxCategories).reduce((s, [, c]) => s + c, 0);
  return {
    categories: kept.map(([name]) => name),
    proportions: [...kept.map(([, c]) => c / values.length), otherCount / values.length],
    n: values.length,
  };
}

/** PSI over the reference categories plus the "other" bucket; a category unseen in training counts as "other". */
export function categoricalPopulationStabilityIndex(
  reference: CategoricalReference,
  current: readonly string[],
  options: PsiOptions = {},
): PsiResult {
  const epsilon = epsilonOption(options);
  if (reference.proportions.length !== reference.categories.length + 1) {
    throw new InvalidInputError(
      'reference',
      `reference: expected categories.length + 1 = ${reference.categories.length + 1} proportions (the last is "other"), got ${reference.proportions.length}`,
    );
  }
  if (current.length === 0) throw new InvalidInputError('current', 'current: expected at least one value, got none');
  const index = new Map<string, number>();
  reference.categories.forEach((c, i) => index.set(c, i));
  const other = reference.categories.length;
  const counts = new Float64Array(other + 1);
  for (let i = 0; i < current.length; i++) counts[index.get(current[i]!) ?? other]! += 1;
  const currentProportions = Array.from(counts, (c) => c / current.length);
  return { psi: psiFromProportions(reference.proportions, currentProportions, epsilon), currentProportions, n: current.length };
}
