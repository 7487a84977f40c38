// The gate spec: which per-class and global metrics a challenger must meet, with minimum class support
// before any verdict (seed 000: per-class SLOs in CI gates, "minimum sample criteria"). Parsed strictly
// from JSON so a typo in a gate file fails loudly instead of silently passing.

import { InvalidInputError } from '../invalidInputError.js';
import { specIssueError } from '../spec/specIssues.js';
import { gateSpecJsonSchema, gateSpecSchema } from './gateSpecSchema.js';

import { GATE_METRICS, type GateMetric } from './gateMetrics.js';
export { GATE_METRICS, type GateMetric };

/** Metrics reported per class: a gate on one of them names its `class`. */
export const PER_CLASS_METRICS: readonly GateMetric[] = ['recall', 'precision', 'f1'];
/** Metrics where lower is better: a `maxDropVsChampion` gate on them limits the increase. */
export const LOWER_IS_BETTER_METRICS: readonly GateMetric[] = ['brier', 'brierNormalised'];
/** Metrics that lie between 0 and 1: all but the normalised ones (the PR-AUC above the prevalence can be negative). */
const UNIT_METRICS: readonly GateMetric[] = GATE_METRICS.filter((m) => m !== 'prAucNormalised' && m !== 'brierNormalised');
/**
 * Metrics with a 95% interval a `"use": "lower95"` gate can compare: Wilson for the per-class rates, the
 * percentile bootstrap (when the evaluated report carries one) for G-mean and PR-AUC.
 */
export const INTERVAL_METRICS: readonly GateMetric[] = ['recall', 'precision', 'gMean', 'prAuc', 'prAucNormalised'];

/** Class names a gate file may use; "1"/"0" are the label codes of the positive and negative class. */
const CLASS_NAMES: Record<string, GateClass> = { positive: 'positive', negative: 'negative', '1': 'positive', '0': 'negative' };

export type GateClass = 'negative' | 'positive';

/** One check. Exactly one of `min`, `max`, `maxDropVsChampion` is set. */
export interface Gate {
  metric: GateMetric;
  /** Required for recall, precision and f1; absent for the global metrics. */
  class?: GateClass;
  /** Pass when value ≥ min. */
  min?: number;
  /** Pass when value ≤ max. */
  max?: number;
  /**
   * Pass when the challenger is worse than the champion by at most this (absolute, in metric units):
   * champion − challenger for higher-is-better metrics, challenger − champion for brier.
   */
  maxDropVsChampion?: number;
  /**
   * `'lower95'` compares a `min` gate against the lower end of the metric's 95% interval (see
   * `INTERVAL_METRICS`) instead of its point estimate. Absent means the point estimate.
   */
  use?: 'value' | 'lower95';
  /** Optional label for reports; a name is generated otherwise. */
  name?: string;
}

export interface GateSpec {
  /**
   * Fewer positive rows than this in the evaluated data gives `insufficient-evidence`, not pass or fail.
   * @default 20
   */
  minPositiveSupport: number;
  /**
   * As `minPositiveSupport`, for the negative class.
   * @default 20
   */
  minNegativeSupport: number;
  gates: Gate[];
  /**
   * Compare `min` gates on recall and precision against the Wilson lower confidence bound instead of the
   * point estimate, so a small support cannot pass on luck.
   * @default false
   */
  useLowerConfidenceBound: boolean;
  /**
   * What a retrain does when the verdict is insufficient evidence (too few test rows of a class to judge):
   * `reject` keeps the champion; `require-approval` asks a human, as `requireApproval` does; `promote` goes ahead.
   * @default 'reject'
   */
  onInsufficientEvidence?: 'reject' | 'require-approval' | 'promote';
  /** Free text, kept for the reader. */
  description?: string;
}

/**
 * Defaults for a rare-event model without a tuned spec: positive recall ≥ 0.5, G-mean ≥ 0.6, G-mean no more
 * than 0.02 below the champion's on the same test rows (skipped when there is none), and at least 20 rows of
 * each class. The champion comparison is on G-mean, not recall alone: a model that flags everything has perfect
 * recall, and after drift a stale champion often does. Generic rare-event floors, not tuned to any dataset.
 */
export function defaultGateSpec(): GateSpec {
  return {
    minPositiveSupport: 20,
    minNegativeSupport: 20,
    gates: [
      { metric: 'recall', class: 'positive', min: 0.5 },
      { metric: 'gMean', min: 0.6 },
      { metric: 'gMean', maxDropVsChampion: 0.02 },
    ],
    useLowerConfidenceBound: false,
  };
}

const SPEC_KEYS = [
  'minPositiveSupport',
  'minNegativeSupport',
  'gates',
  'useLowerConfidenceBound',
  'onInsufficientEvidence',
  'description',
  '$schema',
];
const GATE_KEYS = ['metric', 'class', 'min', 'max', 'maxDropVsChampion', 'vsChampion', 'by', 'use', 'name'];

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return JSON.stringify(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The canonical metric for a name written in any letter case (`gmean`, `GMean` → `gMean`); undefined if unknown. */
function canonicalMetric(name: string): GateMetric | undefined {
  const lower = name.toLowerCase();
  return GATE_METRICS.find((m) => m.toLowerCase() === lower);
}

/**
 * Validate an already JSON-parsed gate spec. Besides the canonical gate forms it accepts the issue's short
 * forms: `{"metric":"recall","class":"1","min":0.8,"use":"lower95"}` (class "1"/"0" for positive/negative,
 * metric names in any case) and `{"metric":"gmean","vsChampion":"noWorseThan","by":0.02}` (= maxDropVsChampion). Every error names `sourceName` and the field path, e.g.
 * `gates.json: gates[2].metric: expected one of recall, precision, …, got "recal"`. Absent
 * `minPositiveSupport`, `minNegativeSupport` and `useLowerConfidenceBound` take their defaults; `gates` is required.
 */
export function parseGateSpec(json: unknown, sourceName: string): GateSpec {
  const fail = (path: string, expected: string, got: unknown): never => {
    throw new InvalidInputError(sourceName, `${sourceName}: ${path}: expected ${expected}, got ${describe(got)}`);
  };
  if (!isPlainObject(json)) fail('(top level)', 'an object with a "gates" array', json);
  // The one schema (shared with the pipeline spec) first: unknown keys with a suggestion, types, ranges.
  const checked = gateSpecSchema.safeParse(json);
  if (!checked.success)
    throw new InvalidInputError(sourceName, specIssueError(checked.error.issues, json, gateSpecJsonSchema(), sourceName).message);
  const spec = json as Record<string, unknown>;
  for (const key of Object.keys(spec)) {
    if (!SPEC_KEYS.includes(key)) fail(key, `a known field (one of ${SPEC_KEYS.join(', ')})`, key);
  }
  const defaults = defaultGateSpec();
  const support = (key: 'minPositiveSupport' | 'minNegativeSupport'): number => {
    const v = spec[key];
    if (v === undefined) return defaults[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) fail(key, 'an integer ≥ 0', v);
    return v as number;
  };
  const minPositiveSupport = support('minPositiveSupport');
  const minNegativeSupport = support('minNegativeSupport');
  const lcb = spec['useLowerConfidenceBound'];
  if (lcb !== undefined && typeof lcb !== 'boolean') fail('useLowerConfidenceBound', 'true or false', lcb);
  const onInsufficient = spec['onInsufficientEvidence'];
  if (onInsufficient !== undefined && !['reject', 'require-approval', 'promote'].includes(onInsufficient as string)) {
    fail('onInsufficientEvidence', '"reject", "require-approval" or "promote"', onInsufficient);
  }
  const description = spec['description'];
  if (description !== undefined && typeof description !== 'string') fail('description', 'a string', description);
  const rawGates = spec['gates'];
  if (!Array.isArray(rawGates)) fail('gates', 'an array of gates', rawGates);

  const gates = (rawGates as unknown[]).map((raw, i): Gate => {
    const at = `gates[${i}]`;
    if (!isPlainObject(raw)) fail(at, 'an object such as {"metric": "recall", "class": "positive", "min": 0.5}', raw);
    const g = raw as Record<string, unknown>;
    for (const key of Object.keys(g)) {
      if (!GATE_KEYS.includes(key)) fail(`${at}.${key}`, `a known field (one of ${GATE_KEYS.join(', ')})`, key);
    }
    const rawMetric = g['metric'];
    const metric = typeof rawMetric === 'string' ? canonicalMetric(rawMetric) : undefined;
    if (metric === undefined) fail(`${at}.metric`, `one of ${GATE_METRICS.join(', ')}`, rawMetric);
    const gate: Gate = { metric: metric! };
    const cls = g['class'];
    if (PER_CLASS_METRICS.includes(gate.metric)) {
      const named = typeof cls === 'string' || typeof cls === 'number' ? CLASS_NAMES[String(cls)] : undefined;
      if (named === undefined) fail(`${at}.class`, `"positive", "negative", "1" or "0" (${gate.metric} is per class)`, cls);
      gate.class = named;
    } else if (cls !== undefined) {
      fail(`${at}.class`, `no class (${gate.metric} is not a per-class metric)`, cls);
    }
    // The short champion form {"vsChampion": "noWorseThan", "by": d} is maxDropVsChampion d.
    const vsChampion = g['vsChampion'];
    if (vsChampion !== undefined) {
      if (vsChampion !== 'noWorseThan') fail(`${at}.vsChampion`, '"noWorseThan"', vsChampion);
      if (g['by'] === undefined) fail(`${at}.by`, 'a number ≥ 0 (how much worse than the champion is allowed)', undefined);
      if (g['maxDropVsChampion'] !== undefined) fail(at, 'either vsChampion/by or maxDropVsChampion', 'both');
    } else if (g['by'] !== undefined) {
      fail(`${at}.by`, 'no "by" without "vsChampion": "noWorseThan"', g['by']);
    }
    const limitValue = (k: 'min' | 'max' | 'maxDropVsChampion'): unknown =>
      k === 'maxDropVsChampion' && vsChampion !== undefined ? g['by'] : g[k];
    const limits = (['min', 'max', 'maxDropVsChampion'] as const).filter((k) => limitValue(k) !== undefined);
    if (limits.length !== 1) {
      fail(at, 'exactly one of min, max, maxDropVsChampion', limits.length === 0 ? undefined : limits.join(' and '));
    }
    const limitKey = limits[0]!;
    const limitField = limitKey === 'maxDropVsChampion' && vsChampion !== undefined ? 'by' : limitKey;
    const limit = limitValue(limitKey);
    if (typeof limit !== 'number' || !Number.isFinite(limit)) fail(`${at}.${limitField}`, 'a finite number', limit);
    if (limitKey === 'maxDropVsChampion' && (limit as number) < 0) fail(`${at}.${limitField}`, 'a number ≥ 0', limit);
    gate[limitKey] = limit as number;
    // A bound outside what the metric can take can never pass (a min) or never fail (a max): a typo, not a gate.
    if (limitKey !== 'maxDropVsChampion' && UNIT_METRICS.includes(gate.metric) && ((limit as number) < 0 || (limit as number) > 1)) {
      fail(`${at}.${limitKey}`, `a number from 0 to 1 (${gate.metric} lies between them)`, limit);
    }
    // PR-AUC above random is AP − π, between −1 and 1; the normalised Brier score is Brier / (π(1 − π)), never negative.
    if (limitKey !== 'maxDropVsChampion' && gate.metric === 'prAucNormalised' && Math.abs(limit as number) > 1) {
      fail(`${at}.${limitKey}`, 'a number from −1 to 1 (prAucNormalised, the PR-AUC above the positive share, lies between them)', limit);
    }
    if (limitKey !== 'maxDropVsChampion' && gate.metric === 'brierNormalised' && (limit as number) < 0) {
      fail(`${at}.${limitKey}`, 'a number ≥ 0 (brierNormalised, the Brier score over π(1 − π), is never negative)', limit);
    }
    if (limitKey === 'min' && LOWER_IS_BETTER_METRICS.includes(gate.metric)) {
      fail(`${at}.min`, `max for ${gate.metric} (lower is better, so a min would reject the better models)`, limit);
    }
    if (limitKey === 'max' && !LOWER_IS_BETTER_METRICS.includes(gate.metric)) {
      fail(`${at}.max`, `min for ${gate.metric} (higher is better, so a max would reject the better models)`, limit);
    }
    // A floor at the metric's lowest value passes every model: the gate would judge nothing, yet count as passed.
    const lowest = gate.metric === 'prAucNormalised' ? -1 : 0;
    if (limitKey === 'min' && (limit as number) <= lowest) {
      fail(`${at}.min`, `a number above ${lowest} (${gate.metric} is never below ${lowest}, so this floor passes every model)`, limit);
    }
    const use = g['use'];
    if (use !== undefined) {
      if (use !== 'value' && use !== 'lower95') fail(`${at}.use`, '"value" or "lower95"', use);
      if (use === 'lower95') {
        if (limitKey !== 'min') fail(`${at}.use`, '"lower95" only with "min" (a lower bound guards a floor)', use);
        if (!INTERVAL_METRICS.includes(gate.metric))
          fail(`${at}.use`, `"lower95" only on ${INTERVAL_METRICS.join(', ')} (metrics with an interval)`, use);
      }
      gate.use = use as 'value' | 'lower95';
    }
    const name = g['name'];
    if (name !== undefined) {
      if (typeof name !== 'string' || name.trim() === '') fail(`${at}.name`, 'a non-empty string', name);
      gate.name = name as string;
    }
    return gate;
  });

  const out: GateSpec = {
    minPositiveSupport,
    minNegativeSupport,
    gates,
    useLowerConfidenceBound: (lcb as boolean | undefined) ?? defaults.useLowerConfidenceBound,
  };
  if (description !== undefined) out.description = description as string;
  if (onInsufficient !== undefined) out.onInsufficientEvidence = onInsufficient as NonNullable<GateSpec['onInsufficientEvidence']>;
  return out;
}
