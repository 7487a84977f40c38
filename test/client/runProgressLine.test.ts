// `run --wait` follows its own request: while that request waits behind a retrain that serves other requests (one
// retrain at a time per model), the stage on the line is the other retrain's, and the line says so. A query that no
// worker answers while the server does (the worker died) is said once and the wait goes on; without a server it ends.

import { describe, expect, it } from 'vitest';
import { RareflowClient, requestProgressLine } from '../../client/temporalClient.js';
import type { Client } from '@temporalio/client';
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

describe('run --wait when no worker answers', () => {
  const client = (queryFailures: number, serverUp: boolean, lifecycle = 'RUNNING') => {
    let queries = 0;
    const served = status({ phase: 'idle', history: [{ runId: 'r9', requestIds: ['mine'] } as never] });
    const fake = {
      workflow: {
        getHandle: () => ({
          query: async () => {
            if (queries++ < queryFailures) throw new Error('Failed to query Workflow');
            return served;
          },
          describe: async () => ({ status: { name: lifecycle } }),
        }),
      },
      workflowService: {
        getSystemInfo: async () => {
          if (!serverUp) throw new Error('14 UNAVAILABLE: connection refused');
          return {};
        },
      },
    };
    return new RareflowClient(fake as unknown as Client);
  };

  it('says once that no worker answers, and goes on waiting until the request is served', async () => {
    const said: string[] = [];
    const entry = await client(3, true).waitForRequest(
      'fraud',
      'mine',
      () => undefined,
      1,
      () => said.push('no worker'),
    );
    expect(entry.runId).toBe('r9');
    expect(said).toEqual(['no worker']);
  });

  it('gives up with the failure when the lifecycle has ended', async () => {
    await expect(
      client(1, true, 'TERMINATED').waitForRequest(
        'fraud',
        'mine',
        () => undefined,
        1,
        () => undefined,
      ),
    ).rejects.toThrow('Failed to query Workflow');
  });

  it('gives up with the failure when the server itself does not answer', async () => {
    await expect(
      client(1, false).waitForRequest(
        'fraud',
        'mine',
        () => undefined,
        1,
        () => undefined,
      ),
    ).rejects.toThrow('Failed to query Workflow');
  });
});
