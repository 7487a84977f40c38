// Adaptive sampling (Algorithm 1 of seed 003): one streaming pass that keeps a uniform reservoir of
// negatives and collects positives until Nr = 50·M, stopping early as soon as the sample is complete.

import type { FeatureMatrix } from '../dataset.js';
import { InvalidInputError } from '../invalidInputError.js';
import { randomPermutation, type RandomSource } from '../random.js';
import { AdaptiveSelection, SAMPLE_COMPLETE } from './adaptiveSelection.js';

export interface AdaptiveSamplerOptions {
  /**
   * N: rows in the final sample (positives and negatives together).
   * @default none, required
   */
  targetSize: number;
  /**
   * Nr: positives wanted in the sample, at most `targetSize`. Usually {@link positiveTargetFor}(M).
   * @default none, required
   */
  positiveTarget: number;
  /**
   * Feature columns per row of every batch.
   * @default none, required
   */
  cols: number;
  /** Seeded generator for the reservoir replacements. */
  random: RandomSource;
}

export interface AdaptiveSampleResult {
  /** Kept rows: the positive list Lp followed by the negative list Ln (shuffle with {@link mergeShardSamples}). */
  x: FeatureMatrix;
  y: Uint8Array;
  /** Per-row sample weights of the kept rows, when the input has them; they move with their rows. */
  weights?: Float64Array;
  /** Rows read from the stream, including the positive that triggered an early stop. */
  scannedRows: number;
  /** Nt: negative rows read. */
  negativesSeen: number;
  /** Positive rows read. */
  positivesSeen: number;
  /** True when the sample holds Nr positives and N − Nr negatives. */
  complete: boolean;
  /** Set when the data ran out before the target was reached (Algorithm 1, step 2). */
  warning?: string;
}

/** The paper's "one in 50" rule: positives per model parameter. */
export const POSITIVES_PER_PARAMETER = 50;

/** Nr under the paper's "one in 50" rule: 50 positives per model parameter. */
export function positiveTargetFor(params: number, perParameter = POSITIVES_PER_PARAMETER): number {
  if (!Number.isInteger(params) || params < 1) {
    throw new InvalidInputError('--params', `params (model parameters M) must be an integer ≥ 1; got ${params}.`);
  }
  if (!Number.isInteger(perParameter) || perParameter < 1) {
    throw new InvalidInputError('perParameter', `positives per parameter must be an integer ≥ 1; got ${perParameter}.`);
  }
  return params * perParameter;
}

/**
 * Nr when the input's negatives all fit in the sample. Algorithm 1 keeps Nr positives (reservoir-sampling any
 * beyond) and fills the other N − Nr places with negatives; an input with fewer negatives than that runs out first
 * (step 2) and would leave real positives of the rare class out of a sample that has room for them. So Nr rises to
 * the positives that room holds. An input no larger than N, sampled as one shard, is taken whole: Nr is then at least
 * its positives and at most N − its negatives, so that neither class loses a row (with fewer positives than Nr asks for, the negatives
 * take the places they would have left empty). An input whose negatives fill their share is sampled as the paper's
 * algorithm has it.
 */
export function positiveTargetWithRoom(positiveTarget: number, targetSize: number, rows: number, positives: number, shards = 1): number {
  const negatives = rows - positives;
  // With several shards Nr and N are split between them, and a shard's share of the positives is not known here: Nr
  // never falls then (nor below the shards, which each need one).
  if (rows <= targetSize && shards === 1) return Math.max(1, Math.min(Math.max(positiveTarget, positives), targetSize - negatives));
  if (negatives > targetSize - positiveTarget) return positiveTarget;
  return Math.max(positiveTarget, Math.min(positives, targetSize - negatives));
}

/** The most rows a sample can hold: its row ids and rows live in typed arrays and Arrow batches indexed by int32. */
export const MAX_SAMPLE_ROWS = 2 ** 31 - 1;

export function validateTargets(targetSize: number, positiveTarget: number): void {
  if (!Number.isInteger(targetSize) || targetSize < 1) {
    throw new InvalidInputError(
      '--target-size',
      `target size must be an integer ≥ 1; got ${targetSize}. Pass --target-size N with the rows the model should train on.`,
    );
  }
  if (targetSize > MAX_SAMPLE_ROWS) {
    throw new InvalidInputError(
      '--target-size',
      `target size (sampling.targetSize) must be at most ${MAX_SAMPLE_ROWS}, the most rows a sample can hold; got ${targetSize}.`,
    );
  }
  if (!Number.isInteger(positiveTarget) || positiveTarget < 1 || positiveTarget > targetSize) {
    throw new InvalidInputError(
      'positiveTarget',
      `positive target Nr must be an integer from 1 to the target size N (${targetSize}); got Nr=${positiveTarget}. ` +
        'Nr is 50 × --params: lower --params or raise --target-size.',
    );
  }
}

/** Streaming sampler of Algorithm 1. Feed it batches in stream order; read the sample with {@link result}. */
export class AdaptiveSampler {
  private readonly cols: number;
  private readonly selection: AdaptiveSelection;
  private readonly negatives: Float64Array;
  private readonly positives: Float64Array;

  constructor(opts: AdaptiveSamplerOptions) {
    validateTargets(opts.targetSize, opts.positiveTarget);
    if (!Number.isInteger(opts.cols) || opts.cols < 1) {
      throw new InvalidInputError('cols', `cols must be an integer ≥ 1; got ${opts.cols}.`);
    }
    this.cols = opts.cols;
    this.selection = new AdaptiveSelection(opts.targetSize, opts.positiveTarget, opts.random);
    this.negatives = new Float64Array(this.selection.negativeTarget * opts.cols);
    this.positives = new Float64Array(opts.positiveTarget * opts.cols);
  }

  /** Rows read so far. */
  get scannedRows(): number {
    return this.selection.scanned;
  }

  /**
   * Consume `rows` rows of a batch in order. Returns true once the sample is complete (step 1(b)iiA);
   * rows after the stopping row, in this batch or later ones, are not read.
   * @param x row-major rows×cols features
   * @param y labels, 1 positive, 0 negative
   */
  offerBatch(x: Float64Array, y: Uint8Array, rows: number): boolean {
    const { cols, selection, negatives, positives } = this;
    if (!Number.isInteger(rows) || rows < 0 || x.length < rows * cols || y.length < rows) {
      throw new InvalidInputError(
        'batch',
        `a batch of ${rows} rows needs ${rows * cols} feature values and ${rows} labels; got ${x.length} and ${y.length}.`,
      );
    }
    if (selection.stopped) return true;
    for (let r = 0; r < rows; r++) {
      if (y[r] === 0) {
        const slot = selection.negative();
        if (slot >= 0) copyRow(x, r * cols, negatives, slot * cols, cols);
      } else {
        const slot = selection.positive();
        if (slot === SAMPLE_COMPLETE) return true;
        if (slot >= 0) copyRow(x, r * cols, positives, slot * cols, cols);
      }
    }
    return false;
  }

  /** The sample so far: complete after an early stop, otherwise the best the data allowed (step 2). */
  result(): AdaptiveSampleResult {
    const { cols, selection } = this;
    const { np, nn } = selection;
    const rows = np + nn;
    const values = new Float64Array(rows * cols);
    values.set(this.positives.subarray(0, np * cols), 0);
    values.set(this.negatives.subarray(0, nn * cols), np * cols);
    const y = new Uint8Array(rows);
    y.fill(1, 0, np);
    const warning = selection.warning();
    return {
      x: { rows, cols, values },
      y,
      scannedRows: selection.scanned,
      negativesSeen: selection.nt,
      positivesSeen: selection.positivesSeen,
      complete: selection.complete,
      ...(warning ? { warning } : {}),
    };
  }
}

// A plain loop: subarray() would allocate a view object for every streamed row.
function copyRow(from: Float64Array, fromOff: number, to: Float64Array, toOff: number, cols: number): void {
  for (let c = 0; c < cols; c++) to[toOff + c] = from[fromOff + c]!;
}

/** One shard's share of the targets. */
export interface ShardTarget {
  targetSize: number;
  positiveTarget: number;
}

/**
 * Cluster mode of seed 003: "N and Nr are divided by the number of machines". Each shard gets
 * floor(N/S) and floor(Nr/S); the remainders go one each to the first shards, so the shares sum to N and Nr
 * and every shard keeps 1 ≤ Nr_s ≤ N_s.
 */
export function shardTargets(targetSize: number, positiveTarget: number, shards: number): ShardTarget[] {
  validateTargets(targetSize, positiveTarget);
  if (!Number.isInteger(shards) || shards < 1) {
    throw new InvalidInputError('--shards', `shards must be an integer ≥ 1; got ${shards}.`);
  }
  if (shards > positiveTarget) {
    throw new InvalidInputError(
      '--shards',
      `shards must be at most the positive target Nr (${positiveTarget}) so every shard collects positives; ` +
        `got ${shards}. Lower --shards.`,
    );
  }
  const out: ShardTarget[] = [];
  const nBase = Math.floor(targetSize / shards);
  const nRest = targetSize % shards;
  const pBase = Math.floor(positiveTarget / shards);
  const pRest = positiveTarget % shards;
  for (let s = 0; s < shards; s++) {
    out.push({ targetSize: nBase + (s < nRest ? 1 : 0), positiveTarget: pBase + (s < pRest ? 1 : 0) });
  }
  return out;
}

/**
 * Concatenate shard samples and shuffle the rows (Fisher–Yates with `random`), as seed 003 does before
 * training. Counters are summed; the result is complete only when every shard is.
 */
export function mergeShardSamples(samples: readonly AdaptiveSampleResult[], random: RandomSource): AdaptiveSampleResult {
  if (samples.length === 0) {
    throw new InvalidInputError('samples', 'mergeShardSamples needs at least one shard sample; got none.');
  }
  const cols = samples[0]!.x.cols;
  const weighted = samples[0]!.weights !== undefined;
  let rows = 0;
  let scannedRows = 0;
  let negativesSeen = 0;
  let positivesSeen = 0;
  let complete = true;
  const warnings: string[] = [];
  samples.forEach((s, i) => {
    if (s.x.cols !== cols) {
      throw new InvalidInputError('samples', `every shard sample must have ${cols} columns; shard ${i} has ${s.x.cols}.`);
    }
    if ((s.weights !== undefined) !== weighted) {
      throw new InvalidInputError(
        'samples',
        `either every shard sample has sample weights or none has; shard 0 ${weighted ? 'has' : 'has none'}, shard ${i} ${weighted ? 'has none' : 'has'}.`,
      );
    }
    rows += s.x.rows;
    scannedRows += s.scannedRows;
    negativesSeen += s.negativesSeen;
    positivesSeen += s.positivesSeen;
    complete &&= s.complete;
    if (s.warning !== undefined) warnings.push(`shard ${i}: ${s.warning}`);
  });

  const order = randomPermutation(rows, random);

  // Row r of the concatenation lives in shard shardOf[r] at local row r − shardStart.
  const shardOf = new Int32Array(rows);
  const shardStart = new Int32Array(samples.length);
  let at = 0;
  samples.forEach((s, i) => {
    shardStart[i] = at;
    shardOf.fill(i, at, at + s.x.rows);
    at += s.x.rows;
  });

  const values = new Float64Array(rows * cols);
  const y = new Uint8Array(rows);
  const weights = weighted ? new Float64Array(rows) : undefined;
  for (let i = 0; i < rows; i++) {
    const r = order[i]!;
    const s = samples[shardOf[r]!]!;
    const local = r - shardStart[shardOf[r]!]!;
    copyRow(s.x.values, local * cols, values, i * cols, cols);
    y[i] = s.y[local]!;
    if (weights) weights[i] = s.weights![local]!;
  }
  const out: AdaptiveSampleResult = {
    x: { rows, cols, values },
    y,
    ...(weights ? { weights } : {}),
    scannedRows,
    negativesSeen,
    positivesSeen,
    complete,
  };
  if (warnings.length > 0) out.warning = warnings.join(' ');
  return out;
}
