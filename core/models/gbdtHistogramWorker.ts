// Worker-thread entry of the gradient-boosted trees' histogram building: waits on its control cells for a node,
// fills its range of features of that node's histogram in shared memory, and says so.

import { workerData } from 'node:worker_threads';
import { CONTROL, type HistogramWorkerInput } from './gbdtHistogramWorkers.js';
import { histogramInSlot } from './gbdtHistograms.js';
import { buildHistogram } from './gbdtSplit.js';

const { inputs, slots, control } = workerData as HistogramWorkerInput;
const histograms = Array.from({ length: slots.slots }, (_, slot) => histogramInSlot(slots, slot));
let seen = 0;
for (;;) {
  Atomics.wait(control, CONTROL.posted, seen);
  const posted = Atomics.load(control, CONTROL.posted);
  if (Atomics.load(control, CONTROL.stop) === 1) break;
  if (posted === seen) continue;
  seen = posted;
  const start = control[CONTROL.start]!;
  const end = control[CONTROL.end]!;
  const rowsInOrder = control[CONTROL.rowsInOrder] === 1;
  const gradient = rowsInOrder ? inputs.gradients : inputs.orderedGradient;
  const hessian = rowsInOrder ? inputs.hessians : inputs.orderedHessian;
  const h = histograms[control[CONTROL.slot]!]!;
  buildHistogram(
    h,
    inputs.codes,
    inputs.rows,
    inputs.rowIndex,
    start,
    end,
    gradient,
    hessian,
    rowsInOrder,
    control[CONTROL.firstFeature]!,
    control[CONTROL.endFeature]!,
  );
  Atomics.store(control, CONTROL.done, seen);
  Atomics.notify(control, CONTROL.done);
}
