// The denoise stage: label-noise filtering of a training set, edited nearest neighbours (one round or repeated),
// Tomek links or confident learning, with the minority typed safe/borderline/rare/outlier. Rows of `sample_weight`
// 0 are set aside (kept, never anyone's neighbour: core/sampling/zeroWeightRows.ts); kept rows keep their weight.

import { classCounts, takeRows, type LabelledData } from '../core/dataset.js';
import {
  editedNearestNeighbours,
  repeatedEditedNearestNeighbours,
  type RepeatedEditedNearestNeighboursResult,
} from '../core/denoise/editedNearestNeighbours.js';
import { typeMinority, type MinorityTyping } from '../core/denoise/minorityTyping.js';
import type { CleaningResult } from '../core/denoise/removalReason.js';
import { tomekLinks } from '../core/denoise/tomekLinks.js';
import { confidentLearning } from '../core/denoise/confidentLearning.js';
import { deriveSeed, seededRandom } from '../core/random.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import { distanceSpace, neighborIndexes, type DistanceScaling } from '../core/neighbors/distanceSpace.js';
import type { NeighborSearch, StageSummary } from '../core/pipelineTypes.js';
import { takeSampleWeights } from '../core/sampling/sampleWeights.js';
import { cleaningOfAllRows, typingOfAllRows, weightedRowsOf } from '../core/sampling/zeroWeightRows.js';
import { searchProgress, secondsSince, type StageProgress } from './stageProgress.js';

export type LabelNoiseMethod = 'enn' | 'renn' | 'tomek' | 'confident';

/** A filter's result; repeated ENN adds its rounds and why it stopped. */
export type FilterCleaning = CleaningResult & {
  roundsApplied?: number;
  stoppedBecause?: RepeatedEditedNearestNeighboursResult['stoppedBecause'];
};

/**
 * Why repeated ENN stopped, in words, when it stopped before a round it would otherwise have applied (a class would
 * vanish, or the negatives would end up fewer than the positives were); undefined when it converged.
 */
export function rennStopText(cleaning: FilterCleaning): string | undefined {
  const why =
    cleaning.stoppedBecause === 'class-would-vanish'
      ? 'would have removed every row left of a class'
      : cleaning.stoppedBecause === 'class-would-shrink-below-minority'
        ? 'would have left fewer negative rows than there were positive rows to start with'
        : cleaning.stoppedBecause === 'max-rounds'
          ? undefined
          : null;
  if (why === null) return undefined;
  const rounds = cleaning.roundsApplied ?? 0;
  if (why === undefined) return `renn stopped at its most rounds (${rounds}) before a round removed nothing`;
  return rounds === 0
    ? `renn removed nothing: its first round ${why}, so it was not applied and the output is the input`
    : `renn stopped after ${rounds} round(s): the next round ${why}`;
}

const STAGE_NAME: Record<LabelNoiseMethod, string> = {
  enn: 'editedNearestNeighbours',
  renn: 'repeatedEditedNearestNeighbours',
  tomek: 'tomekLinks',
  confident: 'confidentLearning',
};

export interface DenoiseOptions {
  method: LabelNoiseMethod;
  /** Neighbours examined per row. @default 3 */
  k: number;
  /** Neighbour search: chosen by cost, or forced. @default 'auto' */
  neighbors?: NeighborSearch;
  /** Neighbours on standardised features, or raw ones (imbalanced-learn's way). @default 'standardise' */
  scaling?: DistanceScaling;
  /** Seed of the folds of confident learning. @default 1 */
  seed?: number;
  /** One-hot column groups of categorical features: one distance step per category change (SMOTE-NC). @default none */
  categoricalGroups?: number[][];
}

export interface DenoiseStageResult {
  /** The kept rows, in input order. */
  cleaned: LabelledData;
  /** The kept rows' weights, when the input had weights. */
  weights?: Float64Array;
  cleaning: FilterCleaning;
  minorityTypes: MinorityTyping['counts'];
  summary: StageSummary;
}

/**
 * The chosen filter over `data`, with one neighbour index shared by the filter and the minority typing. With
 * `weights`, rows of weight 0 take no part (`setAside` counts them) and are kept.
 */
export function filterAndType(
  data: LabelledData,
  method: LabelNoiseMethod,
  k: number,
  neighbors: NeighborSearch = 'auto',
  scaling: DistanceScaling = 'standardise',
  seed = 1,
  categoricalGroups: number[][] = [],
  progress?: StageProgress,
  weights?: ArrayLike<number>,
): {
  cleaning: FilterCleaning;
  typing: MinorityTyping;
  index: ReturnType<typeof neighborIndexes>['choice'];
  setAside: number;
} {
  const { source, weighing, setAside } = weightedRowsOf(data, weights);
  if (weighing) {
    const done = filterAndType(source, method, k, neighbors, scaling, seed, categoricalGroups, progress);
    return {
      cleaning: cleaningOfAllRows(done.cleaning, weighing, data.y.length),
      typing: typingOfAllRows(done.typing, weighing),
      index: done.index,
      setAside,
    };
  }

  if (method !== 'enn' && method !== 'renn' && method !== 'tomek' && method !== 'confident') {
    throw new InvalidInputError(
      'denoise.method',
      `denoise.method must be "enn", "renn", "tomek", "confident" or "none"; got "${String(method)}".`,
    );
  }
  const onBatch = searchProgress(progress, 'neighbours');
  const indexes = neighborIndexes(data, { kind: neighbors, queries: data.y.length, scaling, categoricalGroups, ...onBatch });
  const index = indexes.all;
  const choice = indexes.choice;
  try {
    const typing = typeMinority(data, { index });
    let cleaning: FilterCleaning;
    // A forced exact search answers every row, as before the keep screen; its decisions are the same either way.
    if (method === 'enn')
      cleaning = editedNearestNeighbours(data, { k, index, space: indexes.space, screen: neighbors !== 'exact', ...onBatch });
    else if (method === 'tomek') cleaning = tomekLinks(data, { index });
    else if (method === 'confident') cleaning = confidentLearning(data, { random: seededRandom(deriveSeed(seed, 'confidentLearning')) });
    else {
      cleaning = repeatedEditedNearestNeighbours(
        { x: distanceSpace(data, scaling, categoricalGroups), y: data.y },
        { k, screen: neighbors !== 'exact', ...onBatch },
      );
    }
    rejectEmptiedClass(data.y, cleaning.removedPerClass, method, k);
    return { cleaning, typing, index: choice, setAside: 0 };
  } finally {
    indexes.close();
  }
}

/**
 * A noise filter can remove every row of a class, when each has rows of the other class nearby (identical feature
 * values in both classes, or features that do not tell them apart): what is left could not train a classifier, so
 * the stage refuses rather than return it.
 */
function rejectEmptiedClass(y: Uint8Array, removedPerClass: readonly number[], method: LabelNoiseMethod, k: number): void {
  const counts = classCounts(y);
  for (const cls of [0, 1] as const) {
    if (counts[cls] === 0 || removedPerClass[cls] !== counts[cls]) continue;
    const why =
      method === 'confident'
        ? 'the out-of-fold model found every one of them mislabelled'
        : `each has rows of the other class among its nearest neighbours (k = ${k}; often rows with identical feature values in both classes)`;
    throw new InvalidInputError(
      'denoise.method',
      `the noise filter (${method}) would remove all ${counts[cls]} ${cls === 1 ? 'positive' : 'negative'} rows: ${why}, so nothing would be left to learn that class from; check the feature columns, or turn the noise filter off`,
    );
  }
}

/** The pipeline's denoise step on a training split: the kept rows (and weights) and the step's summary line. */
export function denoiseStage(data: LabelledData, o: DenoiseOptions, weights?: Float64Array, progress?: StageProgress): DenoiseStageResult {
  const started = performance.now();
  progress?.({ stage: 'neighbours' });
  const { cleaning, typing, index, setAside } = filterAndType(
    data,
    o.method,
    o.k,
    o.neighbors,
    o.scaling,
    o.seed,
    o.categoricalGroups,
    progress,
    weights,
  );
  const cleaned = takeRows(data, cleaning.kept);
  const [, positivesIn] = classCounts(data.y);
  const [, positivesOut] = classCounts(cleaned.y);
  const t = typing.counts;
  return {
    cleaned,
    ...(weights ? { weights: takeSampleWeights(weights, cleaning.kept) } : {}),
    cleaning,
    minorityTypes: t,
    summary: {
      stage: STAGE_NAME[o.method],
      rowsIn: data.y.length,
      rowsOut: cleaned.y.length,
      positivesIn,
      positivesOut,
      seconds: secondsSince(started),
      note:
        // Tomek links and confident learning read no k: the note names none for them.
        `${o.method === 'enn' || o.method === 'renn' ? `k=${o.k}, ` : ''}${index.kind} neighbours${cleaning.roundsApplied !== undefined ? `, ${cleaning.roundsApplied} round(s)` : ''}; ` +
        `removed ${cleaning.removedPerClass[0]} negative and ${cleaning.removedPerClass[1]} positive rows; ` +
        `minority: ${t.safe} safe, ${t.borderline} borderline, ${t.rare} rare, ${t.outlier} outlier` +
        (setAside > 0 ? `; ${setAside} rows of weight 0 set aside (kept, never a neighbour)` : '') +
        (rennStopText(cleaning) !== undefined ? `; ${rennStopText(cleaning)}` : ''),
    },
  };
}
