// Samplers over row ids instead of rows: a scan hands them only where positives are (or a label stream), they
// decide which row ids to keep, and only those rows' features are fetched afterwards. Algorithm 1 (seed 003)
// and the baselines the paper compares it with: uniform random, stratified first-come, full-scan dual reservoir.

import { InvalidInputError } from '../invalidInputError.js';
import { randomFromState, type RandomSource } from '../random.js';
import { validateTargets } from './adaptiveSample.js';
import { AdaptiveSelection, SAMPLE_COMPLETE, type AdaptiveSelectionState } from './adaptiveSelection.js';

export interface RowIdSample {
  /** Row ids of kept positives and negatives (ids are positions in the scanned stream, 0-based). */
  positiveRows: Float64Array;
  negativeRows: Float64Array;
  scannedRows: number;
  positivesSeen: number;
  negativesSeen: number;
  /** The sampler reached its target (for Algorithm 1: Nr positives and N − Nr negatives). */
  complete: boolean;
  /** It stopped before the end of the data. */
  earlyStop: boolean;
  warning?: string;
}

export interface RowIdSamplerCheckpoint {
  kind: RowIdSamplerKind;
  positiveRows: number[];
  negativeRows: number[];
  counters: Record<string, number | boolean>;
  random: number[];
}

/** A sampler fed in stream order. Each method returns true once it needs no more rows. */
export interface RowIdSampler {
  readonly kind: RowIdSamplerKind;
  /** `count` consecutive negatives with ids firstRowId, firstRowId + 1, … */
  negatives(firstRowId: number, count: number): boolean;
  positive(rowId: number): boolean;
  /** Rows consumed so far; the next row id the stream must deliver is this plus the stream's first id. */
  readonly scannedRows: number;
  result(): RowIdSample;
  checkpoint(): RowIdSamplerCheckpoint;
}

export type RowIdSamplerKind = 'adaptive' | 'uniform' | 'firstCome' | 'dualReservoir';

export interface RowIdSamplerOptions {
  kind: RowIdSamplerKind;
  /** N: rows in the sample. */
  targetSize: number;
  /** Nr: positives wanted (ignored by `uniform`, which keeps whatever share the data has). */
  positiveTarget: number;
  random: RandomSource;
}

function ids(values: Float64Array, n: number): Float64Array {
  return values.slice(0, n);
}

/** Algorithm 1 over row ids, sharing its decisions with the row sampler (same seed → same rows). */
class AdaptiveRowIdSampler implements RowIdSampler {
  readonly kind = 'adaptive' as const;
  private readonly selection: AdaptiveSelection;
  private readonly pos: Float64Array;
  private readonly neg: Float64Array;

  constructor(
    targetSize: number,
    positiveTarget: number,
    private readonly random: RandomSource,
  ) {
    this.selection = new AdaptiveSelection(targetSize, positiveTarget, random);
    this.pos = new Float64Array(positiveTarget);
    this.neg = new Float64Array(targetSize - positiveTarget);
  }

  get scannedRows(): number {
    return this.selection.scanned;
  }

  negatives(firstRowId: number, count: number): boolean {
    const { selection, neg } = this;
    if (selection.stopped) return true;
    for (let i = 0; i < count; i++) {
      const slot = selection.negative();
      if (slot >= 0) neg[slot] = firstRowId + i;
    }
    return false;
  }

  positive(rowId: number): boolean {
    const slot = this.selection.positive();
    if (slot === SAMPLE_COMPLETE) return true;
    if (slot >= 0) this.pos[slot] = rowId;
    return false;
  }

  result(): RowIdSample {
    const s = this.selection;
    const warning = s.warning();
    return {
      positiveRows: ids(this.pos, s.np),
      negativeRows: ids(this.neg, s.nn),
      scannedRows: s.scanned,
      positivesSeen: s.positivesSeen,
      negativesSeen: s.nt,
      complete: s.complete,
      earlyStop: s.stopped,
      ...(warning ? { warning } : {}),
    };
  }

  checkpoint(): RowIdSamplerCheckpoint {
    const st = this.selection.state();
    const { random, ...counters } = st;
    return {
      kind: this.kind,
      positiveRows: Array.from(this.pos.subarray(0, st.np)),
      negativeRows: Array.from(this.neg.subarray(0, st.nn)),
      counters,
      random,
    };
  }

  restore(c: RowIdSamplerCheckpoint): void {
    this.selection.restore({ ...(c.counters as unknown as Omit<AdaptiveSelectionState, 'random'>), random: c.random });
    this.pos.set(c.positiveRows);
    this.neg.set(c.negativeRows);
  }
}

/**
 * The paper's baselines, each a pair of reservoirs (or first-come lists) with its own capacities:
 * - uniform: one reservoir of N over all rows, whatever their label (random sampling);
 * - firstCome: the first Nr positives and the first N − Nr negatives, stopping once both are full;
 * - dualReservoir: reservoirs of Nr positives and N − Nr negatives over the whole data (no early stop).
 */
class BaselineRowIdSampler implements RowIdSampler {
  private readonly pos: Float64Array;
  private readonly neg: Float64Array;
  private np = 0;
  private nn = 0;
  private seenPos = 0;
  private seenNeg = 0;
  private scanned = 0;
  private stopped = false;
  /** uniform only: the single reservoir, with the label of each slot. */
  private readonly all: Float64Array;
  private readonly allLabel: Uint8Array;
  private nAll = 0;

  constructor(
    readonly kind: 'uniform' | 'firstCome' | 'dualReservoir',
    private readonly targetSize: number,
    private readonly positiveTarget: number,
    private readonly random: RandomSource,
  ) {
    const uniform = kind === 'uniform';
    this.pos = new Float64Array(uniform ? 0 : positiveTarget);
    this.neg = new Float64Array(uniform ? 0 : targetSize - positiveTarget);
    this.all = new Float64Array(uniform ? targetSize : 0);
    this.allLabel = new Uint8Array(uniform ? targetSize : 0);
  }

  get scannedRows(): number {
    return this.scanned;
  }

  private offer(rowId: number, label: 0 | 1): void {
    this.scanned++;
    if (this.kind === 'uniform') {
      const seen = this.scanned;
      if (this.nAll < this.targetSize) {
        this.all[this.nAll] = rowId;
        this.allLabel[this.nAll++] = label;
      } else {
        const i = this.random.nextInt(seen);
        if (i < this.targetSize) {
          this.all[i] = rowId;
          this.allLabel[i] = label;
        }
      }
      return;
    }
    const list = label === 1 ? this.pos : this.neg;
    const capacity = list.length;
    const filled = label === 1 ? this.np : this.nn;
    const seen = label === 1 ? ++this.seenPos : ++this.seenNeg;
    if (filled < capacity) {
      list[filled] = rowId;
      if (label === 1) this.np++;
      else this.nn++;
    } else if (this.kind === 'dualReservoir') {
      const i = this.random.nextInt(seen);
      if (i < capacity) list[i] = rowId;
    }
    if (this.kind === 'firstCome' && this.np === this.pos.length && this.nn === this.neg.length) this.stopped = true;
  }

  negatives(firstRowId: number, count: number): boolean {
    for (let i = 0; i < count && !this.stopped; i++) this.offer(firstRowId + i, 0);
    return this.stopped;
  }

  positive(rowId: number): boolean {
    if (this.stopped) return true;
    this.offer(rowId, 1);
    return this.stopped;
  }

  result(): RowIdSample {
    let positiveRows: Float64Array;
    let negativeRows: Float64Array;
    if (this.kind === 'uniform') {
      const p: number[] = [];
      const n: number[] = [];
      for (let i = 0; i < this.nAll; i++) (this.allLabel[i] ? p : n).push(this.all[i]!);
      positiveRows = Float64Array.from(p);
      negativeRows = Float64Array.from(n);
    } else {
      positiveRows = ids(this.pos, this.np);
      negativeRows = ids(this.neg, this.nn);
    }
    const complete = this.kind === 'uniform' ? this.nAll === this.targetSize : this.np === this.pos.length && this.nn === this.neg.length;
    const positivesSeen = this.kind === 'uniform' ? positiveRows.length : this.seenPos;
    return {
      positiveRows,
      negativeRows,
      scannedRows: this.scanned,
      positivesSeen,
      negativesSeen: this.scanned - positivesSeen,
      complete,
      earlyStop: this.stopped,
      ...(complete
        ? {}
        : {
            warning: `data ran out after ${this.scanned} rows with ${positiveRows.length + negativeRows.length} of ${this.targetSize} rows sampled`,
          }),
    };
  }

  checkpoint(): RowIdSamplerCheckpoint {
    throw new InvalidInputError('sampler', `the ${this.kind} baseline does not checkpoint; only the adaptive sampler resumes`);
  }
}

export function createRowIdSampler(opts: RowIdSamplerOptions): RowIdSampler {
  validateTargets(opts.targetSize, opts.kind === 'uniform' ? 1 : opts.positiveTarget);
  if (opts.kind === 'adaptive') return new AdaptiveRowIdSampler(opts.targetSize, opts.positiveTarget, opts.random);
  if (opts.kind === 'uniform' || opts.kind === 'firstCome' || opts.kind === 'dualReservoir') {
    return new BaselineRowIdSampler(opts.kind, opts.targetSize, opts.positiveTarget, opts.random);
  }
  throw new InvalidInputError(
    '--method',
    `sampling method must be adaptive, uniform, firstCome or dualReservoir; got "${String(opts.kind)}"`,
  );
}

/** An adaptive sampler that continues exactly where `checkpoint` was taken. */
export function resumeRowIdSampler(opts: Omit<RowIdSamplerOptions, 'random'>, checkpoint: RowIdSamplerCheckpoint): RowIdSampler {
  if (checkpoint.kind !== 'adaptive' || opts.kind !== 'adaptive') {
    throw new InvalidInputError('checkpoint', `only adaptive sampling resumes from a checkpoint; got ${checkpoint.kind}`);
  }
  const s = new AdaptiveRowIdSampler(opts.targetSize, opts.positiveTarget, randomFromState(checkpoint.random));
  s.restore(checkpoint);
  return s;
}

/** Feeds a 0/1 label batch whose first row has id `firstRowId`; returns true when the sampler is done. */
export function offerLabels(sampler: RowIdSampler, firstRowId: number, y: Uint8Array, rows: number): boolean {
  let run = 0;
  for (let r = 0; r < rows; r++) {
    if (y[r] === 0) {
      run++;
      continue;
    }
    if (run > 0 && sampler.negatives(firstRowId + r - run, run)) return true;
    run = 0;
    if (sampler.positive(firstRowId + r)) return true;
  }
  return run > 0 ? sampler.negatives(firstRowId + rows - run, run) : false;
}
