// Temporal adapter of the sample and split stages (stages/sample.ts, stages/split.ts): one shard of Algorithm 1
// with checkpoints in the artifact store named in heartbeats (a retry resumes from the last one), the merge of
// shard samples, and the merge + split. Samples and splits travel by reference, with `sample_weight` inside.

import type { ModelMissingValues } from '../core/models/modelArtifact.js';
import type { ArtifactRef, FeatureSpec, SampleCounts, SplitSpec, StageSummary } from '../core/pipelineTypes.js';
import type { SamplingOrder } from '../core/sampling/rowOrder.js';
import { loadDatasetArtifact, sampleWeightColumn, sampleWeightsOf, saveDatasetArtifact } from '../data/datasetArtifacts.js';
import type { ScanSegment } from '../data/positiveScan.js';
import type { ShardCheckpoint } from '../data/shardSampling.js';
import { mergeSamplesStage, planSampleShards, sampleShardStage, type ShardSampleRequest } from '../stages/sample.js';
import { splitImputes, type SplitRole } from '../stages/split.js';
import { runStageInThread } from '../stages/stageThread.js';
import { cancellationSignal, failingOnBadInput, heartbeat, heartbeatDetails, memoised, warn, type ComputeDeps } from './activityRuntime.js';

export type AdaptiveSampleShardInput = ShardSampleRequest & {
  /** sha256 of each input file, so a re-run on changed data is not served a stale sample. */
  fileSha256s: string[];
};

export interface MergeSampleShardsInput {
  samples: ArtifactRef[];
  seed: number;
  /** The sampled input files, named when the merged sample's weights are unusable. @default none */
  files?: string[];
  /** The shard samples may hold missing feature values (NaN), imputed after the split. @default false */
  keepMissing?: boolean;
  /** Multi-class: the class values the samples' labels index, so a weight problem names its class. @default none */
  classes?: string[];
}

export interface AdaptiveSampleShardResult extends SampleCounts {
  sample: ArtifactRef;
  rows: number;
  complete: boolean;
  warning?: string;
  seconds: number;
  /** The scan resumed from a heartbeat checkpoint of an earlier attempt. */
  resumed: boolean;
  /** The row order the shard was sampled in, and why (absent in results memoised before order-safe sampling). */
  order?: SamplingOrder;
}

export interface MergeAndSplitInput {
  samples: ArtifactRef[];
  split: SplitSpec;
  seed: number;
  /** The spec's feature preparation: a declared imputation is fitted on the training split. @default reject */
  features?: FeatureSpec;
  /** Multi-class samples: the class values their labels index (the split is stratified by class). @default 0/1 labels */
  classes?: string[];
}

export interface MergeAndSplitResult {
  train: ArtifactRef;
  validation: ArtifactRef;
  test: ArtifactRef;
  /** Positive share of the training split before any oversampling: RFQ's q* = π. */
  trainPrevalence: number;
  /** The fill values fitted on the training split, for the model to carry; absent when nothing is imputed. */
  missingValues?: ModelMissingValues;
  summary: StageSummary;
}

/** Checkpoints are written at most this often (ms); each is a small JSON artifact named in the heartbeat. */
const CHECKPOINT_INTERVAL_MS = 2000;

export function adaptiveSampleActivities(deps: ComputeDeps) {
  const { artifacts } = deps;

  /** The checkpoint the previous attempt named in its last heartbeat, unless it changed since it was written. */
  const resumeCheckpoint = async (): Promise<ShardCheckpoint | undefined> => {
    const resumeRef = (heartbeatDetails() as { checkpoint?: ArtifactRef } | undefined)?.checkpoint;
    // A checkpoint changed since it was written is not trusted: the shard starts again from its first row.
    const resumeCheck = resumeRef ? await artifacts.check(resumeRef) : undefined;
    if (resumeRef && resumeCheck?.status === 'corrupt') {
      warn(
        `checkpoint ${resumeCheck.path} failed verification (sha256 ${resumeCheck.actualSha256}, expected ${resumeRef.sha256}): sampling the shard from its start`,
      );
      await artifacts.discardIfCorrupt(resumeRef);
    }
    return resumeRef && resumeCheck?.status === 'ok'
      ? (JSON.parse((await artifacts.readVerified(resumeRef)).toString('utf8')) as ShardCheckpoint)
      : undefined;
  };

  return {
    async planSampleShards(input: { files: string[]; shards: number }): Promise<{ shards: ScanSegment[][]; totalRows: number }> {
      return failingOnBadInput(() => planSampleShards(input.files, input.shards));
    },

    async adaptiveSampleShard(input: AdaptiveSampleShardInput): Promise<AdaptiveSampleShardResult> {
      return failingOnBadInput(() =>
        memoised(artifacts, { activity: 'adaptiveSampleShard', ...input }, async () => {
          const resumeFrom = await resumeCheckpoint();
          let lastCheckpoint = performance.now();
          // The last heartbeat's details, sent again while the input files are checked after the scan.
          let details: unknown;
          const beat = (d: unknown) => {
            details = d;
            heartbeat(d);
          };
          const sampled = await sampleShardStage(input, {
            ...(resumeFrom ? { resumeFrom } : {}),
            describedSha256s: input.fileSha256s,
            onWait: () => heartbeat(details),
            // The order check reads the whole label column first: heartbeat as it goes (no checkpoint: it is one pass).
            onScanProgress: (position) => beat({ position }),
            onCheckpoint: async (c) => {
              if (performance.now() - lastCheckpoint < CHECKPOINT_INTERVAL_MS) {
                beat({ position: c.position });
                return false;
              }
              lastCheckpoint = performance.now();
              const checkpoint = await artifacts.putBytes(JSON.stringify(c), 'sampling-checkpoint', 'json');
              beat({ position: c.position, checkpoint });
              return false;
            },
          });
          const ref = await saveDatasetArtifact(artifacts, 'sample', {
            data: sampled.data,
            featureNames: input.featureNames,
            labelName: input.label,
            ...sampleWeightColumn(sampled.weights),
          });
          const result: AdaptiveSampleShardResult = {
            sample: ref,
            rows: sampled.data.y.length,
            positives: sampled.positives,
            negatives: sampled.negatives,
            scannedRows: sampled.scannedRows,
            totalRows: sampled.totalRows,
            positivesSeen: sampled.positivesSeen,
            earlyStop: sampled.earlyStop,
            complete: sampled.complete,
            ...(sampled.warning ? { warning: sampled.warning } : {}),
            seconds: sampled.seconds,
            resumed: resumeFrom !== undefined,
            order: sampled.order,
          };
          return { result, outputs: { sample: ref } };
        }),
      );
    },

    async mergeSampleShards(input: MergeSampleShardsInput): Promise<{ sample: ArtifactRef; rows: number; positives: number }> {
      return failingOnBadInput(() =>
        memoised(artifacts, { activity: 'mergeSampleShards', samples: input.samples.map((s) => s.sha256), seed: input.seed }, async () => {
          const loaded = await Promise.all(
            input.samples.map((s) => loadDatasetArtifact(artifacts, s, input.keepMissing ? { keepMissingFeatures: true } : {})),
          );
          const merged = mergeSamplesStage(
            loaded.map((l) => ({ data: l.data, weights: sampleWeightsOf(l) })),
            input.seed,
            input.files,
            input.classes,
          );
          const ref = await saveDatasetArtifact(artifacts, 'sample', {
            data: merged.data,
            featureNames: loaded[0]!.featureNames,
            labelName: loaded[0]!.labelName,
            ...sampleWeightColumn(merged.weights),
          });
          return { result: { sample: ref, rows: merged.rows, positives: merged.positives }, outputs: { sample: ref } };
        }),
      );
    },

    async mergeAndSplit(input: MergeAndSplitInput): Promise<MergeAndSplitResult> {
      const imputes = splitImputes(input.features);
      return failingOnBadInput(() =>
        memoised(
          artifacts,
          {
            activity: 'mergeAndSplit',
            samples: input.samples.map((s) => s.sha256),
            split: input.split,
            seed: input.seed,
            ...(imputes ? { features: input.features } : {}),
            ...(input.classes ? { classes: input.classes } : {}),
          },
          async () => {
            const loaded = await Promise.all(
              input.samples.map((s) => loadDatasetArtifact(artifacts, s, imputes ? { keepMissingFeatures: true } : {})),
            );
            const { featureNames, labelName } = loaded[0]!;
            // On a stage thread: this thread stays free to heartbeat while millions of rows are merged and split.
            const done = await runStageInThread(
              {
                stage: 'split',
                samples: loaded.map((l) => ({ data: l.data, weights: sampleWeightsOf(l) })),
                options: {
                  split: input.split,
                  seed: input.seed,
                  featureNames,
                  ...(input.features ? { features: input.features } : {}),
                  ...(input.classes ? { classes: input.classes } : {}),
                },
              },
              undefined,
              cancellationSignal(),
            );
            const save = (role: SplitRole) => {
              const part = done.parts[role];
              return saveDatasetArtifact(artifacts, `split-${role}`, {
                data: part.data,
                featureNames,
                labelName,
                ...sampleWeightColumn(part.weights),
              });
            };
            const train = await save('train');
            const validation = await save('validation');
            const test = await save('test');
            const result: MergeAndSplitResult = {
              train,
              validation,
              test,
              trainPrevalence: done.trainPrevalence,
              ...(done.missingValues ? { missingValues: done.missingValues } : {}),
              summary: done.summary,
            };
            return { result, outputs: { train, validation, test } };
          },
        ),
      );
    },
  };
}
