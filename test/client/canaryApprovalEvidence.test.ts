// The listing of a canary that waits for a decision, over its status query's result: which approval it asks for
// (100% traffic, or going on after insufficient evidence), its windows with each class's recall of both arms, and
// how `status` prints it in place of the retrain's validation evidence.

import { describe, expect, it } from 'vitest';
import { canaryApprovalEvidence } from '../../client/canaryApprovalEvidence.js';
import { formatCanaryApprovalEvidence, formatDecision, formatStatus } from '../../client/stateTables.js';
import { canaryApprovalSection } from '../../infra/ui/approvalPages.js';
import type { CanaryRolloutStatus } from '../../workflows/contract.js';
import { NOW_MS, canary, waitingStatus } from './stateTableFixtures.js';

const RUN = 'rareflow-retrain-card-fraud-3';
/** The fixture's canary after its 50% window passed, waiting before 100%. */
const beforeFull: CanaryRolloutStatus = {
  ...canary,
  phase: 'awaiting-approval',
  step: 3,
  weight: 0.5,
  windows: [canary.windows[0]!, { ...canary.windows[0]!, step: 2, weight: 0.5, decision: 'promote' }],
};

describe('a canary waiting for a decision', () => {
  it('is not listed while it observes', () => {
    expect(canaryApprovalEvidence(RUN, canary)).toBeUndefined();
  });

  it('asks for full traffic when the step it waits at has no window yet, with both arms per class', () => {
    const e = canaryApprovalEvidence(RUN, beforeFull)!;
    expect(e).toMatchObject({ runId: RUN, stage: 'full-traffic', weight: 0.5, nextWeight: 1 });
    expect(e.windows[1]).toMatchObject({
      step: 2,
      champion: { labelled: 900, recall: { positive: 0.7, negative: 0.99 }, gMean: 0.83 },
      challenger: { labelled: 48, recall: { positive: 0.8, negative: 0.99 }, gMean: 0.89 },
    });
    expect(formatCanaryApprovalEvidence(e)).toBe(
      [
        `run ${RUN}: canary rareflow-retrain-card-fraud-3-canary asks to go from 50% to 100% traffic (challenger bbbbbbbbbbbb, champion aaaaaaaaaaaa)`,
        '  windows so far (champion/challenger):',
        '  step  weight  labelled  recall positive  recall negative  G-mean       decision',
        '  1     5%      900/48    0.700/0.800      0.990/0.990      0.830/0.890  promote',
        '  3     50%     900/48    0.700/0.800      0.990/0.990      0.830/0.890  promote',
      ].join('\n'),
    );
  });

  it('asks to go on after insufficient evidence at the step it observed, per class of a multi-class model', () => {
    const arm = (recall: Record<string, number | null>) => ({
      ...canary.windows[0]!.arms.champion,
      classRecall: recall,
      macroGMean: 0.5,
    });
    const thin: CanaryRolloutStatus = {
      ...canary,
      phase: 'awaiting-approval',
      step: 1,
      windows: [
        {
          ...canary.windows[0]!,
          step: 1,
          weight: 0.25,
          decision: 'insufficient-evidence',
          reasons: ['3 labelled rows of class c'],
          arms: { champion: arm({ a: 0.9, b: 0.8, c: null }), challenger: arm({ a: 0.95, b: 0.7, c: 0.5 }) },
        },
      ],
    };
    const e = canaryApprovalEvidence(RUN, thin)!;
    expect(e).toMatchObject({ stage: 'insufficient-evidence-step-2', nextWeight: 0.5 });
    expect(e.windows[0]!.challenger.recall).toEqual({ a: 0.95, b: 0.7, c: 0.5 });
    const text = formatCanaryApprovalEvidence(e);
    expect(text).toContain('asks to go on after insufficient evidence at step 2');
    expect(text).toContain('recall a     recall b     recall c');
    expect(text).toContain('0.900/0.950  0.800/0.700  —/0.500');
  });

  it('status prints the canary, not the validation evidence, with the command that decides it', () => {
    const text = formatStatus({ ...waitingStatus, awaitingCanaryApproval: canaryApprovalEvidence(RUN, beforeFull)! }, NOW_MS);
    expect(text).toContain(`waiting for approval: run ${RUN}: canary rareflow-retrain-card-fraud-3-canary asks to go from 50% to 100%`);
    expect(text).toContain(`  decide: rareflow approve|reject --model card-fraud --run ${RUN}`);
    expect(text).not.toContain('class       support');
  });

  it('approve prints the canary evidence before the decision', () => {
    const canaryEvidence = canaryApprovalEvidence(RUN, beforeFull)!;
    const text = formatDecision(
      { model: 'card-fraud', run: RUN, decision: 'approved', by: 'ana', at: '2026-12-04T17:59:00.000Z', canaryEvidence },
      undefined,
      NOW_MS,
    );
    expect(text.split('\n')[0]).toContain('asks to go from 50% to 100% traffic');
    expect(text.split('\n').at(-1)).toBe(`approved: run ${RUN} of model card-fraud by ana at 2026-12-04T17:59:00Z (1m ago)`);
  });

  it('the UI lists a recorded request with the recall of each class in both arms', () => {
    const window = {
      step: 0,
      weight: 0.25,
      decision: 'insufficient-evidence',
      arms: {
        champion: { labelled: 30, classRecall: { a: 0.9, b: null }, macroGMean: 0.4 },
        challenger: { labelled: 12, classRecall: { a: 0.95, b: 0.5 }, macroGMean: 0.6 },
      },
    };
    const html = canaryApprovalSection({
      runId: RUN,
      stage: 'insufficient-evidence-step-1',
      rolloutId: `${RUN}-canary`,
      requestedAt: '2026-12-04T17:00:00.000Z',
      windows: [window],
    }).toString();
    expect(html).toContain('the canary asks to go on after insufficient evidence at step 1');
    expect(html).toContain('<th>Recall a (champion / challenger)</th><th>Recall b (champion / challenger)</th>');
    expect(html).toContain('<td>30 / 12</td><td>0.900 / 0.950</td><td>— / 0.500</td><td>0.400 / 0.600</td>');
  });
});
