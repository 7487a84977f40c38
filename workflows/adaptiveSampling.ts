// Seed 003's cluster mode as a child workflow: plan S shards (files or row ranges), sample each in its own
// activity on whichever workers serve the compute queue, then merge and shuffle the shard samples.

import { patched } from '@temporalio/workflow';
import { LONG_STAGE_HEARTBEAT_TIMEOUT, computeActivities } from './activityProxies.js';
import type { StageSummary } from '../core/pipelineTypes.js';
import { resampledAsOneShardNote, samplingShortfall, shardsDroppedWantedRows } from '../core/sampling/samplingShortfall.js';
import { type AdaptiveSamplingInput, type AdaptiveSamplingResult, type PipelineSpec } from './contract.js';
import type { DescribeInputResult } from '../stages/describe.js';

// A shard scan heartbeats at least every chunk of positives; a retry resumes from its last checkpoint.
const compute = computeActivities({ startToCloseTimeout: '2 hours', heartbeatTimeout: LONG_STAGE_HEARTBEAT_TIMEOUT, maximumAttempts: 10 });

/**
 * The child's input for one retrain: the files the describe stage found and the spec's sampling settings. Keys that
 * are payload only appear only when set, so the command sequence of old histories is unchanged.
 */
export function adaptiveSamplingInputOf(spec: PipelineSpec, described: DescribeInputResult): AdaptiveSamplingInput {
  return {
    files: described.files,
    fileSha256s: described.fileSha256s,
    label: spec.input.label,
    positiveLabel: described.positiveLabel,
    ...(spec.input.positiveWhen ? { predicate: spec.input.positiveWhen } : {}),
    ...(described.multiClass ? { positiveValues: described.multiClass.positiveClasses, classes: described.multiClass.classes } : {}),
    featureNames: described.featureNames,
    // Payload only: one-hot features of input.categorical columns.
    ...(described.categorical ? { categorical: described.categorical } : {}),
    // Only payloads carry the weight column, so the command sequence (and old histories' replay) is unchanged.
    ...(described.sampleWeight ? { sampleWeight: described.sampleWeight } : {}),
    // A declared imputation keeps missing values through sampling (payload only, like the weights).
    ...(spec.features?.missing !== undefined && spec.features.missing !== 'reject' ? { keepMissing: true } : {}),
    targetSize: described.targetSize,
    positiveTarget: described.positiveTarget,
    shards: spec.sampling.shards ?? 1,
    // Payload only: the command sequence is the same whichever order the shards read.
    ...(spec.sampling.order && spec.sampling.order !== 'auto' ? { order: spec.sampling.order } : {}),
    seed: spec.seed,
  };
}

export async function adaptiveSampling(input: AdaptiveSamplingInput): Promise<AdaptiveSamplingResult> {
  let plan = await compute.planSampleShards({ files: input.files, shards: input.shards });
  let shards = await sampleShards(input, plan.shards);
  const resampledNote: string[] = [];
  // Shards that dropped rows the targets wanted (a class gathered in a few of them): sampled again as one shard.
  // Guarded by a patch marker: histories from before it replay unchanged.
  if (shardsDroppedWantedRows(shards, input.targetSize, input.positiveTarget) && patched('uneven-shards-sampled-as-one')) {
    const before = shards;
    plan = await compute.planSampleShards({ files: input.files, shards: 1 });
    shards = await sampleShards(input, plan.shards);
    resampledNote.push(
      resampledAsOneShardNote(
        before.length,
        before.reduce((n, s) => n + s.positives, 0),
        before.reduce((n, s) => n + s.positivesSeen, 0),
      ),
    );
  }
  const shardCount = plan.shards.length;
  // Weighted input: the merge checks each class kept a row of weight > 0, and names the files when one did not.
  const merged = await compute.mergeSampleShards({
    samples: shards.map((s) => s.sample),
    seed: input.seed,
    ...(input.sampleWeight ? { files: input.files } : {}),
    ...(input.keepMissing ? { keepMissing: true } : {}),
    // Payload only: a weight problem of a multi-class sample names its class.
    ...(input.sampleWeight && input.classes ? { classes: input.classes } : {}),
  });
  const positives = shards.reduce((a, s) => a + s.positives, 0);
  const scannedRows = shards.reduce((a, s) => a + s.scannedRows, 0);
  const shortfall = samplingShortfall(
    {
      totalRows: plan.totalRows,
      scannedRows,
      keptRows: merged.rows,
      positives,
      targetSize: input.targetSize,
      positiveTarget: input.positiveTarget,
    },
    shards.flatMap((s, i) => (s.warning ? [`shard ${i}: ${s.warning}`] : [])),
  );
  const warnings = [...resampledNote, ...shortfall.warnings];
  // A shard that came up short leaves the merged totals below the targets: say by how much, over all shards.
  if (positives < input.positiveTarget && !shortfall.smallInput) {
    warnings.push(
      `the merged sample has ${positives} of ${input.positiveTarget} wanted positives and ${merged.rows} of ${input.targetSize} rows`,
    );
  }
  return {
    sample: merged.sample,
    positives,
    negatives: merged.rows - positives,
    scannedRows,
    positivesSeen: shards.reduce((a, s) => a + s.positivesSeen, 0),
    totalRows: plan.totalRows,
    earlyStop: shards.every((s) => s.earlyStop),
    shards: shardCount,
    warnings,
    ...(shortfall.information ? { information: shortfall.information } : {}),
    seconds: shards.reduce((a, s) => Math.max(a, s.seconds), 0),
    resumedShards: shards.filter((s) => s.resumed).length,
    order: shards.flatMap((s) => (s.order ? [s.order] : [])),
  };
}

/** The segments of each planned shard. */
type PlannedShards = Awaited<ReturnType<typeof compute.planSampleShards>>['shards'];

/** Each shard of `segmentsPerShard` sampled in its own activity, all at once. */
async function sampleShards(input: AdaptiveSamplingInput, segmentsPerShard: PlannedShards) {
  const shardCount = segmentsPerShard.length;
  const shaOf = new Map(input.files.map((f, i) => [f, input.fileSha256s[i]!]));
  return Promise.all(
    segmentsPerShard.map((segments, shardIndex) =>
      compute.adaptiveSampleShard({
        segments,
        fileSha256s: [...new Set(segments.map((s) => s.file))].map((f) => shaOf.get(f) ?? ''),
        label: input.label,
        positiveLabel: input.positiveLabel,
        ...(input.predicate ? { predicate: input.predicate } : {}),
        ...(input.positiveValues ? { positiveValues: input.positiveValues } : {}),
        ...(input.classes ? { classes: input.classes } : {}),
        featureNames: input.featureNames,
        ...(input.categorical ? { categorical: input.categorical } : {}),
        ...(input.sampleWeight ? { sampleWeight: input.sampleWeight } : {}),
        ...(input.keepMissing ? { keepMissing: true } : {}),
        targetSize: input.targetSize,
        positiveTarget: input.positiveTarget,
        ...(input.order ? { order: input.order } : {}),
        shardIndex,
        shardCount,
        seed: input.seed,
      }),
    ),
  );
}

/**
 * The stage note's account of the row order: "rows read in seeded random blocks of R rows: WHY" or "rows read in
 * file order: WHY", one entry per distinct order over the shards (prefixed by the shards when they differ).
 */
export function samplingOrderNotes(order: AdaptiveSamplingResult['order']): string[] {
  if (!order || order.length === 0) return [];
  const text = (o: NonNullable<AdaptiveSamplingResult['order']>[number]) =>
    o.mode === 'random-blocks'
      ? `rows read ${o.blockRows === 1 ? 'in a seeded random order' : `in seeded random blocks of ${o.blockRows ?? '?'} rows`}: ${o.reason}`
      : `rows read in file order: ${o.reason}`;
  const distinct = [...new Set(order.map(text))];
  if (distinct.length === 1) return distinct;
  return order.map((o, i) => `shard ${i}: ${text(o)}`);
}

/** The sampling stage's summary for the run report; `classNote` names the positive class (or the multi-class plan). */
export function samplingStageSummary(sampled: AdaptiveSamplingResult, classNote: string): StageSummary {
  return {
    stage: 'adaptiveSample',
    rowsIn: sampled.scannedRows,
    rowsOut: sampled.positives + sampled.negatives,
    positivesIn: sampled.positivesSeen,
    positivesOut: sampled.positives,
    seconds: sampled.seconds,
    note: [
      `${sampled.shards} shard(s), ${sampled.earlyStop ? 'stopped early' : 'scanned to the end'} after ${sampled.scannedRows} of ${sampled.totalRows} rows`,
      classNote,
      ...samplingOrderNotes(sampled.order),
      ...(sampled.information ? [sampled.information] : []),
      ...sampled.warnings,
    ].join('; '),
  };
}
