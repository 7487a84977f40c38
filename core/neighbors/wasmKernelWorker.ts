// Worker-thread entry of the kernel pool: instantiates the kernel over the shared memory and runs the tasks of each
// job it claims, taking them from the job's shared queue until it runs dry.

import { parentPort, workerData } from 'node:worker_threads';
import { SLOT, type KernelJob, type KernelWorkerData } from './wasmKernelSlots.js';
import { wasm, type WasmMemory, type WasmModule } from './webAssemblyApi.js';

const { module, memory, control, errors, exportName } = workerData as KernelWorkerData;
const kernel = new wasm.Instance(module as WasmModule, { env: { memory: memory as WasmMemory } }).exports[exportName] as (
  ...args: number[]
) => void;
const slots = new Int32Array(control);

parentPort!.on('message', (job: KernelJob) => {
  if (Atomics.compareExchange(slots, job.slot, SLOT.posted, SLOT.running) !== SLOT.posted) return;
  // A message for a job the caller took back is stale: its ticket is no longer the slot's, and the job posted
  // since then is left for its own message.
  if (Atomics.load(slots, slots.length / 2 + job.slot) !== job.ticket) {
    Atomics.store(slots, job.slot, SLOT.posted);
    Atomics.notify(slots, job.slot);
    return;
  }
  try {
    const { arity, calls, taskStarts, next } = job;
    const tasks = taskStarts.length - 1;
    for (let t = Atomics.add(next, 0, 1); t < tasks; t = Atomics.add(next, 0, 1)) {
      for (let c = taskStarts[t]!; c < taskStarts[t + 1]!; c++) kernel(...calls.subarray(c * arity, c * arity + arity));
    }
    Atomics.store(slots, job.slot, SLOT.done);
  } catch (e) {
    errors.postMessage(String((e && (e as Error).stack) || e));
    Atomics.store(slots, job.slot, SLOT.failed);
  }
  Atomics.notify(slots, job.slot);
});
