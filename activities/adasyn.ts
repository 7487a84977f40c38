// Temporal adapter of ADASYN: synthetic minority rows appended to the clean training split, with their lineage.

import { classCounts } from '../core/dataset.js';
import { adasyn, appendSynthetic } from '../core/oversample/adasyn.js';
import { deriveSeed, seededRandom } from '../core/random.js';
import { loadDatasetArtifact, saveDatasetArtifact } from '../data/datasetArtifacts.js';
import type { ArtifactRef, StageSummary } from '../workflows/contract.js';
import { failingOnBadInput, heartbeat, memoised, secondsSince, type ComputeDeps } from './activityRuntime.js';

export interface OversampleAdasynInput {
  train: ArtifactRef;
  /** Neighbours per minority row. @default 5 */
  k: number;
  /** Balance level: G = (negatives − positives) · β. @default 1 */
  beta: number;
  seed: number;
}

export interface OversampleAdasynResult {
  /** Training rows followed by synthetic rows; columns synthetic_parent/neighbour/lambda hold the lineage (-1 / NaN on real rows). */
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
        memoised(artifacts, { activity: 'oversampleAdasyn', train: input.train.sha256, k: input.k, beta: input.beta, seed: input.seed }, async () => {
          const started = performance.now();
          const loaded = await loadDatasetArtifact(artifacts, input.train);
          heartbeat({ stage: 'neighbours' });
          const out = adasyn(loaded.data, { k: input.k, beta: input.beta, random: seededRandom(deriveSeed(input.seed, 'adasyn')) });
          const augmented = appendSynthetic(loaded.data, out.synthetic);
          const realRows = loaded.data.y.length;
          const total = augmented.y.length;
          const parent = new Int32Array(total).fill(-1);
          const neighbour = new Int32Array(total).fill(-1);
          const lambda = new Float64Array(total);
          parent.set(out.lineage.parent, realRows);
          neighbour.set(out.lineage.neighbour, realRows);
          lambda.set(out.lineage.lambda, realRows);
          const ref = await saveDatasetArtifact(artifacts, 'train-augmented', {
            data: augmented,
            featureNames: loaded.featureNames,
            labelName: loaded.labelName,
            extra: { synthetic_parent: parent, synthetic_neighbour: neighbour, synthetic_lambda: lambda },
          });
          const [, positivesIn] = classCounts(loaded.data.y);
          const [, positivesOut] = classCounts(augmented.y);
          const result: OversampleAdasynResult = {
            dataset: ref,
            lineage: ref,
            syntheticRows: out.synthetic.rows,
            summary: {
              stage: 'adasyn',
              rowsIn: realRows,
              rowsOut: total,
              positivesIn,
              positivesOut,
              seconds: secondsSince(started),
              note: out.warning ?? `k=${input.k}, beta=${input.beta}; ${out.synthetic.rows} synthetic positives`,
            },
          };
          return { result, outputs: { dataset: ref } };
        }),
      );
    },
  };
}
