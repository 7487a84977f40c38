// Decision thresholds on the positive-class probability: the Bayes median rule, the RFQ q*-rule (q = π),
// the cost-weighted Bayes rule (q = ℓ0/(ℓ0+ℓ1)) and a G-mean-optimal threshold chosen on validation scores or on a
// forest's out-of-bag scores of its training rows.

import { InvalidInputError } from '../invalidInputError.js';

export type ThresholdPolicy =
  | { kind: 'bayes' }
  /**
   * `prevalence` overrides the context's. π is the positive share of the rows the model's probabilities were
   * fitted on: after ADASYN that is the augmented mix, since the model estimates P(positive) under it.
   */
  | { kind: 'prevalence'; prevalence?: number }
  /** ℓ1 = cost of a missed positive (false negative), ℓ0 = cost of a false alarm (false positive). */
  | { kind: 'cost'; lossFalseNegative: number; lossFalsePositive: number }
  | { kind: 'gmean' }
  /**
   * G-mean-optimal on a forest's out-of-bag scores of its own training rows instead of a held-out split: every row
   * trains the model and the threshold still comes from scores of rows (trees) that did not see them.
   */
  | { kind: 'gmean-oob' };

export interface ThresholdContext {
  /** Positive-class prevalence π of the rows the model was fitted on (after ADASYN when it ran). */
  prevalence: number;
  /**
   * The positive share of the data the model will score, for the cost rule: the weighted Bayes threshold q holds for
   * probabilities at that share, and is moved to the model's own scale when its probabilities are fitted at another
   * (a balanced forest's 1/2, a retrain's sample that keeps more positives than the data). @default `prevalence`
   */
  dataPrevalence?: number;
  /** Positive-class scores on held-out validation rows; required by the `gmean` policy. */
  validationScores?: Float64Array;
  /** 0/1 labels aligned with `validationScores`. */
  validationLabels?: Uint8Array;
  /** A forest's out-of-bag scores of its training rows (rows no tree left out dropped); required by `gmean-oob`. */
  outOfBagScores?: Float64Array;
  /** 0/1 labels aligned with `outOfBagScores`. */
  outOfBagLabels?: Uint8Array;
}

export interface ThresholdChoice {
  /** Predict positive when score ≥ threshold. */
  threshold: number;
  policy: ThresholdPolicy;
  /** One sentence on how the threshold was derived, for reports and logs. */
  reason: string;
}

/** The cost rule's threshold for a model whose probabilities are fitted at a given positive share (its q*). */
export type CostThresholdAt = (fittedShare: number) => number;

/**
 * The weighted-Bayes threshold of `policy` for the data's positive share `dataPrevalence`, as a function of the share
 * a model's probabilities are fitted at: each candidate of `auto` and each member of a vote is judged at its own.
 */
export function costThresholdAt(policy: Extract<ThresholdPolicy, { kind: 'cost' }>, dataPrevalence?: number): CostThresholdAt {
  return (fittedShare) =>
    chooseThreshold(policy, { prevalence: fittedShare, ...(dataPrevalence !== undefined ? { dataPrevalence } : {}) }).threshold;
}

const POLICY_FORMS =
  "'bayes', 'prevalence', 'cost:L0,L1' (L0 = false-positive cost, L1 = false-negative cost), 'gmean' or 'gmean-oob' (forests)";

/** A cost as the cost rule takes it: a plain positive decimal number. */
const PLAIN_COST = /^(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
/** The most one error may cost against the other: the cost rule's q stays within about [1e-6, 1 − 1e-6]. */
const MAX_COST_RATIO = 1_000_000;

/** Parse a CLI `--threshold` value: `bayes` | `prevalence` | `cost:L0,L1` | `gmean` | `gmean-oob`. */
export function parseThresholdPolicy(text: string): ThresholdPolicy {
  const trimmed = text.trim();
  if (trimmed === 'bayes') return { kind: 'bayes' };
  if (trimmed === 'prevalence') return { kind: 'prevalence' };
  if (trimmed === 'gmean') return { kind: 'gmean' };
  if (trimmed === 'gmean-oob') return { kind: 'gmean-oob' };
  if (trimmed.startsWith('cost:')) {
    const parts = trimmed.slice('cost:'.length).split(',');
    // Plain decimal numbers, as every number flag takes them (" 5" or "0x10" is not one).
    const costs = parts.map((p) => (PLAIN_COST.test(p) ? Number(p) : Number.NaN));
    if (parts.length !== 2 || costs.some((c) => !Number.isFinite(c) || c <= 0)) {
      throw new InvalidInputError(
        '--threshold',
        `--threshold: expected cost:L0,L1 with two positive numbers (L0 = false-positive cost, L1 = false-negative cost), got ${JSON.stringify(text)}; e.g. cost:1,9`,
      );
    }
    // In logarithms: 1e300 against 1e-300 overflows a plain ratio.
    const decades = Math.abs(Math.log10(costs[0]!) - Math.log10(costs[1]!));
    if (decades > Math.log10(MAX_COST_RATIO) + 1e-12) {
      throw new InvalidInputError(
        '--threshold',
        `--threshold: the costs in ${JSON.stringify(text)} differ by a factor of about 1e${Math.round(decades)}; expected at most ${MAX_COST_RATIO.toLocaleString('en-US')} either way: ` +
          `a threshold that far out marks (nearly) every row as one class, which no cost of errors justifies`,
      );
    }
    return { kind: 'cost', lossFalsePositive: costs[0]!, lossFalseNegative: costs[1]! };
  }
  throw new InvalidInputError('--threshold', `--threshold: expected one of ${POLICY_FORMS}, got ${JSON.stringify(text)}`);
}

function assertPrevalence(prevalence: number, subject: string): void {
  if (typeof prevalence !== 'number' || !(prevalence > 0 && prevalence < 1)) {
    throw new InvalidInputError(subject, `${subject}: expected a prevalence strictly between 0 and 1, got ${String(prevalence)}`);
  }
}

export function chooseThreshold(policy: ThresholdPolicy, context: ThresholdContext): ThresholdChoice {
  switch (policy.kind) {
    case 'bayes':
      return { threshold: 0.5, policy, reason: 'Bayes rule: median quantile q = 1/2 (equal misclassification costs)' };
    case 'prevalence': {
      const fromPolicy = policy.prevalence !== undefined;
      const prevalence = fromPolicy ? policy.prevalence! : context.prevalence;
      assertPrevalence(prevalence, fromPolicy ? 'threshold policy prevalence' : 'prevalence');
      // Seed 002, Theorem 2: the q*-classifier I{p(x) ≥ π} is TNR+TPR-optimal.
      return {
        threshold: prevalence,
        policy,
        reason: `prevalence rule: threshold ${Number(prevalence.toPrecision(4))}, the positive share the model's probabilities are fitted to${fromPolicy ? ' (given)' : prevalence === 0.5 ? ' (1/2: a balanced model, or classes equal in its training rows)' : ' (that of its training rows)'}`,
      };
    }
    case 'cost': {
      const l0 = policy.lossFalsePositive;
      const l1 = policy.lossFalseNegative;
      if (!(Number.isFinite(l0) && l0 > 0)) {
        throw new InvalidInputError('lossFalsePositive', `lossFalsePositive: expected a finite number > 0, got ${l0}`);
      }
      if (!(Number.isFinite(l1) && l1 > 0)) {
        throw new InvalidInputError('lossFalseNegative', `lossFalseNegative: expected a finite number > 0, got ${l1}`);
      }
      // Seed 002, Theorem 1: the weighted Bayes rule thresholds at q = ℓ0/(ℓ0 + ℓ1).
      // Scaled by the larger cost first, so huge costs (1e308 each) do not overflow the sum to Infinity (q = 0).
      const scale = Math.max(l0, l1);
      const q = l0 / scale / (l0 / scale + l1 / scale);
      const reason = `weighted Bayes rule: q = ℓ0/(ℓ0+ℓ1) = ${l0}/(${l0}+${l1}) = ${q}`;
      const data = context.dataPrevalence;
      const fitted = context.prevalence;
      if (data === undefined || !(data > 0 && data < 1) || !(fitted > 0 && fitted < 1) || data === fitted)
        return { threshold: q, policy, reason };
      // q is a threshold on P(positive) at the data's share; the model's odds are the data's times
      // odds(fitted)/odds(data), so its threshold moves by that factor (in log-odds, so extreme costs stay finite).
      const logit = (p: number) => Math.log(p) - Math.log1p(-p);
      const threshold = 1 / (1 + Math.exp(-(Math.log(l0) - Math.log(l1) + logit(fitted) - logit(data))));
      return {
        threshold,
        policy,
        reason: `${reason} at the data's positive share ${Number(data.toPrecision(4))}, moved to the model's scale (its probabilities are fitted at a share of ${Number(fitted.toPrecision(4))}): ${threshold}`,
      };
    }
    case 'gmean':
      return chooseGMeanThreshold(policy, context);
    case 'gmean-oob':
      return chooseOutOfBagGMeanThreshold(policy, context);
    default: {
      const unknown: never = policy;
      throw new InvalidInputError(
        'threshold policy',
        `threshold policy: expected kind bayes, prevalence, cost or gmean, got ${JSON.stringify(unknown)}`,
      );
    }
  }
}

/**
 * The threshold maximising G-mean √(TPR·TNR) on validation scores. Candidates are the distinct scores: the
 * threshold is the lowest score still predicted positive (score ≥ threshold). Sweeping from the highest
 * score down visits every distinct partition once; on equal G-mean the higher threshold (fewer alarms) wins.
 */
function chooseGMeanThreshold(policy: ThresholdPolicy, context: ThresholdContext): ThresholdChoice {
  const scores = context.validationScores;
  const labels = context.validationLabels;
  if (scores === undefined || labels === undefined) {
    throw new InvalidInputError(
      'validation data',
      'gmean threshold policy: expected validation scores and labels, got none; pass a validation split or choose bayes, prevalence or cost:L0,L1',
    );
  }
  if (scores.length !== labels.length) {
    throw new InvalidInputError(
      'validation data',
      `validation data: expected one label per score (${scores.length}), got ${labels.length}`,
    );
  }
  let positives = 0;
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!;
    if (y !== 0 && y !== 1) throw new InvalidInputError('validation data', `validation labels: expected 0 or 1, got ${y} at index ${i}`);
    if (!Number.isFinite(scores[i]!)) {
      throw new InvalidInputError('validation data', `validation scores: expected finite numbers, got ${scores[i]} at index ${i}`);
    }
    positives += y;
  }
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) {
    throw new InvalidInputError(
      'validation data',
      `gmean threshold policy: expected both classes in the validation data, got ${negatives} negatives and ${positives} positives`,
    );
  }
  const { best, bestThreshold } = gMeanSweep(scores, labels, positives, negatives);
  return {
    threshold: bestThreshold,
    policy,
    reason: `G-mean-optimal threshold on ${labels.length} validation rows: G-mean ${best} at score ≥ ${bestThreshold}`,
  };
}

/**
 * `gmean` on out-of-bag scores: the sweep of `chooseGMeanThreshold` over the training rows that some tree left out.
 * The caller checked the scores are finite (they are means of leaf frequencies) and labels 0/1.
 */
function chooseOutOfBagGMeanThreshold(policy: ThresholdPolicy, context: ThresholdContext): ThresholdChoice {
  const scores = context.outOfBagScores;
  const labels = context.outOfBagLabels;
  if (scores === undefined || labels === undefined) {
    throw new InvalidInputError(
      'out-of-bag scores',
      'gmean-oob threshold policy: expected the out-of-bag scores of a forest, got none; train a forest or choose gmean',
    );
  }
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i]!;
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) {
    throw new InvalidInputError(
      'out-of-bag scores',
      `gmean-oob threshold policy: expected both classes among the training rows with out-of-bag scores, got ${negatives} negatives and ${positives} positives; grow more trees or choose gmean`,
    );
  }
  const { best, bestThreshold } = gMeanSweep(scores, labels, positives, negatives);
  return {
    threshold: bestThreshold,
    policy,
    reason: `G-mean-optimal threshold on the out-of-bag scores of ${labels.length} training rows: G-mean ${best} at score ≥ ${bestThreshold}`,
  };
}

/** The G-mean-optimal cut of a sweep from the highest score down (see `chooseGMeanThreshold`). */
function gMeanSweep(
  scores: Float64Array,
  labels: Uint8Array,
  positives: number,
  negatives: number,
): { best: number; bestThreshold: number } {
  const order = new Uint32Array(scores.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => scores[b]! - scores[a]!);
  let tp = 0;
  let fp = 0;
  let best = -1;
  let bestThreshold = scores[order[0]!]!;
  let k = 0;
  while (k < order.length) {
    const s = scores[order[k]!]!;
    while (k < order.length && scores[order[k]!] === s) {
      if (labels[order[k]!] === 1) tp++;
      else fp++;
      k++;
    }
    const g = Math.sqrt((tp / positives) * ((negatives - fp) / negatives));
    if (g > best) {
      best = g;
      bestThreshold = s;
    }
  }
  return { best, bestThreshold };
}
