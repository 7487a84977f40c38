// Trains the forest's trees on several worker threads; the model is identical to `trainRandomForest`'s,
// because each tree's random stream depends only on (seed, tree index).

import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { LabelledData } from '../dataset.js';
import { InvalidInputError } from '../invalidInputError.js';
import type { GrownTree } from './forestTree.js';
import type { ForestWorkerInput } from './forestWorker.js';
import { assembleForest, prepareForestJob, type RandomForestModel, type RandomForestOptions } from './randomForest.js';

export interface ForestThreadOptions {
  /**
   * Worker threads growing trees; 1 grows them on the calling thread.
   * @default 2
   */
  threads?: number;
}

export async function trainRandomForestInWorkers(
  data: LabelledData,
  options: RandomForestOptions = {},
  threadOptions: ForestThreadOptions = {},
): Promise<RandomForestModel> {
  const threads = threadOptions.threads ?? 2;
  if (!Number.isInteger(threads) || threads < 1) {
    throw new InvalidInputError('threads', `threads: expected an integer ≥ 1, got ${String(threads)}`);
  }
  const job = prepareForestJob(data, options);
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
    };
    runs.push(runWorker(input, trees));
  }
  await Promise.all(runs);
  return assembleForest(job, trees);
}

function runWorker(input: ForestWorkerInput, trees: GrownTree[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(input);
    let received = 0;
    worker.on('message', (m: { treeIndex: number; tree: GrownTree }) => {
      trees[m.treeIndex] = m.tree;
      received++;
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      if (code === 0 && received === input.treeIndices.length) resolve();
      else reject(new Error(`forest worker exited with code ${code} after ${received} of ${input.treeIndices.length} trees`));
    });
  });
}

/**
 * From compiled dist/ the worker is forestWorker.js next to this file. Run from TypeScript source (vitest), Node
 * cannot load .ts in a worker by itself, so the worker first registers a loader hook that transpiles .ts with the
 * TypeScript compiler (a dev dependency, present wherever the source is).
 */
function startWorker(input: ForestWorkerInput): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./forestWorker.js', here), { workerData: input });
  const typescript = createRequire(fileURLToPath(here)).resolve('typescript');
  const hooks = `
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
const ts = createRequire(${JSON.stringify(typescript)})(${JSON.stringify(typescript)});
export async function resolve(specifier, context, next) {
  if (specifier.endsWith('.js') && context.parentURL?.endsWith('.ts')) {
    const url = new URL(specifier.slice(0, -3) + '.ts', context.parentURL);
    if (existsSync(fileURLToPath(url))) return { url: url.href, format: 'module', shortCircuit: true };
  }
  return next(specifier, context);
}
export async function load(url, context, next) {
  if (!url.endsWith('.ts')) return next(url, context);
  const source = await readFile(fileURLToPath(url), 'utf8');
  const options = { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 };
  return { format: 'module', source: ts.transpileModule(source, { compilerOptions: options }).outputText, shortCircuit: true };
}`;
  const entry = pathToFileURL(fileURLToPath(new URL('./forestWorker.ts', here))).href;
  const boot = `import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hooks)}));
await import(${JSON.stringify(entry)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), { workerData: input });
}
