// One arm's traffic in a canary observation window, as the caller aggregates it, and the check of such a window
// read from an activity's input: counts that are non-negative integers, errors within requests, a latency ≥ 0 or
// null, and per-class counts when the model has more than two classes.

import { InvalidInputError } from '../invalidInputError.js';
import { describeValue } from './canarySteps.js';
import { validateClassCounts, type ClassRecallCounts } from './classRecallCanary.js';
import { checkCount } from './proportionDifference.js';

/** One arm's traffic in the observation window, aggregated by the caller. */
export interface ArmWindow {
  /** Requests answered by this arm in the window. */
  requests: number;
  /** Of those, scoring errors (5xx, exceptions). */
  errors: number;
  /** 99th-percentile scoring latency in ms; null when not measured. */
  latencyP99Ms: number | null;
  /** Confusion counts of the requests that have feedback (true labels), positive = rare class. */
  confusion: { tp: number; fn: number; fp: number; tn: number };
  /**
   * Per true class value, labelled requests and those predicted right. With more than two class values over both
   * arms the window is judged per class; absent or binary: by `confusion`.
   */
  classes?: ClassRecallCounts[];
}

/** `raw` as an arm's window, or InvalidInputError naming the arm and the field. */
export function validateArm(raw: unknown, arm: 'champion' | 'challenger'): ArmWindow {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InvalidInputError(arm, `${arm}: expected an object {requests, errors, latencyP99Ms, confusion}, got ${describeValue(raw)}`);
  }
  const w = raw as Record<string, unknown>;
  const requests = checkCount(w['requests'], `${arm}.requests`);
  const errors = checkCount(w['errors'], `${arm}.errors`, requests);
  const latency = w['latencyP99Ms'];
  if (latency !== null && (typeof latency !== 'number' || !Number.isFinite(latency) || latency < 0)) {
    throw new InvalidInputError(
      `${arm}.latencyP99Ms`,
      `${arm}.latencyP99Ms: expected a number ≥ 0 (ms) or null, got ${describeValue(latency)}`,
    );
  }
  const confusion = w['confusion'];
  if (typeof confusion !== 'object' || confusion === null || Array.isArray(confusion)) {
    throw new InvalidInputError(
      `${arm}.confusion`,
      `${arm}.confusion: expected an object {tp, fn, fp, tn}, got ${describeValue(confusion)}`,
    );
  }
  const c = confusion as Record<string, unknown>;
  return {
    requests,
    errors,
    latencyP99Ms: latency as number | null,
    confusion: {
      tp: checkCount(c['tp'], `${arm}.confusion.tp`),
      fn: checkCount(c['fn'], `${arm}.confusion.fn`),
      fp: checkCount(c['fp'], `${arm}.confusion.fp`),
      tn: checkCount(c['tn'], `${arm}.confusion.tn`),
    },
    ...(w['classes'] !== undefined ? { classes: validateClassCounts(w['classes'], `${arm}.classes`) } : {}),
  };
}
