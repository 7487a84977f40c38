// Runs batches of calls to one WebAssembly kernel export on the calling thread and worker threads at once, over a
// shared memory, synchronously: exact search and the IVF index's k-means, assignment and probing spread over all
// cores this way.

import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { workerEntryUrl, workerStartError } from '../workerEntry.js';
import { SLOT, type KernelJob, type KernelWorkerData } from './wasmKernelSlots.js';
import { wasm, type WasmMemory, type WasmModule } from './webAssemblyApi.js';

/**
 * Worker threads are started on first use (or by {@link prestart}) and never keep the process alive; {@link close}
 * stops them. The calling thread always works too, so a worker that is still starting, or dead, delays nothing:
 * it simply claims no task. A worker runs the compiled wasmKernelWorker.js (from TypeScript source, the one under
 * dist/); one that could not start or died fails the next {@link runTasks}.
 */
export class WasmKernelPool {
  private readonly kernel: (...args: number[]) => void;
  private workers: Worker[] = [];
  private errorPorts: MessagePort[] = [];
  private readonly control: Int32Array;
  private tickets = 0;
  private workerError: unknown;

  constructor(
    private readonly module: WasmModule,
    private readonly memory: WasmMemory,
    private readonly exportName: string,
    readonly threads: number,
  ) {
    this.kernel = new wasm.Instance(module, { env: { memory } }).exports[exportName] as (...args: number[]) => void;
    // Slot states, then each slot's current ticket.
    this.control = new Int32Array(new SharedArrayBuffer(8 * (threads + 1)));
  }

  /**
   * Runs tasks that threads claim one at a time from a shared counter, so a worker that starts late or runs slowly
   * takes fewer of them. Task t is the calls taskStarts[t] .. taskStarts[t + 1] − 1 of `calls`, run in order on
   * one thread (so a task may own scratch memory). Workers that have not begun when the queue runs dry are
   * told to stand down instead of being waited for. Returns when every task is done.
   */
  runTasks(arity: number, calls: Int32Array, taskStarts: Int32Array, helpers = this.threads - 1): void {
    if (this.workerError !== undefined) throw this.workerError;
    const tasks = taskStarts.length - 1;
    if (tasks <= 0) return;
    const workers = Math.min(helpers, this.threads - 1, tasks - 1);
    const shared = new Int32Array(new SharedArrayBuffer(4 * (1 + calls.length + taskStarts.length)));
    const next = shared.subarray(0, 1);
    const sharedCalls = shared.subarray(1, 1 + calls.length);
    const sharedStarts = shared.subarray(1 + calls.length);
    sharedCalls.set(calls);
    sharedStarts.set(taskStarts);
    if (workers > 0) this.ensureWorkers(workers);
    const control = this.control;
    for (let t = 1; t <= workers; t++) {
      const job: KernelJob = { slot: t, ticket: this.post(t), arity, calls: sharedCalls, taskStarts: sharedStarts, next };
      this.workers[t - 1]!.postMessage(job);
    }
    const args = new Array<number>(arity);
    for (let t = Atomics.add(next, 0, 1); t < tasks; t = Atomics.add(next, 0, 1)) {
      for (let c = taskStarts[t]!; c < taskStarts[t + 1]!; c++) {
        for (let a = 0; a < arity; a++) args[a] = calls[c * arity + a]!;
        this.kernel(...args);
      }
    }
    for (let t = 1; t <= workers; t++) {
      // A worker still in POSTED never claimed a task: the queue is empty, so it has nothing left to do.
      if (Atomics.compareExchange(control, t, SLOT.posted, SLOT.reclaimed) !== SLOT.posted) {
        for (;;) {
          const state = Atomics.load(control, t);
          if (state === SLOT.done) break;
          if (state === SLOT.failed) {
            const message = receiveMessageOnPort(this.errorPorts[t - 1]!)?.message as string | undefined;
            throw new Error(`neighbour kernel worker ${t} failed: ${message ?? 'no message'}`);
          }
          Atomics.wait(control, t, state, 1000);
        }
      }
      Atomics.store(control, t, SLOT.idle);
    }
  }

  /** Starts the worker threads now (they take tens of milliseconds to boot), so a first run finds them ready. */
  prestart(count = this.threads - 1): void {
    this.ensureWorkers(Math.min(count, this.threads - 1));
  }

  close(): void {
    for (const w of this.workers) void w.terminate();
    this.workers = [];
    for (const p of this.errorPorts) p.close();
    this.errorPorts = [];
  }

  /** Marks slot t posted under a new ticket, which its message must carry. */
  private post(t: number): number {
    const ticket = ++this.tickets;
    Atomics.store(this.control, this.control.length / 2 + t, ticket);
    Atomics.store(this.control, t, SLOT.posted);
    return ticket;
  }

  private ensureWorkers(count: number): void {
    while (this.workers.length < count) {
      const channel = new MessageChannel();
      channel.port1.unref();
      const entry = workerEntryUrl(import.meta.url, 'wasmKernelWorker');
      const workerData: KernelWorkerData = {
        module: this.module,
        memory: this.memory,
        control: this.control.buffer as SharedArrayBuffer,
        errors: channel.port2,
        exportName: this.exportName,
      };
      const worker = new Worker(entry, { workerData, transferList: [channel.port2] });
      worker.on('error', (err) => {
        this.workerError ??= workerStartError(err, entry);
      });
      worker.unref();
      this.workers.push(worker);
      this.errorPorts.push(channel.port1);
    }
  }
}
