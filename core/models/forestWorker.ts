// Worker-thread entry of the forest: grows the trees it is given on the shared binned matrix and posts each back,
// with the leaf of each out-of-bag row when asked.

import { parentPort, workerData } from 'node:worker_threads';
import { outOfBagLeaves } from './forestOutOfBag.js';
import { growTree, type TreeGrowingParams } from './forestTree.js';

/** What `trainRandomForestInWorkers` hands a worker. */
export interface ForestWorkerInput {
  rows: number;
  cols: number;
  codes: Uint8Array;
  cuts: Float64Array[];
  y: Uint8Array;
  /** Per-row sample weights (shared memory), when the forest has them. */
  sampleWeights?: Float64Array;
  params: TreeGrowingParams;
  treeIndices: number[];
  /** Post each tree's out-of-bag leaves (`outOfBagLeaves`) with it. */
  outOfBag: boolean;
}

const input = workerData as ForestWorkerInput;
const binned = { rows: input.rows, cols: input.cols, codes: input.codes, cuts: input.cuts };
const inBag = input.outOfBag ? new Uint32Array(input.rows) : undefined;
for (const treeIndex of input.treeIndices) {
  const tree = growTree(binned, input.y, input.params, treeIndex, input.sampleWeights, inBag);
  const buffers = [tree.feature.buffer, tree.threshold.buffer, tree.left.buffer, tree.right.buffer, tree.value.buffer] as ArrayBuffer[];
  if (inBag) {
    const leaves = outOfBagLeaves(binned, tree, inBag);
    parentPort!.postMessage({ treeIndex, tree, leaves }, [...buffers, leaves.buffer as ArrayBuffer]);
  } else parentPort!.postMessage({ treeIndex, tree }, buffers);
}
