// Golden tests of the human tables (client/stateTables.ts): each command's state at a fixed "now", compared with
// the text in test/client/golden/; ISO times with their age, never epoch milliseconds.

import { describe, expect, it } from 'vitest';
import {
  formatCanary,
  formatDecision,
  formatEvaluation,
  formatMonitor,
  formatSchedules,
  formatStatus,
  spanText,
  timeText,
} from '../../client/stateTables.js';
import { NOW_MS, canary, evaluation, evidence, monitor, multiClassCanary, schedules, waitingStatus } from './stateTableFixtures.js';

const golden = (name: string) => `./golden/${name}.txt`;
/** A run of 12 or more digits: an epoch-milliseconds time that leaked into a table. */
const EPOCH_MS = /\d{12,}/;

describe('human tables', () => {
  const idle = { ...waitingStatus, phase: 'idle' as const, currentRunId: undefined, pending: undefined, monitor: undefined };
  delete idle.awaitingApproval;
  const cases: Array<[string, string]> = [
    ['status-awaiting-approval', formatStatus(waitingStatus, NOW_MS)],
    ['status-idle', formatStatus(idle, NOW_MS)],
    [
      'status-failed',
      formatStatus(
        {
          ...idle,
          retrainCount: 2,
          history: [
            ...idle.history,
            {
              runId: 'rareflow-retrain-card-fraud-2',
              outcome: 'failed',
              trigger: 'drift',
              modelSha256: '',
              finishedAt: '2026-12-04T17:30:00.000Z',
              outcomeReason:
                'label column "is_fraud" not found in /data/new.csv; available columns: amount, fraud. Pass input.label with one of them',
            },
          ],
        },
        NOW_MS,
      ),
    ],
    [
      'approve',
      formatDecision(
        { model: 'card-fraud', run: evidence.runId, decision: 'approved', by: 'ana@host', at: '2026-12-04T17:59:30.000Z' },
        evidence,
        NOW_MS,
      ),
    ],
    ['canary-status', formatCanary(canary, NOW_MS)],
    ['canary-status-multiclass', formatCanary(multiClassCanary, NOW_MS)],
    [
      'status-lifecycle-ended',
      formatStatus({ ...idle, lifecycleEnded: 'cancelled', pending: { kind: 'manual', reason: 'nightly data', coalesced: 1 } }, NOW_MS),
    ],
    ['status-canary-multiclass', formatStatus({ ...idle, phase: 'retraining', canary: multiClassCanary }, NOW_MS)],
    ['monitor-status', formatMonitor(monitor, NOW_MS)],
    ['monitor-status-late-labels', formatMonitor({ ...monitor, labelDelayMs: 30 * 86_400_000 }, NOW_MS)],
    ['schedule-list', formatSchedules(schedules, NOW_MS)],
    ['evaluate', formatEvaluation(evaluation)],
  ];
  for (const [name, text] of cases) {
    it(`${name} matches its golden text and shows no epoch milliseconds`, async () => {
      await expect(`${text}\n`).toMatchFileSnapshot(golden(name));
      expect(text).not.toMatch(EPOCH_MS);
    });
  }

  it('says plainly when there is nothing to show', () => {
    expect(formatCanary({ model: 'card-fraud', canary: 'none running' }, NOW_MS)).toBe('model card-fraud: no canary rollout running');
    expect(formatSchedules({ schedules: [] }, NOW_MS)).toBe('no schedules');
  });

  it('writes times as ISO with their age, and ages as people say them', () => {
    expect(timeText('2026-12-04T17:57:00.000Z', NOW_MS)).toBe('2026-12-04T17:57:00Z (3m ago)');
    expect(timeText(NOW_MS + 90 * 60_000, NOW_MS)).toBe('2026-12-04T19:30:00Z (in 1h 30m)');
    expect(timeText(undefined, NOW_MS)).toBe('—');
    expect([45_000, 3_600_000, 90_000_000].map(spanText)).toEqual(['45s', '1h', '1d 1h']);
  });
});
