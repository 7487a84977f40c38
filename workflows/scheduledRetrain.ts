// Started by a Temporal Schedule: asks the model's lifecycle for a retrain, then ends. The lifecycle coalesces it
// with any retrain already running.

import { getExternalWorkflowHandle, workflowInfo } from '@temporalio/workflow';
import { lifecycleWorkflowId, retrainNowSignal } from './contract.js';

export async function scheduledRetrain(modelName: string): Promise<string> {
  const reason = `schedule ${workflowInfo().workflowId}`;
  await getExternalWorkflowHandle(lifecycleWorkflowId(modelName)).signal(retrainNowSignal, { trigger: 'schedule', reason });
  return reason;
}
