// Workflows started on the compute queue, as every workflow was before workflows had their own queue: the workflows
// worker still runs them (the compute worker runs no workflows), and a monitor moves to the workflows queue when it
// continues as new.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePipelineSpec } from '../../client/pipelineSpec.js';
import {
  COMPUTE_TASK_QUEUE,
  WORKFLOWS_TASK_QUEUE,
  driftMonitorWorkflowId,
  lifecycleWorkflowId,
  monitorStatusQuery,
  statusQuery,
  stopMonitorSignal,
  type DriftMonitorStatus,
} from '../../workflows/contract.js';
import { createTestWorkers, startTemporalTestEnv, type TemporalTestEnv } from '../support/temporalServer.js';

let env: TemporalTestEnv;

beforeAll(async () => {
  env = await startTemporalTestEnv();
});

afterAll(async () => {
  await env?.close();
});

describe('workflows started on the compute queue', () => {
  it('are still served, and a monitor moves to the workflows queue at continue-as-new', async () => {
    const workers = await createTestWorkers(env);
    const outcome = await workers.run(
      (async () => {
        const spec = resolvePipelineSpec(
          { modelName: 'wf-legacy', input: { paths: ['unused.parquet'], label: 'label' }, model: { kind: 'logreg' } },
          'test spec',
        );
        const lifecycle = await env.client.workflow.start('modelLifecycle', {
          workflowId: lifecycleWorkflowId(spec.modelName),
          taskQueue: COMPUTE_TASK_QUEUE,
          args: [{ modelName: spec.modelName, spec, retrainOnStart: false }],
        });
        const lifecycleStatus = await lifecycle.query(statusQuery);
        await lifecycle.terminate('test over');

        const monitor = env.client.workflow.getHandle(driftMonitorWorkflowId('wf-legacy'));
        await env.client.workflow.start('driftMonitor', {
          workflowId: monitor.workflowId,
          taskQueue: COMPUTE_TASK_QUEUE,
          args: [{ modelName: 'wf-legacy', windowMs: 200, maxWindowsPerRun: 2 }],
        });
        const firstQueue = (await env.client.workflow.getHandle(monitor.workflowId).describe()).taskQueue;
        let status = (await monitor.query(monitorStatusQuery)) as DriftMonitorStatus;
        while (status.generation < 1) {
          await new Promise((r) => setTimeout(r, 100));
          status = (await monitor.query(monitorStatusQuery)) as DriftMonitorStatus;
        }
        const nextQueue = (await monitor.describe()).taskQueue;
        await monitor.signal(stopMonitorSignal, 'test');
        await monitor.result();
        return { lifecycleStatus, firstQueue, nextQueue };
      })(),
    );
    const { lifecycleStatus, firstQueue, nextQueue } = outcome as {
      lifecycleStatus: { phase: string };
      firstQueue: string;
      nextQueue: string;
    };
    expect(lifecycleStatus.phase).toBe('idle');
    expect(firstQueue).toBe(COMPUTE_TASK_QUEUE);
    expect(nextQueue).toBe(WORKFLOWS_TASK_QUEUE);
  });
});
