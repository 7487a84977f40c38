// The long-running entity of one model: takes drift and retrain signals, runs one retrain at a time as a child
// workflow, coalesces signals that arrive meanwhile, relays approvals, and continues as new to bound its history.

import {
  ApplicationFailure,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  makeContinueAsNewFunc,
  executeChild,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  patched,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  approvalUpdate,
  approvalWithdrawnSignal,
  approveSignal,
  awaitingApprovalSignal,
  driftSignal,
  pipelineApprovalSignal,
  rejectSignal,
  retrainNowSignal,
  statusQuery,
  WORKFLOWS_TASK_QUEUE,
  canaryWorkflowId,
  type LifecycleInput,
  type LifecycleState,
  type LifecycleStatus,
  type RetrainResult,
} from './contract.js';
import { innermostFailure, isInputRefusal } from './failureReason.js';
import { driftEvidenceProblem, mergeTrigger, retrainRequestOf, withRefusal } from './lifecycleMessages.js';
import { retrainPipeline } from './retrainPipeline.js';
import { registryActivities } from './activityProxies.js';

const HISTORY_KEPT = 20;

const registry = registryActivities('10 minutes');

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

  // Signal handlers never throw (a throwing handler would fail the workflow task or the entity): a bad payload,
  // or a decision with nowhere to go, is recorded in the status and ignored.
  const refuse = (message: string, reason: string) => {
    state.refused = withRefusal(state.refused, { message, reason: `${message}: ${reason}`, at: new Date().toISOString() });
    log.warn('lifecycle refused a message', { modelName: input.modelName, message, reason });
  };
  setHandler(driftSignal, (evidence) => {
    const problem = driftEvidenceProblem(evidence);
    if (problem) return refuse('drift', problem);
    state.pending = mergeTrigger(state.pending, {
      kind: 'drift',
      reason: `drift from ${evidence.source}: ${evidence.reason}`,
      ...(evidence.dataPaths ? { dataPaths: evidence.dataPaths } : {}),
      ...(evidence.metrics ? { metrics: evidence.metrics } : {}),
    });
  });
  setHandler(retrainNowSignal, (payload, legacySpec) => {
    const checked = retrainRequestOf(payload, legacySpec, input.modelName);
    if ('problem' in checked) return refuse('retrainNow', checked.problem);
    const { request } = checked;
    // `rareflow run --config` on a running lifecycle: the edited spec is the one the next retrain uses. The trigger
    // names the request that brought it, so a sender whose spec a newer one replaced learns it (rareflow run --wait).
    if (request.spec) {
      // The spec in force stays at hand until a retrain with the new one gets past its input checks.
      if (!state.specBeforeRequest && !state.pending?.specRequestId && spec) state.specBeforeRequest = spec;
      spec = request.spec;
    }
    const requestId = typeof request.requestId === 'string' && request.requestId !== '' ? request.requestId : undefined;
    state.pending = mergeTrigger(state.pending, {
      kind: request.trigger,
      reason: request.reason,
      ...(requestId ? { requestIds: [requestId] } : {}),
      ...(request.spec ? { specRequestId: requestId ?? '' } : {}),
    });
  });
  /** Relays a decision to the run awaiting it; returns why it could not, or undefined once relayed. */
  const relay = async (runId: string, approved: boolean, by: string, why?: string): Promise<string | undefined> => {
    if (phase !== 'awaiting-approval' || runId !== currentRunId) {
      state.ignoredDecisions += 1;
      return `run ${runId} is not awaiting approval`;
    }
    // One decision per request for approval: the run asks again (awaitingApproval) if it needs another.
    phase = 'retraining';
    try {
      await getExternalWorkflowHandle(runId).signal(pipelineApprovalSignal, { approved, by, ...(why ? { why } : {}) });
      return undefined;
    } catch (err) {
      // The run ended meanwhile (timed out, cancelled): the decision has no one to go to.
      return `run ${runId} did not take the decision: ${innermostFailure(err)}`;
    }
  };
  const decisionProblem = (runId: unknown, by: unknown) =>
    typeof runId !== 'string' || typeof by !== 'string' || by.trim() === ''
      ? "an approval needs a run id and the approver's identity (by)"
      : undefined;
  setHandler(awaitingApprovalSignal, (runId) => {
    if (runId === currentRunId) phase = 'awaiting-approval';
  });
  setHandler(approvalWithdrawnSignal, (runId) => {
    if (runId === currentRunId && phase === 'awaiting-approval') phase = 'retraining';
  });
  setHandler(approveSignal, async (runId, by) => {
    const problem = decisionProblem(runId, by) ?? (await relay(runId, true, by));
    if (problem) refuse('approve', problem);
  });
  setHandler(rejectSignal, async (runId, by, why) => {
    const problem = decisionProblem(runId, by) ?? (await relay(runId, false, by, typeof why === 'string' ? why : undefined));
    if (problem) refuse('reject', problem);
  });
  // The same decision as an Update: the caller learns at once whether the run was waiting for it.
  setHandler(
    approvalUpdate,
    async (request) => {
      const problem = await relay(request.runId, request.approved, request.by, request.why);
      // An update fails with an ApplicationFailure (never a plain Error, which would fail the workflow task).
      if (problem) throw ApplicationFailure.nonRetryable(problem, 'ApprovalNotRelayed');
      return { runId: request.runId, approved: request.approved, by: request.by, at: new Date().toISOString() };
    },
    {
      validator: (request) => {
        const problem = decisionProblem(request?.runId, request?.by);
        if (problem) throw new Error(problem);
        if (typeof request.approved !== 'boolean')
          throw new Error(`approved must be true or false, got ${JSON.stringify(request.approved)}`);
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
    refused: state.refused ?? [],
    ignoredDecisions: state.ignoredDecisions,
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
    let cancelled = false;
    let specNotKept = false;
    let inputRefused = false;
    // The spec this retrain runs with, and the one before it when a run request brought it.
    const ranWith = spec;
    const before = trigger.specRequestId !== undefined ? state.specBeforeRequest : undefined;
    if (trigger.specRequestId !== undefined) delete state.specBeforeRequest;
    try {
      result = await executeChild(retrainPipeline, {
        workflowId: currentRunId,
        taskQueue: WORKFLOWS_TASK_QUEUE,
        args: [{ spec, trigger }],
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      });
    } catch (err) {
      // A failed retrain (bad data, exhausted retries) must not end the entity; it is recorded and the loop goes on.
      result = undefined;
      // Cancelled (rareflow cancel, Temporal's UI): the retrain finished its records as cancelled; the loop goes on.
      cancelled = isCancellation(err);
      failure = cancelled ? 'cancelled before it ended' : innermostFailure(err);
      inputRefused = !cancelled && isInputRefusal(err);
      // A request's spec refused as bad input is not kept: the model's next retrains (schedule, drift) use the spec
      // before it, unless a newer request replaced it meanwhile.
      if (before && spec === ranWith && isInputRefusal(err)) {
        spec = before;
        specNotKept = true;
      } else if (before && state.specBeforeRequest === ranWith && isInputRefusal(err)) state.specBeforeRequest = before;
      // A retrain that ended without its own cleanup (terminated, out of time) may leave its run 'running' and its
      // canary serving the challenger: closed here. A failure to close is logged, never the end of the entity.
      if (!cancelled && patched('close-abandoned-runs')) {
        const at = new Date().toISOString();
        const reason = `the retrain ended without closing its records (${failure})`;
        try {
          const closed = await registry.registryCloseAbandonedRun({
            runId: currentRunId,
            rolloutId: canaryWorkflowId(currentRunId),
            modelName: input.modelName,
            reason,
            at,
          });
          if (closed.canaryRolledBack) failure = `${failure}; its canary was rolled back`;
        } catch (closeErr) {
          log.warn('lifecycle could not close the records of an ended retrain', { runId: currentRunId, error: innermostFailure(closeErr) });
        }
      }
    }
    const finishedAt = new Date().toISOString();
    state.history.push({
      runId: currentRunId,
      outcome: result ? result.outcome : cancelled ? 'cancelled' : 'failed',
      trigger: trigger.kind,
      modelSha256: result?.modelSha256 ?? '',
      reason: trigger.reason,
      coalesced: trigger.coalesced,
      startedAt,
      finishedAt,
      ...(result?.reason ? { outcomeReason: result.reason } : failure ? { outcomeReason: failure } : {}),
      ...(trigger.requestIds ? { requestIds: trigger.requestIds } : {}),
      ...(trigger.specRequestId !== undefined ? { specRequestId: trigger.specRequestId } : {}),
      ...(specNotKept ? { specNotKept } : {}),
      ...(inputRefused ? { inputRefused } : {}),
      ...(trigger.dataPaths ? { dataPaths: trigger.dataPaths } : {}),
    });
    state.lastRetrainAt = finishedAt;
    if (state.history.length > HISTORY_KEPT) state.history.splice(0, state.history.length - HISTORY_KEPT);
    if (result?.outcome === 'promoted') state.championSha256 = result.modelSha256;
    phase = 'idle';
    currentRunId = undefined;
    if (retrainsThisRun >= maxRetrainsPerRun || workflowInfo().continueAsNewSuggested) break;
  }

  await condition(allHandlersFinished);
  // The next run lives on the workflows queue, also when this one was started on the compute queue (before it had its own).
  await makeContinueAsNewFunc<typeof modelLifecycle>({ taskQueue: WORKFLOWS_TASK_QUEUE })({
    ...input,
    spec,
    state: { ...state, generation: state.generation + 1 },
  });
}
