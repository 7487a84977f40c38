// Judges one canary observation window: does the challenger, serving a share w of live traffic, hold up
// against the champion serving 1 − w? The answer is promote (this step passes), rollback, or
// insufficient-evidence (the caller extends the window), with a sentence and the numbers for every check.
//
// Decision rules (the product's policy):
// 1. Guards, judged even when labels are scarce, once the challenger has answered `minRequestsForGuards`
//    requests (fewer: the guards are not judged and, unless another check fails, the decision is
//    insufficient-evidence):
//    - errorRate: fail when the lower end of the challenger error rate's 95% Wilson interval exceeds
//      `maxErrorRate`.
//    - errorRateIncrease: fail when challenger rate − champion rate > `maxErrorRateIncrease` and that same
//      Wilson lower bound is above the champion's point rate (not judged when the champion answered nothing).
//    - latencyP99: fail when the challenger p99 > `maxLatencyP99Ms`.
//    - latencyVsChampion: fail when the challenger p99 > `maxLatencyRatio` × champion p99 + 1 ms.
//    A latency check whose p99 is unknown (null) is reported as not judged and does not block.
// 2. Minimum labels: each arm needs `minLabelledPositives` labelled positives (tp + fn) and
//    `minLabelledNegatives` labelled negatives (fp + tn). If no check failed and an arm is short, the decision
//    is insufficient-evidence, and the label checks below are reported as not judged.
// 3. Non-inferiority on labelled traffic: d = challenger − champion with an interval at two-sided level
//    1 − 2·`alpha` (one-sided `alpha` per bound). With margin m: non-inferior when lower > −m, inferior when
//    upper < −m, else inconclusive.
//    - positiveRecall (minority recall), Newcombe (1998) hybrid score interval (method 10), m = `maxRecallDrop`:
//      inferior fails, inconclusive → insufficient-evidence. The rare class is what the product protects.
//    - gMean = √(positive recall · specificity), delta-method interval on the difference, m = `gMeanTolerance`:
//      inferior fails, inconclusive → insufficient-evidence. G-mean, not specificity alone, is the balance
//      test: after drift a stale champion often trades recall for specificity (or the reverse), and the
//      challenger that restores the balance must not be held back by the class it gives a little on.
//    - negativeRecall (specificity), Newcombe, m = `maxSpecificityDrop`: a guard against alert floods; only
//      inferior fails.
//    - positivePrecision, tp/(tp + fp), Newcombe, m = `maxPrecisionDrop`: only inferior fails; off by default
//      (precision moves with the prior and the specificity; set a margin to enforce it).
// 4. Decision: any failed check → rollback; else guards not judged, an arm short of labels, or an inconclusive
//    positive-recall or G-mean check → insufficient-evidence; else promote.

import { InvalidInputError } from '../invalidInputError.js';
import { describeValue } from './canarySteps.js';
import { wilsonInterval, Z_95 } from '../metrics/intervals.js';

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
}

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

export type CanaryDecision = 'promote' | 'rollback' | 'insufficient-evidence';

export interface CanaryCheck {
  /** errorRate, errorRateIncrease, latencyP99, latencyVsChampion, positiveRecall, negativeRecall, positivePrecision, gMean. */
  name: string;
  /** Null when not judged (too few requests or labels, unknown latency) or, for the label checks, inconclusive. */
  passed: boolean | null;
  /** The compared value: a Wilson lower bound, a difference challenger − champion, or a latency in ms. */
  value: number | null;
  /** What `value` is compared with: a ceiling, or −margin for a difference. */
  threshold: number | null;
  /** Wilson interval of the error rate, or the Newcombe interval of a difference. */
  interval?: [number, number];
  detail: string;
}

export interface ArmSummary {
  requests: number;
  errorRate: number | null;
  latencyP99Ms: number | null;
  /** Requests with feedback: tp + fn + fp + tn. */
  labelled: number;
  positiveRecall: number | null;
  negativeRecall: number | null;
  positivePrecision: number | null;
  negativePrecision: number | null;
  gMean: number | null;
}

export interface CanaryAnalysis {
  decision: CanaryDecision;
  reasons: string[];
  checks: CanaryCheck[];
  arms: Record<'champion' | 'challenger', ArmSummary>;
  criteria: CanaryCriteria;
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
    throw new InvalidInputError(source, `${source}: expected an object of canary criteria (one of ${CRITERIA_KEYS.join(', ')}), got ${describeValue(raw)}`);
  }
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const field = `${source}.${key}`;
    const rule = (CRITERIA_RULES as Record<string, { expected: string; ok: (v: number) => boolean } | undefined>)[key];
    if (rule === undefined) {
      throw new InvalidInputError(field, `${field}: expected a known canary criterion (one of ${CRITERIA_KEYS.join(', ')}), got an unknown field`);
    }
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || !rule.ok(value)) {
      throw new InvalidInputError(field, `${field}: expected ${rule.expected}, got ${describeValue(value)}`);
    }
    criteria[key as keyof CanaryCriteria] = value;
  }
  return criteria;
}

// Acklam's rational approximation of the standard-normal quantile (relative error < 1.2e-9).
const ACKLAM_A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const ACKLAM_B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const ACKLAM_C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const ACKLAM_D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];

/** z with Φ(z) = p, for p in (0, 1). */
function normalQuantile(p: number): number {
  const [a0, a1, a2, a3, a4, a5] = ACKLAM_A as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = ACKLAM_B as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = ACKLAM_C as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = ACKLAM_D as [number, number, number, number];
  const tail = (q: number): number => (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  const pLow = 0.02425;
  if (p < pLow) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - pLow) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) / (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1);
}

function checkCount(value: unknown, name: string, max?: number): number {
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

function validateArm(raw: unknown, arm: 'champion' | 'challenger'): ArmWindow {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InvalidInputError(arm, `${arm}: expected an object {requests, errors, latencyP99Ms, confusion}, got ${describeValue(raw)}`);
  }
  const w = raw as Record<string, unknown>;
  const requests = checkCount(w['requests'], `${arm}.requests`);
  const errors = checkCount(w['errors'], `${arm}.errors`, requests);
  const latency = w['latencyP99Ms'];
  if (latency !== null && (typeof latency !== 'number' || !Number.isFinite(latency) || latency < 0)) {
    throw new InvalidInputError(`${arm}.latencyP99Ms`, `${arm}.latencyP99Ms: expected a number ≥ 0 (ms) or null, got ${describeValue(latency)}`);
  }
  const confusion = w['confusion'];
  if (typeof confusion !== 'object' || confusion === null || Array.isArray(confusion)) {
    throw new InvalidInputError(`${arm}.confusion`, `${arm}.confusion: expected an object {tp, fn, fp, tn}, got ${describeValue(confusion)}`);
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
  };
}

const ratio = (x: number, n: number): number | null => (n === 0 ? null : x / n);

function summarise(w: ArmWindow): ArmSummary {
  const { tp, fn, fp, tn } = w.confusion;
  const positiveRecall = ratio(tp, tp + fn);
  const negativeRecall = ratio(tn, tn + fp);
  return {
    requests: w.requests,
    errorRate: ratio(w.errors, w.requests),
    latencyP99Ms: w.latencyP99Ms,
    labelled: tp + fn + fp + tn,
    positiveRecall,
    negativeRecall,
    positivePrecision: ratio(tp, tp + fp),
    negativePrecision: ratio(tn, tn + fn),
    gMean: positiveRecall === null || negativeRecall === null ? null : Math.sqrt(positiveRecall * negativeRecall),
  };
}

/** Up to 3 decimals, trailing zeros dropped, with a true minus sign for reading. */
function fmt(value: number): string {
  const text = Number.isInteger(value) ? String(value) : Math.abs(value) >= 0.001 ? value.toFixed(3).replace(/\.?0+$/, '') : value.toPrecision(2);
  return text === '-0' ? '0' : text.replace(/^-/, '−');
}

type Verdict = 'non-inferior' | 'inferior' | 'inconclusive';

/** A non-inferiority comparison of a proportion x/n between the arms (challenger first). */
function nonInferiority(
  name: string,
  label: string,
  challenger: [number, number],
  champion: [number, number],
  margin: number,
  alpha: number,
  inconclusiveBlocks: boolean,
): { check: CanaryCheck; verdict: Verdict | null } {
  const threshold = -margin;
  const [xc, nc] = challenger;
  const [xh, nh] = champion;
  const interval = newcombeDifferenceInterval(xc, nc, xh, nh, alpha);
  if (interval === null) {
    const missing = nc === 0 ? 'challenger' : 'champion';
    return {
      check: { name, passed: null, value: null, threshold, detail: `${label} not judged: undefined for the ${missing} (no labelled requests in its denominator)` },
      verdict: null,
    };
  }
  const pc = xc / nc;
  const ph = xh / nh;
  const d = pc - ph;
  const level = `${fmt((1 - 2 * alpha) * 100)}%`;
  const head = `challenger ${label} ${fmt(pc)} vs champion ${fmt(ph)}: difference ${fmt(d)}, ${level} interval [${fmt(interval[0])}, ${fmt(interval[1])}]`;
  let verdict: Verdict;
  let detail: string;
  if (interval[0] > threshold) {
    verdict = 'non-inferior';
    detail = `${head}, above the ${fmt(threshold)} margin (non-inferior)`;
  } else if (interval[1] < threshold) {
    verdict = 'inferior';
    detail = `${head}, below the ${fmt(threshold)} margin`;
  } else {
    verdict = 'inconclusive';
    detail = `${head}, straddles the ${fmt(threshold)} margin: inconclusive${inconclusiveBlocks ? ', more labelled traffic needed' : ' (does not block)'}`;
  }
  const passed = verdict === 'non-inferior' ? true : verdict === 'inferior' ? false : null;
  return { check: { name, passed, value: d, threshold, interval, detail }, verdict };
}

/**
 * G-mean non-inferiority: d = G_challenger − G_champion with a delta-method interval. For one arm,
 * Var(G) ≈ s(1 − r)/(4·n₊) + r(1 − s)/(4·n₋) with r the positive recall over n₊ labelled positives and s the
 * specificity over n₋ labelled negatives (recalls at 0 or 1 are pulled half a count inside, so the variance is
 * never 0); the arms are independent, so the variances add.
 */
function gMeanNonInferiority(
  challenger: ArmWindow['confusion'],
  champion: ArmWindow['confusion'],
  tolerance: number,
  alpha: number,
): { check: CanaryCheck; verdict: Verdict } {
  const arm = (m: ArmWindow['confusion']) => {
    const nPos = m.tp + m.fn;
    const nNeg = m.tn + m.fp;
    const r = m.tp / nPos;
    const s = m.tn / nNeg;
    const rv = Math.min(Math.max(r, 0.5 / nPos), 1 - 0.5 / nPos);
    const sv = Math.min(Math.max(s, 0.5 / nNeg), 1 - 0.5 / nNeg);
    return { g: Math.sqrt(r * s), variance: (sv * (1 - rv)) / (4 * nPos) + (rv * (1 - sv)) / (4 * nNeg) };
  };
  const a = arm(challenger);
  const b = arm(champion);
  const d = a.g - b.g;
  const half = normalQuantile(1 - alpha) * Math.sqrt(a.variance + b.variance);
  const interval: [number, number] = [d - half, d + half];
  const threshold = -tolerance;
  const level = `${fmt((1 - 2 * alpha) * 100)}%`;
  const head = `challenger G-mean ${fmt(a.g)} vs champion ${fmt(b.g)}: difference ${fmt(d)}, ${level} interval [${fmt(interval[0])}, ${fmt(interval[1])}]`;
  const verdict: Verdict = interval[0] > threshold ? 'non-inferior' : interval[1] < threshold ? 'inferior' : 'inconclusive';
  const detail =
    verdict === 'non-inferior'
      ? `${head}, above the ${fmt(threshold)} margin (non-inferior)`
      : verdict === 'inferior'
        ? `${head}, below the ${fmt(threshold)} margin`
        : `${head}, straddles the ${fmt(threshold)} margin: inconclusive, more labelled traffic needed`;
  return { check: { name: 'gMean', passed: verdict === 'non-inferior' ? true : verdict === 'inferior' ? false : null, value: d, threshold, interval, detail }, verdict };
}

/** A label check that was not judged because an arm is short of labels; the point difference is kept for reading. */
function notJudged(name: string, label: string, challenger: number | null, champion: number | null, threshold: number): CanaryCheck {
  const value = challenger === null || champion === null ? null : challenger - champion;
  const shown = (v: number | null): string => (v === null ? 'undefined' : fmt(v));
  return {
    name, passed: null, value, threshold,
    detail: `${label} not judged (too few labelled requests): challenger ${shown(challenger)} vs champion ${shown(champion)}`,
  };
}

/**
 * Compare the challenger with the champion on one observation window under `criteria` (defaults for absent
 * fields; see the file header for the rules). Throws `InvalidInputError` naming the arm and field for a
 * count that is not a non-negative integer, errors above requests, or a bad latency, and naming
 * `criteria.<field>` for a bad criterion.
 */
export function canaryAnalysis(champion: ArmWindow, challenger: ArmWindow, criteria: Partial<CanaryCriteria> = {}): CanaryAnalysis {
  const champ = validateArm(champion, 'champion');
  const chall = validateArm(challenger, 'challenger');
  const c = resolveCanaryCriteria(criteria, 'criteria');
  const arms = { champion: summarise(champ), challenger: summarise(chall) };
  const checks: CanaryCheck[] = [];

  // Guards.
  const guardsJudged = chall.requests >= c.minRequestsForGuards;
  const guardShortfall = `not judged: challenger answered ${chall.requests} requests, the guards need ${c.minRequestsForGuards}`;
  const errorInterval = wilsonInterval(chall.errors, chall.requests, Z_95);
  const challRate = arms.challenger.errorRate;
  const champRate = arms.champion.errorRate;
  if (!guardsJudged || errorInterval === null || challRate === null) {
    checks.push({ name: 'errorRate', passed: null, value: errorInterval?.[0] ?? null, threshold: c.maxErrorRate, detail: `error rate ${guardShortfall}` });
    checks.push({
      name: 'errorRateIncrease', passed: null, value: challRate === null || champRate === null ? null : challRate - champRate,
      threshold: c.maxErrorRateIncrease, detail: `error rate increase ${guardShortfall}`,
    });
  } else {
    const lower = errorInterval[0];
    const counted = `challenger error rate ${fmt(challRate)} (${chall.errors} of ${chall.requests} requests)`;
    const absoluteOk = lower <= c.maxErrorRate;
    checks.push({
      name: 'errorRate', passed: absoluteOk, value: lower, threshold: c.maxErrorRate, interval: errorInterval,
      detail: `${counted}, 95% Wilson lower bound ${fmt(lower)} ${absoluteOk ? 'within' : 'above'} the ${fmt(c.maxErrorRate)} maximum`,
    });
    if (champRate === null) {
      checks.push({
        name: 'errorRateIncrease', passed: null, value: null, threshold: c.maxErrorRateIncrease,
        detail: 'error rate increase not judged: the champion answered no requests in the window',
      });
    } else {
      const increase = challRate - champRate;
      const failed = increase > c.maxErrorRateIncrease && lower > champRate;
      const vs = `${counted} vs champion ${fmt(champRate)} (${champ.errors} of ${champ.requests})`;
      const detail = failed
        ? `${vs}: increase ${fmt(increase)} above the ${fmt(c.maxErrorRateIncrease)} allowed, and the challenger's 95% Wilson lower bound ${fmt(lower)} is above the champion's rate`
        : increase > c.maxErrorRateIncrease
          ? `${vs}: increase ${fmt(increase)} above the ${fmt(c.maxErrorRateIncrease)} allowed, but the challenger's 95% Wilson lower bound ${fmt(lower)} does not exceed the champion's rate`
          : `${vs}: increase ${fmt(increase)} within the ${fmt(c.maxErrorRateIncrease)} allowed`;
      checks.push({ name: 'errorRateIncrease', passed: !failed, value: increase, threshold: c.maxErrorRateIncrease, interval: errorInterval, detail });
    }
  }

  const challP99 = chall.latencyP99Ms;
  const champP99 = champ.latencyP99Ms;
  if (!guardsJudged) {
    checks.push({ name: 'latencyP99', passed: null, value: challP99, threshold: c.maxLatencyP99Ms, detail: `p99 latency ${guardShortfall}` });
  } else if (challP99 === null) {
    checks.push({ name: 'latencyP99', passed: null, value: null, threshold: c.maxLatencyP99Ms, detail: 'p99 latency not judged: the challenger p99 is unknown' });
  } else {
    const ok = challP99 <= c.maxLatencyP99Ms;
    checks.push({
      name: 'latencyP99', passed: ok, value: challP99, threshold: c.maxLatencyP99Ms,
      detail: `challenger p99 latency ${fmt(challP99)} ms ${ok ? 'within' : 'above'} the ${fmt(c.maxLatencyP99Ms)} ms maximum`,
    });
  }
  const ratioLimit = champP99 === null ? null : c.maxLatencyRatio * champP99 + 1;
  if (!guardsJudged) {
    checks.push({ name: 'latencyVsChampion', passed: null, value: challP99, threshold: ratioLimit, detail: `p99 latency vs champion ${guardShortfall}` });
  } else if (challP99 === null || champP99 === null || ratioLimit === null) {
    const unknown = challP99 === null ? 'challenger' : 'champion';
    checks.push({
      name: 'latencyVsChampion', passed: null, value: challP99, threshold: ratioLimit,
      detail: `p99 latency vs champion not judged: the ${unknown} p99 is unknown`,
    });
  } else {
    const ok = challP99 <= ratioLimit;
    checks.push({
      name: 'latencyVsChampion', passed: ok, value: challP99, threshold: ratioLimit,
      detail: `challenger p99 latency ${fmt(challP99)} ms vs champion ${fmt(champP99)} ms: ${ok ? 'within' : 'above'} ${fmt(c.maxLatencyRatio)} × ${fmt(champP99)} + 1 = ${fmt(ratioLimit)} ms`,
    });
  }

  // Minimum labels.
  const shortfalls: string[] = [];
  for (const [arm, w] of [['champion', champ], ['challenger', chall]] as const) {
    const positives = w.confusion.tp + w.confusion.fn;
    const negatives = w.confusion.fp + w.confusion.tn;
    if (positives < c.minLabelledPositives) {
      shortfalls.push(`${arm} has ${positives} labelled positives (tp + fn), needs at least ${c.minLabelledPositives}`);
    }
    if (negatives < c.minLabelledNegatives) {
      shortfalls.push(`${arm} has ${negatives} labelled negatives (fp + tn), needs at least ${c.minLabelledNegatives}`);
    }
  }

  // Label checks.
  const inconclusive: string[] = [];
  const { tp: ctp, fn: cfn, fp: cfp, tn: ctn } = chall.confusion;
  const { tp: htp, fn: hfn, fp: hfp, tn: htn } = champ.confusion;
  const gMeanThreshold = -c.gMeanTolerance;
  if (shortfalls.length > 0) {
    checks.push(notJudged('positiveRecall', 'positive recall', arms.challenger.positiveRecall, arms.champion.positiveRecall, -c.maxRecallDrop));
    checks.push(notJudged('negativeRecall', 'negative recall (specificity)', arms.challenger.negativeRecall, arms.champion.negativeRecall, -c.maxSpecificityDrop));
    checks.push(notJudged('positivePrecision', 'positive precision', arms.challenger.positivePrecision, arms.champion.positivePrecision, -c.maxPrecisionDrop));
    checks.push(notJudged('gMean', 'G-mean', arms.challenger.gMean, arms.champion.gMean, gMeanThreshold));
  } else {
    const recall = nonInferiority('positiveRecall', 'positive recall', [ctp, ctp + cfn], [htp, htp + hfn], c.maxRecallDrop, c.alpha, true);
    const specificity = nonInferiority('negativeRecall', 'negative recall (specificity)', [ctn, ctn + cfp], [htn, htn + hfp], c.maxSpecificityDrop, c.alpha, false);
    const precision = nonInferiority('positivePrecision', 'positive precision', [ctp, ctp + cfp], [htp, htp + hfp], c.maxPrecisionDrop, c.alpha, false);
    // Guards: an inconclusive specificity or precision is reported but never blocks; only a clear loss fails.
    for (const guard of [specificity, precision]) if (guard.verdict === 'inconclusive') guard.check.passed = null;
    const gMean = gMeanNonInferiority(chall.confusion, champ.confusion, c.gMeanTolerance, c.alpha);
    checks.push(recall.check, gMean.check, specificity.check, precision.check);
    for (const r of [recall, gMean]) if (r.verdict === 'inconclusive') inconclusive.push(r.check.detail);
  }

  const reasons: string[] = [];
  let decision: CanaryDecision;
  const failedChecks = checks.filter((check) => check.passed === false);
  if (failedChecks.length > 0) {
    decision = 'rollback';
    for (const check of failedChecks) reasons.push(check.detail);
  } else if (!guardsJudged || shortfalls.length > 0 || inconclusive.length > 0) {
    decision = 'insufficient-evidence';
    if (!guardsJudged) reasons.push(`challenger answered ${chall.requests} requests in the window; the error-rate and latency guards need at least ${c.minRequestsForGuards}`);
    reasons.push(...shortfalls, ...inconclusive);
  } else {
    decision = 'promote';
    const passed = checks.filter((check) => check.passed === true);
    reasons.push(`all ${passed.length} judged checks passed`);
    for (const check of checks) {
      if (check.name === 'positiveRecall' || check.name === 'gMean' || check.passed === null) reasons.push(check.detail);
    }
  }
  return { decision, reasons, checks, arms, criteria: c };
}
