// The candidates `model.kind: "auto"` chooses among, one table row each (name, what it fits, relative cost, the steps
// in front of the model), and how one candidate is fitted on a set of training rows.

import { rowsPerClass, takeRows, type LabelledData } from '../core/dataset.js';
import type { ModelSpec } from '../core/pipelineTypes.js';
import { takeSampleWeights } from '../core/sampling/sampleWeights.js';
import { filterAndType } from './denoise.js';
import { oversampleWithAdasyn } from './oversample.js';
import type { StageProgress } from './stageProgress.js';
import type { FitModelOptions, FittedArtifact } from './train.js';

/** A fitted model kind as a candidate runs it (never `auto`), without its threshold (the choice sets that). */
export type CandidateModel = Omit<ModelSpec, 'threshold' | 'kind' | 'budgetSeconds'> & { kind: Exclude<ModelSpec['kind'], 'auto'> };

export interface ModelCandidate {
  name: string;
  /** What it fits, in words, for the selection block. */
  fits: string;
  /** Time relative to the balanced forest (1): breaks ties toward the cheaper model and estimates budget use. */
  relativeCost: number;
  /** Edited nearest neighbours (k = 3) removes noisy rows first. @default false */
  enn?: boolean;
  /** ADASYN adds synthetic minority rows first. @default false */
  adasyn?: boolean;
  model: CandidateModel;
}

/**
 * The candidates; the first row is the default recipe and the budget fallback. When the budget runs short, the
 * candidates are scored in this order and the last are dropped unscored, so the plain models come first (the two
 * forests, logistic regression, gradient boosting: the strongest on large files) and the ones with a noise filter or
 * oversampling in front (dearer on many rows, and winners mostly on small sets, where the budget is not reached) last.
 * A new model kind joins the choice as one row here.
 */
export const MODEL_CANDIDATES: readonly ModelCandidate[] = [
  {
    name: 'balanced-forest',
    fits: 'random forest, each tree on a class-balanced bootstrap',
    relativeCost: 1,
    model: { kind: 'forest', sampling: 'balanced' },
  },
  {
    name: 'rfq-forest',
    fits: 'random forest on ordinary bootstraps (its threshold at the positive share of the training rows does the balancing)',
    relativeCost: 1.2,
    model: { kind: 'forest', sampling: 'bootstrap' },
  },
  {
    name: 'logreg-weighted',
    fits: 'L2 logistic regression with balanced class weights',
    relativeCost: 0.1,
    model: { kind: 'logreg', classWeight: 'balanced' },
  },
  {
    name: 'gbdt',
    fits: 'histogram gradient-boosted trees with balanced class weights, early stopping on an inner 10% split',
    relativeCost: 2,
    // Without early stopping below 10,000 rows (the kind's own default), boosting overfits small training sets.
    model: { kind: 'gbdt', earlyStopping: 'on' },
  },
  {
    name: 'enn-logreg-weighted',
    fits: 'edited nearest neighbours (k = 3), then L2 logistic regression with balanced class weights',
    relativeCost: 0.3,
    enn: true,
    model: { kind: 'logreg', classWeight: 'balanced' },
  },
  {
    name: 'adasyn-logreg',
    fits: 'ADASYN synthetic minority rows (k = 5), then L2 logistic regression',
    relativeCost: 0.4,
    adasyn: true,
    model: { kind: 'logreg' },
  },
  {
    name: 'enn-balanced-forest',
    fits: 'edited nearest neighbours (k = 3), then the class-balanced random forest',
    relativeCost: 1.3,
    enn: true,
    model: { kind: 'forest', sampling: 'balanced' },
  },
];

/** Neighbours of the ENN step in front of a candidate. */
const ENN_K = 3;
/** Neighbours of the ADASYN step in front of a candidate. */
const ADASYN_K = 5;

/** Trees of a forest candidate, unless the spec sets `model.trees`. */
const DEFAULT_TREES = 100;
/** Each tree of a balanced forest draws as many rows of every class as the smallest has: a row of the largest class is
 * in about trees / ratio of them, and this many times on average is the aim. */
const BALANCED_DRAWS_PER_ROW = 10;
/** The most trees a forest candidate grows: scoring time and model size grow with them. */
const MAX_FOREST_TREES = 500;

/**
 * Trees of a balanced forest candidate on labels `y`: 100, or more when the classes are far apart in size, so that
 * every row of the largest class still reaches about ten trees (each tree sees as many rows of it as the smallest
 * class has), at most 500. With few trees on a large imbalance, most of the majority rows sit out of almost every
 * tree and the forest's view of the majority class rests on a few draws. Each tree is small (twice the smallest class),
 * so the extra trees cost about as much as a few ordinary trees on all rows.
 */
export function balancedForestTrees(y: Uint8Array): number {
  const present = rowsPerClass(y, 256).filter((n) => n > 0);
  if (present.length < 2) return DEFAULT_TREES;
  const ratio = Math.max(...present) / Math.min(...present);
  return Math.min(MAX_FOREST_TREES, Math.max(DEFAULT_TREES, Math.ceil(BALANCED_DRAWS_PER_ROW * ratio)));
}

/** Out-of-bag trees a forest candidate aims to give each row on a small file (see forestCandidateTrees). */
const OUT_OF_BAG_TREES = 150;
/** The share of trees a row is out of bag in when drawn by a bootstrap of its class: (1 − 1/n)^n ≈ 1/e. */
const OUT_OF_BAG_SHARE = Math.exp(-1);
/** Rows × trees up to which a forest candidate grows trees for OUT_OF_BAG_TREES: about a second of one core. */
const SMALL_FOREST_ROW_TREES = 4_000_000;

/**
 * Trees of a forest candidate on labels `y`: balancedForestTrees for a balanced forest, 100 for the others, and on a
 * small file more, so that each row is out of bag in about 150 trees (a bootstrap leaves a row out of about 37% of
 * them; a balanced tree draws its smallest class the same way). The out-of-bag scores are the candidate's evidence in
 * the choice and where its gmean threshold is read: from the 37 trees of 100 they move in steps of about 0.03, as
 * coarse as a 1-in-30 prior and the differences between candidates. More trees only cost time, so the extra ones stop
 * where rows × trees reaches four million (408 trees up to about 9,800 rows, 100 from 40,000), and at 500.
 */
export function forestCandidateTrees(sampling: CandidateModel['sampling'], y: Uint8Array): number {
  const base = sampling === 'balanced' ? balancedForestTrees(y) : DEFAULT_TREES;
  const forSteadyScores = Math.ceil(OUT_OF_BAG_TREES / OUT_OF_BAG_SHARE);
  const affordable = Math.floor(SMALL_FOREST_ROW_TREES / Math.max(1, y.length));
  return Math.min(MAX_FOREST_TREES, Math.max(base, Math.min(forSteadyScores, affordable)));
}

/** Fits one model artifact: `fitModelArtifact` of stages/train.ts, passed in so this file does not import it back. */
export type FitModel = (train: LabelledData, o: FitModelOptions) => Promise<FittedArtifact>;

/**
 * Whether the choice scores candidate `c` by the out-of-bag scores of one fit on all training rows instead of inner
 * folds: a forest with no step in front. A step in front (ENN, ADASYN) would have to be redone without the rows
 * it judges, and synthetic rows would score their own parents out of bag, so those keep the inner folds.
 */
export function scoredOutOfBag(c: ModelCandidate): boolean {
  return c.model.kind === 'forest' && !c.enn && !c.adasyn;
}

export interface CandidateFit {
  fit: FitModel;
  /** The fit options every candidate shares (names, labels, seed, missing values); model and weights are set here. */
  base: Omit<FitModelOptions, 'model' | 'sampleWeights' | 'validation'>;
  /** Trees of the forest candidates. @default 100 */
  trees?: number;
  /** One-hot column groups, so ENN and ADASYN measure a category change as one step. */
  categoricalGroups?: number[][];
}

/** The candidate's steps in front of the model (ENN, ADASYN) on `data`, with the weights carried along. */
export function candidateTrainingRows(
  c: ModelCandidate,
  data: LabelledData,
  weights: Float64Array | undefined,
  seed: number,
  categoricalGroups: number[][] = [],
  progress?: StageProgress,
): { train: LabelledData; weights: Float64Array | undefined } {
  let train = data;
  if (c.enn && train.y.length > ENN_K + 1) {
    const { cleaning } = filterAndType(train, 'enn', ENN_K, 'auto', 'standardise', seed, categoricalGroups, progress, weights);
    train = takeRows(train, cleaning.kept);
    weights = weights ? takeSampleWeights(weights, cleaning.kept) : undefined;
  }
  if (c.adasyn) {
    const done = oversampleWithAdasyn(
      train,
      { k: ADASYN_K, beta: 1, seed, ...(categoricalGroups.length ? { categoricalGroups } : {}) },
      weights,
      progress,
    );
    train = done.augmented;
    weights = done.weights;
  }
  return { train, weights };
}

/** The candidate fitted on `data` (its front steps first) with the q* = π threshold, or `threshold` when given. */
export async function fitCandidate(
  c: ModelCandidate,
  data: LabelledData,
  weights: Float64Array | undefined,
  seed: number,
  f: CandidateFit,
  threshold: ModelSpec['threshold'] = 'prevalence',
): Promise<FittedArtifact> {
  const rows = candidateTrainingRows(c, data, weights, seed, f.categoricalGroups, f.base.progress);
  const trees = c.model.trees ?? f.trees ?? forestCandidateTrees(c.model.sampling, rows.train.y);
  const model: ModelSpec = { ...c.model, threshold, ...(c.model.kind === 'forest' ? { trees } : {}) };
  return f.fit(rows.train, { ...f.base, seed, model, ...(rows.weights ? { sampleWeights: rows.weights } : {}) });
}
