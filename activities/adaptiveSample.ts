// Temporal adapter of adaptive sampling: one shard of Algorithm 1 streamed from DuckDB, and the merge + split.

import { classCounts, takeRows } from '../core/dataset.js';
import { deriveSeed, seededRandom } from '../core/random.js';
import { AdaptiveSampler, mergeShardSamples, shardTargets, type AdaptiveSampleResult } from '../core/sampling/adaptiveSample.js';
import { stratifiedSplit } from '../core/sampling/stratifiedSplit.js';
import { loadDatasetArtifact, saveDatasetArtifact } from '../data/datasetArtifacts.js';
import { scanLabelledBatches } from '../data/datasetReader.js';
import type { ArtifactRef, PipelineSpec, StageSummary } from '../workflows/contract.js';
import { failingOnBadInput, heartbeat, memoised, secondsSince, type ComputeDeps } from './activityRuntime.js';

export interface AdaptiveSampleShardInput {
  files: string[];
  label: string;
  positiveLabel: string;
  featureNames: string[];
  /** N and Nr for the whole sample; the shard takes its share (seed 003's cluster mode). */
  targetSize: number;
  positiveTarget: number;
  shardIndex: number;
  shardCount: number;
  seed: number;
  /** sha256 of each input file, so a re-run on changed data is not served a stale sample. */
  fileSha256s: string[];
}

export interface AdaptiveSampleShardResult {
  sample: ArtifactRef;
  rows: number;
  positives: number;
  scannedRows: number;
  positivesSeen: number;
  complete: boolean;
  warning?: string;
  seconds: number;
}

export function adaptiveSampleActivities(deps: ComputeDeps) {
  const { artifacts } = deps;
  return {
    async adaptiveSampleShard(input: AdaptiveSampleShardInput): Promise<AdaptiveSampleShardResult> {
      return failingOnBadInput(() =>
        memoised(artifacts, { activity: 'adaptiveSampleShard', ...input }, async () => {
          const started = performance.now();
          const share = shardTargets(input.targetSize, input.positiveTarget, input.shardCount)[input.shardIndex]!;
          const sampler = new AdaptiveSampler({
            ...share,
            cols: input.featureNames.length,
            random: seededRandom(deriveSeed(input.seed, `adaptiveSample/shard-${input.shardIndex}`)),
          });
          let batches = 0;
          await scanLabelledBatches(input.files, { label: input.label, positive: input.positiveLabel, features: input.featureNames }, (x, y, rows) => {
            const done = sampler.offerBatch(x, y, rows);
            if (++batches % 16 === 0) heartbeat({ scannedRows: sampler.result().scannedRows });
            return done;
          });
          const sample = sampler.result();
          const ref = await saveDatasetArtifact(artifacts, 'sample', { data: sample, featureNames: input.featureNames, labelName: input.label });
          const [, positives] = classCounts(sample.y);
          const result: AdaptiveSampleShardResult = {
            sample: ref,
            rows: sample.y.length,
            positives,
            scannedRows: sample.scannedRows,
            positivesSeen: sample.positivesSeen,
            complete: sample.complete,
            ...(sample.warning ? { warning: sample.warning } : {}),
            seconds: secondsSince(started),
          };
          return { result, outputs: { sample: ref } };
        }),
      );
    },

    async mergeAndSplit(input: { samples: ArtifactRef[]; split: PipelineSpec['split']; seed: number }): Promise<MergeAndSplitResult> {
      return failingOnBadInput(() =>
        memoised(artifacts, { activity: 'mergeAndSplit', samples: input.samples.map((s) => s.sha256), split: input.split, seed: input.seed }, async () => {
          const started = performance.now();
          const loaded = await Promise.all(input.samples.map((s) => loadDatasetArtifact(artifacts, s)));
          const { featureNames, labelName } = loaded[0]!;
          const shardResults: AdaptiveSampleResult[] = loaded.map((l) => ({
            x: l.data.x,
            y: l.data.y,
            scannedRows: 0,
            negativesSeen: 0,
            positivesSeen: 0,
            complete: true,
          }));
          const merged = mergeShardSamples(shardResults, seededRandom(deriveSeed(input.seed, 'merge')));
          const parts = stratifiedSplit(merged.y, input.split, seededRandom(deriveSeed(input.seed, 'split')));
          const save = async (role: 'train' | 'validation' | 'test') => {
            const data = takeRows(merged, parts[role]);
            const ref = await saveDatasetArtifact(artifacts, `split-${role}`, { data, featureNames, labelName });
            const [, positives] = classCounts(data.y);
            return { ref, rows: data.y.length, positives };
          };
          const train = await save('train');
          const validation = await save('validation');
          const test = await save('test');
          const [, mergedPositives] = classCounts(merged.y);
          const result: MergeAndSplitResult = {
            train: train.ref,
            validation: validation.ref,
            test: test.ref,
            trainPrevalence: train.positives / train.rows,
            summary: {
              stage: 'split',
              rowsIn: merged.y.length,
              rowsOut: train.rows,
              positivesIn: mergedPositives,
              positivesOut: train.positives,
              seconds: secondsSince(started),
              note: `train ${train.rows} (${train.positives} positive), validation ${validation.rows} (${validation.positives}), test ${test.rows} (${test.positives}); the test split never meets synthetic rows`,
            },
          };
          return { result, outputs: { train: train.ref, validation: validation.ref, test: test.ref } };
        }),
      );
    },
  };
}

export interface MergeAndSplitResult {
  train: ArtifactRef;
  validation: ArtifactRef;
  test: ArtifactRef;
  /** Positive share of the training split before any oversampling: RFQ's q* = π. */
  trainPrevalence: number;
  summary: StageSummary;
}
