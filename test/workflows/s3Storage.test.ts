// retrainPipeline on a real Temporal dev server with artifacts, serving state and input on S3-compatible storage
// (S3Proxy): the run reads its s3:// input glob, writes every artifact to the bucket and registers an s3:// model.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePipelineSpec } from '../../client/pipelineSpec.js';
import { failureExit } from '../../client/exitCodes.js';
import { RareflowClient } from '../../client/temporalClient.js';
import { errorCauses } from '../../core/errorCauses.js';
import { isInputRefusal } from '../../workflows/failureReason.js';
import { S3ObjectStore } from '../../data/s3ObjectStore.js';
import { generateSyntheticDataset } from '../../data/syntheticData.js';
import { createRareflowWorkers } from '../../worker/rareflowWorkers.js';
import { startS3TestStorage, type S3TestStorage } from '../support/s3Storage.js';
import { runRetrainPipeline, startTemporalTestEnv, type TemporalTestEnv } from '../support/temporalServer.js';

let env: TemporalTestEnv;
let s3: S3TestStorage;
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  [env, s3] = await Promise.all([startTemporalTestEnv(), startS3TestStorage()]);
  for (const bucket of ['artifacts', 'serving', 'inputs']) await s3.createBucket(bucket);
  for (const [k, v] of Object.entries({ ...s3.server.env, RAREFLOW_CACHE: join(s3.dir, 'cache') })) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  const inputs = new S3ObjectStore('s3://inputs/day-1', 'test', { env: process.env });
  for (const [i, seed] of [11, 12].entries()) {
    const path = join(env.dir, `part-${i}.parquet`);
    await generateSyntheticDataset({ rows: 8000, positiveRate: 0.04, features: 4, seed, out: path });
    await inputs.put(`part-${i}.parquet`, { file: path });
  }
});

afterAll(async () => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await env?.close();
  await s3?.close();
});

describe('retrainPipeline on s3:// storage', () => {
  it('samples an s3:// glob and stores every artifact and the model in the bucket, verified', async () => {
    const workers = await createRareflowWorkers({
      target: env.server.target,
      artifactRoot: 's3://artifacts/rareflow',
      cache: { cacheDir: join(s3.dir, 'worker-cache') },
      registryPath: env.registryPath,
      servingDir: 's3://serving/rareflow',
      workflowBundle: env.bundle,
    });
    const spec = resolvePipelineSpec(
      {
        modelName: 's3-model',
        input: { paths: ['s3://inputs/day-1/*.parquet'], label: 'label' },
        sampling: { targetSize: 3000, positivesPerParameter: 20, shards: 2 },
        denoise: { method: 'enn' },
        adasyn: { enabled: true },
        model: { kind: 'logreg', threshold: 'prevalence' },
        seed: 5,
      },
      'test spec',
    );
    const { result, modelUri } = (await workers.run(
      (async () => {
        const result = await runRetrainPipeline(new RareflowClient(env.client), spec, 'wf-s3-storage');
        return { result, modelUri: (await workers.registry!.model(result.modelSha256))?.uri };
      })(),
    )) as { result: { modelSha256: string; stages: Array<{ stage: string }> }; modelUri?: string };
    expect(result.stages.map((st) => st.stage)).toEqual(['adaptiveSample', 'split', 'editedNearestNeighbours', 'adasyn', 'trainModel']);
    const sha = result.modelSha256;
    expect(modelUri).toBe(`s3://artifacts/rareflow/${sha.slice(0, 2)}/${sha}.json`);
    const stored = await new S3ObjectStore('s3://artifacts/rareflow', 'test', { env: process.env }).list('');
    expect(stored.some((o) => o.key === `${sha.slice(0, 2)}/${sha}.json`)).toBe(true);
    expect(stored.filter((o) => o.key.startsWith('keys/')).length).toBeGreaterThan(3);
    const model = await new S3ObjectStore('s3://artifacts/rareflow', 'test', { env: process.env }).get(`${sha.slice(0, 2)}/${sha}.json`);
    expect(
      createHash('sha256')
        .update((model as { body: Buffer }).body)
        .digest('hex'),
    ).toBe(sha);
    // Nothing of the run lives in a local artifact directory.
    expect(() => readFileSync(join(env.artifactRoot, sha.slice(0, 2), `${sha}.json`))).toThrow();
  });

  it('fails at once on a RAREFLOW_ARTIFACTS bucket that does not exist, naming the setting, and not as its spec refused', async () => {
    const workers = await createRareflowWorkers({
      target: env.server.target,
      artifactRoot: 's3://no-such-artifacts/rareflow',
      cache: { cacheDir: join(s3.dir, 'missing-bucket-cache') },
      registryPath: join(env.dir, 'missing-bucket-registry.duckdb'),
      servingDir: 's3://serving/rareflow',
      workflowBundle: env.bundle,
    });
    const spec = resolvePipelineSpec(
      {
        modelName: 's3-missing-bucket',
        input: { paths: ['s3://inputs/day-1/part-0.parquet'], label: 'label' },
        sampling: { targetSize: 2000, positivesPerParameter: 20 },
        model: { kind: 'logreg', threshold: 'prevalence' },
        seed: 5,
      },
      'test spec',
    );
    const started = Date.now();
    const failed = await workers.run(
      runRetrainPipeline(new RareflowClient(env.client), spec, 'wf-s3-missing-bucket').then(
        () => new Error('the retrain passed'),
        (err: unknown) => err,
      ),
    );
    // Not retried: a missing bucket does not appear on the fifth attempt.
    expect(Date.now() - started).toBeLessThan(60_000);
    expect([...errorCauses(failed)].map((c) => c.type)).toContain('StorageSettings');
    // The lifecycle keeps the spec (it is not refused as bad input); the command says the setting, as bad input.
    expect(isInputRefusal(failed)).toBe(false);
    expect(failureExit(failed)).toMatchObject({ exitCode: 2 });
    expect(failureExit(failed).message).toMatch(
      /cannot reach s3:\/\/no-such-artifacts\/rareflow\/.*: bucket "no-such-artifacts" does not exist at .*; create it or point RAREFLOW_ARTIFACTS at an existing bucket/,
    );
  });
});
