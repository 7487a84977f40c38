// The traffic steps of a canary rollout. Free of Node APIs, so the workflow bundle can import it.

import { InvalidInputError } from '../invalidInputError.js';

/** Challenger weights of a rollout that does not name its own: 5%, 25%, 50%, then all traffic. */
export const DEFAULT_CANARY_STEPS: readonly number[] = Object.freeze([0.05, 0.25, 0.5, 1]);

/**
 * Check a rollout's challenger weights, e.g. from a pipeline spec: a non-empty array, strictly increasing,
 * each in (0, 1], ending at 1 (the last step hands the challenger all traffic). Errors name `source`, the
 * offending element, what was expected and what was got. Returns a fresh copy.
 */
export function validateCanarySteps(steps: unknown, source: string): number[] {
  const expected = 'a non-empty array of challenger weights in (0, 1], strictly increasing and ending at 1, e.g. [0.05, 0.25, 0.5, 1]';
  if (!Array.isArray(steps) || steps.length === 0) {
    throw new InvalidInputError(
      source,
      `${source}: expected ${expected}, got ${Array.isArray(steps) ? 'an empty array' : describeValue(steps)}`,
    );
  }
  const out: number[] = [];
  for (let i = 0; i < steps.length; i++) {
    const step: unknown = steps[i];
    if (typeof step !== 'number' || !Number.isFinite(step) || step <= 0 || step > 1) {
      throw new InvalidInputError(source, `${source}[${i}]: expected a weight in (0, 1], got ${describeValue(step)}`);
    }
    if (i > 0 && step <= out[i - 1]!) {
      throw new InvalidInputError(
        source,
        `${source}[${i}]: expected a weight greater than the previous step ${out[i - 1]} (steps must be strictly increasing), got ${step}`,
      );
    }
    out.push(step);
  }
  const last = out[out.length - 1]!;
  if (last !== 1) {
    throw new InvalidInputError(
      source,
      `${source}[${out.length - 1}]: expected the last step to be 1 (the challenger takes all traffic before promotion), got ${last}; append 1`,
    );
  }
  return out;
}

/** A value as an error message shows it. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return JSON.stringify(value);
}
