// `serve --model M` for a model nothing knows is refused, naming the models the registry has; a model with runs in
// the registry, or with a serving state of its own (in a directory or on s3://), is accepted.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registryModelNames, requireServableModel } from '../../client/knownModels.js';
import { Registry } from '../../data/registry.js';
import { MODEL_NAME, publish } from '../serve/servingFixtures.js';
import { failure } from '../support/invalidInputFailure.js';
import { startS3TestStorage } from '../support/s3Storage.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-known-models-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (runId: string, modelName: string) => ({
  runId,
  modelName,
  workflowId: `wf-${runId}`,
  startedAt: '2026-01-01T00:00:00Z',
  seed: 1,
  params: {},
  inputHashes: {},
  codeVersion: 'test',
});

describe('serve refuses a model nothing knows', () => {
  it('with no registry yet, says none exist and how to make one', async () => {
    const config = { registryPath: join(dir, 'none', 'registry.duckdb'), servingDir: join(dir, 'none', 'serving') };
    const err = await failure(requireServableModel('churn', config));
    expect(err.message).toBe(
      `--model churn: no model of that name in the registry at ${config.registryPath}; models there: none yet (train one with rareflow run --config PIPELINE.json)`,
    );
  });

  it('names the models the registry has, and accepts each of them', async () => {
    const registryPath = join(dir, 'registry.duckdb');
    const registry = await Registry.open(registryPath);
    try {
      await registry.startRun(run('r1', 'fraud'));
      await registry.startRun(run('r2', 'churn'));
      await registry.startRun(run('r3', 'churn'));
    } finally {
      await registry.close();
    }
    expect(await registryModelNames(registryPath)).toEqual(['churn', 'fraud']);
    const config = { registryPath, servingDir: join(dir, 'serving') };
    const err = await failure(requireServableModel('chrun', config));
    expect(err.message).toBe(`--model chrun: no model of that name in the registry at ${registryPath}; models there: churn, fraud`);
    await expect(requireServableModel('churn', config)).resolves.toBeUndefined();
  });

  it('accepts a model with a serving state even when the registry is elsewhere', async () => {
    const servingDir = join(dir, 'served');
    await publish(servingDir, 1, null);
    await expect(requireServableModel(MODEL_NAME, { registryPath: join(dir, 'elsewhere.duckdb'), servingDir })).resolves.toBeUndefined();
  });

  it('accepts a model with a serving state on s3:// and no registry, as a scoring replica starts', async () => {
    const s3 = await startS3TestStorage();
    const saved = Object.fromEntries(Object.keys(s3.server.env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, s3.server.env);
    try {
      await s3.createBucket('serving');
      const config = { registryPath: join(dir, 'replica', 'registry.duckdb'), servingDir: 's3://serving/prod' };
      const err = await failure(requireServableModel(MODEL_NAME, config));
      expect(err.message).toBe(
        `--model ${MODEL_NAME}: no model of that name in the registry at ${config.registryPath}; models there: none yet (train one with rareflow run --config PIPELINE.json)`,
      );
      await publish(config.servingDir, 1, null);
      await expect(requireServableModel(MODEL_NAME, config)).resolves.toBeUndefined();
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await s3.close();
    }
  }, 60_000);
});
