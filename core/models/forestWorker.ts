// Worker-thread entry of the forest: grows the trees it is given on the shared binned matrix and posts each back.

import { parentPort, workerData } from 'node:worker_threads';
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
}

const input = workerData as ForestWorkerInput;
const binned = { rows: input.rows, cols: input.cols, codes: input.codes, cuts: input.cuts };
for (const treeIndex of input.treeIndices) {
  const tree = growTree(binned, input.y, input.params, treeIndex, input.sampleWeights);
  const buffers = [tree.feature.buffer, tree.threshold.buffer, tree.left.buffer, tree.right.buffer, tree.value.buffer] as ArrayBuffer[];
  parentPort!.postMessage({ treeIndex, tree }, buffers);
}
