// Worker-thread entry of forest scoring: holds one compiled forest and scores the row ranges it is sent, reading
// the rows from and writing the scores to buffers shared with the calling thread.

import { parentPort, workerData } from 'node:worker_threads';
import { scoreCompiledForest, type CompiledForest } from './forestScoring.js';
import type { ForestScoringBuffer } from './forestScoringPool.js';

/** What `ForestScoringPool` hands a worker once. */
export interface ForestScoringWorkerInput {
  forest: CompiledForest;
  /** The pool's two batch buffers (shared memory). */
  buffers: ForestScoringBuffer[];
}

/** One range of one buffer to score; the worker answers with the same message when done. */
export interface ForestScoringRange {
  buffer: number;
  start: number;
  end: number;
}

const input = workerData as ForestScoringWorkerInput;
parentPort!.on('message', (range: ForestScoringRange) => {
  const { values, out } = input.buffers[range.buffer]!;
  scoreCompiledForest(input.forest, values, range.start, range.end, out);
  parentPort!.postMessage(range);
});
