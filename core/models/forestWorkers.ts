// Trains the forest's trees on several worker threads; the model is identical to `trainRandomForest`'s,
// because each tree's random stream depends only on (seed, tree index).

import { Worker } from 'node:worker_threads';
import type { LabelledData } from '../dataset.js';
import { InvalidInputError } from '../invalidInputError.js';
import { workerEntryUrl, workerStartError } from '../workerEntry.js';
import { OutOfBagVotes, type ForestWithOutOfBag } from './forestOutOfBag.js';
import type { GrownTree } from './forestTree.js';
import type { ForestWorkerInput } from './forestWorker.js';
import { assembleForest, prepareForestJob, type ForestJob, type RandomForestModel, type RandomForestOptions } from './randomForest.js';

export interface ForestThreadOptions {
  /**
   * Worker threads growing trees; 1 grows them on the calling thread.
   * @default 2
   */
  threads?: number;
  /** Hears each tree as it is grown: trees done so far and the forest's tree count. @default none */
  onTree?: (treesDone: number, treeCount: number) => void;
}

export async function trainRandomForestInWorkers(
  data: LabelledData,
  options: RandomForestOptions = {},
  threadOptions: ForestThreadOptions = {},
): Promise<RandomForestModel> {
  const threads = checkedThreads(threadOptions);
  const job = prepareForestJob(data, options);
  return assembleForest(job, await growInWorkers(job, threads, undefined, threadOptions.onTree));
}

/** `trainRandomForestWithOutOfBag` on several threads: the identical model and bit-identical out-of-bag scores. */
export async function trainRandomForestWithOutOfBagInWorkers(
  data: LabelledData,
  options: RandomForestOptions = {},
  threadOptions: ForestThreadOptions = {},
): Promise<ForestWithOutOfBag> {
  const threads = checkedThreads(threadOptions);
  const job = prepareForestJob(data, options);
  const votes = new OutOfBagVotes(job.binned.rows);
  const trees = await growInWorkers(job, threads, votes, threadOptions.onTree);
  return { model: assembleForest(job, trees), outOfBag: votes.finish(job.options.trees) };
}

function checkedThreads(threadOptions: ForestThreadOptions): number {
  const threads = threadOptions.threads ?? 2;
  if (!Number.isInteger(threads) || threads < 1) {
    throw new InvalidInputError('threads', `threads: expected an integer ≥ 1, got ${String(threads)}`);
  }
  return threads;
}

/** Grows every tree of the job on up to `threads` workers; with `votes`, each tree's out-of-bag leaves go there. */
async function growInWorkers(
  job: ForestJob,
  threads: number,
  votes?: OutOfBagVotes,
  onTree?: (treesDone: number, treeCount: number) => void,
): Promise<GrownTree[]> {
  const treeCount = job.options.trees;
  const workers = Math.min(threads, treeCount);
  // One shared copy of the codes and labels for every worker instead of one clone each.
  const codes = new Uint8Array(new SharedArrayBuffer(job.binned.codes.length));
  codes.set(job.binned.codes);
  const y = new Uint8Array(new SharedArrayBuffer(job.y.length));
  y.set(job.y);
  let sampleWeights: Float64Array | undefined;
  if (job.sampleWeights) {
    sampleWeights = new Float64Array(new SharedArrayBuffer(job.sampleWeights.byteLength));
    sampleWeights.set(job.sampleWeights);
  }
  const trees: GrownTree[] = new Array(treeCount);
  let grown = 0;
  const treeDone = onTree ? () => onTree(++grown, treeCount) : undefined;
  const runs: Promise<void>[] = [];
  for (let w = 0; w < workers; w++) {
    const treeIndices: number[] = [];
    for (let t = w; t < treeCount; t += workers) treeIndices.push(t);
    const input: ForestWorkerInput = {
      rows: job.binned.rows,
      cols: job.binned.cols,
      codes,
      cuts: job.binned.cuts,
      y,
      ...(sampleWeights ? { sampleWeights } : {}),
      params: job.params,
      treeIndices,
      outOfBag: votes !== undefined,
    };
    runs.push(runWorker(input, trees, votes, treeDone));
  }
  await Promise.all(runs);
  return trees;
}

/** Runs one worker: the compiled forestWorker.js (from TypeScript source, the one under dist/). */
function runWorker(input: ForestWorkerInput, trees: GrownTree[], votes?: OutOfBagVotes, treeDone?: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const entry = workerEntryUrl(import.meta.url, 'forestWorker');
    const worker = new Worker(entry, { workerData: input });
    let received = 0;
    worker.on('message', (m: { treeIndex: number; tree: GrownTree; leaves?: Int32Array }) => {
      trees[m.treeIndex] = m.tree;
      if (votes && m.leaves) votes.add(m.treeIndex, m.tree, m.leaves);
      received++;
      treeDone?.();
    });
    worker.on('error', (err) => reject(workerStartError(err, entry)));
    worker.on('exit', (code) => {
      if (code === 0 && received === input.treeIndices.length) resolve();
      else reject(new Error(`forest worker exited with code ${code} after ${received} of ${input.treeIndices.length} trees`));
    });
  });
}
