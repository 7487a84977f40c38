// The sample stage: adaptive sampling (seed paper Algorithm 1) of one shard's rows streamed from DuckDB, resumable
// from a checkpoint, and the merge of the shard samples. A `sample_weight` column rides along: kept rows keep theirs.

import { classCounts, type LabelledData } from '../core/dataset.js';
import { shardTargets } from '../core/sampling/adaptiveSample.js';
import type { RowIdSamplerKind } from '../core/sampling/rowIdSamplers.js';
import { checkSampleWeights, SAMPLE_WEIGHT_COLUMN } from '../core/sampling/sampleWeights.js';
import { fileRowCounts, planShards, type ScanPosition, type ScanSegment } from '../data/positiveScan.js';
import { isS3Uri } from '../data/objectStore.js';
import { watchInputFiles } from '../data/inputFileWatch.js';
import { locateInputs, sourceNamer, withSourceNames, type LocatedInput } from '../data/s3InputFiles.js';
import type { SamplingOrderChoice } from '../data/samplingOrder.js';
import { mergeShards, sampleShard, type ShardCheckpoint, type ShardSample } from '../data/shardSampling.js';
import { secondsSince } from './stageProgress.js';

export interface ShardSampleRequest {
  /** Row ranges of this shard, in order (see planSampleShards). Older callers pass `files` instead. */
  segments?: ScanSegment[];
  files?: string[];
  label: string;
  positiveLabel: string;
  /** A SQL predicate that defines positives instead of the label value. */
  predicate?: string;
  /** Multi-class: the label values the scan keeps as positives (the plan's positive classes). @default none */
  positiveValues?: string[];
  /** Multi-class: the class values; kept rows are labelled with their class index. @default none (0/1 labels) */
  classes?: string[];
  featureNames: string[];
  /** Categorical column → its categories: `featureNames` holds their `column=category` one-hot features. @default none */
  categorical?: Record<string, string[]>;
  /** N and Nr for the whole sample; the shard takes its share (seed 003's cluster mode). */
  targetSize: number;
  positiveTarget: number;
  shardIndex: number;
  shardCount: number;
  seed: number;
  /** @default 'adaptive' */
  method?: RowIdSamplerKind;
  /** The input's per-row weight column (the describe stage's `sampleWeight`): fetched with the kept rows. @default none */
  sampleWeight?: string;
  /** Keep missing feature values as NaN: the spec declares an imputation, fitted after the split. @default false */
  keepMissing?: boolean;
  /** Row order fed to the sampler (see data/samplingOrder.ts). @default 'auto' */
  order?: SamplingOrderChoice;
}

export interface ShardSampleHooks {
  /** A checkpoint of an earlier attempt: the scan resumes from it. */
  resumeFrom?: ShardCheckpoint;
  /** Offered at each progress point of the scan; return true to stop there (the stage then throws). */
  onCheckpoint?: (c: ShardCheckpoint) => boolean | Promise<boolean>;
  /** Called between chunks of the order check's pass over the label column. */
  onScanProgress?: (p: ScanPosition) => void | Promise<void>;
  /**
   * sha256 of each distinct input file of the shard, in order of first use ('' where unknown), as the run described
   * them: a file that is not that one any more is refused after the scan (data/inputFileWatch.ts).
   */
  describedSha256s?: string[];
  /** Called every few seconds while the input files are checked after the scan (an activity heartbeats). */
  onWait?: () => void;
}

export type ShardSampleStageResult = ShardSample & { seconds: number };

/** The files' rows split into `shards` shards of consecutive row ranges (see planShards), and the total row count. */
export async function planSampleShards(files: string[], shards: number): Promise<{ shards: ScanSegment[][]; totalRows: number }> {
  const counts = await rowCountsOf(files);
  return { shards: planShards(files, counts, shards), totalRows: counts.reduce((a, b) => a + b, 0) };
}

async function wholeFileSegments(files: string[]): Promise<ScanSegment[]> {
  const counts = await rowCountsOf(files);
  return files.map((file, i) => ({ file, firstRow: 0, endRow: counts[i]! }));
}

/** Each file's rows, read from local copies of s3:// inputs; an error names the URI, not the worker's cache copy. */
async function rowCountsOf(files: string[]): Promise<number[]> {
  const located = await locateInputs(files, 'input.paths');
  return fileRowCounts(located.map((l) => l.local)).catch((err: unknown) => {
    throw withSourceNames(err, sourceNamer(located));
  });
}

/** One shard of the sample: its share of N and Nr, scanned in the chosen row order, the kept rows fetched. */
export async function sampleShardStage(input: ShardSampleRequest, hooks: ShardSampleHooks = {}): Promise<ShardSampleStageResult> {
  const started = performance.now();
  const planned = input.segments ?? (await wholeFileSegments(input.files ?? []));
  // Segments name s3:// inputs by URI (planned on another worker, perhaps): each is read from this worker's cache,
  // and a refusal of its rows names the URI, not that copy.
  const copies: LocatedInput[] = [];
  const segments = await Promise.all(
    planned.map(async (seg) => {
      if (!isS3Uri(seg.file)) return seg;
      const [copy] = await locateInputs([seg.file], 'input.paths');
      copies.push(copy!);
      return { ...seg, file: copy!.local };
    }),
  );
  try {
    return await sampleSegments(input, segments, hooks, started);
  } catch (err) {
    throw withSourceNames(err, sourceNamer(copies));
  }
}

async function sampleSegments(
  input: ShardSampleRequest,
  segments: ScanSegment[],
  hooks: ShardSampleHooks,
  started: number,
): Promise<ShardSampleStageResult> {
  const unchanged = hooks.describedSha256s ? watchInputFiles({ segments, fileSha256s: hooks.describedSha256s }) : undefined;
  const share = shardTargets(input.targetSize, input.positiveTarget, input.shardCount)[input.shardIndex]!;
  const sampled = await sampleShard(
    {
      segments,
      positive: {
        label: input.label,
        positive: input.positiveLabel,
        ...(input.predicate ? { predicate: input.predicate } : {}),
        ...(input.positiveValues ? { positiveValues: input.positiveValues } : {}),
        ...(input.classes ? { classes: input.classes } : {}),
      },
      featureNames: input.featureNames,
      ...(input.categorical ? { categorical: input.categorical } : {}),
      ...share,
      seed: input.seed,
      shardIndex: input.shardIndex,
      ...(input.method ? { method: input.method } : {}),
      ...(input.sampleWeight ? { weightColumn: input.sampleWeight } : {}),
      ...(input.keepMissing ? { keepMissing: true } : {}),
      ...(input.order ? { order: input.order } : {}),
    },
    hooks,
  );
  if (!sampled) throw new Error('the shard scan paused without a result');
  if (unchanged) {
    const beat = hooks.onWait ? setInterval(hooks.onWait, 5000) : undefined;
    try {
      await unchanged.check();
    } finally {
      clearInterval(beat);
    }
  }
  return { ...sampled, seconds: secondsSince(started) };
}

function describeFiles(files: string[]): string {
  return files.length <= 3 ? files.join(', ') : `${files.slice(0, 3).join(', ')} and ${files.length - 3} more files`;
}

/**
 * The shard samples merged and shuffled into one sample. Each kept row's weight was checked as it was fetched; a
 * class whose sampled rows all weigh 0 shows only here, named by the sampled `files` when given.
 */
export function mergeSamplesStage(
  samples: Array<{ data: LabelledData; weights?: Float64Array | undefined }>,
  seed: number,
  files?: string[],
  classes?: string[],
) {
  const merged = mergeShards(
    samples.map((s) => s.data),
    seed,
    samples.map((s) => s.weights),
  );
  if (merged.weights) {
    const from = files && files.length > 0 ? `the sample of ${describeFiles(files)}` : 'the merged sample';
    const classOf = classes ? { classOf: merged.y, classes } : undefined;
    checkSampleWeights(merged.weights, merged.y, `weight column "${SAMPLE_WEIGHT_COLUMN}" of ${from}`, classOf);
  }
  const [, positives] = classCounts(merged.y);
  return {
    data: { x: merged.x, y: merged.y } as LabelledData,
    ...(merged.weights ? { weights: merged.weights } : {}),
    rows: merged.y.length,
    positives,
  };
}
