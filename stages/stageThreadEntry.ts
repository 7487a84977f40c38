// Worker-thread entry of a long stage (stages/stageThread.ts): runs the named stage on the data it was sent, posts
// its progress (at most about once a second) and then its result or its error.

import { parentPort, workerData } from 'node:worker_threads';
import { InvalidInputError } from '../core/invalidInputError.js';
import { denoiseStage } from './denoise.js';
import { driftReferenceStage } from './driftReferenceStage.js';
import { oversampleStage } from './oversample.js';
import { splitStage } from './split.js';
import type { StageProgress } from './stageProgress.js';
import type { StageThreadRequest } from './stageThread.js';
import { trainMultiClassStage } from './multiClassTrain.js';
import { trainStage } from './train.js';
import { validateStage } from './validate.js';

/** Progress posts at most this often (ms): the main thread only needs a few per heartbeat interval. */
const PROGRESS_EVERY_MS = 1_000;

let lastPost = 0;
const progress: StageProgress = (details) => {
  const now = performance.now();
  if (now - lastPost < PROGRESS_EVERY_MS) return;
  lastPost = now;
  parentPort!.postMessage({ progress: details });
};

async function run(request: StageThreadRequest): Promise<unknown> {
  switch (request.stage) {
    case 'split':
      return splitStage(request.samples, request.options);
    case 'denoise':
      return denoiseStage(request.data, request.options, request.weights, progress);
    case 'oversample':
      return oversampleStage(request.data, request.options, request.weights, progress);
    case 'train':
      return request.input.classes
        ? trainMultiClassStage({ ...request.input, classes: request.input.classes }, progress)
        : trainStage(request.input, progress);
    case 'validate':
      return validateStage(request.input);
    case 'driftReference':
      return driftReferenceStage(request.input);
  }
}

try {
  parentPort!.postMessage({ result: await run(workerData as StageThreadRequest) });
} catch (err) {
  const e = err as Error;
  parentPort!.postMessage({
    error: { name: e?.name, message: e?.message ?? String(err), ...(err instanceof InvalidInputError ? { subject: err.subject } : {}) },
  });
}
