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
  /** Multi-class predictions only: request id → predicted class · 65536 + (true class + 1, 0 while none). */
  private readonly classes = new Map<string, number>();

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

  /** `predictedClass`: a multi-class model's predicted class index, counted in its per-class confusion. */
  remember(requestId: string, slot: number, arm: ServingArm, predicted: boolean, predictedClass?: number): void {
    const previous = this.recent.get(requestId);
    if (previous !== undefined) {
      // The same id scored again: its earlier feedback no longer describes this prediction.
      this.forgetTruth(previous);
      this.forgetClassTruth(requestId, previous);
      this.recent.delete(requestId);
      this.classes.delete(requestId);
    }
    this.recent.set(requestId, packRecent(slot, arm, predicted));
    if (predictedClass !== undefined) this.classes.set(requestId, predictedClass * 65536);
    if (this.recent.size > this.cap) {
      const oldest = this.recent.keys().next().value as string;
      this.recent.delete(oldest);
      this.classes.delete(oldest);
    }
  }

  /** The slot of the model that answered `requestId`; undefined when this replica did not answer it (or forgot). */
  slotOf(requestId: string): ModelSlot | undefined {
    const packed = this.recent.get(requestId);
    return packed === undefined ? undefined : this.slots[Math.floor(packed / 16)]!;
  }

  /** Counts the true label of a remembered request in its model's confusion, replacing a label it had before. */
  recordTruth(requestId: string, positive: boolean, truthClass?: string): void {
    const packed = this.recent.get(requestId);
    if (packed === undefined) return;
    const slot = this.slots[Math.floor(packed / 16)]!;
    this.forgetTruth(packed);
    slot.confusion[confusionIndex(positive, (packed & 4) !== 0)]!++;
    this.recent.set(requestId, packed - (packed % 4) + (positive ? 2 : 1));
    const cls = this.classes.get(requestId);
    const confusion = slot.classConfusion;
    if (cls === undefined || confusion === null || truthClass === undefined) return;
    const truth = confusion.values.indexOf(truthClass);
    if (truth < 0) return;
    this.forgetClassTruth(requestId, packed);
    const predicted = Math.floor(cls / 65536);
    confusion.counts[truth * confusion.values.length + predicted]!++;
    this.classes.set(requestId, predicted * 65536 + truth + 1);
  }

  private forgetClassTruth(requestId: string, packed: number): void {
    const cls = this.classes.get(requestId);
    const confusion = this.slots[Math.floor(packed / 16)]!.classConfusion;
    if (cls === undefined || confusion === null || cls % 65536 === 0) return;
    const truth = (cls % 65536) - 1;
    confusion.counts[truth * confusion.values.length + Math.floor(cls / 65536)]!--;
  }

  private forgetTruth(packed: number): void {
    const truth = packed % 4;
    if (truth === 0) return;
    const slot = this.slots[Math.floor(packed / 16)]!;
    slot.confusion[confusionIndex(truth === 2, (packed & 4) !== 0)]!--;
  }
}
