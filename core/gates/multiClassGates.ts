// The gates of a multi-class model, judged per class: a gate on the "positive" class's recall, precision or F1
// applies to every class (each class is the positive of its one-vs-rest model), gMean is the macro G-mean, and the
// support minimums apply to each class (minPositiveSupport) and to the rows outside it (minNegativeSupport).

import { wilsonInterval } from '../metrics/intervals.js';
import type { MultiClassReport } from '../metrics/multiClassReport.js';
import { gateVerdict, withChampionProblem, type GateCheck, type GateEvaluation } from './evaluateGates.js';
import type { Gate, GateSpec } from './gateSpec.js';

/** A multi-class report with the 95% Wilson interval of each class's recall and precision. */
export interface MultiClassGateReport extends MultiClassReport {
  recallIntervals: Array<[number, number] | null>;
  precisionIntervals: Array<[number, number] | null>;
}

/** Slack on every comparison, as for the binary gates. */
const COMPARISON_EPSILON = 1e-12;

/**
 * The Wilson interval of class `c`'s precision over the rows predicted as it; at a weighted class mix, that interval
 * of the rows' own share q carried through the rising map q / (q + ratio·(1 − q)), with ratio the mean weight of
 * the rows wrongly predicted as `c` (of the other classes' rows when there are none) over `c`'s own weight.
 */
function precisionInterval(report: MultiClassReport, c: number): [number, number] | null {
  const rows = wilsonInterval(report.confusion[c]![c]!, report.classes[c]!.predicted);
  const weights = report.classMix?.weights;
  if (!rows || !weights) return rows;
  let wrong = 0;
  let wrongWeight = 0;
  let other = 0;
  let otherWeight = 0;
  report.confusion.forEach((row, t) => {
    if (t === c) return;
    wrong += row[c]!;
    wrongWeight += weights[t]! * row[c]!;
    const support = report.classes[t]!.support;
    other += support;
    otherWeight += weights[t]! * support;
  });
  const mean = wrong > 0 ? wrongWeight / wrong : other > 0 ? otherWeight / other : weights[c]!;
  const ratio = mean / weights[c]!;
  const carried = (q: number) => (q === 0 ? 0 : q / (q + ratio * (1 - q)));
  return [carried(rows[0]), carried(rows[1])];
}

/** The report's Wilson intervals added: recall over the class's rows, precision over the rows predicted as it. */
export function withClassIntervals(report: MultiClassReport): MultiClassGateReport {
  return {
    ...report,
    recallIntervals: report.classes.map((r, c) => wilsonInterval(report.confusion[c]![c]!, r.support)),
    precisionIntervals: report.classes.map((_, c) => precisionInterval(report, c)),
  };
}

function format(value: number): string {
  if (Number.isInteger(value)) return String(value);
  const text = value.toPrecision(4);
  return text.includes('.') && !text.includes('e') ? text.replace(/\.?0+$/, '') : text;
}

type PerClassMetric = 'recall' | 'precision' | 'f1';

/** The metric's value for class index `c`, or the macro G-mean when `c` is undefined. */
function valueOf(report: MultiClassReport, metric: Gate['metric'], c: number | undefined): number | null {
  if (c === undefined) return report.macroGMean;
  return report.classes[c]![metric as PerClassMetric];
}

function limitText(gate: Gate, subject: string): string {
  if (gate.min !== undefined) return `${subject} >= ${gate.min}`;
  if (gate.max !== undefined) return `${subject} <= ${gate.max}`;
  return `${subject} drop vs champion <= ${gate.maxDropVsChampion}`;
}

/**
 * Judges `challenger` against `spec` (checked by core/spec/multiClassSpecCheck.ts: metrics recall, precision, f1 and
 * gMean only). A per-class gate becomes one check per class, named `recall[CLASS] >= 0.5`; `champion`, when given,
 * must hold the same classes in the same order. `notComparable`: a champion exists but cannot be scored here (other
 * classes or features): its gates are not judged and a verdict that would pass is insufficient evidence, as for two
 * classes (evaluateGates).
 */
export function evaluateMultiClassGates(
  spec: GateSpec,
  challenger: MultiClassGateReport,
  champion?: MultiClassReport,
  notComparable?: string,
): GateEvaluation {
  const shortfalls: string[] = [];
  const total = challenger.classes.reduce((a, r) => a + r.support, 0);
  for (const r of challenger.classes) {
    if (r.support < spec.minPositiveSupport)
      shortfalls.push(`class "${r.class}" support ${r.support} < minimum ${spec.minPositiveSupport}`);
    if (total - r.support < spec.minNegativeSupport)
      shortfalls.push(`rows outside class "${r.class}" ${total - r.support} < minimum ${spec.minNegativeSupport}`);
  }
  const notJudged = shortfalls.length > 0 ? `not judged: ${shortfalls.join('; ')}` : null;
  const checks: GateCheck[] = [];
  for (const gate of spec.gates) {
    const targets = gate.metric === 'gMean' ? [undefined] : challenger.classes.map((_, c) => c);
    for (const c of targets) {
      const subject = c === undefined ? 'macro gMean' : `${gate.metric}[${challenger.classes[c]!.class}]`;
      const name =
        gate.name !== undefined
          ? c === undefined
            ? gate.name
            : `${gate.name} [${challenger.classes[c]!.class}]`
          : limitText(gate, subject);
      const interval =
        c === undefined
          ? null
          : gate.metric === 'recall'
            ? challenger.recallIntervals[c]!
            : gate.metric === 'precision'
              ? challenger.precisionIntervals[c]!
              : null;
      const base = { name, metric: gate.metric, interval };
      const challengerValue = valueOf(challenger, gate.metric, c);
      if (gate.maxDropVsChampion !== undefined) {
        const limit = gate.maxDropVsChampion;
        const championValue = champion ? valueOf(champion, gate.metric, c) : null;
        const common = { ...base, limit, comparison: 'drop<=' as const, challengerValue, championValue };
        if (!champion) {
          checks.push({
            ...common,
            value: null,
            passed: null,
            reason:
              notComparable !== undefined
                ? `not judged: the champion could not be compared: ${notComparable}`
                : 'skipped: no multi-class champion with the same classes to compare against',
          });
          continue;
        }
        if (championValue === null) {
          checks.push({ ...common, value: null, passed: null, reason: `skipped: champion ${subject} is undefined on its data` });
          continue;
        }
        if (challengerValue === null) {
          checks.push({
            ...common,
            value: null,
            passed: notJudged === null ? false : null,
            reason: notJudged ?? `failed: challenger ${subject} is undefined on the evaluation data`,
          });
          continue;
        }
        const drop = championValue - challengerValue;
        const ok = drop <= limit + COMPARISON_EPSILON;
        checks.push({
          ...common,
          value: drop,
          passed: notJudged === null ? ok : null,
          reason:
            notJudged ??
            `${ok ? 'passed' : 'failed'}: challenger ${format(challengerValue)} vs champion ${format(championValue)}: drop ${format(drop)} ${ok ? '<=' : '>'} ${format(limit)}`,
        });
        continue;
      }
      const isMin = gate.min !== undefined;
      const limit = isMin ? gate.min! : gate.max!;
      const comparison = isMin ? ('>=' as const) : ('<=' as const);
      const wilson = c !== undefined && (gate.metric === 'recall' || gate.metric === 'precision');
      const useBound = wilson && isMin && (gate.use === 'lower95' || (gate.use === undefined && spec.useLowerConfidenceBound));
      const value = useBound ? (interval === null ? null : interval[0]) : challengerValue;
      const label = useBound ? `${subject} Wilson lower bound` : subject;
      if (notJudged !== null) {
        checks.push({ ...base, value, limit, comparison, passed: null, reason: notJudged });
        continue;
      }
      if (value === null) {
        checks.push({ ...base, value, limit, comparison, passed: false, reason: `failed: ${label} is undefined on the evaluation data` });
        continue;
      }
      const ok = isMin ? value >= limit - COMPARISON_EPSILON : value <= limit + COMPARISON_EPSILON;
      checks.push({
        ...base,
        value,
        limit,
        comparison,
        passed: ok,
        reason: `${ok ? 'passed' : 'failed'}: ${label} ${format(value)} ${ok ? comparison : isMin ? '<' : '>'} ${format(limit)}`,
      });
    }
  }
  const hasChampionGates = spec.gates.some((g) => g.maxDropVsChampion !== undefined);
  const problem =
    notComparable !== undefined && !champion && hasChampionGates ? `the champion could not be compared: ${notComparable}` : undefined;
  return withChampionProblem(gateVerdict(checks, shortfalls), problem);
}

/**
 * The registry's metric rows of a multi-class report: `gMean` (macro), `accuracy`, `balancedAccuracy`, and per class
 * `recall.CLASS`, `precision.CLASS`, `f1.CLASS`, `support.CLASS` and, with intervals, `recallLower.CLASS` and
 * `recallUpper.CLASS`.
 */
export function multiClassMetricValues(r: MultiClassReport & Partial<MultiClassGateReport>): Record<string, number | null> {
  const out: Record<string, number | null> = { gMean: r.macroGMean, accuracy: r.accuracy, balancedAccuracy: r.macroRecall };
  r.classes.forEach((c, i) => {
    out[`recall.${c.class}`] = c.recall;
    out[`precision.${c.class}`] = c.precision;
    out[`f1.${c.class}`] = c.f1;
    out[`support.${c.class}`] = c.support;
    if (r.recallIntervals) {
      out[`recallLower.${c.class}`] = r.recallIntervals[i]?.[0] ?? null;
      out[`recallUpper.${c.class}`] = r.recallIntervals[i]?.[1] ?? null;
    }
  });
  return out;
}
