// Worker-thread entry of the gradient-boosted trees' histogram building: waits on the shared control cells for a
// node's histogram, then claims and sums features of it (in shared memory) until none is left.

import { parentPort, workerData } from 'node:worker_threads';
import { claimFeatures, CONTROL, type HistogramWorkerInput } from './gbdtHistogramWorkers.js';
import { histogramInSlot } from './gbdtHistograms.js';

const { inputs, slots, control } = workerData as HistogramWorkerInput;
const histograms = Array.from({ length: slots.slots }, (_, slot) => histogramInSlot(slots, slot));
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
    base: Atomics.load(control, CONTROL.base),
    start: Atomics.load(control, CONTROL.start),
    end: Atomics.load(control, CONTROL.end),
    rowsInOrder: Atomics.load(control, CONTROL.rowsInOrder) === 1,
  };
  const slot = Atomics.load(control, CONTROL.slot);
  // A newer job began while the cells were read: read them again.
  if (Atomics.load(control, CONTROL.sequence) !== sequence) continue;
  seen = sequence;
  claimFeatures(control, histograms[slot]!, inputs, job);
}
