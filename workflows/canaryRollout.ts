// Canary promotion of one challenger (ARCHITECTURE.md: serve the challenger at 5% → 25% → 50% → 100%; each step
// a durable timer, then canaryAnalysis on labelled feedback → promote | rollback). A child of the retrain.

import {
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  patched,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  awaitingApprovalSignal,
  canaryAbortSignal,
  canaryApprovalSignal,
  canaryPauseSignal,
  canaryResumeSignal,
  canaryStatusQuery,
  type ApprovalDecision,
  type CanaryPhase,
  type CanaryRolloutInput,
  type CanaryRolloutResult,
  type CanaryRolloutStatus,
  type CanaryWindow,
} from './contract.js';
import { computeActivities, pastCancellation, registryActivities } from './activityProxies.js';
import { DEFAULT_CANARY_STEPS } from '../core/canary/canarySteps.js';
import { innermostFailure } from './failureReason.js';

const compute = computeActivities({ startToCloseTimeout: '5 minutes', maximumAttempts: 10 });

const registry = registryActivities('30 minutes');

const DEFAULT_WINDOW_MS = 600_000;
const DEFAULT_MAX_EXTENSIONS = 3;
const DEFAULT_APPROVAL_TIMEOUT_MS = 86_400_000;

const noop = () => undefined;

export async function canaryRollout(input: CanaryRolloutInput): Promise<CanaryRolloutResult> {
  const rolloutId = workflowInfo().workflowId;
  const steps = [...(input.canary.steps ?? DEFAULT_CANARY_STEPS)];
  const windowMs = input.canary.windowMs ?? DEFAULT_WINDOW_MS;
  const maxExtensions = input.canary.maxExtensions ?? DEFAULT_MAX_EXTENSIONS;
  const windows: CanaryWindow[] = [];
  let phase: CanaryPhase = 'observing';
  let step = 0;
  let weight = 0;
  let paused = false;
  let pausedBy: string | undefined;
  let abort: { by: string; why: string } | undefined;
  let decision: ApprovalDecision | undefined;
  let awaiting = false;
  let reason: string | undefined;
  /** Set once the registry holds a weight for this rollout (and the scoring service may serve the challenger). */
  let weightRecorded = false;
  /** Steps that went on without enough evidence, and how. */
  const unjudged: string[] = [];
  // Histories from before: a pause held neither the weight nor the clock, an abort during the analysis or with an
  // approval was lost, and a failed analysis failed the rollout with the challenger still served. Replayed as then.
  const holds = patched('canary-holds-pause-abort-failure');

  setHandler(canaryPauseSignal, (by) => {
    paused = true;
    pausedBy = by;
  });
  setHandler(canaryResumeSignal, () => {
    paused = false;
    pausedBy = undefined;
  });
  setHandler(canaryAbortSignal, (by, why) => {
    abort ??= { by, why };
  });
  setHandler(canaryApprovalSignal, (d) => {
    if (awaiting && decision === undefined) decision = d;
  });
  setHandler(canaryStatusQuery, (): CanaryRolloutStatus => ({
    rolloutId,
    modelName: input.modelName,
    challengerSha256: input.challengerSha256,
    championSha256: input.championSha256,
    phase: paused && phase === 'observing' ? 'paused' : phase,
    steps,
    step,
    weight,
    windows,
    ...(reason ? { reason } : {}),
    ...(pausedBy ? { pausedBy } : {}),
  }));

  /** What names the rollout in the registry, first in every write of it. */
  const rolloutIds = { rolloutId, modelName: input.modelName, challengerSha256: input.challengerSha256 };
  const finish = async (outcome: 'promoted' | 'rolled-back', why: string, decidedBy?: string): Promise<CanaryRolloutResult> => {
    reason = why;
    // The end is written whole, past a cancellation that comes meanwhile: a promotion half-recorded would not be undone.
    await pastCancellation(() =>
      registry.registryFinishCanary({
        ...rolloutIds,
        runId: input.runId,
        status: outcome,
        reason: why,
        windows,
        at: new Date().toISOString(),
      }),
    );
    phase = outcome;
    if (outcome === 'rolled-back') weight = 0;
    return { outcome, reason: why, windows, ...(decidedBy ? { decidedBy } : {}) };
  };
  const aborted = () => finish('rolled-back', `aborted by ${abort!.by}${abort!.why ? `: ${abort!.why}` : ''}`, abort!.by);

  /** Waits for a human; the retrain relays approve/reject here. */
  const approval = async (stage: string): Promise<ApprovalDecision | 'timed-out' | 'aborted'> => {
    phase = 'awaiting-approval';
    awaiting = true;
    decision = undefined;
    // The registry lists the wait with its windows so far (the UI's approvals page reads only the registry).
    if (patched('canary-approval-request')) {
      await registry.registryRequestApproval({ runId: input.runId, rolloutId, stage, windows, at: new Date().toISOString() });
    }
    const parent = workflowInfo().parent;
    if (parent) await getExternalWorkflowHandle(parent.workflowId).signal(awaitingApprovalSignal, rolloutId);
    const got = await condition(
      () => decision !== undefined || abort !== undefined,
      input.approvalTimeoutMs ?? DEFAULT_APPROVAL_TIMEOUT_MS,
    );
    awaiting = false;
    phase = 'observing';
    // A decision that came with an abort is still recorded (its sender was told it was taken); the abort wins.
    if (abort && !(holds && decision)) return 'aborted';
    if (!got || !decision) return 'timed-out';
    const d: ApprovalDecision = decision;
    await registry.registryRecordApproval({
      runId: input.runId,
      stage,
      approved: d.approved,
      decidedBy: d.by,
      at: new Date().toISOString(),
      reason: d.why ?? null,
    });
    if (holds && abort) return 'aborted';
    return d;
  };

  /** Waits out one window; paused time does not count (the weight is held, and the window runs on after resume). */
  const observeWindow = async (): Promise<void> => {
    if (!holds) {
      await condition(() => abort !== undefined, windowMs);
      await condition(() => !paused || abort !== undefined);
      return;
    }
    let left = windowMs;
    while (left > 0 && abort === undefined) {
      if (paused) {
        await condition(() => !paused || abort !== undefined);
        continue;
      }
      const started = Date.now();
      await condition(() => abort !== undefined || paused, left);
      left -= Date.now() - started;
    }
  };

  /** The rollout from its first step to its end. */
  const rollout = async (): Promise<CanaryRolloutResult> => {
    const rolloutStartMs = Date.now();
    for (step = 0; step < steps.length; step++) {
      const stepWeight = steps[step]!;
      if (stepWeight >= 1 && input.canary.approveBeforeFull) {
        const d = await approval('full-traffic');
        if (d === 'aborted') return aborted();
        if (d === 'timed-out') return finish('rolled-back', 'no approval for 100% traffic before the approval timeout');
        if (!d.approved) return finish('rolled-back', `100% traffic rejected by ${d.by}${d.why ? `: ${d.why}` : ''}`, d.by);
      }
      if (holds) {
        // A paused rollout never raises the weight.
        await condition(() => !paused || abort !== undefined);
        if (abort) return aborted();
      }
      const fromMs = Date.now();
      weight = stepWeight;
      // Written whole, past a cancellation: a weight the registry holds is one the rollback knows of.
      await pastCancellation(() =>
        registry.registrySetCanary({
          ...rolloutIds,
          championSha256: input.championSha256,
          weight,
          step,
          sinceMs: fromMs,
          at: new Date(fromMs).toISOString(),
        }),
      );
      weightRecorded = true;
      for (let extension = 0; ; extension++) {
        // The durable timer of the window; a pause holds the weight and stops the clock until resumed.
        await observeWindow();
        if (abort) return aborted();
        const toMs = Date.now();
        const request = {
          modelName: input.modelName,
          championSha256: input.championSha256,
          challengerSha256: input.challengerSha256,
          fromMs,
          toMs,
          ...(weight >= 1 ? { championFromMs: rolloutStartMs } : {}),
          ...(input.canary.criteria ? { criteria: input.canary.criteria } : {}),
          ...(input.classes ? { classes: input.classes } : {}),
        };
        let analysis: Awaited<ReturnType<typeof compute.canaryAnalysis>>;
        if (!holds) analysis = await compute.canaryAnalysis(request);
        else {
          // An abort is taken while the analysis runs (or is retried), and a failed analysis rolls back: the
          // challenger never stays served by a rollout that has ended.
          const scope = new CancellationScope();
          const running = scope.run(() => compute.canaryAnalysis(request));
          await Promise.race([running.then(noop, noop), condition(() => abort !== undefined)]);
          if (abort) {
            scope.cancel();
            return aborted();
          }
          try {
            analysis = await running;
          } catch (err) {
            if (isCancellation(err)) throw err;
            return finish(
              'rolled-back',
              `step ${step + 1} at ${Math.round(weight * 100)}%: the canary analysis failed: ${innermostFailure(err)}`,
            );
          }
        }
        windows.push({
          step,
          weight,
          fromMs,
          toMs,
          extension,
          decision: analysis.decision,
          reasons: analysis.reasons,
          arms: analysis.arms,
        });
        if (holds && abort) return aborted();
        if (analysis.decision === 'rollback') {
          return finish('rolled-back', `step ${step + 1} at ${Math.round(weight * 100)}%: ${analysis.reasons.join('; ')}`);
        }
        if (analysis.decision === 'promote') break;
        if (extension < maxExtensions) continue;
        const onInsufficient = input.canary.onInsufficientEvidence ?? 'rollback';
        const why = `insufficient evidence at ${Math.round(weight * 100)}% after ${extension + 1} window(s): ${analysis.reasons.join('; ')}`;
        if (onInsufficient === 'rollback') return finish('rolled-back', why);
        if (onInsufficient === 'require-approval') {
          const d = await approval(`insufficient-evidence-step-${step + 1}`);
          if (d === 'aborted') return aborted();
          if (d === 'timed-out') return finish('rolled-back', `${why}; no decision before the approval timeout`);
          if (!d.approved) return finish('rolled-back', `${why}; rejected by ${d.by}${d.why ? `: ${d.why}` : ''}`, d.by);
          unjudged.push(`step ${step + 1} approved by ${d.by}`);
        } else unjudged.push(`step ${step + 1} by onInsufficientEvidence "promote"`);
        break;
      }
    }
    step = steps.length - 1;
    if (holds) {
      // Paused (or aborted) while the last window was judged: the promotion waits as a raised weight would.
      await condition(() => !paused || abort !== undefined);
      if (abort) return aborted();
    }
    const upTo = `${steps.length} step(s) up to ${Math.round(steps.at(-1)! * 100)}% over ${windows.length} window(s)`;
    return finish(
      'promoted',
      unjudged.length === 0 || !holds
        ? `passed ${upTo}`
        : `promoted after ${upTo} without enough evidence to judge ${unjudged.length} of them (${unjudged.join('; ')})`,
    );
  };

  try {
    return await rollout();
  } catch (err) {
    // Cancelled with its retrain (rareflow cancel, Temporal's UI): the challenger must not stay served by a rollout
    // that has ended, so a rollout that has set a weight is rolled back before the cancellation goes on. Histories
    // from before ended with the weight where it was.
    if (isCancellation(err) && weightRecorded && patched('canary-cancel-rolls-back')) {
      await CancellationScope.nonCancellable(() =>
        finish('rolled-back', 'cancelled before the rollout ended; the challenger is rolled back'),
      );
    }
    throw err;
  }
}
