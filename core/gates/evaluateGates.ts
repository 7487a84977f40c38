// Judges a challenger's classification report (and optionally the champion's) against a gate spec:
// pass, fail, or insufficient-evidence when a class has too few rows to judge or no gate could be judged, with a
// reason for every check.

import type { BootstrapIntervals } from '../metrics/bootstrapIntervals.js';
import type { ClassificationReport } from '../metrics/classMetrics.js';
import { LOWER_IS_BETTER_METRICS, type Gate, type GateClass, type GateMetric, type GateSpec } from './gateSpec.js';

export type GateVerdict = 'pass' | 'fail' | 'insufficient-evidence';

/** A report to judge, optionally with bootstrap intervals (for `"use": "lower95"` gates on G-mean and PR-AUC). */
export type GateReport = ClassificationReport & { bootstrap?: Pick<BootstrapIntervals, 'gMean' | 'prAuc' | 'prAucNormalised'> };

export interface GateCheck {
  name: string;
  metric: GateMetric;
  class?: GateClass;
  /**
   * The compared value: the challenger's metric (or its Wilson lower bound with `useLowerConfidenceBound`),
   * or, for a champion gate, the drop (how much worse the challenger is). Null when undefined on the data.
   */
  value: number | null;
  /** The 95% interval of the challenger's metric when one is known (Wilson, or bootstrap); null otherwise. */
  interval: [number, number] | null;
  /** The gate's threshold: the floor, ceiling or largest allowed drop. */
  limit: number;
  /** `>=` for min gates, `<=` for max gates, `drop<=` for champion gates. */
  comparison: '>=' | '<=' | 'drop<=';
  /** Null when the check was not judged (insufficient support, or a champion gate with no champion). */
  passed: boolean | null;
  reason: string;
  /** Champion gates only: the two metric values behind the drop. */
  challengerValue?: number | null;
  championValue?: number | null;
}

export interface GateEvaluation {
  verdict: GateVerdict;
  checks: GateCheck[];
  /** Why the verdict is what it is: support shortfalls, failed checks, skipped checks. */
  reasons: string[];
}

/** Slack on every comparison so a value equal to its limit up to rounding (0.8 − 0.75 vs 0.05) is not failed. */
const COMPARISON_EPSILON = 1e-12;

function metricValue(report: ClassificationReport, metric: GateMetric, cls: GateClass | undefined): number | null {
  switch (metric) {
    case 'recall':
    case 'precision':
    case 'f1':
      return report.perClass[cls!][metric];
    default:
      return report[metric];
  }
}

function intervalOf(report: GateReport, metric: GateMetric, cls: GateClass | undefined): [number, number] | null {
  switch (metric) {
    case 'recall':
      return report.perClass[cls!].recallInterval;
    case 'precision':
      return report.perClass[cls!].precisionInterval;
    case 'gMean':
    case 'prAuc':
    case 'prAucNormalised':
      return report.bootstrap?.[metric] ?? null;
    default:
      return null;
  }
}

function gateName(gate: Gate): string {
  if (gate.name !== undefined) return gate.name;
  const subject = (gate.class !== undefined ? `${gate.metric}[${gate.class}]` : gate.metric) + (gate.use === 'lower95' ? ' lower95' : '');
  if (gate.min !== undefined) return `${subject} >= ${gate.min}`;
  if (gate.max !== undefined) return `${subject} <= ${gate.max}`;
  return `${subject} drop vs champion <= ${gate.maxDropVsChampion}`;
}

function supportShortfalls(spec: GateSpec, report: ClassificationReport): string[] {
  const out: string[] = [];
  if (report.support.positive < spec.minPositiveSupport) {
    out.push(`positive support ${report.support.positive} < minimum ${spec.minPositiveSupport}`);
  }
  if (report.support.negative < spec.minNegativeSupport) {
    out.push(`negative support ${report.support.negative} < minimum ${spec.minNegativeSupport}`);
  }
  return out;
}

function format(value: number): string {
  if (Number.isInteger(value)) return String(value);
  const text = value.toPrecision(4);
  return text.includes('.') && !text.includes('e') ? text.replace(/\.?0+$/, '') : text;
}

/** One line per check for logs and reports: name, value, interval, threshold and reason. */
export function describeGateCheck(check: GateCheck): string {
  const value = check.value === null ? 'undefined' : format(check.value);
  const interval = check.interval === null ? '' : ` (95% interval ${format(check.interval[0])}–${format(check.interval[1])})`;
  const verdict = check.passed === null ? 'not judged' : check.passed ? 'PASS' : 'FAIL';
  return `${verdict}  ${check.name}: value ${value}${interval}, threshold ${check.comparison} ${format(check.limit)}; ${check.reason}`;
}

/**
 * How the champion was compared. `challenger`: the challenger's report on the rows the champion was scored on, when
 * those are not the whole test split (rows the champion was trained on left out). `notComparable`: a champion exists
 * but could not be scored on rows of this split; its gates are then not judged and the verdict is insufficient
 * evidence, never a pass that reads as if there were no champion. `rowsText` names the rows compared on.
 */
export interface ChampionComparison {
  challenger?: ClassificationReport;
  notComparable?: string;
  rowsText?: string;
}

export function evaluateGates(
  spec: GateSpec,
  challenger: GateReport,
  champion?: ClassificationReport,
  versus: ChampionComparison = {},
): GateEvaluation {
  const hasChampionGates = spec.gates.some((g) => g.maxDropVsChampion !== undefined);
  const championShortfalls = champion === undefined ? [] : supportShortfalls(spec, champion);
  const shortfalls = supportShortfalls(spec, challenger);
  // Why the champion gates cannot be judged though a champion exists: they alone are not judged, the challenger's own
  // gates still are (a failing one fails the verdict), and a verdict that would pass is insufficient evidence.
  const championProblem = !hasChampionGates
    ? undefined
    : versus.notComparable !== undefined
      ? `the champion could not be compared: ${versus.notComparable}`
      : versus.challenger !== undefined && championShortfalls.length > 0
        ? `comparison with the champion on ${versus.rowsText ?? 'fewer rows'}: ${championShortfalls.join('; ')}`
        : undefined;
  const notJudged = shortfalls.length > 0 ? `not judged: ${shortfalls.join('; ')}` : null;
  const againstChampion = versus.challenger ?? challenger;

  const checks = spec.gates.map((gate): GateCheck => {
    const name = gateName(gate);
    const base = {
      name,
      metric: gate.metric,
      ...(gate.class !== undefined ? { class: gate.class } : {}),
      interval: intervalOf(challenger, gate.metric, gate.class),
    };

    if (gate.maxDropVsChampion !== undefined) {
      const limit = gate.maxDropVsChampion;
      const challengerValue = metricValue(againstChampion, gate.metric, gate.class);
      const skip = (reason: string): GateCheck => ({
        ...base,
        value: null,
        limit,
        comparison: 'drop<=',
        passed: null,
        reason,
        challengerValue,
        championValue: champion === undefined ? null : metricValue(champion, gate.metric, gate.class),
      });
      if (championProblem !== undefined) return skip(`not judged: ${championProblem}`);
      if (champion === undefined) return skip('skipped: no champion to compare against');
      if (championShortfalls.length > 0) return skip(`skipped: champion report has ${championShortfalls.join('; ')}`);
      const championValue = metricValue(champion, gate.metric, gate.class);
      if (championValue === null) return skip(`skipped: champion ${gate.metric} is undefined on its data`);
      if (challengerValue === null) {
        return {
          ...base,
          value: null,
          limit,
          comparison: 'drop<=',
          passed: notJudged === null ? false : null,
          reason: notJudged ?? `failed: challenger ${gate.metric} is undefined on the evaluation data`,
          challengerValue,
          championValue,
        };
      }
      const drop = LOWER_IS_BETTER_METRICS.includes(gate.metric) ? challengerValue - championValue : championValue - challengerValue;
      const ok = drop <= limit + COMPARISON_EPSILON;
      const detail = `challenger ${format(challengerValue)} vs champion ${format(championValue)}: drop ${format(drop)} ${ok ? '<=' : '>'} ${format(limit)}`;
      return {
        ...base,
        value: drop,
        limit,
        comparison: 'drop<=',
        passed: notJudged === null ? ok : null,
        reason: notJudged ?? `${ok ? 'passed' : 'failed'}: ${detail}`,
        challengerValue,
        championValue,
      };
    }

    const isMin = gate.min !== undefined;
    const limit = isMin ? gate.min! : gate.max!;
    const comparison = isMin ? '>=' : '<=';
    const wilson = gate.metric === 'recall' || gate.metric === 'precision';
    const useBound = gate.use === 'lower95' || (isMin && gate.use === undefined && spec.useLowerConfidenceBound && wilson);
    const value = useBound ? (base.interval === null ? null : base.interval[0]) : metricValue(challenger, gate.metric, gate.class);
    const label = useBound ? `${gate.metric} ${wilson ? 'Wilson' : 'bootstrap'} lower bound` : gate.metric;
    if (notJudged !== null) return { ...base, value, limit, comparison, passed: null, reason: notJudged };
    if (useBound && !wilson && base.interval === null) {
      return {
        ...base,
        value,
        limit,
        comparison,
        passed: false,
        reason: `failed: ${gate.metric} lower95 needs a bootstrap interval and the evaluated report has none; attach bootstrapIntervals(...) as report.bootstrap`,
      };
    }
    if (value === null) {
      return { ...base, value, limit, comparison, passed: false, reason: `failed: ${label} is undefined on the evaluation data` };
    }
    const ok = isMin ? value >= limit - COMPARISON_EPSILON : value <= limit + COMPARISON_EPSILON;
    const relation = ok ? comparison : isMin ? '<' : '>';
    return {
      ...base,
      value,
      limit,
      comparison,
      passed: ok,
      reason: `${ok ? 'passed' : 'failed'}: ${label} ${format(value)} ${relation} ${format(limit)}`,
    };
  });

  return withChampionProblem(gateVerdict(checks, shortfalls), championProblem);
}

/**
 * A verdict that would pass, made insufficient evidence when its champion gates could not be judged though a
 * champion exists (`problem`); a fail stays a fail. Shared by the two-class and multi-class gates.
 */
export function withChampionProblem<C>(
  verdict: { verdict: GateVerdict; checks: C[]; reasons: string[] },
  problem: string | undefined,
): { verdict: GateVerdict; checks: C[]; reasons: string[] } {
  if (problem === undefined || verdict.verdict !== 'pass') return verdict;
  const passed = /^all \d+ judged gates passed$/;
  const reasons = [`insufficient evidence: ${problem}`, ...verdict.reasons.filter((r) => !passed.test(r))];
  return { verdict: 'insufficient-evidence', checks: verdict.checks, reasons };
}

/** The reason a passing verdict gives: how many gates were judged. */
export function allPassedReason(judged: number): string {
  return `all ${judged} judged gates passed`;
}

/** The reason of a verdict that judged no gate: an empty spec, or every gate skipped (no champion, …). */
export function nothingJudgedReason(gates: number): string {
  if (gates === 0) return 'insufficient evidence: the gate spec has no gates, so nothing was judged';
  const skipped = gates === 1 ? 'the only gate was skipped' : `all ${gates} gates were skipped`;
  return `insufficient evidence: no gate was judged (${skipped}), so nothing shows the model is good enough`;
}

/**
 * The verdict over judged checks, for binary and multi-class gates alike: any evidence shortfall makes it
 * insufficient-evidence; else a failed check fails it; else it passes when at least one check was judged, and is
 * insufficient-evidence when none was (no gates, or every one skipped), so a verdict that judged nothing never reads
 * as a pass. The reasons list the shortfalls or the failures, then the checks that were not judged.
 */
export function gateVerdict<C extends { name: string; passed: boolean | null; reason: string }>(
  checks: C[],
  shortfalls: readonly string[],
): { verdict: GateVerdict; checks: C[]; reasons: string[] } {
  const reasons: string[] = [];
  let verdict: GateVerdict;
  if (shortfalls.length > 0) {
    verdict = 'insufficient-evidence';
    reasons.push(...shortfalls.map((s) => `insufficient evidence: ${s}`));
  } else {
    const failed = checks.filter((c) => c.passed === false);
    const judged = checks.filter((c) => c.passed !== null).length;
    verdict = failed.length > 0 ? 'fail' : judged > 0 ? 'pass' : 'insufficient-evidence';
    for (const c of failed) reasons.push(`${c.name}: ${c.reason}`);
    if (verdict === 'pass') reasons.push(allPassedReason(judged));
    if (verdict === 'insufficient-evidence') reasons.push(nothingJudgedReason(checks.length));
    for (const c of checks) if (c.passed === null) reasons.push(`${c.name}: ${c.reason}`);
  }
  return { verdict, checks, reasons };
}
