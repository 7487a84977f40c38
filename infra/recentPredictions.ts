// The predictions this replica answered lately (request id → model, arm, predicted class, true label), which feedback
// is joined to: each true label moves its model's confusion counts, the source of the recall and precision gauges.

import type { ServingArm } from '../data/servingLog.js';
import type { ModelSlot } from './servedModels.js';

/** Packs a recent prediction into one number: slot · 16 + challenger · 8 + predicted · 4 + truth (0 none, 1 neg, 2 pos). */
function packRecent(slot: number, arm: ServingArm, predicted: boolean): number {
  return slot * 16 + (arm === 'challenger' ? 8 : 0) + (predicted ? 4 : 0);
}

/** Index into ModelSlot.confusion: tp 0, fn 1, fp 2, tn 3. */
function confusionIndex(truthPositive: boolean, predictedPositive: boolean): number {
  return (truthPositive ? 0 : 2) + (predictedPositive ? 0 : 1);
}

export class RecentPredictions {
  /** request id → packRecent(...) (+ truth); insertion order is age order. */
  private readonly recent = new Map<string, number>();

  /**
   * @param slots the models' slots, by index (appended to as models load)
   * @param cap most predictions remembered; the oldest is forgotten first
   */
  constructor(
    private readonly slots: readonly ModelSlot[],
    private readonly cap: number,
  ) {}

  get size(): number {
    return this.recent.size;
  }

  remember(requestId: string, slot: number, arm: ServingArm, predicted: boolean): void {
    const previous = this.recent.get(requestId);
    if (previous !== undefined) {
      // The same id scored again: its earlier feedback no longer describes this prediction.
      this.forgetTruth(previous);
      this.recent.delete(requestId);
    }
    this.recent.set(requestId, packRecent(slot, arm, predicted));
    if (this.recent.size > this.cap) {
      const oldest = this.recent.keys().next().value as string;
      this.recent.delete(oldest);
    }
  }

  /** The slot of the model that answered `requestId`; undefined when this replica did not answer it (or forgot). */
  slotOf(requestId: string): ModelSlot | undefined {
    const packed = this.recent.get(requestId);
    return packed === undefined ? undefined : this.slots[Math.floor(packed / 16)]!;
  }

  /** Counts the true label of a remembered request in its model's confusion, replacing a label it had before. */
  recordTruth(requestId: string, positive: boolean): void {
    const packed = this.recent.get(requestId);
    if (packed === undefined) return;
    const slot = this.slots[Math.floor(packed / 16)]!;
    this.forgetTruth(packed);
    slot.confusion[confusionIndex(positive, (packed & 4) !== 0)]!++;
    this.recent.set(requestId, packed - (packed % 4) + (positive ? 2 : 1));
  }

  private forgetTruth(packed: number): void {
    const truth = packed % 4;
    if (truth === 0) return;
    const slot = this.slots[Math.floor(packed / 16)]!;
    slot.confusion[confusionIndex(truth === 2, (packed & 4) !== 0)]!--;
  }
}
