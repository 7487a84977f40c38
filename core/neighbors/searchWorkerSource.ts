// Source of the worker thread that runs the distance kernel over its share of the queries, on the index's shared
// WebAssembly memory. Kept as a string (run with `eval: true`) so it works from dist/ and from the .ts sources alike.

/**
 * Slot states in the control array, one Int32 per worker slot. The caller posts a job in state POSTED; the worker
 * claims it (POSTED → RUNNING) and ends it DONE or FAILED. A caller that waited too long for a claim takes the job
 * back (POSTED → RECLAIMED) and runs it itself, so a worker that never started cannot hang a query.
 */
export const SLOT = { idle: 0, posted: 1, running: 2, done: 3, reclaimed: 4, failed: 5 } as const;

export const SEARCH_WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { module, memory, control, errors } = workerData;
const search = new WebAssembly.Instance(module, { env: { memory } }).exports.search;
const slots = new Int32Array(control);
parentPort.on('message', (job) => {
  if (Atomics.compareExchange(slots, job.slot, ${SLOT.posted}, ${SLOT.running}) !== ${SLOT.posted}) return;
  try {
    for (let c0 = job.q0; c0 < job.q1; c0 += job.queryBlock) {
      const c1 = Math.min(job.q1, c0 + job.queryBlock);
      for (let p0 = 0; p0 < job.panels; p0 += job.panelBlock) {
        search(c0, c1, job.cols, job.queries, job.queryNorms, p0, Math.min(job.panels, p0 + job.panelBlock),
          job.panelsAt, job.normsAt, job.listD, job.listI, job.listN, job.kp, job.scratch);
      }
    }
    Atomics.store(slots, job.slot, ${SLOT.done});
  } catch (e) {
    errors.postMessage(String(e && e.stack || e));
    Atomics.store(slots, job.slot, ${SLOT.failed});
  }
  Atomics.notify(slots, job.slot);
});
`;
