// Refuses a command that names a model nothing knows, listing the models that do exist: `serve` needs a model the
// registry (or the serving directory) has; `schedule create` needs a running lifecycle, which its schedule signals;
// `monitor start` needs either.

import { existsSync } from 'node:fs';
import { WorkflowNotFoundError } from '@temporalio/client';
import { InvalidInputError } from '../core/invalidInputError.js';
import { openRegistryForReading } from '../data/registryReadAccess.js';
import { isS3Uri } from '../data/objectStore.js';
import { readServingState, servingStatePath } from '../data/servingState.js';
import { lifecycleWorkflowId } from '../workflows/contract.js';
import type { RareflowClient } from './temporalClient.js';

/** Model names in the registry at `registryPath`, sorted; none when nothing has been recorded there yet. */
export async function registryModelNames(registryPath: string): Promise<string[]> {
  if (!existsSync(registryPath)) return [];
  const reader = await openRegistryForReading(registryPath);
  try {
    return await reader.registry.modelNames();
  } finally {
    await reader.close();
  }
}

function namedList(names: string[], none: string): string {
  return names.length === 0 ? none : names.join(', ');
}

/** Whether the serving root (a directory or s3://) holds a published state for `model`. */
async function hasServingState(servingDir: string, model: string): Promise<boolean> {
  if (!isS3Uri(servingDir)) return existsSync(servingStatePath(servingDir, model));
  return (await readServingState(servingDir, model)) !== null;
}

/**
 * `serve --model M`: M has a run or a model in the registry, or a serving state of its own, on disk or s3:// (so a
 * scoring replica needs no registry). A service started before the first promotion answers 503 until one comes, so
 * a model with runs but no champion is accepted.
 */
export async function requireServableModel(model: string, config: { registryPath: string; servingDir: string }): Promise<void> {
  if (await hasServingState(config.servingDir, model)) return;
  const names = await registryModelNames(config.registryPath);
  if (names.includes(model)) return;
  throw new InvalidInputError(
    '--model',
    `--model ${model}: no model of that name in the registry at ${config.registryPath}; models there: ${namedList(names, 'none yet (train one with rareflow run --config PIPELINE.json)')}`,
  );
}

/** Names of the models whose lifecycle is running, sorted. */
async function runningLifecycles(client: RareflowClient): Promise<string[]> {
  const prefix = lifecycleWorkflowId('');
  const names: string[] = [];
  for await (const w of client.client.workflow.list({ query: `WorkflowType = 'modelLifecycle' AND ExecutionStatus = 'Running'` })) {
    if (w.workflowId.startsWith(prefix)) names.push(w.workflowId.slice(prefix.length));
  }
  return [...new Set(names)].sort();
}

/**
 * `schedule create --model M`: a schedule signals M's lifecycle, so it must be running; a model known only to the
 * registry (its lifecycle ended) gets the command that starts the lifecycle again.
 */
export async function requireScheduledModel(client: RareflowClient, model: string, registryPath: string): Promise<void> {
  try {
    const d = await client.client.workflow.getHandle(lifecycleWorkflowId(model)).describe();
    if (d.status.name === 'RUNNING') return;
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  const running = await runningLifecycles(client);
  const registered = (await registryModelNames(registryPath)).includes(model);
  throw new InvalidInputError(
    '--model',
    `schedule create: model ${model} has no running lifecycle for the schedule to signal${registered ? ' (the registry has it: start its lifecycle again with rareflow run --config PIPELINE.json)' : ''}; models with a running lifecycle: ${namedList(running, 'none (start one with rareflow run --config PIPELINE.json)')}`,
  );
}

/**
 * `monitor start --model M`: the monitor reads M's serving log against its champion, so M must have a running
 * lifecycle, or a run, model or serving state in the registry or serving root; a misspelt name is refused with the
 * names there are, instead of a monitor that checks nothing forever.
 */
export async function requireMonitoredModel(
  client: RareflowClient,
  model: string,
  config: { registryPath: string; servingDir: string },
): Promise<void> {
  try {
    const d = await client.client.workflow.getHandle(lifecycleWorkflowId(model)).describe();
    if (d.status.name === 'RUNNING') return;
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  if (await hasServingState(config.servingDir, model)) return;
  const registered = await registryModelNames(config.registryPath);
  if (registered.includes(model)) return;
  const running = await runningLifecycles(client);
  const known = [...new Set([...running, ...registered])].sort();
  throw new InvalidInputError(
    '--model',
    `monitor start: no model ${model} has a running lifecycle, a run in the registry at ${config.registryPath} or a serving state; models there are: ${namedList(known, 'none yet (train one with rareflow run --config PIPELINE.json)')}`,
  );
}
