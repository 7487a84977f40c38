// A typed client for rareflow's workflows: start or signal a model's lifecycle, query it, await its retrains.

import { Client, Connection, WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import type { TemporalTarget } from '../infra/temporalServer.js';
import {
  COMPUTE_TASK_QUEUE,
  approveSignal,
  driftSignal,
  lifecycleWorkflowId,
  pipelineStageQuery,
  rejectSignal,
  retrainNowSignal,
  statusQuery,
  type DriftEvidence,
  type LifecycleInput,
  type LifecycleStatus,
  type PipelineSpec,
  type RetrainResult,
} from '../workflows/contract.js';
import type { modelLifecycle } from '../workflows/modelLifecycle.js';
import { InvalidInputError } from '../core/invalidInputError.js';

export async function connectClient(target: TemporalTarget): Promise<Client> {
  const connection = await Connection.connect({
    address: target.address,
    ...(target.tls ? { tls: target.tls } : {}),
    ...(target.apiKey ? { apiKey: target.apiKey } : {}),
  });
  return new Client({ connection, namespace: target.namespace });
}

export class RareflowClient {
  constructor(readonly client: Client) {}

  lifecycle(modelName: string): WorkflowHandle<typeof modelLifecycle> {
    return this.client.workflow.getHandle<typeof modelLifecycle>(lifecycleWorkflowId(modelName));
  }

  /** Starts the model's lifecycle if needed and asks it for a retrain (signalWithStart). */
  async retrain(spec: PipelineSpec, reason: string, extra: Partial<LifecycleInput> = {}): Promise<WorkflowHandle<typeof modelLifecycle>> {
    return this.client.workflow.signalWithStart<typeof modelLifecycle, [string]>('modelLifecycle', {
      workflowId: lifecycleWorkflowId(spec.modelName),
      taskQueue: COMPUTE_TASK_QUEUE,
      args: [{ modelName: spec.modelName, spec, retrainOnStart: false, ...extra }],
      signal: retrainNowSignal,
      signalArgs: [reason],
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

  async decide(modelName: string, runId: string, approved: boolean, by: string, why?: string): Promise<void> {
    const status = await this.status(modelName);
    if (status.phase !== 'awaiting-approval' || status.currentRunId !== runId) {
      const waiting = status.phase === 'awaiting-approval' ? `run ${status.currentRunId} is waiting for approval` : 'no run is waiting for approval';
      throw new InvalidInputError('--run', `--run: ${runId} is not awaiting approval for model ${modelName}; ${waiting}`);
    }
    try {
      if (approved) await this.lifecycle(modelName).signal(approveSignal, runId, by);
      else await this.lifecycle(modelName).signal(rejectSignal, runId, by, why ?? 'rejected');
    } catch (err) {
      throw this.notFound(err, modelName);
    }
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
  async waitForRetrains(modelName: string, count: number, onProgress: (s: LifecycleStatus, stage?: string) => void, pollMs = 500): Promise<LifecycleStatus> {
    let last = '';
    for (;;) {
      const s = await this.status(modelName);
      const stage = s.currentRunId ? await this.retrainStage(s.currentRunId) : undefined;
      const key = `${s.phase}|${stage ?? ''}|${s.history.length}`;
      if (key !== last) {
        onProgress(s, stage);
        last = key;
      }
      if (s.retrainCount >= count && s.phase === 'idle' && !s.pending) return s;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }

  private notFound(err: unknown, modelName: string): unknown {
    if (err instanceof WorkflowNotFoundError || (err as { name?: string })?.name === 'WorkflowNotFoundError') {
      return new InvalidInputError('--model', `--model: no lifecycle is running for model "${modelName}"; start one with rareflow run --config PIPELINE.json`);
    }
    return err;
  }
}
