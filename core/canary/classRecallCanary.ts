// The label checks of a canary window for a multi-class champion/challenger: each class's recall and the macro
// G-mean (geometric mean of the per-class recalls), judged by the same non-inferiority rule and margins as the
// binary positive recall and G-mean.

import { InvalidInputError } from '../invalidInputError.js';
import type { CanaryCheck } from './canaryAnalysis.js';
import type { CanaryCriteria } from './canaryCriteria.js';
import { gMeanDifferenceCheck, nonInferiority, notJudged, type Verdict } from './nonInferiority.js';
import { checkCount } from './proportionDifference.js';

/** One class of one arm's labelled traffic: rows whose true class is `value`, and of those the ones predicted right. */
export interface ClassRecallCounts {
  value: string;
  labelled: number;
  correct: number;
}

export function validateClassCounts(raw: unknown, where: string): ClassRecallCounts[] {
  if (!Array.isArray(raw))
    throw new InvalidInputError(where, `${where}: expected an array of {value, labelled, correct}, got ${typeof raw}`);
  return raw.map((c: unknown, i) => {
    const at = `${where}[${i}]`;
    if (typeof c !== 'object' || c === null || typeof (c as Record<string, unknown>)['value'] !== 'string') {
      throw new InvalidInputError(at, `${at}: expected an object {value: string, labelled, correct}`);
    }
    const o = c as Record<string, unknown>;
    const labelled = checkCount(o['labelled'], `${at}.labelled`);
    return { value: o['value'] as string, labelled, correct: checkCount(o['correct'], `${at}.correct`, labelled) };
  });
}

/** The class values either arm saw, sorted; the window is multi-class when there are more than two. */
export function classValuesOf(...arms: Array<ClassRecallCounts[] | undefined>): string[] {
  const values = new Set<string>();
  for (const arm of arms) for (const c of arm ?? []) values.add(c.value);
  return [...values].sort();
}

const countsOf = (arm: ClassRecallCounts[], value: string): ClassRecallCounts =>
  arm.find((c) => c.value === value) ?? { value, labelled: 0, correct: 0 };

/** Per-class recall of one arm (null for a class without labelled rows) and its macro G-mean (null when any is). */
export function classRecallSummary(
  arm: ClassRecallCounts[],
  values: string[],
): { classRecall: Record<string, number | null>; macroGMean: number | null } {
  const classRecall: Record<string, number | null> = {};
  let logSum = 0;
  let defined = true;
  for (const v of values) {
    const { labelled, correct } = countsOf(arm, v);
    const r = labelled === 0 ? null : correct / labelled;
    classRecall[v] = r;
    if (r === null) defined = false;
    else logSum += Math.log(r);
  }
  return { classRecall, macroGMean: defined && values.length > 0 ? Math.exp(logSum / values.length) : null };
}

/**
 * Macro G-mean non-inferiority: d = G_challenger − G_champion with a delta-method interval. For one arm with K
 * classes, G = (∏ r_k)^(1/K) and Var(G) ≈ G²/K² · Σ (1 − r_k)/(n_k·r_k) (recalls at 0 or 1 pulled half a count
 * inside); with K = 2 this is the binary G-mean variance. The arms are independent, so the variances add.
 */
export function macroGMeanNonInferiority(
  challenger: ClassRecallCounts[],
  champion: ClassRecallCounts[],
  values: string[],
  tolerance: number,
  alpha: number,
): { check: CanaryCheck; verdict: Verdict } {
  const arm = (counts: ClassRecallCounts[]) => {
    let logSum = 0;
    let logSumClamped = 0;
    let relVariance = 0;
    for (const v of values) {
      const { labelled: n, correct } = countsOf(counts, v);
      const r = correct / n;
      const rv = Math.min(Math.max(r, 0.5 / n), 1 - 0.5 / n);
      logSum += Math.log(r);
      logSumClamped += Math.log(rv);
      relVariance += (1 - rv) / (n * rv);
    }
    const k = values.length;
    const gClamped = Math.exp(logSumClamped / k);
    return { g: Math.exp(logSum / k), variance: ((gClamped * gClamped) / (k * k)) * relVariance };
  };
  return gMeanDifferenceCheck('macroGMean', 'macro G-mean', arm(challenger), arm(champion), tolerance, alpha);
}

/**
 * The minimum-label and label checks of a multi-class window. Each class needs `minLabelledPositives` labelled
 * rows in each arm (the rare-class minimum applies to every class); then each class's recall is judged with
 * margin `maxRecallDrop` and the macro G-mean with `gMeanTolerance`; an inferior one fails, an inconclusive one
 * asks for more traffic.
 */
export function classRecallChecks(
  challenger: ClassRecallCounts[],
  champion: ClassRecallCounts[],
  values: string[],
  c: CanaryCriteria,
): { checks: CanaryCheck[]; shortfalls: string[]; inconclusive: string[] } {
  const shortfalls: string[] = [];
  for (const [arm, counts] of [
    ['champion', champion],
    ['challenger', challenger],
  ] as const) {
    for (const v of values) {
      const n = countsOf(counts, v).labelled;
      if (n < c.minLabelledPositives) {
        shortfalls.push(`${arm} has ${n} labelled requests of class ${JSON.stringify(v)}, needs at least ${c.minLabelledPositives}`);
      }
    }
  }
  const checks: CanaryCheck[] = [];
  const inconclusive: string[] = [];
  const label = (v: string) => `recall of class ${JSON.stringify(v)}`;
  if (shortfalls.length > 0) {
    const chall = classRecallSummary(challenger, values);
    const champ = classRecallSummary(champion, values);
    for (const v of values) {
      checks.push(notJudged(`classRecall:${v}`, label(v), chall.classRecall[v] ?? null, champ.classRecall[v] ?? null, -c.maxRecallDrop));
    }
    checks.push(notJudged('macroGMean', 'macro G-mean', chall.macroGMean, champ.macroGMean, -c.gMeanTolerance));
    return { checks, shortfalls, inconclusive };
  }
  const judged = values.map((v) => {
    const a = countsOf(challenger, v);
    const b = countsOf(champion, v);
    return nonInferiority(`classRecall:${v}`, label(v), [a.correct, a.labelled], [b.correct, b.labelled], c.maxRecallDrop, c.alpha, true);
  });
  judged.push(macroGMeanNonInferiority(challenger, champion, values, c.gMeanTolerance, c.alpha));
  for (const r of judged) {
    checks.push(r.check);
    if (r.verdict === 'inconclusive') inconclusive.push(r.check.detail);
  }
  return { checks, shortfalls, inconclusive };
}
