// Runs batches of calls to one WebAssembly kernel export on the calling thread and worker threads at once, over a
// shared memory, synchronously: the IVF index's k-means, assignment and probing spread over both cores this way.

import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { wasm, type WasmMemory, type WasmModule } from './webAssemblyApi.js';
import { SLOT } from './searchWorkerSource.js';

/** One thread's share: `calls.length / arity` calls of the export, each with `arity` i32 arguments in a row. */
export interface KernelJob {
  arity: number;
  calls: Int32Array;
}

const WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { module, memory, control, errors, exportName } = workerData;
const kernel = new WebAssembly.Instance(module, { env: { memory } }).exports[exportName];
const slots = new Int32Array(control);
parentPort.on('message', (job) => {
  if (Atomics.compareExchange(slots, job.slot, ${SLOT.posted}, ${SLOT.running}) !== ${SLOT.posted}) return;
  try {
    const { arity, calls } = job;
    for (let i = 0; i < calls.length; i += arity) kernel.apply(null, calls.subarray(i, i + arity));
    Atomics.store(slots, job.slot, ${SLOT.done});
  } catch (e) {
    errors.postMessage(String(e && e.stack || e));
    Atomics.store(slots, job.slot, ${SLOT.failed});
  }
  Atomics.notify(slots, job.slot);
});
`;

/**
 * Worker threads are started on first use and never keep the process alive; {@link close} stops them. A worker that
 * has not claimed its job within 2 s (still starting, or dead) gives it back and the calling thread runs it.
 */
export class WasmKernelPool {
  private readonly kernel: (...args: number[]) => void;
  private workers: Worker[] = [];
  private errorPorts: MessagePort[] = [];
  private readonly control: Int32Array;

  constructor(
    private readonly module: WasmModule,
    private readonly memory: WasmMemory,
    private readonly exportName: string,
    readonly threads: number,
  ) {
    this.kernel = new wasm.Instance(module, { env: { memory } }).exports[exportName] as (...args: number[]) => void;
    this.control = new Int32Array(new SharedArrayBuffer(4 * (threads + 1)));
  }

  /** Runs `jobs[0]` here and each other job on its own worker; returns when all are done. */
  run(jobs: KernelJob[]): void {
    const busy = jobs.filter((j) => j.calls.length > 0);
    if (busy.length === 0) return;
    if (busy.length > this.threads) throw new Error(`${busy.length} kernel jobs for ${this.threads} threads`);
    this.ensureWorkers(busy.length - 1);
    const control = this.control;
    for (let t = 1; t < busy.length; t++) {
      Atomics.store(control, t, SLOT.posted);
      this.workers[t - 1]!.postMessage({ slot: t, arity: busy[t]!.arity, calls: busy[t]!.calls });
    }
    this.runHere(busy[0]!);
    for (let t = 1; t < busy.length; t++) {
      for (;;) {
        const state = Atomics.load(control, t);
        if (state === SLOT.done) break;
        if (state === SLOT.failed) {
          const message = receiveMessageOnPort(this.errorPorts[t - 1]!)?.message as string | undefined;
          throw new Error(`neighbour kernel worker ${t} failed: ${message ?? 'no message'}`);
        }
        if (state === SLOT.posted) {
          if (Atomics.wait(control, t, SLOT.posted, 2000) === 'timed-out' &&
            Atomics.compareExchange(control, t, SLOT.posted, SLOT.reclaimed) === SLOT.posted) {
            this.runHere(busy[t]!);
            break;
          }
        } else {
          Atomics.wait(control, t, state, 1000);
        }
      }
      Atomics.store(control, t, SLOT.idle);
    }
  }

  close(): void {
    for (const w of this.workers) void w.terminate();
    this.workers = [];
    for (const p of this.errorPorts) p.close();
    this.errorPorts = [];
  }

  private runHere(job: KernelJob): void {
    const { arity, calls } = job;
    const args = new Array<number>(arity);
    for (let i = 0; i < calls.length; i += arity) {
      for (let a = 0; a < arity; a++) args[a] = calls[i + a]!;
      this.kernel(...args);
    }
  }

  private ensureWorkers(count: number): void {
    while (this.workers.length < count) {
      const channel = new MessageChannel();
      channel.port1.unref();
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { module: this.module, memory: this.memory, control: this.control.buffer, errors: channel.port2, exportName: this.exportName },
        transferList: [channel.port2],
      });
      worker.unref();
      this.workers.push(worker);
      this.errorPorts.push(channel.port1);
    }
  }
}
