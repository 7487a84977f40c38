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
//    The two comparisons with the champion are not judged (and do not block) while the champion has answered
//    fewer than `minRequestsForGuards` requests in the window.
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
// Multi-class windows (per-class counts given with more than two class values): steps 2 and 3 are judged per class
// instead (classRecallCanary.ts): each class needs `minLabelledPositives` labelled requests per arm, each class's
// recall is held to `maxRecallDrop` and the macro G-mean to `gMeanTolerance`, by the same rule.

import { validateArm, type ArmWindow } from './canaryArmWindow.js';
import { wilsonInterval, Z_95 } from '../metrics/intervals.js';
import { resolveCanaryCriteria, type CanaryCriteria } from './canaryCriteria.js';
import { fmt, gMeanNonInferiority, nonInferiority, notJudged } from './nonInferiority.js';
import { classRecallChecks, classRecallSummary, classValuesOf } from './classRecallCanary.js';

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
  /** Multi-class windows: each class's recall (null without labelled requests of it). */
  classRecall?: Record<string, number | null>;
  /** Multi-class windows: the geometric mean of the per-class recalls. */
  macroGMean?: number | null;
}

export interface CanaryAnalysis {
  decision: CanaryDecision;
  reasons: string[];
  checks: CanaryCheck[];
  arms: Record<'champion' | 'challenger', ArmSummary>;
  criteria: CanaryCriteria;
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
  const classValues = classValuesOf(champ.classes, chall.classes);
  const multiClass = classValues.length > 2;
  if (multiClass) {
    for (const [arm, w] of [
      ['champion', champ],
      ['challenger', chall],
    ] as const) {
      Object.assign(arms[arm], classRecallSummary(w.classes ?? [], classValues));
    }
  }
  const checks: CanaryCheck[] = [];

  // Guards.
  const guardsJudged = chall.requests >= c.minRequestsForGuards;
  const guardShortfall = `not judged: challenger answered ${chall.requests} requests, the guards need ${c.minRequestsForGuards}`;
  // A comparison with the champion needs as many champion requests (at 100% it answers only those served before the
  // weight reached the services: a p99 of 19 requests once rolled back a challenger as slow).
  const champCompared = champ.requests >= c.minRequestsForGuards;
  const champShortfall =
    champ.requests === 0
      ? 'not judged: the champion answered no requests in the window'
      : `not judged: the champion answered ${champ.requests} requests, a comparison with it needs ${c.minRequestsForGuards}`;
  const errorInterval = wilsonInterval(chall.errors, chall.requests, Z_95);
  const challRate = arms.challenger.errorRate;
  const champRate = arms.champion.errorRate;
  if (!guardsJudged || errorInterval === null || challRate === null) {
    checks.push({
      name: 'errorRate',
      passed: null,
      value: errorInterval?.[0] ?? null,
      threshold: c.maxErrorRate,
      detail: `error rate ${guardShortfall}`,
    });
    checks.push({
      name: 'errorRateIncrease',
      passed: null,
      value: challRate === null || champRate === null ? null : challRate - champRate,
      threshold: c.maxErrorRateIncrease,
      detail: `error rate increase ${guardShortfall}`,
    });
  } else {
    const lower = errorInterval[0];
    const counted = `challenger error rate ${fmt(challRate)} (${chall.errors} of ${chall.requests} requests)`;
    const absoluteOk = lower <= c.maxErrorRate;
    checks.push({
      name: 'errorRate',
      passed: absoluteOk,
      value: lower,
      threshold: c.maxErrorRate,
      interval: errorInterval,
      detail: `${counted}, 95% Wilson lower bound ${fmt(lower)} ${absoluteOk ? 'within' : 'above'} the ${fmt(c.maxErrorRate)} maximum`,
    });
    if (champRate === null || !champCompared) {
      checks.push({
        name: 'errorRateIncrease',
        passed: null,
        value: champRate === null ? null : challRate - champRate,
        threshold: c.maxErrorRateIncrease,
        detail: `error rate increase ${champShortfall}`,
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
      checks.push({
        name: 'errorRateIncrease',
        passed: !failed,
        value: increase,
        threshold: c.maxErrorRateIncrease,
        interval: errorInterval,
        detail,
      });
    }
  }

  const challP99 = chall.latencyP99Ms;
  const champP99 = champ.latencyP99Ms;
  if (!guardsJudged) {
    checks.push({
      name: 'latencyP99',
      passed: null,
      value: challP99,
      threshold: c.maxLatencyP99Ms,
      detail: `p99 latency ${guardShortfall}`,
    });
  } else if (challP99 === null) {
    checks.push({
      name: 'latencyP99',
      passed: null,
      value: null,
      threshold: c.maxLatencyP99Ms,
      detail: 'p99 latency not judged: the challenger p99 is unknown',
    });
  } else {
    const ok = challP99 <= c.maxLatencyP99Ms;
    checks.push({
      name: 'latencyP99',
      passed: ok,
      value: challP99,
      threshold: c.maxLatencyP99Ms,
      detail: `challenger p99 latency ${fmt(challP99)} ms ${ok ? 'within' : 'above'} the ${fmt(c.maxLatencyP99Ms)} ms maximum`,
    });
  }
  const ratioLimit = champP99 === null ? null : c.maxLatencyRatio * champP99 + 1;
  if (!guardsJudged) {
    checks.push({
      name: 'latencyVsChampion',
      passed: null,
      value: challP99,
      threshold: ratioLimit,
      detail: `p99 latency vs champion ${guardShortfall}`,
    });
  } else if (challP99 !== null && champP99 !== null && !champCompared) {
    checks.push({
      name: 'latencyVsChampion',
      passed: null,
      value: challP99,
      threshold: ratioLimit,
      detail: `p99 latency vs champion ${champShortfall}`,
    });
  } else if (challP99 === null || champP99 === null || ratioLimit === null) {
    const unknown = challP99 === null ? 'challenger' : 'champion';
    checks.push({
      name: 'latencyVsChampion',
      passed: null,
      value: challP99,
      threshold: ratioLimit,
      detail: `p99 latency vs champion not judged: the ${unknown} p99 is unknown`,
    });
  } else {
    const ok = challP99 <= ratioLimit;
    checks.push({
      name: 'latencyVsChampion',
      passed: ok,
      value: challP99,
      threshold: ratioLimit,
      detail: `challenger p99 latency ${fmt(challP99)} ms vs champion ${fmt(champP99)} ms: ${ok ? 'within' : 'above'} ${fmt(c.maxLatencyRatio)} × ${fmt(champP99)} + 1 = ${fmt(ratioLimit)} ms`,
    });
  }

  // Minimum labels.
  const shortfalls: string[] = [];
  const inconclusive: string[] = [];
  if (multiClass) {
    const judged = classRecallChecks(chall.classes ?? [], champ.classes ?? [], classValues, c);
    checks.push(...judged.checks);
    shortfalls.push(...judged.shortfalls);
    inconclusive.push(...judged.inconclusive);
  }
  for (const [arm, w] of multiClass
    ? []
    : ([
        ['champion', champ],
        ['challenger', chall],
      ] as const)) {
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
  const { tp: ctp, fn: cfn, fp: cfp, tn: ctn } = chall.confusion;
  const { tp: htp, fn: hfn, fp: hfp, tn: htn } = champ.confusion;
  const gMeanThreshold = -c.gMeanTolerance;
  if (multiClass) {
    // Judged per class above.
  } else if (shortfalls.length > 0) {
    checks.push(
      notJudged('positiveRecall', 'positive recall', arms.challenger.positiveRecall, arms.champion.positiveRecall, -c.maxRecallDrop),
    );
    checks.push(
      notJudged(
        'negativeRecall',
        'negative recall (specificity)',
        arms.challenger.negativeRecall,
        arms.champion.negativeRecall,
        -c.maxSpecificityDrop,
      ),
    );
    checks.push(
      notJudged(
        'positivePrecision',
        'positive precision',
        arms.challenger.positivePrecision,
        arms.champion.positivePrecision,
        -c.maxPrecisionDrop,
      ),
    );
    checks.push(notJudged('gMean', 'G-mean', arms.challenger.gMean, arms.champion.gMean, gMeanThreshold));
  } else {
    const recall = nonInferiority('positiveRecall', 'positive recall', [ctp, ctp + cfn], [htp, htp + hfn], c.maxRecallDrop, c.alpha, true);
    const specificity = nonInferiority(
      'negativeRecall',
      'negative recall (specificity)',
      [ctn, ctn + cfp],
      [htn, htn + hfp],
      c.maxSpecificityDrop,
      c.alpha,
      false,
    );
    const precision = nonInferiority(
      'positivePrecision',
      'positive precision',
      [ctp, ctp + cfp],
      [htp, htp + hfp],
      c.maxPrecisionDrop,
      c.alpha,
      false,
    );
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
    if (!guardsJudged)
      reasons.push(
        `challenger answered ${chall.requests} requests in the window; the error-rate and latency guards need at least ${c.minRequestsForGuards}`,
      );
    reasons.push(...shortfalls, ...inconclusive);
  } else {
    decision = 'promote';
    const passed = checks.filter((check) => check.passed === true);
    reasons.push(`all ${passed.length} judged checks passed`);
    for (const check of checks) {
      const headline = check.name === 'positiveRecall' || check.name === 'gMean' || check.name === 'macroGMean';
      if (headline || check.name.startsWith('classRecall:') || check.passed === null) reasons.push(check.detail);
    }
  }
  return { decision, reasons, checks, arms, criteria: c };
}
