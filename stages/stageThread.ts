// Runs a long stage (split, denoise, oversample, train, validate, drift reference) on a worker thread, so the calling thread's event loop stays free
// while it works: an activity's heartbeats and the worker's other tasks (queries, registry calls) go on meanwhile.

import { Worker } from 'node:worker_threads';
import { InvalidInputError } from '../core/invalidInputError.js';
import type { LabelledData } from '../core/dataset.js';
import { workerEntryUrl, workerStartError } from '../core/workerEntry.js';
import type { DenoiseOptions, DenoiseStageResult } from './denoise.js';
import type { DriftReferenceStageInput } from './driftReferenceStage.js';
import type { StoredReference } from './driftWindow.js';
import type { OversampleOptions, OversampleStageResult } from './oversample.js';
import type { SplitStageOptions, SplitStageResult, SplitStageSample } from './split.js';
import type { StageProgress } from './stageProgress.js';
import type { trainStage, TrainStageInput } from './train.js';
import type { ValidateStageInput, ValidateStageResult } from './validate.js';

/** What a stage thread is sent: the stage and its arguments (structured-cloned into the thread). */
export type StageThreadRequest =
  | { stage: 'split'; samples: SplitStageSample[]; options: SplitStageOptions }
  | { stage: 'denoise'; data: LabelledData; options: DenoiseOptions; weights: Float64Array | undefined }
  | { stage: 'oversample'; data: LabelledData; options: OversampleOptions; weights: Float64Array | undefined }
  | { stage: 'train'; input: TrainStageInput }
  | { stage: 'validate'; input: ValidateStageInput }
  | { stage: 'driftReference'; input: DriftReferenceStageInput };

interface StageThreadResults {
  split: SplitStageResult;
  denoise: DenoiseStageResult;
  oversample: OversampleStageResult;
  train: Awaited<ReturnType<typeof trainStage>>;
  validate: ValidateStageResult;
  driftReference: StoredReference;
}

/**
 * The stage's result, computed on a worker thread; `progress` is called on this thread with what the stage reports.
 * An InvalidInputError in the stage is rethrown here as one, with its subject. When `signal` aborts (the activity was
 * cancelled, e.g. after it missed its heartbeat timeout), the thread is stopped and the promise rejects.
 */
export function runStageInThread<R extends StageThreadRequest>(
  request: R,
  progress?: StageProgress,
  signal?: AbortSignal,
): Promise<StageThreadResults[R['stage']]> {
  const entry = workerEntryUrl(import.meta.url, 'stageThreadEntry');
  return new Promise((resolve, reject) => {
    const worker = new Worker(entry, { workerData: request });
    let settled = false;
    const stop = () => {
      if (settled) return;
      settled = true;
      reject(signal!.reason);
      void worker.terminate();
    };
    signal?.addEventListener('abort', stop, { once: true });
    worker.once('exit', () => signal?.removeEventListener('abort', stop));
    worker.on(
      'message',
      (m: { progress?: Record<string, unknown>; result?: unknown; error?: { name?: string; message: string; subject?: string } }) => {
        if (m.progress) progress?.(m.progress);
        else if (m.error) {
          settled = true;
          const e = m.error;
          reject(
            e.name === 'InvalidInputError'
              ? new InvalidInputError(e.subject ?? '', e.message)
              : Object.assign(new Error(e.message), { name: e.name ?? 'Error' }),
          );
        } else {
          settled = true;
          resolve(m.result as StageThreadResults[R['stage']]);
        }
      },
    );
    worker.on('error', (err) => {
      settled = true;
      reject(workerStartError(err, entry));
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`${request.stage} stage thread exited with code ${code} before it answered`));
    });
  });
}
