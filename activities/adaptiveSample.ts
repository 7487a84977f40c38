// Temporal adapter of adaptive sampling: one shard of Algorithm 1 streamed from DuckDB, and the merge + split.
// A `sample_weight` input column rides along as the artifacts' extra column of that name: kept rows keep theirs.

import { classCounts, takeRows } from '../core/dataset.js';
import { deriveSeed, seededRandom } from '../core/random.js';
import { mergeShardSamples, shardTargets, type AdaptiveSampleResult } from '../core/sampling/adaptiveSample.js';
import type { RowIdSamplerKind } from '../core/sampling/rowIdSamplers.js';
import type { SamplingOrder } from '../core/sampling/rowOrder.js';
import { checkSampleWeights, SAMPLE_WEIGHT_COLUMN, takeSampleWeights } from '../core/sampling/sampleWeights.js';
import { stratifiedSplit } from '../core/sampling/stratifiedSplit.js';
import { loadDatasetArtifact, sampleWeightColumn, sampleWeightsOf, saveDatasetArtifact } from '../data/datasetArtifacts.js';
import { fileRowCounts, planShards, type ScanSegment } from '../data/positiveScan.js';
import type { SamplingOrderChoice } from '../data/samplingOrder.js';
import { mergeShards, sampleShard, type SampleCounts, type ShardCheckpoint } from '../data/shardSampling.js';
import type { ArtifactRef, PipelineSpec, StageSummary } from '../workflows/contract.js';
import { failingOnBadInput, heartbeat, heartbeatDetails, memoised, secondsSince, warn, type ComputeDeps } from './activityRuntime.js';
import { fillMissingValues, fitMissingValueFill } from '../core/features/missingValues.js';
import type { ModelMissingValues } from '../core/models/modelArtifact.js';

async function wholeFileSegments(files: string[]): Promise<ScanSegment[]> {
  const counts = await fileRowCounts(files);
  return files.map((file, i) => ({ file, firstRow: 0, endRow: counts[i]! }));
}

export interface AdaptiveSampleShardInput {
  /** Row ranges of this shard, in order (see planSampleShards). Older callers pass `files` instead. */
  segments?: ScanSegment[];
  files?: string[];
  label: string;
  positiveLabel: string;
  /** A SQL predicate that defines positives instead of the label value. */
  predicate?: string;
  featureNames: string[];
  /** N and Nr for the whole sample; the shard takes its share (seed 003's cluster mode). */
  targetSize: number;
  positiveTarget: number;
  shardIndex: number;
  shardCount: number;
  seed: number;
  /** sha256 of each input file, so a re-run on changed data is not served a stale sample. */
  fileSha256s: string[];
  /** @default 'adaptive' */
  method?: RowIdSamplerKind;
  /** The input's per-row weight column (describeInput's `sampleWeight`): fetched with the kept rows. @default none */
  sampleWeight?: string;
  /** Keep missing feature values as NaN: the spec declares an imputation, fitted after the split. @default false */
  keepMissing?: boolean;
  /** Row order fed to the sampler (see data/samplingOrder.ts). @default 'auto' */
  order?: SamplingOrderChoice;
}

export interface MergeSampleShardsInput {
  samples: ArtifactRef[];
  seed: number;
  /** The sampled input files, named when the merged sample's weights are unusable. @default none */
  files?: string[];
  /** The shard samples may hold missing feature values (NaN), imputed after the split. @default false */
  keepMissing?: boolean;
}

function describeFiles(files: string[]): string {
  return files.length <= 3 ? files.join(', ') : `${files.slice(0, 3).join(', ')} and ${files.length - 3} more files`;
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

/** Checkpoints are written at most this often (ms); each is a small JSON artifact named in the heartbeat. */
const CHECKPOINT_INTERVAL_MS = 2000;

export function adaptiveSampleActivities(deps: ComputeDeps) {
  const { artifacts } = deps;
  return {
    async planSampleShards(input: { files: string[]; shards: number }): Promise<{ shards: ScanSegment[][]; totalRows: number }> {
      return failingOnBadInput(async () => {
        const counts = await fileRowCounts(input.files);
        return { shards: planShards(input.files, counts, input.shards), totalRows: counts.reduce((a, b) => a + b, 0) };
      });
    },

    async adaptiveSampleShard(input: AdaptiveSampleShardInput): Promise<AdaptiveSampleShardResult> {
      return failingOnBadInput(() =>
        memoised(artifacts, { activity: 'adaptiveSampleShard', ...input }, async () => {
          const started = performance.now();
          const segments = input.segments ?? (await wholeFileSegments(input.files ?? []));
          const share = shardTargets(input.targetSize, input.positiveTarget, input.shardCount)[input.shardIndex]!;
          const resumeRef = (heartbeatDetails() as { checkpoint?: ArtifactRef } | undefined)?.checkpoint;
          // A checkpoint changed since it was written is not trusted: the shard starts again from its first row.
          const resumeCheck = resumeRef ? await artifacts.check(resumeRef) : undefined;
          if (resumeRef && resumeCheck?.status === 'corrupt') {
            warn(`checkpoint ${resumeCheck.path} failed verification (sha256 ${resumeCheck.actualSha256}, expected ${resumeRef.sha256}): sampling the shard from its start`);
            await artifacts.discardIfCorrupt(resumeRef);
          }
          const resumeFrom = resumeRef && resumeCheck?.status === 'ok'
            ? (JSON.parse((await artifacts.readVerified(resumeRef)).toString('utf8')) as ShardCheckpoint)
            : undefined;
          let lastCheckpoint = performance.now();
          const sampled = await sampleShard(
            {
              segments,
              positive: { label: input.label, positive: input.positiveLabel, ...(input.predicate ? { predicate: input.predicate } : {}) },
              featureNames: input.featureNames,
              ...share,
              seed: input.seed,
              shardIndex: input.shardIndex,
              ...(input.method ? { method: input.method } : {}),
              ...(input.sampleWeight ? { weightColumn: input.sampleWeight } : {}),
              ...(input.keepMissing ? { keepMissing: true } : {}),
              ...(input.order ? { order: input.order } : {}),
            },
            {
              ...(resumeFrom ? { resumeFrom } : {}),
              // The order check reads the whole label column first: heartbeat as it goes (no checkpoint: it is one pass).
              onScanProgress: (position) => heartbeat({ position }),
              onCheckpoint: async (c) => {
                if (performance.now() - lastCheckpoint < CHECKPOINT_INTERVAL_MS) {
                  heartbeat({ position: c.position });
                  return false;
                }
                lastCheckpoint = performance.now();
                const checkpoint = await artifacts.putBytes(JSON.stringify(c), 'sampling-checkpoint', 'json');
                heartbeat({ position: c.position, checkpoint });
                return false;
              },
            },
          );
          if (!sampled) throw new Error('the shard scan paused without a result');
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
            seconds: secondsSince(started),
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
          const loaded = await Promise.all(input.samples.map((s) => loadDatasetArtifact(artifacts, s, input.keepMissing ? { keepMissingFeatures: true } : {})));
          const merged = mergeShards(loaded.map((l) => l.data), input.seed, loaded.map(sampleWeightsOf));
          // Each kept row's weight was checked as it was fetched; a class whose sampled rows all weigh 0 shows only here.
          if (merged.weights) {
            const from = input.files && input.files.length > 0 ? `the sample of ${describeFiles(input.files)}` : 'the merged sample';
            checkSampleWeights(merged.weights, merged.y, `weight column "${SAMPLE_WEIGHT_COLUMN}" of ${from}`);
          }
          const ref = await saveDatasetArtifact(artifacts, 'sample', {
            data: { x: merged.x, y: merged.y },
            featureNames: loaded[0]!.featureNames,
            labelName: loaded[0]!.labelName,
            ...sampleWeightColumn(merged.weights),
          });
          const [, positives] = classCounts(merged.y);
          return { result: { sample: ref, rows: merged.y.length, positives }, outputs: { sample: ref } };
        }),
      );
    },

    async mergeAndSplit(input: MergeAndSplitInput): Promise<MergeAndSplitResult> {
      const policy = input.features?.missing ?? 'reject';
      const imputes = policy !== 'reject';
      return failingOnBadInput(() =>
        memoised(artifacts, { activity: 'mergeAndSplit', samples: input.samples.map((s) => s.sha256), split: input.split, seed: input.seed, ...(imputes ? { features: input.features } : {}) }, async () => {
          const started = performance.now();
          const loaded = await Promise.all(input.samples.map((s) => loadDatasetArtifact(artifacts, s, imputes ? { keepMissingFeatures: true } : {})));
          const { featureNames, labelName } = loaded[0]!;
          const shardResults: AdaptiveSampleResult[] = loaded.map((l) => {
            const weights = sampleWeightsOf(l);
            return { x: l.data.x, y: l.data.y, ...(weights ? { weights } : {}), scannedRows: 0, negativesSeen: 0, positivesSeen: 0, complete: true };
          });
          const merged = mergeShardSamples(shardResults, seededRandom(deriveSeed(input.seed, 'merge')));
          const parts = stratifiedSplit(merged.y, input.split, seededRandom(deriveSeed(input.seed, 'split')));
          // A declared imputation is fitted on the training split alone and applied to all three, so validation
          // and test rows never shape the fill values.
          const fill = imputes
            ? fitMissingValueFill(takeRows(merged, parts.train).x, { missing: policy, ...(input.features?.fillValue !== undefined ? { fillValue: input.features.fillValue } : {}) })
            : undefined;
          const filled = { train: 0, validation: 0, test: 0 };
          const save = async (role: 'train' | 'validation' | 'test') => {
            let data = takeRows(merged, parts[role]);
            if (fill) {
              const done = fillMissingValues(fill, data.x);
              data = { x: done.x, y: data.y };
              filled[role] = done.counts.total;
            }
            const weights = merged.weights ? takeSampleWeights(merged.weights, parts[role]) : undefined;
            const ref = await saveDatasetArtifact(artifacts, `split-${role}`, { data, featureNames, labelName, ...sampleWeightColumn(weights) });
            const [, positives] = classCounts(data.y);
            return { ref, rows: data.y.length, positives };
          };
          const train = await save('train');
          const validation = await save('validation');
          const test = await save('test');
          const [, mergedPositives] = classCounts(merged.y);
          const fillNote = fill
            ? `; missing values filled by the training split's ${policy} (train ${filled.train}, validation ${filled.validation}, test ${filled.test} values)`
            : '';
          const result: MergeAndSplitResult = {
            train: train.ref,
            validation: validation.ref,
            test: test.ref,
            trainPrevalence: train.positives / train.rows,
            ...(fill && fill.fillValues ? { missingValues: { policy: policy as 'mean' | 'median' | 'constant', fillValues: fill.fillValues } } : {}),
            summary: {
              stage: 'split',
              rowsIn: merged.y.length,
              rowsOut: train.rows,
              positivesIn: mergedPositives,
              positivesOut: train.positives,
              seconds: secondsSince(started),
              note: `train ${train.rows} (${train.positives} positive), validation ${validation.rows} (${validation.positives}), test ${test.rows} (${test.positives}); the test split never meets synthetic rows${fillNote}`,
            },
          };
          return { result, outputs: { train: train.ref, validation: validation.ref, test: test.ref } };
        }),
      );
    },
  };
}

export interface MergeAndSplitInput {
  samples: ArtifactRef[];
  split: PipelineSpec['split'];
  seed: number;
  /** The spec's feature preparation: a declared imputation is fitted on the training split. @default reject */
  features?: PipelineSpec['features'];
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
