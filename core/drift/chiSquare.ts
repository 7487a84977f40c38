// Label-prior shift: Pearson's chi-square goodness of fit of the observed class counts against the training
// prior, with the chi-square survival function from the regularized upper incomplete gamma function.

import { InvalidInputError } from '../invalidInputError.js';

// Lanczos approximation, g = 7, n = 9 (relative error below 1e-15 for x > 0).
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0. */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new InvalidInputError('x', `x: expected a number > 0, got ${x}`);
  // Reflection Γ(x)Γ(1 − x) = π / sin(πx) keeps the series in its accurate range x ≥ 0.5.
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

const GAMMA_EPS = 1e-15;
const GAMMA_FPMIN = 1e-300;
const GAMMA_MAX_ITERATIONS = 100_000;

/** P(a, x) by its power series, for x < a + 1: e^{−x} x^a / Γ(a+1) · Σ_n x^n / ((a+1)…(a+n)). */
function lowerGammaSeries(a: number, x: number): number {
  let ap = a;
  let term = 1 / a;
  let sum = term;
  for (let n = 0; n < GAMMA_MAX_ITERATIONS; n++) {
    ap += 1;
    term *= x / ap;
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * GAMMA_EPS) break;
  }
  return sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
}

/** Q(a, x) by its continued fraction (modified Lentz), for x ≥ a + 1 (Numerical Recipes 3rd ed., §6.2). */
function upperGammaContinuedFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / GAMMA_FPMIN;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < GAMMA_MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < GAMMA_FPMIN) d = GAMMA_FPMIN;
    c = b + an / c;
    if (Math.abs(c) < GAMMA_FPMIN) c = GAMMA_FPMIN;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < GAMMA_EPS) break;
  }
  return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
}

/**
 * Regularized upper incomplete gamma Q(a, x) = Γ(a, x)/Γ(a), for a > 0 and x ≥ 0. The series serves
 * x < a + 1 (where Q is not tiny, so 1 − P loses nothing) and the continued fraction the rest, where it
 * converges fast and keeps small tail probabilities to full relative precision.
 */
export function regularizedGammaQ(a: number, x: number): number {
  if (!(a > 0) || !Number.isFinite(a)) throw new InvalidInputError('a', `a: expected a finite number > 0, got ${a}`);
  if (!(x >= 0)) throw new InvalidInputError('x', `x: expected a number ≥ 0, got ${x}`);
  if (x === 0) return 1;
  if (x === Infinity) return 0;
  return x < a + 1 ? 1 - lowerGammaSeries(a, x) : upperGammaContinuedFraction(a, x);
}

/** P(X ≥ statistic) for X ~ χ²(degreesOfFreedom) = Q(df/2, statistic/2). */
export function chiSquareSurvival(statistic: number, degreesOfFreedom: number): number {
  if (!(degreesOfFreedom > 0))
    throw new InvalidInputError('degreesOfFreedom', `degreesOfFreedom: expected a number > 0, got ${degreesOfFreedom}`);
  if (!(statistic >= 0)) throw new InvalidInputError('statistic', `statistic: expected a number ≥ 0, got ${statistic}`);
  return regularizedGammaQ(degreesOfFreedom / 2, statistic / 2);
}

export interface ChiSquareOptions {
  /**
   * Smallest expected count (n·π_c) any class may have for the chi-square approximation to be trusted
   * (Cochran's rule). Below it the test is `insufficient` rather than a misleading p-value.
   * @default 5
   */
  minExpected?: number;
  /**
   * Class names for messages, in the order of the counts.
   * @default ['class 0', 'class 1', …]
   */
  classNames?: string[];
}

interface ChiSquareCounts {
  /** Observed rows per class, in the order given. */
  observed: number[];
  /** n·π_c per class. */
  expected: number[];
  /** Σ observed. */
  n: number;
}

export interface ChiSquareTested extends ChiSquareCounts {
  status: 'tested';
  /** Σ (O_c − E_c)² / E_c. */
  statistic: number;
  /** classes − 1. */
  degreesOfFreedom: number;
  /** P(χ²_df ≥ statistic). */
  pValue: number;
}

export interface ChiSquareInsufficient extends ChiSquareCounts {
  status: 'insufficient';
  /** A sentence with the numbers: which class expects too few rows and how many rows would be enough. */
  reason: string;
  /** Rows needed for every expected count to reach `minExpected`: ⌈minExpected / min_c π_c⌉. */
  rowsNeeded: number;
}

export type ChiSquareResult = ChiSquareTested | ChiSquareInsufficient;

function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(3)));
}

/**
 * Pearson goodness of fit of `observed` class counts against the `prior` proportions (expected E_c = n·π_c),
 * df = classes − 1. When some E_c < `minExpected` the result is `insufficient`, with the numbers. The prior is
 * that of the data as collected (before any resampling), and the counts must come from a random sample of the
 * window: labels that arrive only for investigated (predicted-positive) rows are biased towards positives.
 */
export function chiSquareGoodnessOfFit(
  observed: ArrayLike<number>,
  prior: ArrayLike<number>,
  options: ChiSquareOptions = {},
): ChiSquareResult {
  const k = prior.length;
  if (k < 2) throw new InvalidInputError('prior', `prior: expected at least 2 class proportions, got ${k}`);
  if (observed.length !== k)
    throw new InvalidInputError('observed', `observed: expected ${k} class counts (one per prior entry), got ${observed.length}`);
  let priorSum = 0;
  for (let c = 0; c < k; c++) {
    const p = prior[c]!;
    if (!(p > 0 && p < 1))
      throw new InvalidInputError(
        'prior',
        `prior: expected proportions in (0, 1), got ${p} for class ${c}; a class absent from training cannot be tested`,
      );
    priorSum += p;
  }
  if (Math.abs(priorSum - 1) > 1e-9)
    throw new InvalidInputError('prior', `prior: expected proportions summing to 1, got a sum of ${priorSum}`);
  let n = 0;
  for (let c = 0; c < k; c++) {
    const o = observed[c]!;
    if (!Number.isInteger(o) || o < 0)
      throw new InvalidInputError('observed', `observed: expected integer counts ≥ 0, got ${o} for class ${c}`);
    n += o;
  }
  if (n === 0) throw new InvalidInputError('observed', 'observed: expected at least one counted row, got 0');
  const minExpected = options.minExpected ?? 5;
  if (typeof minExpected !== 'number' || !(minExpected > 0) || !Number.isFinite(minExpected)) {
    throw new InvalidInputError('minExpected', `minExpected: expected a finite number > 0, got ${String(minExpected)}`);
  }
  const names = options.classNames ?? Array.from({ length: k }, (_, c) => `class ${c}`);
  if (names.length !== k) throw new InvalidInputError('classNames', `classNames: expected ${k} names, got ${names.length}`);

  const counts: ChiSquareCounts = {
    observed: Array.from({ length: k }, (_, c) => observed[c]!),
    expected: Array.from({ length: k }, (_, c) => n * (prior[c]! / priorSum)),
    n,
  };
  let smallest = 0;
  for (let c = 1; c < k; c++) if (counts.expected[c]! < counts.expected[smallest]!) smallest = c;
  const smallestExpected = counts.expected[smallest]!;
  if (smallestExpected < minExpected) {
    const pi = prior[smallest]! / priorSum;
    const rowsNeeded = Math.ceil(minExpected / pi - 1e-9);
    return {
      status: 'insufficient',
      ...counts,
      rowsNeeded,
      reason:
        `label-prior test not run: ${names[smallest]} expects ${n} rows × prior ${formatNumber(pi)} = ${formatNumber(smallestExpected)} ` +
        `(observed ${counts.observed[smallest]}), below the minimum expected count ${minExpected}; it needs at least ${rowsNeeded} labelled rows`,
    };
  }
  let statistic = 0;
  for (let c = 0; c < k; c++) {
    const diff = counts.observed[c]! - counts.expected[c]!;
    statistic += (diff * diff) / counts.expected[c]!;
  }
  const degreesOfFreedom = k - 1;
  return { status: 'tested', ...counts, statistic, degreesOfFreedom, pValue: chiSquareSurvival(statistic, degreesOfFreedom) };
}
