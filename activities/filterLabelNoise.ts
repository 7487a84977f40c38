// Temporal adapter of label-noise filtering over the training split: edited nearest neighbours (one round or
// repeated) or Tomek links, the minority typed safe/borderline/rare/outlier, removed rows kept as lineage.
// Neighbours ignore `sample_weight`; kept rows keep their weight.

import { classCounts, takeRows, type LabelledData } from '../core/dataset.js';
import { editedNearestNeighbours, repeatedEditedNearestNeighbours } from '../core/denoise/editedNearestNeighbours.js';
import { typeMinority, type MinorityTyping } from '../core/denoise/minorityTyping.js';
import type { CleaningResult } from '../core/denoise/removalReason.js';
import { tomekLinks } from '../core/denoise/tomekLinks.js';
import { confidentLearning } from '../core/denoise/confidentLearning.js';
import { deriveSeed, seededRandom } from '../core/random.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import { distanceSpace, neighborIndexes, type DistanceScaling } from '../core/neighbors/distanceSpace.js';
import { takeSampleWeights } from '../core/sampling/sampleWeights.js';
import { loadDatasetArtifact, sampleWeightColumn, sampleWeightsOf, saveDatasetArtifact } from '../data/datasetArtifacts.js';
import type { ArtifactRef, NeighborSearch, StageSummary } from '../workflows/contract.js';
import { failingOnBadInput, heartbeat, memoised, secondsSince, type ComputeDeps } from './activityRuntime.js';

export type LabelNoiseMethod = 'enn' | 'renn' | 'tomek' | 'confident';

const STAGE_NAME: Record<LabelNoiseMethod, string> = {
  enn: 'editedNearestNeighbours',
  renn: 'repeatedEditedNearestNeighbours',
  tomek: 'tomekLinks',
  confident: 'confidentLearning',
};

export interface FilterLabelNoiseInput {
  train: ArtifactRef;
  method: LabelNoiseMethod;
  /** Neighbours examined per row. @default 3 */
  k: number;
  /** Neighbour search: chosen by cost, or forced. @default 'auto' */
  neighbors?: NeighborSearch;
  /** Neighbours on standardised features, or raw ones (imbalanced-learn's way). @default 'standardise' */
  scaling?: DistanceScaling;
  /** Seed of the folds of confident learning. @default 1 */
  seed?: number;
}

export interface FilterLabelNoiseResult {
  dataset: ArtifactRef;
  /** Removed rows of the input with a reason code each (core/denoise/removalReason.ts), as JSON. */
  removed: ArtifactRef;
  minorityTypes: MinorityTyping['counts'];
  summary: StageSummary;
}

/** The chosen filter over `data`, with one neighbour index shared by the filter and the minority typing. */
export function filterAndType(
  data: LabelledData,
  method: LabelNoiseMethod,
  k: number,
  neighbors: NeighborSearch = 'auto',
  scaling: DistanceScaling = 'standardise',
  seed = 1,
  categoricalGroups: number[][] = [],
) {
  if (method !== 'enn' && method !== 'renn' && method !== 'tomek' && method !== 'confident') {
    throw new InvalidInputError('denoise.method', `denoise.method must be "enn", "renn", "tomek", "confident" or "none"; got "${String(method)}".`);
  }
  const indexes = neighborIndexes(data, { kind: neighbors, queries: data.y.length, scaling, categoricalGroups });
  const index = indexes.all;
  const choice = indexes.choice;
  try {
    const typing = typeMinority(data, { index });
    let cleaning: CleaningResult & { roundsApplied?: number };
    if (method === 'enn') cleaning = editedNearestNeighbours(data, { k, index });
    else if (method === 'tomek') cleaning = tomekLinks(data, { index });
    else if (method === 'confident') cleaning = confidentLearning(data, { random: seededRandom(deriveSeed(seed, 'confidentLearning')) });
    else cleaning = repeatedEditedNearestNeighbours({ x: distanceSpace(data, scaling, categoricalGroups), y: data.y }, { k });
    return { cleaning, typing, index: choice };
  } finally {
    indexes.close();
  }
}

export function filterLabelNoiseActivities(deps: ComputeDeps) {
  const { artifacts } = deps;
  return {
    async filterLabelNoise(input: FilterLabelNoiseInput): Promise<FilterLabelNoiseResult> {
      return failingOnBadInput(() =>
        memoised(artifacts, { activity: 'filterLabelNoise', ...input, train: input.train.sha256 }, async () => {
          const started = performance.now();
          const loaded = await loadDatasetArtifact(artifacts, input.train);
          heartbeat({ stage: 'neighbours' });
          const { cleaning, typing, index } = filterAndType(loaded.data, input.method, input.k, input.neighbors, input.scaling, input.seed);
          const cleaned = takeRows(loaded.data, cleaning.kept);
          const weights = sampleWeightsOf(loaded);
          const ref = await saveDatasetArtifact(artifacts, 'train-clean', {
            data: cleaned,
            featureNames: loaded.featureNames,
            labelName: loaded.labelName,
            extra: { origin_row: cleaning.kept, ...sampleWeightColumn(weights ? takeSampleWeights(weights, cleaning.kept) : undefined).extra },
          });
          const removed = await artifacts.putBytes(
            JSON.stringify({ input: input.train.sha256, method: input.method, removed: Array.from(cleaning.removed), reasons: Array.from(cleaning.reasons) }),
            'removed-rows',
            'json',
          );
          const [, positivesIn] = classCounts(loaded.data.y);
          const [, positivesOut] = classCounts(cleaned.y);
          const t = typing.counts;
          const result: FilterLabelNoiseResult = {
            dataset: ref,
            removed,
            minorityTypes: t,
            summary: {
              stage: STAGE_NAME[input.method],
              rowsIn: loaded.data.y.length,
              rowsOut: cleaned.y.length,
              positivesIn,
              positivesOut,
              seconds: secondsSince(started),
              note:
                `k=${input.k}, ${index.kind} neighbours${cleaning.roundsApplied !== undefined ? `, ${cleaning.roundsApplied} round(s)` : ''}; ` +
                `removed ${cleaning.removedPerClass[0]} negative and ${cleaning.removedPerClass[1]} positive rows; ` +
                `minority: ${t.safe} safe, ${t.borderline} borderline, ${t.rare} rare, ${t.outlier} outlier`,
            },
          };
          return { result, outputs: { dataset: ref, removed } };
        }),
      );
    },
  };
}
