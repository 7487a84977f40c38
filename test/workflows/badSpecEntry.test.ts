// A spec the schema refuses, or a model name the serving directory would refuse (x..y), fails at the entry, typed
// InvalidInput and not retried: the client refuses to send it, and a retrain started by another client fails before
// any activity, leaving no run row, champion alias, promotion row, artifact or serving directory behind.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePipelineSpec } from '../../client/pipelineSpec.js';
import { RareflowClient } from '../../client/temporalClient.js';
import { InvalidInputError } from '../../core/invalidInputError.js';
import { WORKFLOWS_TASK_QUEUE, FailureType, lifecycleWorkflowId, type PipelineSpec } from '../../workflows/contract.js';
import { listFiles } from '../support/stateSnapshot.js';
import { createTestWorkers, startTemporalTestEnv, type TemporalTestEnv } from '../support/temporalServer.js';

let env: TemporalTestEnv;
let badSpec: PipelineSpec;

beforeAll(async () => {
  env = await startTemporalTestEnv();
  badSpec = {
    ...resolvePipelineSpec({ modelName: 'fraud', input: { paths: [join(env.dir, 'data.csv')], label: 'label' } }, 'test spec'),
    modelName: 'x..y',
  };
});

afterAll(async () => {
  await env?.close();
});

describe('a model name that breaks the name rule', () => {
  it('is refused by the client before a lifecycle starts', async () => {
    const c = new RareflowClient(env.client);
    await expect(c.retrain(badSpec, 'test')).rejects.toThrow(InvalidInputError);
    await expect(c.retrain(badSpec, 'test')).rejects.toThrow(/^pipeline spec: modelName: expected 1–100 letters, .* got "x\.\.y"$/);
    await expect(env.client.workflow.getHandle(lifecycleWorkflowId('x..y')).describe()).rejects.toThrow(WorkflowNotFoundError);
  });

  it('fails a retrain started by another client as a non-retryable InvalidInput, writing nothing', async () => {
    await expectRefusedRetrain('bad-name-retrain', badSpec, /^modelName: expected 1–100 letters, .* got "x\.\.y"$/);
    expect(existsSync(join(env.servingDir, 'x..y'))).toBe(false);
  });
});

describe('a spec the schema refuses, sent by a client that skipped the check', () => {
  it('fails the retrain at once, naming the spec path, writing nothing', async () => {
    const good = resolvePipelineSpec({ modelName: 'fraud', input: { paths: [join(env.dir, 'data.csv')], label: 'label' } }, 'test spec');
    const typo = { ...good, sampling: { ...good.sampling, tagretSize: 5000 } } as unknown as PipelineSpec;
    await expectRefusedRetrain(
      'bad-spec-retrain',
      typo,
      /^pipeline spec: sampling\.tagretSize: unknown key; did you mean sampling\.targetSize\?/,
    );
    const infinite = { ...good, adasyn: { ...good.adasyn, maxSyntheticRatio: 1e308 * 10 } };
    // JSON carries Infinity as null: refused as the wrong type, before ADASYN sees it.
    await expectRefusedRetrain(
      'bad-ratio-retrain',
      infinite,
      /^pipeline spec: adasyn\.maxSyntheticRatio: expected a finite number in \(0, 1000\], got null$/,
    );
  });
});

async function expectRefusedRetrain(workflowId: string, spec: PipelineSpec, message: RegExp): Promise<void> {
  const workers = await createTestWorkers(env);
  const { err, before, after } = await workers.run(
    (async () => {
      const before = await workers.registry!.tableRowCounts();
      const err = await env.client.workflow
        .execute('retrainPipeline', {
          workflowId,
          taskQueue: WORKFLOWS_TASK_QUEUE,
          args: [{ spec, trigger: { kind: 'manual', reason: 'test', coalesced: 1 } }],
        })
        .catch((e: unknown) => e);
      return { err, before, after: await workers.registry!.tableRowCounts() };
    })(),
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const cause = (err as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  expect((cause as ApplicationFailure).type).toBe(FailureType.invalidInput);
  expect((cause as ApplicationFailure).nonRetryable).toBe(true);
  expect((cause as Error).message).toMatch(message);
  expect(after).toEqual(before);
  expect(Object.keys(await listFiles(env.artifactRoot))).toEqual([]);
}
