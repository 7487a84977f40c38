// Worker-thread entry of forest scoring: holds one compiled forest and scores the row ranges it is sent, reading
// the rows from and writing the scores to memory shared with the calling thread.

import { parentPort, workerData } from 'node:worker_threads';
import { scoreCompiledForest, type CompiledForest } from './forestScoring.js';

/** What `ForestScoringPool` hands a worker once. */
export interface ForestScoringWorkerInput {
  forest: CompiledForest;
  /** Row-major features of the batch being scored (shared). */
  values: Float64Array;
  /** Scores of the batch (shared). */
  out: Float64Array;
}

/** One range to score; the worker answers with the same message when done. */
export interface ForestScoringRange {
  start: number;
  end: number;
}

const input = workerData as ForestScoringWorkerInput;
parentPort!.on('message', (range: ForestScoringRange) => {
  scoreCompiledForest(input.forest, input.values, range.start, range.end, input.out);
  parentPort!.postMessage(range);
});
