// The long-running entity of one model: takes drift and retrain signals, runs one retrain at a time as a child
// workflow, coalesces signals that arrive meanwhile, relays approvals, and continues as new to bound its history.

import {
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  executeChild,
  getExternalWorkflowHandle,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  approvalUpdate,
  approveSignal,
  awaitingApprovalSignal,
  driftSignal,
  pipelineApprovalSignal,
  rejectSignal,
  retrainNowSignal,
  statusQuery,
  COMPUTE_TASK_QUEUE,
  type LifecycleInput,
  type LifecycleState,
  type LifecycleStatus,
  type RetrainResult,
  type RetrainTrigger,
} from './contract.js';
import { innermostFailure } from './failureReason.js';
import { retrainPipeline } from './retrainPipeline.js';

const HISTORY_KEPT = 20;

function mergeTrigger(pending: RetrainTrigger | undefined, next: Omit<RetrainTrigger, 'coalesced'>): RetrainTrigger {
  if (!pending) return { ...next, coalesced: 1 };
  // Coalesce: one retrain serves every signal queued during a run; the newest data paths win.
  const kind = pending.kind === 'drift' || next.kind === 'drift' ? 'drift' : next.kind;
  const dataPaths = next.dataPaths ?? pending.dataPaths;
  const metrics = pending.metrics || next.metrics ? { ...pending.metrics, ...next.metrics } : undefined;
  return {
    kind,
    reason: `${pending.reason}; ${next.reason}`,
    ...(dataPaths ? { dataPaths } : {}),
    ...(metrics ? { metrics } : {}),
    coalesced: pending.coalesced + 1,
  };
}

export async function modelLifecycle(input: LifecycleInput): Promise<void> {
  const state: LifecycleState = input.state ?? { retrainCount: 0, history: [], ignoredDecisions: 0, generation: 0 };
  const maxRetrainsPerRun = input.maxRetrainsPerRun ?? 50;
  let spec = input.spec;
  let phase: LifecycleStatus['phase'] = 'idle';
  let currentRunId: string | undefined;
  let retrainsThisRun = 0;

  if (!input.state && input.retrainOnStart !== false) {
    state.pending = mergeTrigger(undefined, { kind: 'initial', reason: 'lifecycle started' });
  }

  setHandler(driftSignal, (evidence) => {
    state.pending = mergeTrigger(state.pending, {
      kind: 'drift',
      reason: `drift from ${evidence.source}: ${evidence.reason}`,
      ...(evidence.dataPaths ? { dataPaths: evidence.dataPaths } : {}),
      ...(evidence.metrics ? { metrics: evidence.metrics } : {}),
    });
  });
  setHandler(retrainNowSignal, (reason, newSpec) => {
    // `rareflow run --config` on a running lifecycle: the edited spec is the one the next retrain uses.
    if (newSpec && newSpec.modelName === input.modelName) spec = newSpec;
    state.pending = mergeTrigger(state.pending, { kind: reason.startsWith('schedule') ? 'schedule' : 'manual', reason });
  });
  const relay = async (runId: string, approved: boolean, by: string, why?: string) => {
    if (phase !== 'awaiting-approval' || runId !== currentRunId) {
      state.ignoredDecisions += 1;
      return;
    }
    // One decision per request for approval: the run asks again (awaitingApproval) if it needs another.
    phase = 'retraining';
    await getExternalWorkflowHandle(runId).signal(pipelineApprovalSignal, { approved, by, ...(why ? { why } : {}) });
  };
  setHandler(awaitingApprovalSignal, (runId) => {
    if (runId === currentRunId) phase = 'awaiting-approval';
  });
  setHandler(approveSignal, (runId, by) => relay(runId, true, by));
  setHandler(rejectSignal, (runId, by, why) => relay(runId, false, by, why));
  // The same decision as an Update: the caller learns at once whether the run was waiting for it.
  setHandler(
    approvalUpdate,
    async (request) => {
      await relay(request.runId, request.approved, request.by, request.why);
      return { runId: request.runId, approved: request.approved, by: request.by, at: new Date().toISOString() };
    },
    {
      validator: (request) => {
        if (typeof request?.runId !== 'string' || typeof request.by !== 'string' || request.by.trim() === '') {
          throw new Error('an approval needs a run id and the approver\'s identity (by)');
        }
        if (phase !== 'awaiting-approval' || request.runId !== currentRunId) {
          throw new Error(
            `run ${request.runId} is not awaiting approval; ${phase === 'awaiting-approval' ? `the run awaiting approval is ${currentRunId}` : `model ${input.modelName} has no run awaiting approval (${phase})`}`,
          );
        }
      },
    },
  );
  setHandler(statusQuery, (): LifecycleStatus => ({
    modelName: input.modelName,
    phase,
    ...(currentRunId ? { currentRunId } : {}),
    ...(state.pending ? { pending: state.pending } : {}),
    retrainCount: state.retrainCount,
    ...(state.championSha256 ? { championSha256: state.championSha256 } : {}),
    history: state.history,
    ...(state.lastRetrainAt ? { lastRetrainAt: state.lastRetrainAt } : {}),
    continuedAsNewTimes: state.generation,
  }));

  for (;;) {
    await condition(() => state.pending !== undefined || retrainsThisRun >= maxRetrainsPerRun || workflowInfo().continueAsNewSuggested);
    if (state.pending === undefined) break;
    const trigger = state.pending;
    state.pending = undefined;
    state.retrainCount += 1;
    retrainsThisRun += 1;
    currentRunId = `rareflow-retrain-${input.modelName}-${state.retrainCount}-${workflowInfo().runId.slice(0, 8)}`;
    phase = 'retraining';
    const startedAt = new Date().toISOString();
    let result: RetrainResult | undefined;
    let failure: string | undefined;
    try {
      result = await executeChild(retrainPipeline, {
        workflowId: currentRunId,
        taskQueue: COMPUTE_TASK_QUEUE,
        args: [{ spec, trigger }],
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      });
    } catch (err) {
      // A failed retrain (bad data, exhausted retries) must not end the entity; it is recorded and the loop goes on.
      result = undefined;
      failure = innermostFailure(err);
    }
    const finishedAt = new Date().toISOString();
    state.history.push({
      runId: currentRunId,
      outcome: result ? result.outcome : 'failed',
      trigger: trigger.kind,
      modelSha256: result?.modelSha256 ?? '',
      reason: trigger.reason,
      coalesced: trigger.coalesced,
      startedAt,
      finishedAt,
      ...(result?.reason ? { outcomeReason: result.reason } : failure ? { outcomeReason: failure } : {}),
    });
    state.lastRetrainAt = finishedAt;
    if (state.history.length > HISTORY_KEPT) state.history.splice(0, state.history.length - HISTORY_KEPT);
    if (result?.outcome === 'promoted') state.championSha256 = result.modelSha256;
    phase = 'idle';
    currentRunId = undefined;
    if (retrainsThisRun >= maxRetrainsPerRun || workflowInfo().continueAsNewSuggested) break;
  }

  await condition(allHandlersFinished);
  await continueAsNew<typeof modelLifecycle>({ ...input, spec, state: { ...state, generation: state.generation + 1 } });
}
