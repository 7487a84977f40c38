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
import { retrainPipeline } from './retrainPipeline.js';

const HISTORY_KEPT = 20;

function mergeTrigger(pending: RetrainTrigger | undefined, next: Omit<RetrainTrigger, 'coalesced'>): RetrainTrigger {
  if (!pending) return { ...next, coalesced: 1 };
  // Coalesce: one retrain serves every signal queued during a run; the newest data paths win.
  const kind = pending.kind === 'drift' || next.kind === 'drift' ? 'drift' : next.kind;
  const dataPaths = next.dataPaths ?? pending.dataPaths;
  return {
    kind,
    reason: `${pending.reason}; ${next.reason}`,
    ...(dataPaths ? { dataPaths } : {}),
    coalesced: pending.coalesced + 1,
  };
}

export async function modelLifecycle(input: LifecycleInput): Promise<void> {
  const state: LifecycleState = input.state ?? { retrainCount: 0, history: [], ignoredDecisions: 0, generation: 0 };
  const maxRetrainsPerRun = input.maxRetrainsPerRun ?? 50;
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
    });
  });
  setHandler(retrainNowSignal, (reason) => {
    state.pending = mergeTrigger(state.pending, { kind: reason.startsWith('schedule') ? 'schedule' : 'manual', reason });
  });
  const relay = async (runId: string, approved: boolean, by: string, why?: string) => {
    if (phase !== 'awaiting-approval' || runId !== currentRunId) {
      state.ignoredDecisions += 1;
      return;
    }
    await getExternalWorkflowHandle(runId).signal(pipelineApprovalSignal, { approved, by, ...(why ? { why } : {}) });
  };
  setHandler(awaitingApprovalSignal, (runId) => {
    if (runId === currentRunId) phase = 'awaiting-approval';
  });
  setHandler(approveSignal, (runId, by) => relay(runId, true, by));
  setHandler(rejectSignal, (runId, by, why) => relay(runId, false, by, why));
  setHandler(statusQuery, (): LifecycleStatus => ({
    modelName: input.modelName,
    phase,
    ...(currentRunId ? { currentRunId } : {}),
    ...(state.pending ? { pending: state.pending } : {}),
    retrainCount: state.retrainCount,
    ...(state.championSha256 ? { championSha256: state.championSha256 } : {}),
    history: state.history,
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
    let result: RetrainResult | undefined;
    try {
      result = await executeChild(retrainPipeline, {
        workflowId: currentRunId,
        taskQueue: COMPUTE_TASK_QUEUE,
        args: [{ spec: input.spec, trigger }],
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      });
    } catch {
      // A failed retrain (bad data, exhausted retries) must not end the entity; it is recorded and the loop goes on.
      result = undefined;
    }
    state.history.push({
      runId: currentRunId,
      outcome: result ? result.outcome : 'failed',
      trigger: trigger.kind,
      modelSha256: result?.modelSha256 ?? '',
    });
    if (state.history.length > HISTORY_KEPT) state.history.splice(0, state.history.length - HISTORY_KEPT);
    if (result?.outcome === 'promoted') state.championSha256 = result.modelSha256;
    phase = 'idle';
    currentRunId = undefined;
    if (retrainsThisRun >= maxRetrainsPerRun || workflowInfo().continueAsNewSuggested) break;
  }

  await condition(allHandlersFinished);
  await continueAsNew<typeof modelLifecycle>({ ...input, state: { ...state, generation: state.generation + 1 } });
}
