// The interval of a difference of two proportions (Newcombe's hybrid score method), with the normal quantile it
// needs and the count checks of its inputs.

import { InvalidInputError } from '../invalidInputError.js';
import { wilsonInterval } from '../metrics/intervals.js';
import { describeValue } from './canarySteps.js';

// Acklam's rational approximation of the standard-normal quantile (relative error < 1.2e-9).
const ACKLAM_A = [
  -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239,
];
const ACKLAM_B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const ACKLAM_C = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783,
];
const ACKLAM_D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];

/** z with Φ(z) = p, for p in (0, 1). */
export function normalQuantile(p: number): number {
  const [a0, a1, a2, a3, a4, a5] = ACKLAM_A as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = ACKLAM_B as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = ACKLAM_C as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = ACKLAM_D as [number, number, number, number];
  const tail = (q: number): number =>
    (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  const pLow = 0.02425;
  if (p < pLow) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - pLow) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) / (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1);
}

/** `value` as a count: an integer ≥ 0 (and ≤ max when given), else an InvalidInputError naming `name`. */
export function checkCount(value: unknown, name: string, max?: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || (max !== undefined && value > max)) {
    const expected = max === undefined ? 'an integer ≥ 0' : `an integer in [0, ${max}]`;
    throw new InvalidInputError(name, `${name}: expected ${expected}, got ${describeValue(value)}`);
  }
  return value;
}

/**
 * Newcombe's hybrid score interval for p1 − p2 (Newcombe 1998, method 10), from the Wilson intervals
 * (l1, u1), (l2, u2) at z = Φ⁻¹(1 − alpha): [δ − √((p1 − l1)² + (u2 − p2)²), δ + √((u1 − p1)² + (p2 − l2)²)].
 * `alpha` is one-sided per bound, so alpha = 0.025 gives the 95% two-sided interval. Null when n1 or n2 is 0.
 */
export function newcombeDifferenceInterval(x1: number, n1: number, x2: number, n2: number, alpha: number): [number, number] | null {
  checkCount(n1, 'n1');
  checkCount(x1, 'x1', n1);
  checkCount(n2, 'n2');
  checkCount(x2, 'x2', n2);
  if (typeof alpha !== 'number' || !(alpha > 0 && alpha < 0.5)) {
    throw new InvalidInputError('alpha', `alpha: expected a number in (0, 0.5) (one-sided error level), got ${describeValue(alpha)}`);
  }
  if (n1 === 0 || n2 === 0) return null;
  const z = normalQuantile(1 - alpha);
  const [l1, u1] = wilsonInterval(x1, n1, z)!;
  const [l2, u2] = wilsonInterval(x2, n2, z)!;
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const delta = p1 - p2;
  return [delta - Math.hypot(p1 - l1, u2 - p2), delta + Math.hypot(u1 - p1, p2 - l2)];
}
