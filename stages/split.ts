// The split stage: the shard samples merged and shuffled, then split stratified into train | validation | test by a
// key of each row's content, so a row keeps its role across retrains (the test split never meets a synthetic row). A declared imputation is fitted on the training split alone.

import { classCounts, rowsOutsideLargestClass, rowsPerClass, takeRows, type LabelledData } from '../core/dataset.js';
import { identifierColumnWarnings } from '../core/features/identifierColumns.js';
import { fillMissingValues, fitMissingValueFill } from '../core/features/missingValues.js';
import type { ModelMissingValues } from '../core/models/modelArtifact.js';
import type { FeatureSpec, SplitSpec, StageSummary } from '../core/pipelineTypes.js';
import { deriveSeed, seededRandom } from '../core/random.js';
import { takeSampleWeights } from '../core/sampling/sampleWeights.js';
import { rowContentKeys } from '../core/sampling/rowContentKeys.js';
import { rowsCopiedFrom } from '../core/sampling/copiedRows.js';
import { stratifiedSplit } from '../core/sampling/stratifiedSplit.js';
import { mergeShards } from '../data/shardSampling.js';
import { secondsSince } from './stageProgress.js';

export type SplitRole = 'train' | 'validation' | 'test';

export interface SplitPart {
  data: LabelledData;
  /** The rows' weights, when the samples carry a weight column. */
  weights?: Float64Array;
  rows: number;
  positives: number;
}

export interface SplitStageResult {
  parts: Record<SplitRole, SplitPart>;
  /** Positive share of the training split before any oversampling: RFQ's q* = π. */
  trainPrevalence: number;
  /** The fill values fitted on the training split, for the model to carry; absent when nothing is imputed. */
  missingValues?: ModelMissingValues;
  summary: StageSummary;
}

/** Whether the feature settings declare an imputation (the samples then hold missing values as NaN until the split). */
export function splitImputes(features: FeatureSpec | undefined): boolean {
  return (features?.missing ?? 'reject') !== 'reject';
}

/** One sample (a shard's, or the merged one) as the split stage takes it. */
export interface SplitStageSample {
  data: LabelledData;
  weights?: Float64Array | undefined;
}

export interface SplitStageOptions {
  split: SplitSpec;
  seed: number;
  features?: FeatureSpec;
  /** Multi-class samples: the class values their labels index; the split is stratified by class. @default 0/1 labels */
  classes?: string[];
  /** The feature columns' names, to name a column that is an id (warned in the stage's note). */
  featureNames?: string[];
}

/** Test rows copied from training rows are warned about from this many, and this share of the test split. */
const MIN_COPIED_ROWS = 5;
const COPIED_SHARE = 0.01;

export function splitStage(samples: SplitStageSample[], o: SplitStageOptions): SplitStageResult {
  const started = performance.now();
  const policy = o.features?.missing ?? 'reject';
  const merged = mergeShards(
    samples.map((s) => s.data),
    o.seed,
    samples.map((s) => s.weights),
  );
  // Ordered by row content, not by the seed: a row has the same role in every retrain that samples it, so a
  // challenger's test rows are rows its champion did not learn from (core/sampling/rowContentKeys.ts).
  const parts = stratifiedSplit(merged.y, o.split, seededRandom(deriveSeed(o.seed, 'split')), o.classes, rowContentKeys(merged));
  // Multi-class: a stage's "positives" are the rows outside the largest class (the rare classes).
  const positivesOf = (y: Uint8Array) => (o.classes ? rowsOutsideLargestClass(y) : classCounts(y)[1]);
  const classNote = (y: Uint8Array) =>
    o.classes
      ? ` (${rowsPerClass(y, o.classes.length)
          .map((n, c) => `${o.classes![c]} ${n}`)
          .join(', ')})`
      : '';
  // A declared imputation is fitted on the training split alone and applied to all three, so validation
  // and test rows never shape the fill values.
  const fill = splitImputes(o.features)
    ? fitMissingValueFill(takeRows(merged, parts.train).x, {
        missing: policy,
        ...(o.features?.fillValue !== undefined ? { fillValue: o.features.fillValue } : {}),
      })
    : undefined;
  const filled = { train: 0, validation: 0, test: 0 };
  const part = (role: SplitRole): SplitPart => {
    let data = takeRows(merged, parts[role]);
    if (fill) {
      const done = fillMissingValues(fill, data.x);
      data = { x: done.x, y: data.y };
      filled[role] = done.counts.total;
    }
    const weights = merged.weights ? takeSampleWeights(merged.weights, parts[role]) : undefined;
    return { data, ...(weights ? { weights } : {}), rows: data.y.length, positives: positivesOf(data.y) };
  };
  const train = part('train');
  const validation = part('validation');
  const test = part('test');
  const mergedPositives = positivesOf(merged.y);
  const fillNote = fill
    ? `; missing values filled by the training split's ${policy} (train ${filled.train}, validation ${filled.validation}, test ${filled.test} values)`
    : '';
  // As `fit` does: an id the model would split on as if it meant something is worth a word.
  const idNote = o.featureNames
    ? identifierColumnWarnings(merged.x, o.featureNames, 'the model learns from it as a feature', 'with input.exclude in the spec')
        .map((w) => `; warning: ${w}`)
        .join('')
    : '';
  // Test rows with an exact copy among the training rows: what the gates judge them on, the model has learnt by heart.
  const copied = rowsCopiedFrom(train.data, test.data);
  const copyNote =
    copied >= MIN_COPIED_ROWS && copied >= COPIED_SHARE * test.rows
      ? `; warning: ${copied} of the ${test.rows} test rows (${((100 * copied) / test.rows).toFixed(1)}%) are exact copies of training rows in the features read (the input repeats rows, or the columns read do not tell its rows apart), so the gates' figures on them measure rows the model has learnt, not new ones; if the copies are one record repeated, remove them from the input (SELECT DISTINCT); if input.features or input.exclude left out the columns that tell them apart, read more columns`
      : '';
  return {
    parts: { train, validation, test },
    trainPrevalence: train.positives / train.rows,
    ...(fill && fill.fillValues
      ? { missingValues: { policy: policy as 'mean' | 'median' | 'constant', fillValues: fill.fillValues } }
      : {}),
    summary: {
      stage: 'split',
      rowsIn: merged.y.length,
      rowsOut: train.rows,
      positivesIn: mergedPositives,
      positivesOut: train.positives,
      seconds: secondsSince(started),
      note: o.classes
        ? `stratified by class: train ${train.rows}${classNote(train.data.y)}, validation ${validation.rows}${classNote(validation.data.y)}, test ${test.rows}${classNote(test.data.y)}; the test split never meets synthetic rows${fillNote}${idNote}${copyNote}`
        : `train ${train.rows} (${train.positives} positive), validation ${validation.rows} (${validation.positives}), test ${test.rows} (${test.positives}); the test split never meets synthetic rows${fillNote}${idNote}${copyNote}`,
    },
  };
}
