// `run --wait` follows its own request: while that request waits behind a retrain that serves other requests (one
// retrain at a time per model), the stage on the line is the other retrain's, and the line says so.

import { describe, expect, it } from 'vitest';
import { requestProgressLine } from '../../client/temporalClient.js';
import type { LifecycleStatus } from '../../workflows/contract.js';

const status = (over: Partial<LifecycleStatus>): LifecycleStatus => ({
  modelName: 'fraud',
  phase: 'retraining',
  retrainCount: 1,
  history: [],
  continuedAsNewTimes: 0,
  refused: [],
  ignoredDecisions: 0,
  ...over,
});
const queued = { kind: 'manual' as const, reason: 'mine', coalesced: 1, requestIds: ['other', 'mine'] };

describe('the progress line of run --wait', () => {
  it('names the stage of the retrain that serves this request', () => {
    expect(requestProgressLine(status({ currentRunId: 'r1' }), 'mine', 'train')).toBe('lifecycle retraining: train');
  });

  it('says the request is queued when the running retrain serves other requests', () => {
    expect(requestProgressLine(status({ currentRunId: 'r1', pending: queued }), 'mine', 'sample')).toBe(
      'lifecycle retraining: sample (another retrain; this request is queued and starts after it)',
    );
    expect(requestProgressLine(status({ phase: 'awaiting-approval', pending: queued }), 'mine', undefined)).toBe(
      'lifecycle awaiting-approval (another retrain; this request is queued and starts after it)',
    );
  });

  it('does not call an idle lifecycle, about to start the request, another retrain', () => {
    expect(requestProgressLine(status({ phase: 'idle', pending: queued }), 'mine', undefined)).toBe('lifecycle idle');
  });
});
