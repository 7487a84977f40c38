// Confidence intervals for the binomial proportions behind per-class recall and precision, so small
// minority-class counts are reported with their uncertainty rather than as bare point estimates.

import { InvalidInputError } from '../invalidInputError.js';

/** Two-sided 95% standard-normal quantile. */
export const Z_95 = 1.959964;

/**
 * Wilson score interval for `successes` out of `trials`:
 * centre = (p̂ + z²/2n) / (1 + z²/n), half-width = z/(1 + z²/n) · √(p̂(1 − p̂)/n + z²/4n²).
 * Unlike the Wald interval it stays inside [0, 1] and is not degenerate at p̂ = 0 or 1, which matters for
 * recall on a handful of positives. Returns null when `trials` is 0 (the proportion is undefined).
 *
 * @param z standard-normal quantile; @default 1.959964 (95%)
 */
export function wilsonInterval(successes: number, trials: number, z: number = Z_95): [number, number] | null {
  if (!Number.isInteger(trials) || trials < 0) {
    throw new InvalidInputError('trials', `trials: expected an integer ≥ 0, got ${trials}`);
  }
  if (!Number.isInteger(successes) || successes < 0 || successes > trials) {
    throw new InvalidInputError('successes', `successes: expected an integer in [0, ${trials}], got ${successes}`);
  }
  if (!Number.isFinite(z) || z <= 0) throw new InvalidInputError('z', `z: expected a finite number > 0, got ${z}`);
  if (trials === 0) return null;
  const p = successes / trials;
  const z2n = (z * z) / trials;
  const denominator = 1 + z2n;
  const centre = (p + z2n / 2) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / trials + z2n / (4 * trials));
  // At p̂ = 0 or 1 the bound is exactly 0 or 1; pin it so rounding does not leave 2.8e-17.
  const lower = successes === 0 ? 0 : Math.max(0, centre - half);
  const upper = successes === trials ? 1 : Math.min(1, centre + half);
  return [lower, upper];
}

/**
 * Interval of the difference p1 − p2 of two independent proportions from each one's own interval (Newcombe 1998,
 * method 10, the "hybrid score" interval when the two are Wilson intervals):
 * lower = (p1 − p2) − √((p1 − l1)² + (u2 − p2)²), upper = (p1 − p2) + √((u1 − p1)² + (p2 − l2)²).
 * Used where a live value is compared with a validation value that is itself an estimate on a finite test split:
 * taking the validation value as exact would read its luck as a drop.
 */
export function differenceInterval(
  p1: number,
  interval1: readonly [number, number],
  p2: number,
  interval2: readonly [number, number],
): [number, number] {
  const d = p1 - p2;
  return [d - Math.hypot(p1 - interval1[0], interval2[1] - p2), d + Math.hypot(interval1[1] - p1, p2 - interval2[0])];
}
