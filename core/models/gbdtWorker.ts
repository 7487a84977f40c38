// Worker-thread entry of a gradient-boosted trees fit: waits on the shared control cells for a job (cut points, bin
// codes or a node's histogram), then claims and computes features of it until none is left.

import { parentPort, workerData } from 'node:worker_threads';
import { histogramInSlot } from './gbdtHistograms.js';
import { claimFeatures, CONTROL, type GbdtWorkerInput, type JobContext } from './gbdtWorkers.js';

const { inputs, binning, slots, control } = workerData as GbdtWorkerInput;
const ctx: JobContext = {
  inputs,
  binning,
  histograms: Array.from({ length: slots.slots }, (_, slot) => histogramInSlot(slots, slot)),
  column: null,
};
// Loaded: the calling thread's `started()` waits for this.
parentPort!.postMessage('ready');
let seen = 0;
for (;;) {
  Atomics.wait(control, CONTROL.sequence, seen);
  if (Atomics.load(control, CONTROL.stop) === 1) break;
  const sequence = Atomics.load(control, CONTROL.sequence);
  // Odd: the job's cells are being written; unchanged: a spurious wake-up.
  if (sequence === seen || sequence % 2 === 1) continue;
  const job = {
    kind: Atomics.load(control, CONTROL.kind),
    base: Atomics.load(control, CONTROL.base),
    slot: Atomics.load(control, CONTROL.slot),
    start: Atomics.load(control, CONTROL.start),
    end: Atomics.load(control, CONTROL.end),
    rowsInOrder: Atomics.load(control, CONTROL.rowsInOrder) === 1,
  };
  // A newer job began while the cells were read: read them again.
  if (Atomics.load(control, CONTROL.sequence) !== sequence) continue;
  seen = sequence;
  claimFeatures(control, ctx, job);
}
