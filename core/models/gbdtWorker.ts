// Worker-thread entry of a gradient-boosted trees fit: waits on the shared control cells for a job (cut points, bin
// codes or a node's histogram), then claims and computes features of it until none is left, each histogram feature
// into its own scratch histogram, and marks each feature done.

import { parentPort, workerData } from 'node:worker_threads';
import { histogramInSlot } from './gbdtHistograms.js';
import { claimFeatures, CONTROL, type GbdtJob, type GbdtWorkerInput, type JobContext } from './gbdtWorkers.js';

const { inputs, binning, control, index, done, scratch } = workerData as GbdtWorkerInput;
const own = histogramInSlot(scratch, index);
const ctx: JobContext = { inputs, binning, histogramFor: () => own, column: null };
const doneRow = index * inputs.features;
// Loaded: the calling thread's `started()` waits for this.
parentPort!.postMessage('ready');
let seen = 0;
for (;;) {
  Atomics.wait(control, CONTROL.sequence, seen);
  if (Atomics.load(control, CONTROL.stop) === 1) break;
  const sequence = Atomics.load(control, CONTROL.sequence);
  // Odd: the job's cells are being written; unchanged: a spurious wake-up.
  if (sequence === seen || sequence % 2 === 1) continue;
  const job: GbdtJob = {
    sequence,
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
  claimFeatures(control, ctx, job, (f) => Atomics.store(done, doneRow + f, sequence));
}
