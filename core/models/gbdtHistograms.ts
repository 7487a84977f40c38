// Where a growing tree's node histograms come from: a fixed set of histogram slots (in shared memory when worker
// threads fill them) and the one-thread builder; gbdtWorkers.ts shares the building with workers.

import { buildHistogram, HISTOGRAM_BINS, type NodeHistogram } from './gbdtSplit.js';

/** The training rows' binned codes and gradients, and the work buffers of the histogram building. */
export interface HistogramInputs {
  /** Bin codes, feature-major: (feature f, row i) at f · rows + i. */
  codes: Uint8Array;
  rows: number;
  features: number;
  /** The tree's rows, each node's a contiguous range (partitioned in place as the tree grows). */
  rowIndex: Int32Array;
  gradients: Float64Array;
  hessians: Float64Array;
  /** A node's gradients and hessians in node order, gathered once per histogram for every feature's pass. */
  orderedGradient: Float64Array;
  orderedHessian: Float64Array;
}

/** Hands out node histograms built from a node's rows, and takes them back when the node no longer needs one. */
export interface NodeHistograms {
  /**
   * A histogram of the rows `rowIndex[start..end)`; `rowsInOrder` says they are 0..rows−1 in order (the root before
   * any partition). A promise when worker threads share the work.
   */
  build(start: number, end: number, rowsInOrder: boolean): NodeHistogram | Promise<NodeHistogram>;
  release(h: NodeHistogram): void;
}

/** Typed-array memory: plain, or shared with worker threads. */
export type Memory = (bytes: number) => ArrayBuffer | SharedArrayBuffer;
export const plainMemory: Memory = (bytes) => new ArrayBuffer(bytes);
export const sharedMemory: Memory = (bytes) => new SharedArrayBuffer(bytes);

/** The memory of `slots` histograms of `features` features: every slot's sums in one buffer, counts in another. */
export interface HistogramSlots {
  sums: ArrayBuffer | SharedArrayBuffer;
  counts: ArrayBuffer | SharedArrayBuffer;
  slots: number;
  features: number;
}

export function allocateHistogramSlots(slots: number, features: number, memory: Memory): HistogramSlots {
  const size = features * HISTOGRAM_BINS;
  return { sums: memory(slots * 2 * size * 8), counts: memory(slots * size * 4), slots, features };
}

/** The histogram held in slot `slot`. */
export function histogramInSlot(memory: HistogramSlots, slot: number): NodeHistogram {
  const size = memory.features * HISTOGRAM_BINS;
  return {
    sums: new Float64Array(memory.sums, slot * 2 * size * 8, 2 * size),
    count: new Int32Array(memory.counts, slot * size * 4, size),
    slot,
  };
}

/**
 * The free slots of a histogram memory. A tree holds at most one histogram per leaf that may still split, so
 * maxLeafNodes slots are enough (gbdtTree.ts returns the others at once).
 */
export class HistogramSlotPool {
  /** Every slot's histogram, by slot. */
  readonly all: NodeHistogram[];
  private readonly free: NodeHistogram[];

  constructor(readonly memory: HistogramSlots) {
    this.all = Array.from({ length: memory.slots }, (_, slot) => histogramInSlot(memory, slot));
    this.free = [...this.all].reverse();
  }

  take(): NodeHistogram {
    const h = this.free.pop();
    if (!h) throw new Error(`gbdt: all ${this.memory.slots} histogram slots are in use; this is a bug.`);
    return h;
  }

  release(h: NodeHistogram): void {
    this.free.push(h);
  }
}

/**
 * The gradients and hessians the histogram passes read for rows `rowIndex[start..end)`: the full arrays for the
 * root in row order, else the node's rows gathered into node order.
 */
export function nodeGradients(input: HistogramInputs, start: number, end: number, rowsInOrder: boolean): [Float64Array, Float64Array] {
  if (rowsInOrder) return [input.gradients, input.hessians];
  const { rowIndex, gradients, hessians, orderedGradient, orderedHessian } = input;
  for (let k = 0; k < end - start; k++) {
    const row = rowIndex[start + k]!;
    orderedGradient[k] = gradients[row]!;
    orderedHessian[k] = hessians[row]!;
  }
  return [orderedGradient, orderedHessian];
}

/** Builds every histogram on the calling thread. */
export class LocalHistograms implements NodeHistograms {
  private readonly pool: HistogramSlotPool;

  constructor(
    private readonly input: HistogramInputs,
    slots: number,
  ) {
    this.pool = new HistogramSlotPool(allocateHistogramSlots(slots, input.features, plainMemory));
  }

  build(start: number, end: number, rowsInOrder: boolean): NodeHistogram {
    const h = this.pool.take();
    const [gradient, hessian] = nodeGradients(this.input, start, end, rowsInOrder);
    const { codes, rows, rowIndex, features } = this.input;
    buildHistogram(h, codes, rows, rowIndex, start, end, gradient, hessian, rowsInOrder, 0, features);
    return h;
  }

  release(h: NodeHistogram): void {
    this.pool.release(h);
  }
}
