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
