// Crash recovery for a worker with a stable identity (RAREFLOW_WORKER_ID): when it starts again after a crash, the
// activity attempts its previous process had started are failed as retryable, so Temporal retries them at once
// instead of after their heartbeat or start-to-close timeout (2 minutes for compute activities, 1 for registry ones).

import { ActivityNotFoundError, Client, Connection } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import proto from '@temporalio/proto';
import { connectionFailure, connectionOptions, type TemporalTarget } from '../infra/temporalServer.js';

export interface ReleasedActivity {
  workflowId: string;
  activityId: string;
  activityType: string;
  attempt: number;
}

/** Most running workflows looked at per start: a guard for huge namespaces, where a timeout does the job instead. */
const MAX_WORKFLOWS = 10_000;

/**
 * Fails every started activity attempt whose last worker identity is `identity`, and drops the sticky task queue
 * of every running workflow on `workflowTaskQueues` (the crashed process's cache is gone, so a workflow task sent
 * there would wait for the sticky timeout). Must run before this process polls: then every attempt with this
 * identity belongs to a process that is gone. The identity must therefore never be shared by two live processes.
 */
export async function releaseOrphanedActivities(
  target: TemporalTarget,
  identity: string,
  workflowTaskQueues: string[],
): Promise<ReleasedActivity[]> {
  let connection: Connection;
  try {
    connection = await Connection.connect(connectionOptions(target));
  } catch (err) {
    throw connectionFailure(target, err);
  }
  const released: ReleasedActivity[] = [];
  try {
    const client = new Client({ connection, namespace: target.namespace });
    let seen = 0;
    for await (const wf of client.workflow.list({ query: 'ExecutionStatus = "Running"' })) {
      if (++seen > MAX_WORKFLOWS) break;
      const execution = { workflowId: wf.workflowId, runId: wf.runId };
      const described = await client.workflow.getHandle(wf.workflowId, wf.runId).describe();
      for (const a of described.raw.pendingActivities ?? []) {
        if (
          a.state !== proto.temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED ||
          a.lastWorkerIdentity !== identity ||
          !a.activityId
        )
          continue;
        try {
          await client.activity.fail(
            { ...execution, activityId: a.activityId },
            ApplicationFailure.retryable(`worker ${identity} restarted while running this attempt; retrying it`, 'WorkerRestarted'),
          );
          released.push({
            workflowId: wf.workflowId,
            activityId: a.activityId,
            activityType: a.activityType?.name ?? '',
            attempt: a.attempt ?? 0,
          });
        } catch (err) {
          // Finished or timed out meanwhile: nothing to release.
          if (!(err instanceof ActivityNotFoundError)) throw err;
        }
      }
      if (workflowTaskQueues.includes(wf.taskQueue)) {
        await client.workflowService.resetStickyTaskQueue({ namespace: target.namespace, execution });
      }
    }
  } finally {
    await connection.close();
  }
  return released;
}
