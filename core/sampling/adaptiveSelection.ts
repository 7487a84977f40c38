// Algorithm 1's decisions (seed 003) apart from the rows themselves: for each incoming row, which slot of the
// positive list Lp or negative list Ln it takes, or whether the sample is complete. The row sampler and the
// row-id sampler both drive this one state machine, so they keep exactly the same rows for the same seed.

import type { RandomSource } from '../random.js';

/** Returned by `positive()` when the sample is complete (step 1(b)iiA): stop before this row is kept. */
export const SAMPLE_COMPLETE = -2;
/** Returned when the row is not kept. */
export const NOT_KEPT = -1;

export interface AdaptiveSelectionState {
  nn: number;
  np: number;
  /** Nt: negatives seen. */
  nt: number;
  positivesSeen: number;
  scanned: number;
  stopped: boolean;
  random: number[];
}

export class AdaptiveSelection {
  readonly targetSize: number;
  readonly positiveTarget: number;
  readonly negativeTarget: number;
  nn = 0;
  np = 0;
  nt = 0;
  positivesSeen = 0;
  scanned = 0;
  stopped = false;

  constructor(
    targetSize: number,
    positiveTarget: number,
    private readonly random: RandomSource,
  ) {
    this.targetSize = targetSize;
    this.positiveTarget = positiveTarget;
    this.negativeTarget = targetSize - positiveTarget;
  }

  /** Step 1(a): the slot of Ln this negative takes (Vitter's algorithm R), or NOT_KEPT. */
  negative(): number {
    this.scanned++;
    this.nt++;
    if (this.nn < this.negativeTarget) return this.nn++;
    const i = this.random.nextInt(this.nt);
    return i < this.nn ? i : NOT_KEPT;
  }

  /** Step 1(b): the slot of Lp this positive takes, NOT_KEPT, or SAMPLE_COMPLETE (the row counts as scanned). */
  positive(): number {
    this.scanned++;
    this.positivesSeen++;
    if (this.np < this.positiveTarget) return this.np++;
    if (this.nn + this.np >= this.targetSize) {
      this.stopped = true;
      return SAMPLE_COMPLETE;
    }
    // Step 1(b)iiB: positives are abundant, so they are reservoir-sampled too.
    const i = this.random.nextInt(this.positivesSeen);
    return i < this.np ? i : NOT_KEPT;
  }

  get complete(): boolean {
    return this.stopped || (this.np === this.positiveTarget && this.nn === this.negativeTarget);
  }

  /** Step 2's warning when the data ran out first, else undefined. */
  warning(): string | undefined {
    if (this.complete) return undefined;
    return (
      `data ran out after ${this.scanned} rows: the sample has ${this.np} of ${this.positiveTarget} positives and ` +
      `${this.nn} of ${this.negativeTarget} negatives (${this.np + this.nn} of ${this.targetSize} rows). ` +
      'Add data, or lower --params or --target-size.'
    );
  }

  state(): AdaptiveSelectionState {
    const { nn, np, nt, positivesSeen, scanned, stopped } = this;
    return { nn, np, nt, positivesSeen, scanned, stopped, random: this.random.state() };
  }

  restore(s: AdaptiveSelectionState): void {
    this.nn = s.nn;
    this.np = s.np;
    this.nt = s.nt;
    this.positivesSeen = s.positivesSeen;
    this.scanned = s.scanned;
    this.stopped = s.stopped;
  }
}
