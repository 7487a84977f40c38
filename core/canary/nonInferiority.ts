// Non-inferiority checks of the canary's label metrics, challenger against champion: a proportion by Newcombe's
// interval, G-mean by the delta method, and the wording of each verdict.

import type { CanaryCheck } from './canaryAnalysis.js';
import type { ArmWindow } from './canaryArmWindow.js';
import { newcombeDifferenceInterval, normalQuantile } from './proportionDifference.js';

/** Up to 3 decimals, trailing zeros dropped, with a true minus sign for reading. */
export function fmt(value: number): string {
  const text = Number.isInteger(value)
    ? String(value)
    : Math.abs(value) >= 0.001
      ? value.toFixed(3).replace(/\.?0+$/, '')
      : value.toPrecision(2);
  return text === '-0' ? '0' : text.replace(/^-/, '−');
}

export type Verdict = 'non-inferior' | 'inferior' | 'inconclusive';

/** A non-inferiority comparison of a proportion x/n between the arms (challenger first). */
export function nonInferiority(
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
      check: {
        name,
        passed: null,
        value: null,
        threshold,
        detail: `${label} not judged: undefined for the ${missing} (no labelled requests in its denominator)`,
      },
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
export function gMeanNonInferiority(
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
  return gMeanDifferenceCheck('gMean', 'G-mean', arm(challenger), arm(champion), tolerance, alpha);
}

/**
 * The non-inferiority check of a G-mean difference d = G_challenger − G_champion from each arm's estimate and its
 * variance: a normal interval at level 1 − 2α, judged against the margin −`tolerance` (above: non-inferior; below:
 * inferior; straddling: inconclusive, more labelled traffic needed). `what` names the G-mean in the detail.
 */
export function gMeanDifferenceCheck(
  name: string,
  what: string,
  a: { g: number; variance: number },
  b: { g: number; variance: number },
  tolerance: number,
  alpha: number,
): { check: CanaryCheck; verdict: Verdict } {
  const d = a.g - b.g;
  const half = normalQuantile(1 - alpha) * Math.sqrt(a.variance + b.variance);
  const interval: [number, number] = [d - half, d + half];
  const threshold = -tolerance;
  const level = `${fmt((1 - 2 * alpha) * 100)}%`;
  const head = `challenger ${what} ${fmt(a.g)} vs champion ${fmt(b.g)}: difference ${fmt(d)}, ${level} interval [${fmt(interval[0])}, ${fmt(interval[1])}]`;
  const verdict: Verdict = interval[0] > threshold ? 'non-inferior' : interval[1] < threshold ? 'inferior' : 'inconclusive';
  const detail =
    verdict === 'non-inferior'
      ? `${head}, above the ${fmt(threshold)} margin (non-inferior)`
      : verdict === 'inferior'
        ? `${head}, below the ${fmt(threshold)} margin`
        : `${head}, straddles the ${fmt(threshold)} margin: inconclusive, more labelled traffic needed`;
  const passed = verdict === 'non-inferior' ? true : verdict === 'inferior' ? false : null;
  return { check: { name, passed, value: d, threshold, interval, detail }, verdict };
}

/** A label check that was not judged because an arm is short of labels; the point difference is kept for reading. */
export function notJudged(name: string, label: string, challenger: number | null, champion: number | null, threshold: number): CanaryCheck {
  const value = challenger === null || champion === null ? null : challenger - champion;
  const shown = (v: number | null): string => (v === null ? 'undefined' : fmt(v));
  return {
    name,
    passed: null,
    value,
    threshold,
    detail: `${label} not judged (too few labelled requests): challenger ${shown(challenger)} vs champion ${shown(champion)}`,
  };
}
