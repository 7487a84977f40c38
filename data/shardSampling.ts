// One shard of adaptive sampling end to end: scan the positive definition in order with a row-id sampler
// (resuming from a checkpoint when given), then fetch only the kept rows. Used by the activity and the CLI.

import { classCounts, type LabelledData } from '../core/dataset.js';
import { deriveSeed, seededRandom } from '../core/random.js';
import { mergeShardSamples } from '../core/sampling/adaptiveSample.js';
import {
  createRowIdSampler,
  resumeRowIdSampler,
  type RowIdSamplerCheckpoint,
  type RowIdSamplerKind,
} from '../core/sampling/rowIdSamplers.js';
import { fetchRowsById, scanPositives, type ScanPosition, type ScanSegment } from './positiveScan.js';
import type { PositiveDefinition } from './positivePredicate.js';
import { chooseSamplingOrder, type SamplingOrderChoice } from './samplingOrder.js';
import { describeColumns } from './inputSources.js';
import { sourceColumnsOf } from '../core/features/oneHotFeatures.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import type { SamplingOrder } from '../core/sampling/rowOrder.js';
import type { SampleCounts } from '../core/pipelineTypes.js';

export interface ShardSamplingInput {
  segments: ScanSegment[];
  positive: PositiveDefinition;
  featureNames: string[];
  /** Categorical column → its categories: `featureNames` holds their `column=category` one-hot features. @default none */
  categorical?: Record<string, string[]>;
  /** This shard's N and Nr. */
  targetSize: number;
  positiveTarget: number;
  seed: number;
  shardIndex: number;
  /** @default 'adaptive' */
  method?: RowIdSamplerKind;
  /** A column of per-row sample weights, fetched with the kept rows' features (checked finite and ≥ 0). @default none */
  weightColumn?: string;
  /** Keep missing feature values as NaN (the pipeline imputes after its split). @default false */
  keepMissing?: boolean;
  /**
   * Row order fed to the sampler: `auto` tests whether the rows are in random order and reads seeded random row
   * blocks when they are not; `sequential` is file order (early stop trusts it); `random-blocks` always shuffles
   * blocks. @default 'auto'
   */
  order?: SamplingOrderChoice;
}

export interface ShardCheckpoint {
  position: ScanPosition;
  sampler: RowIdSamplerCheckpoint;
}

export interface ShardSample extends SampleCounts {
  data: LabelledData;
  /** The kept rows' weights, in `data`'s row order, when `weightColumn` was given. */
  weights?: Float64Array;
  complete: boolean;
  warning?: string;
  /** The row order the sampler was fed, and why. */
  order: SamplingOrder;
}

export function shardSeed(seed: number, shardIndex: number): number {
  return deriveSeed(seed, `adaptiveSample/shard-${shardIndex}`);
}

/**
 * Samples one shard. `onCheckpoint` is offered a checkpoint at each progress point (about every chunk of
 * positives); return true from it to stop there (tests use this to simulate a kill).
 */
export async function sampleShard(
  input: ShardSamplingInput,
  opts: {
    resumeFrom?: ShardCheckpoint;
    onCheckpoint?: (c: ShardCheckpoint) => boolean | Promise<boolean>;
    /** Called between chunks of the order check's pass over the label column (for heartbeats). */
    onScanProgress?: (p: ScanPosition) => void | Promise<void>;
  } = {},
): Promise<ShardSample | undefined> {
  // With a predicate the label is the predicate's name, not a column of the file.
  const columns = [...new Set(sourceColumnsOf(input.featureNames, input.categorical))];
  await requireShardColumns(input.segments, input.positive.predicate ? columns : [input.positive.label, ...columns]);
  const method = input.method ?? 'adaptive';
  const sampler = opts.resumeFrom
    ? resumeRowIdSampler({ kind: method, targetSize: input.targetSize, positiveTarget: input.positiveTarget }, opts.resumeFrom.sampler)
    : createRowIdSampler({
        kind: method,
        targetSize: input.targetSize,
        positiveTarget: input.positiveTarget,
        random: seededRandom(shardSeed(input.seed, input.shardIndex)),
      });
  const choice = input.order ?? 'auto';
  let order: SamplingOrder;
  // A checkpoint is written only by the sequential streaming scan below, so a resume continues that scan.
  if (choice === 'sequential' || opts.resumeFrom) {
    const scan = await scanPositives(input.segments, input.positive, sampler, {
      ...(opts.resumeFrom ? { from: opts.resumeFrom.position } : {}),
      ...(opts.onCheckpoint && method === 'adaptive'
        ? { onProgress: (position: ScanPosition) => opts.onCheckpoint!({ position, sampler: sampler.checkpoint() }) }
        : {}),
    });
    if (!scan.done) return undefined;
    order = {
      mode: 'sequential',
      reason: choice === 'sequential' ? 'file order was asked for' : 'resumed a file-order scan from its checkpoint',
    };
  } else {
    order = await chooseSamplingOrder(
      {
        segments: input.segments,
        positive: input.positive,
        // The order test summarises numeric columns; one-hot features are not columns of the file.
        featureNames: input.categorical ? columns.filter((c) => input.categorical![c] === undefined) : input.featureNames,
        seed: shardSeed(input.seed, input.shardIndex),
        choice,
      },
      sampler,
      opts.onScanProgress,
    );
  }
  const s = sampler.result();
  const ids = new Float64Array(s.positiveRows.length + s.negativeRows.length);
  ids.set(s.positiveRows, 0);
  ids.set(s.negativeRows, s.positiveRows.length);
  const { data, weights } = await fetchRowsById(input.segments, ids, input.featureNames, input.positive, {
    ...(input.weightColumn !== undefined ? { weightColumn: input.weightColumn } : {}),
    ...(input.keepMissing ? { keepMissing: true } : {}),
    ...(input.categorical ? { categorical: input.categorical } : {}),
  });
  // Multi-class rows carry class indices: the positives are the rows of the scan's positive classes.
  const positiveSet = input.positive.classes
    ? new Set(input.positive.positiveValues?.map((v) => input.positive.classes!.indexOf(v)))
    : undefined;
  const [negatives, positives] = positiveSet ? countIn(data.y, positiveSet) : classCounts(data.y);
  return {
    data,
    ...(weights ? { weights } : {}),
    positives,
    negatives,
    scannedRows: s.scannedRows,
    positivesSeen: s.positivesSeen,
    totalRows: input.segments.reduce((a, seg) => a + seg.endRow - seg.firstRow, 0),
    earlyStop: s.earlyStop,
    complete: s.complete,
    ...(s.warning ? { warning: s.warning } : {}),
    order,
  };
}

function countIn(y: Uint8Array, positiveClasses: ReadonlySet<number>): [number, number] {
  let positives = 0;
  for (let i = 0; i < y.length; i++) if (positiveClasses.has(y[i]!)) positives++;
  return [y.length - positives, positives];
}

/**
 * Concatenates shard samples and shuffles them with the seed (seed 003's merge step). With `weights` (one array
 * per shard, for every shard or none), each row's weight moves with it.
 */
export function mergeShards(
  samples: LabelledData[],
  seed: number,
  weights?: ReadonlyArray<Float64Array | undefined>,
): LabelledData & { weights?: Float64Array } {
  const merged = mergeShardSamples(
    samples.map((d, i) => ({
      x: d.x,
      y: d.y,
      ...(weights?.[i] ? { weights: weights[i] } : {}),
      scannedRows: 0,
      negativesSeen: 0,
      positivesSeen: 0,
      complete: true,
    })),
    seededRandom(deriveSeed(seed, 'merge')),
  );
  return { x: merged.x, y: merged.y, ...(merged.weights ? { weights: merged.weights } : {}) };
}

/**
 * Every file of the shard still has the columns the run described: a file replaced or edited since then is bad input
 * naming the file and the column, not a database error that a retry cannot mend.
 */
async function requireShardColumns(segments: readonly ScanSegment[], columns: readonly string[]): Promise<void> {
  for (const file of new Set(segments.map((s) => s.file))) {
    const present = new Set((await describeColumns(file)).map((c) => c.name));
    const missing = columns.find((c) => !present.has(c));
    if (missing !== undefined) {
      throw new InvalidInputError(
        `${file}: ${missing}`,
        `${file}: column "${missing}" is missing (expected the columns the run described: ${columns.join(', ')}); was the file replaced after the run started?`,
      );
    }
  }
}
