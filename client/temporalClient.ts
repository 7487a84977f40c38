// A typed client for rareflow's workflows: start or signal a model's lifecycle, query it, await its retrains.

import {
  CancelledFailure,
  Client,
  Connection,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type WorkflowHandle,
} from '@temporalio/client';
import { connectionFailure, connectionOptions, type TemporalTarget } from '../infra/temporalServer.js';
import {
  WORKFLOWS_TASK_QUEUE,
  approvalUpdate,
  approvalWithdrawnSignal,
  canaryAbortSignal,
  canaryPauseSignal,
  canaryResumeSignal,
  canaryStatusQuery,
  canaryWorkflowId,
  driftMonitorWorkflowId,
  driftSignal,
  lifecycleWorkflowId,
  monitorStatusQuery,
  pipelineStageQuery,
  retrainNowSignal,
  statusQuery,
  type ApprovalReceipt,
  type CanaryRolloutResult,
  type CanaryRolloutStatus,
  type DriftEvidence,
  type DriftMonitorStatus,
  type LifecycleHistoryEntry,
  type LifecycleInput,
  type LifecycleStatus,
  type PipelineSpec,
  type RetrainRequest,
  type RetrainResult,
} from '../workflows/contract.js';
import type { modelLifecycle } from '../workflows/modelLifecycle.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import { checkPipelineSpecShape } from './pipelineSpec.js';
import { awaitAbortedRollout, refuseLateAbort, refuseUnchangedHold } from './canaryControlChecks.js';

export async function connectClient(target: TemporalTarget): Promise<Client> {
  let connection: Connection;
  try {
    connection = await Connection.connect(connectionOptions(target));
  } catch (err) {
    throw connectionFailure(target, err);
  }
  return new Client({ connection, namespace: target.namespace });
}

/** What `rareflow cancel` did: the run ended cancelled, or the cancel is with Temporal until a worker takes it. */
export interface RetrainCancellation {
  model: string;
  run: string;
  outcome: 'cancelled' | 'cancel-requested';
  /** The stage the run was in when the cancel was sent. */
  stage?: string;
  /** A canary rollout was running: the cancel rolls it back (the champion alone served again). */
  canaryRolledBack?: boolean;
  /** The reason of a request that waits to start: the lifecycle runs it next. */
  pending?: string;
}

export class RareflowClient {
  constructor(readonly client: Client) {}

  lifecycle(modelName: string): WorkflowHandle<typeof modelLifecycle> {
    return this.client.workflow.getHandle<typeof modelLifecycle>(lifecycleWorkflowId(modelName));
  }

  /**
   * Starts the model's lifecycle if needed and asks it for a retrain (signalWithStart). `requestId` names the request,
   * so waitForRequest can find the retrain that served it.
   */
  async retrain(
    spec: PipelineSpec,
    reason: string,
    extra: Partial<LifecycleInput> = {},
    requestId?: string,
  ): Promise<WorkflowHandle<typeof modelLifecycle>> {
    // Checked against the one spec schema before anything is sent, so no workflow starts on a spec it would refuse.
    checkPipelineSpecShape(spec, 'pipeline spec');
    // The spec travels with the signal too, so a lifecycle that is already running retrains with the edited spec.
    return this.client.workflow.signalWithStart<typeof modelLifecycle, [RetrainRequest | string, PipelineSpec?]>('modelLifecycle', {
      workflowId: lifecycleWorkflowId(spec.modelName),
      taskQueue: WORKFLOWS_TASK_QUEUE,
      args: [{ modelName: spec.modelName, spec, retrainOnStart: false, ...extra }],
      signal: retrainNowSignal,
      signalArgs: [{ trigger: 'manual', reason, spec, ...(requestId ? { requestId } : {}) }],
    });
  }

  async status(modelName: string): Promise<LifecycleStatus> {
    try {
      return await this.lifecycle(modelName).query(statusQuery);
    } catch (err) {
      throw this.notFound(err, modelName);
    }
  }

  async drift(modelName: string, evidence: DriftEvidence): Promise<void> {
    try {
      await this.lifecycle(modelName).signal(driftSignal, evidence);
    } catch (err) {
      throw this.notFound(err, modelName);
    }
  }

  /**
   * Approve or reject the run awaiting a decision, as an Update: the lifecycle's validator rejects a run that is
   * not waiting, so the caller learns it at once; the receipt carries the workflow time of the decision.
   */
  async decide(modelName: string, runId: string, approved: boolean, by: string, why?: string): Promise<ApprovalReceipt> {
    try {
      return await this.lifecycle(modelName).executeUpdate(approvalUpdate, { args: [{ runId, approved, by, ...(why ? { why } : {}) }] });
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        const message = err.cause instanceof Error ? err.cause.message : err.message;
        throw new InvalidInputError('--run', `--run: ${message}`);
      }
      throw this.notFound(err, modelName);
    }
  }

  /**
   * Cancels the model's running retrain and waits (up to `waitMs`) for it to end: a canary it runs is rolled back and
   * the registry records the run as cancelled. Refused when no retrain runs, or when it ended before the cancel came.
   */
  async cancelRetrain(modelName: string, o: { run?: string; waitMs?: number } = {}): Promise<RetrainCancellation> {
    const status = await this.status(modelName);
    const runId = status.currentRunId;
    // --run: this run only, so a cancel sent twice (a retried script) never stops the request that ran next.
    if (o.run !== undefined && runId !== o.run) {
      // A run id names its model (modelLifecycle.ts): one of another model is said as such, not as "not running".
      const ofModel = new RegExp(`^rareflow-retrain-${modelName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-\\d+(-|$)`);
      if (/^rareflow-retrain-/.test(o.run) && !ofModel.test(o.run))
        throw new InvalidInputError(
          '--run',
          `--run: ${o.run} is not a retrain of model "${modelName}" (its retrains are named rareflow-retrain-${modelName}-N-…); pass the --model it belongs to`,
        );
      throw new InvalidInputError(
        '--run',
        `--run: retrain ${o.run} of model "${modelName}" is not running (${runId ? `the running one is ${runId}` : status.phase}); see rareflow status --model ${modelName}`,
      );
    }
    const pending = status.pending ? { pending: status.pending.reason } : {};
    if (!runId) {
      throw new InvalidInputError(
        '--model',
        `--model: no retrain of model "${modelName}" is running (${status.phase}${status.pending ? '; a request waits to start' : ''}); see rareflow status --model ${modelName}`,
      );
    }
    const handle = this.client.workflow.getHandle(runId);
    // What the run was doing, said with the answer: a canary it runs is rolled back.
    const stage = await this.retrainStage(runId);
    const canary = await this.canaryOfRun(runId);
    const canaryRunning = canary !== undefined && canary.phase !== 'promoted' && canary.phase !== 'rolled-back';
    const ended = async (): Promise<RetrainResult | { cancelled: true } | { failed: string }> => {
      try {
        return (await handle.result()) as RetrainResult;
      } catch (err) {
        if (!(err instanceof WorkflowFailedError)) throw err; // the server went away: not an end of the run
        if (err.cause instanceof CancelledFailure) return { cancelled: true };
        return { failed: err.cause?.message ?? err.message };
      }
    };
    try {
      await handle.cancel();
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    const end = await Promise.race([
      ended(),
      new Promise<undefined>((done) => setTimeout(() => done(undefined), o.waitMs ?? 60_000).unref()),
    ]);
    const answer = {
      model: modelName,
      run: runId,
      ...(stage ? { stage } : {}),
      ...(canaryRunning ? { canaryRolledBack: true } : {}),
      ...pending,
    };
    if (end === undefined) return { ...answer, outcome: 'cancel-requested' };
    if ('cancelled' in end) return { ...answer, outcome: 'cancelled' };
    const how = 'failed' in end ? `failed: ${end.failed}` : `${end.outcome}${end.reason ? `: ${end.reason}` : ''}`;
    throw new InvalidInputError(
      '--model',
      `--model: retrain ${runId} of model "${modelName}" ended before the cancel took effect (${how}); see rareflow status --model ${modelName}`,
    );
  }

  /** The canary rollout of the model's current retrain, or undefined when none is running. */
  async canary(modelName: string): Promise<CanaryRolloutStatus | undefined> {
    const status = await this.status(modelName);
    return status.currentRunId ? this.canaryOfRun(status.currentRunId) : undefined;
  }

  /** The canary rollout of retrain `runId`, or undefined when it has none. */
  private async canaryOfRun(runId: string): Promise<CanaryRolloutStatus | undefined> {
    try {
      return await this.client.workflow.getHandle(canaryWorkflowId(runId)).query(canaryStatusQuery);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  }

  /** The health of the model's running drift monitor (failed steps, the latest failure), or undefined when none runs. */
  async monitorHealth(modelName: string): Promise<Pick<DriftMonitorStatus, 'windowsChecked' | 'errorCount' | 'lastError'> | undefined> {
    const handle = this.client.workflow.getHandle(driftMonitorWorkflowId(modelName));
    try {
      if ((await handle.describe()).status.name !== 'RUNNING') return undefined;
      const s = await handle.query(monitorStatusQuery);
      return { windowsChecked: s.windowsChecked, errorCount: s.errorCount ?? 0, lastError: s.lastError ?? null };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  }

  /** Pause, resume or abort the model's running canary. */
  async controlCanary(modelName: string, action: 'pause' | 'resume' | 'abort', by: string, why?: string): Promise<CanaryRolloutStatus> {
    // The run is read once: the canary is its child, and an abort below names it to the lifecycle.
    const runId = (await this.status(modelName)).currentRunId;
    const current = runId ? await this.canaryOfRun(runId) : undefined;
    if (!current || current.phase === 'promoted' || current.phase === 'rolled-back') {
      throw new InvalidInputError('--model', `model ${modelName} has no canary rollout running; see rareflow status --model ${modelName}`);
    }
    refuseUnchangedHold(modelName, current, action);
    const handle = this.client.workflow.getHandle(current.rolloutId);
    if (action === 'pause') await handle.signal(canaryPauseSignal, by);
    else if (action === 'resume') await handle.signal(canaryResumeSignal, by);
    else {
      // A canary waiting for a decision: its run stops awaiting one first, so an approval sent from now on is refused
      // (it was answered as taken, and dropped by the aborted rollout). One sent just before is recorded; the abort wins.
      if (current.phase === 'awaiting-approval') await this.lifecycle(modelName).signal(approvalWithdrawnSignal, runId!);
      try {
        await handle.signal(canaryAbortSignal, by, why ?? 'aborted');
      } catch (err) {
        // The rollout ended between the status read and the signal: said with its outcome, not as a Temporal error.
        if (!(err instanceof WorkflowNotFoundError)) throw err;
        const ended = await (handle.result() as Promise<CanaryRolloutResult>).catch(() => undefined);
        refuseLateAbort(modelName, ended);
        throw new InvalidInputError(
          '--model',
          `canary abort: the rollout of ${modelName} had ended before the abort came${ended ? ` (${ended.outcome}: ${ended.reason})` : ''}`,
        );
      }
      await awaitAbortedRollout(modelName, handle.result() as Promise<CanaryRolloutResult>);
    }
    return handle.query(canaryStatusQuery);
  }

  async retrainResult(runId: string): Promise<RetrainResult> {
    return this.client.workflow.getHandle(runId).result() as Promise<RetrainResult>;
  }

  async retrainStage(runId: string): Promise<string | undefined> {
    try {
      return await this.client.workflow.getHandle(runId).query(pipelineStageQuery);
    } catch {
      return undefined;
    }
  }

  /** Waits until the lifecycle has run `count` retrains in all and is idle, reporting its phase and the running stage. */
  waitForRetrains(
    modelName: string,
    count: number,
    onProgress: (s: LifecycleStatus, stage?: string) => void,
    pollMs = 500,
  ): Promise<LifecycleStatus> {
    return this.pollLifecycle(modelName, onProgress, pollMs, async (s) =>
      s.retrainCount >= count && s.phase === 'idle' && !s.pending ? s : undefined,
    );
  }

  /**
   * Waits until the lifecycle has finished the retrain that served request `requestId` (one coalesced with others, or
   * its own), and returns that retrain's history entry.
   */
  waitForRequest(
    modelName: string,
    requestId: string,
    onProgress: (s: LifecycleStatus, stage?: string) => void,
    pollMs = 500,
    onNoWorker?: () => void,
  ): Promise<LifecycleHistoryEntry> {
    return this.pollLifecycle(
      modelName,
      onProgress,
      pollMs,
      async (s) => {
        const served = s.history.find((h) => h.requestIds?.includes(requestId));
        if (served) return served;
        // A lifecycle that ended (terminated, cancelled) will never serve the request: say so instead of waiting forever.
        const { status } = await this.lifecycle(modelName).describe();
        if (status.name !== 'RUNNING' && status.name !== 'CONTINUED_AS_NEW') {
          throw new Error(
            `the lifecycle of model ${modelName} ended (${status.name.toLowerCase()}) before a retrain served this request; start it again with rareflow run --config PIPELINE.json`,
          );
        }
        return undefined;
      },
      onNoWorker,
    );
  }

  /**
   * Polls the lifecycle's status until `done` gives a value, reporting each new phase, stage or history length. A
   * query no worker answers (the worker died, or was stopped) fails while the server is fine: that is said once
   * (`onNoWorker`) and the polling goes on, since the retrain continues when a worker is back.
   */
  private async pollLifecycle<T>(
    modelName: string,
    onProgress: (s: LifecycleStatus, stage?: string) => void,
    pollMs: number,
    done: (s: LifecycleStatus) => Promise<T | undefined>,
    onNoWorker?: () => void,
  ): Promise<T> {
    let last = '';
    let saidNoWorker = false;
    for (;;) {
      let s: LifecycleStatus;
      try {
        s = await this.status(modelName);
      } catch (err) {
        // Waiting on is for a running lifecycle on a server that answers; anything else ends the wait with the failure.
        if (err instanceof InvalidInputError || !(await this.serverAnswers()) || !(await this.lifecycleRuns(modelName))) throw err;
        if (!saidNoWorker) onNoWorker?.();
        saidNoWorker = true;
        await new Promise((r) => setTimeout(r, pollMs));
        continue;
      }
      saidNoWorker = false;
      const stage = s.currentRunId ? await this.retrainStage(s.currentRunId) : undefined;
      const key = `${s.phase}|${stage ?? ''}|${s.history.length}|${s.pending?.requestIds?.join(',') ?? ''}`;
      if (key !== last) {
        onProgress(s, stage);
        last = key;
      }
      const value = await done(s);
      if (value !== undefined) return value;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }

  /** Whether the model's lifecycle workflow is running (false when it ended, or cannot be described). */
  private async lifecycleRuns(modelName: string): Promise<boolean> {
    try {
      return (await this.lifecycle(modelName).describe()).status.name === 'RUNNING';
    } catch {
      return false;
    }
  }

  /** Whether the server itself answers (a query can fail for want of a worker while it does). */
  private async serverAnswers(): Promise<boolean> {
    try {
      await this.client.workflowService.getSystemInfo({});
      return true;
    } catch {
      return false;
    }
  }

  private notFound(err: unknown, modelName: string): unknown {
    if (err instanceof WorkflowNotFoundError || (err as { name?: string })?.name === 'WorkflowNotFoundError') {
      return new InvalidInputError(
        '--model',
        `--model: no lifecycle is running for model "${modelName}"; start one with rareflow run --config PIPELINE.json`,
      );
    }
    return err;
  }
}

/**
 * The progress line of `run --wait`: the running retrain's stage, or, while this request waits behind a retrain that
 * serves other requests (one retrain at a time per model), that it is queued, so the stage shown is not taken for its own.
 */
export function requestProgressLine(s: LifecycleStatus, requestId: string, stage: string | undefined): string {
  const line = `lifecycle ${s.phase}${stage ? `: ${stage}` : ''}`;
  if (s.phase === 'idle' || !s.pending?.requestIds?.includes(requestId)) return line;
  return `${line} (another retrain; this request is queued and starts after it)`;
}
