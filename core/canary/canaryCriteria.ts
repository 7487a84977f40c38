// The thresholds a canary window is judged by: their defaults and their validation from a parsed pipeline spec.

import { InvalidInputError } from '../invalidInputError.js';
import { describeValue } from './canarySteps.js';

export interface CanaryCriteria {
  /**
   * Challenger requests in the window before the error-rate and latency guards are judged.
   * @default 50
   */
  minRequestsForGuards: number;
  /**
   * Largest allowed challenger error rate (fraction of requests), compared with the lower end of its
   * 95% Wilson interval.
   * @default 0.01
   */
  maxErrorRate: number;
  /**
   * Largest allowed increase of the challenger error rate over the champion's (absolute, fraction of requests).
   * @default 0.01
   */
  maxErrorRateIncrease: number;
  /**
   * Largest allowed challenger p99 latency, in ms.
   * @default 50
   */
  maxLatencyP99Ms: number;
  /**
   * Largest allowed ratio of challenger p99 to champion p99 (plus 1 ms of slack).
   * @default 2
   */
  maxLatencyRatio: number;
  /**
   * Labelled positives (tp + fn) each arm needs before recall and precision are compared.
   * @default 20
   */
  minLabelledPositives: number;
  /**
   * Labelled negatives (fp + tn) each arm needs before specificity is compared.
   * @default 100
   */
  minLabelledNegatives: number;
  /**
   * One-sided error level of each non-inferiority bound; the reported interval is two-sided 1 − 2·alpha.
   * @default 0.05
   */
  alpha: number;
  /**
   * Non-inferiority margin on positive (minority) recall, absolute.
   * @default 0.05
   */
  maxRecallDrop: number;
  /**
   * Guard margin on negative recall (specificity), absolute: only a specificity shown lower by more fails.
   * @default 0.25
   */
  maxSpecificityDrop: number;
  /**
   * Guard margin on positive precision, absolute: only a precision shown lower by more fails.
   * @default 1 (off)
   */
  maxPrecisionDrop: number;
  /**
   * Non-inferiority margin on G-mean, absolute. A tighter margin needs many more labelled positives per arm
   * (about 1,300 for 0.02 at recall 0.8, against about 200 for 0.05).
   * @default 0.05
   */
  gMeanTolerance: number;
}

export function defaultCanaryCriteria(): CanaryCriteria {
  return {
    minRequestsForGuards: 50,
    maxErrorRate: 0.01,
    maxErrorRateIncrease: 0.01,
    maxLatencyP99Ms: 50,
    maxLatencyRatio: 2,
    minLabelledPositives: 20,
    minLabelledNegatives: 100,
    alpha: 0.05,
    maxRecallDrop: 0.05,
    maxSpecificityDrop: 0.25,
    maxPrecisionDrop: 1,
    gMeanTolerance: 0.05,
  };
}

const CRITERIA_RULES: Record<keyof CanaryCriteria, { expected: string; ok: (v: number) => boolean }> = {
  minRequestsForGuards: { expected: 'an integer ≥ 1 (requests)', ok: (v) => Number.isInteger(v) && v >= 1 },
  maxErrorRate: { expected: 'a number in [0, 1] (fraction of requests)', ok: (v) => v >= 0 && v <= 1 },
  maxErrorRateIncrease: { expected: 'a number in [0, 1] (fraction of requests)', ok: (v) => v >= 0 && v <= 1 },
  maxLatencyP99Ms: { expected: 'a number > 0 (ms)', ok: (v) => v > 0 },
  maxLatencyRatio: { expected: 'a number ≥ 1', ok: (v) => v >= 1 },
  minLabelledPositives: { expected: 'an integer ≥ 1', ok: (v) => Number.isInteger(v) && v >= 1 },
  minLabelledNegatives: { expected: 'an integer ≥ 1', ok: (v) => Number.isInteger(v) && v >= 1 },
  alpha: { expected: 'a number in (0, 0.5), e.g. 0.05 for a 90% two-sided interval', ok: (v) => v > 0 && v < 0.5 },
  maxRecallDrop: { expected: 'a number in [0, 1]', ok: (v) => v >= 0 && v <= 1 },
  maxSpecificityDrop: { expected: 'a number in [0, 1]', ok: (v) => v >= 0 && v <= 1 },
  maxPrecisionDrop: { expected: 'a number in [0, 1]', ok: (v) => v >= 0 && v <= 1 },
  gMeanTolerance: { expected: 'a number in [0, 1]', ok: (v) => v >= 0 && v <= 1 },
};
const CRITERIA_KEYS = Object.keys(CRITERIA_RULES) as (keyof CanaryCriteria)[];

/**
 * Canary criteria from an already JSON-parsed object (a pipeline spec's `canary.criteria`, say): absent fields
 * take their defaults, unknown fields and bad values throw an `InvalidInputError` naming `${source}.${field}`,
 * what was expected and what was got. `undefined` gives the defaults.
 */
export function resolveCanaryCriteria(raw: unknown, source: string): CanaryCriteria {
  const criteria = defaultCanaryCriteria();
  if (raw === undefined) return criteria;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InvalidInputError(
      source,
      `${source}: expected an object of canary criteria (one of ${CRITERIA_KEYS.join(', ')}), got ${describeValue(raw)}`,
    );
  }
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const field = `${source}.${key}`;
    const rule = (CRITERIA_RULES as Record<string, { expected: string; ok: (v: number) => boolean } | undefined>)[key];
    if (rule === undefined) {
      throw new InvalidInputError(
        field,
        `${field}: expected a known canary criterion (one of ${CRITERIA_KEYS.join(', ')}), got an unknown field`,
      );
    }
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || !rule.ok(value)) {
      throw new InvalidInputError(field, `${field}: expected ${rule.expected}, got ${describeValue(value)}`);
    }
    criteria[key as keyof CanaryCriteria] = value;
  }
  return criteria;
}
