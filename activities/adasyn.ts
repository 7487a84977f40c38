// Temporal adapter of ADASYN: synthetic minority rows appended to the clean training split, with their lineage
// (`_synthetic`, `_seed_row`, `_neighbor_row`, `_gap`) and neighbour-distance statistics.

import { classCounts } from '../core/dataset.js';
import { neighborIndexes, type DistanceScaling } from '../core/neighbors/distanceSpace.js';
import { adasyn, appendSynthetic, lineageColumns } from '../core/oversample/adasyn.js';
import { deriveSeed, seededRandom } from '../core/random.js';
import { loadDatasetArtifact, saveDatasetArtifact } from '../data/datasetArtifacts.js';
import type { ArtifactRef, StageSummary } from '../workflows/contract.js';
import { failingOnBadInput, heartbeat, memoised, secondsSince, type ComputeDeps } from './activityRuntime.js';

export interface OversampleAdasynInput {
  train: ArtifactRef;
  /** Neighbours per minority row. @default 5 */
  k: number;
  /** Balance level in (0, 1]: G = (negatives − positives) · β. @default 1 */
  beta: number;
  seed: number;
  /** Neighbour search: chosen by cost, or forced. @default 'auto' */
  neighbors?: 'auto' | 'exact' | 'hnsw';
  /** At most this many synthetic rows per training row. @default none */
  maxSyntheticRatio?: number;
  /** Neighbours are found on standardised features, or on raw ones (imbalanced-learn's way). @default 'standardise' */
  scaling?: DistanceScaling;
}

export interface OversampleAdasynResult {
  /** Training rows followed by synthetic rows; the lineage columns say which row is which and where it came from. */
  dataset: ArtifactRef;
  /** The same artifact: lineage travels inside the augmented dataset. */
  lineage: ArtifactRef;
  syntheticRows: number;
  summary: StageSummary;
}

export function adasynActivities(deps: ComputeDeps) {
  const { artifacts } = deps;
  return {
    async oversampleAdasyn(input: OversampleAdasynInput): Promise<OversampleAdasynResult> {
      return failingOnBadInput(() =>
        memoised(artifacts, { activity: 'oversampleAdasyn', ...input, train: input.train.sha256 }, async (): Promise<{ result: OversampleAdasynResult; outputs: Record<string, ArtifactRef> }> => {
          const started = performance.now();
          const loaded = await loadDatasetArtifact(artifacts, input.train);
          const [negativesIn, positivesIn] = classCounts(loaded.data.y);
          const realRows = loaded.data.y.length;
          // Graceful degradation: with too few minority rows for k neighbours, use fewer, and say so.
          const k = Math.min(input.k, positivesIn - 1);
          if (k < 1) {
            const summary: StageSummary = {
              stage: 'adasyn', rowsIn: realRows, rowsOut: realRows, positivesIn, positivesOut: positivesIn, seconds: secondsSince(started),
              note: `skipped: ${positivesIn} minority row(s) in the training split, too few for any neighbour`,
            };
            return { result: { dataset: input.train, lineage: input.train, syntheticRows: 0, summary }, outputs: { dataset: input.train } };
          }
          heartbeat({ stage: 'neighbours' });
          const indexes = neighborIndexes(loaded.data, { kind: input.neighbors ?? 'auto', queries: positivesIn, ...(input.scaling ? { scaling: input.scaling } : {}) });
          const choice = indexes.choice;
          let out;
          try {
            out = adasyn(loaded.data, {
              k,
              beta: input.beta,
              random: seededRandom(deriveSeed(input.seed, 'adasyn')),
              index: indexes.all,
              minorityIndex: indexes.minority,
              rejectConstantFeatures: false,
              ...(input.maxSyntheticRatio !== undefined ? { maxSyntheticRatio: input.maxSyntheticRatio } : {}),
            });
          } finally {
            indexes.close();
          }
          const augmented = appendSynthetic(loaded.data, out.synthetic);
          const lineage = lineageColumns(realRows, out.lineage);
          const gap = lineage._gap.map((v) => (Number.isNaN(v) ? 0 : v)); // dataset artifacts hold finite numbers only
          const ref = await saveDatasetArtifact(artifacts, 'train-augmented', {
            data: augmented,
            featureNames: loaded.featureNames,
            labelName: loaded.labelName,
            extra: { _synthetic: Int32Array.from(lineage._synthetic), _seed_row: lineage._seed_row, _neighbor_row: lineage._neighbor_row, _gap: gap },
          });
          const [, positivesOut] = classCounts(augmented.y);
          const d = out.stats.neighbourDistance;
          const notes = [
            `k=${k}${k < input.k ? ` (lowered from ${input.k}: only ${positivesIn} minority rows)` : ''}, beta=${input.beta}, ${choice.kind} neighbours on ${input.scaling ?? 'standardise'}d features`,
            `${out.synthetic.rows} synthetic positives for ${negativesIn} negatives (synthetic ratio ${out.stats.syntheticRatio.toFixed(3)})`,
            ...(d ? [`seed-to-neighbour distance min ${d.min.toFixed(3)} median ${d.median.toFixed(3)} max ${d.max.toFixed(3)}`] : []),
            ...(out.quotaMessage ? [out.quotaMessage] : []),
            ...(out.warning ? [out.warning] : []),
          ];
          const result: OversampleAdasynResult = {
            dataset: ref,
            lineage: ref,
            syntheticRows: out.synthetic.rows,
            summary: { stage: 'adasyn', rowsIn: realRows, rowsOut: augmented.y.length, positivesIn, positivesOut, seconds: secondsSince(started), note: notes.join('; ') },
          };
          return { result, outputs: { dataset: ref } };
        }),
      );
    },
  };
}
