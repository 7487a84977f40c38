// Registered models stored on s3:// (S3Proxy): `NAME@champion` resolves through the artifact store's verified cache,
// `predict --model NAME@champion` scores with it in a home that has only the registry, and a damaged object is refused.

import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fitCommand } from '../../client/fitCommand.js';
import { IntegrityError } from '../../core/integrityError.js';
import { InvalidInputError } from '../../core/invalidInputError.js';
import { resolveModelReference } from '../../data/modelReference.js';
import { Registry } from '../../data/registry.js';
import { S3ObjectStore } from '../../data/s3ObjectStore.js';
import { openArtifactStore } from '../../data/storageLocations.js';
import { runCli } from '../support/cliProcess.js';
import { startS3TestStorage, type S3TestStorage } from '../support/s3Storage.js';

const ROOT = 's3://artifacts/rareflow';
let dir: string;
let s3: S3TestStorage;
let registryPath: string;
let sha: string;
let modelBytes: Buffer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rareflow-s3-model-reference-'));
  s3 = await startS3TestStorage();
  await s3.createBucket('artifacts');
  registryPath = join(dir, 'registry.duckdb');
  const lines = ['a,b,label'];
  for (let i = 0; i < 120; i++) lines.push(`${(i % 17) / 4},${((i * 7) % 13) / 3},${i % 10 === 0 ? 1 : 0}`);
  writeFileSync(join(dir, 'tiny.csv'), `${lines.join('\n')}\n`);
  const out = join(dir, 'fit.json');
  await fitCommand({ input: join(dir, 'tiny.csv'), label: 'label', seed: 1, model: 'logreg', out });
  modelBytes = readFileSync(out);
  const writer = openArtifactStore(ROOT, { cacheDir: join(dir, 'writer-cache') }, { env: s3.env });
  const ref = await writer.putBytes(modelBytes, 'model', 'json');
  sha = ref.sha256;
  const registry = await Registry.open(registryPath);
  try {
    const record = (name: string, uri: string, modelSha256: string) =>
      registry.recordModel({
        modelSha256,
        modelName: name,
        runId: `run-${name}`,
        uri,
        kind: 'logreg',
        threshold: 0.5,
        createdAt: '2026-01-01T00:00:00.000Z',
      });
    await record('card-fraud', ref.uri, sha);
    await registry.promote('card-fraud', sha, 'run-card-fraud', '2026-01-02T00:00:00.000Z');
    // A record whose object was replaced by other bytes after it was registered.
    const damagedSha = createHash('sha256').update('another model').digest('hex');
    const damagedKey = `${damagedSha.slice(0, 2)}/${damagedSha}.json`;
    await new S3ObjectStore(ROOT, 'test', { env: s3.env }).put(damagedKey, { bytes: modelBytes });
    await record('damaged', `${ROOT}/${damagedKey}`, damagedSha);
    await record('misplaced', `${ROOT}/models/${sha}.json`, createHash('sha256').update('misplaced').digest('hex'));
  } finally {
    await registry.close();
  }
}, 120_000);

afterAll(async () => {
  await s3?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const resolveIn = (text: string, cacheDir: string) =>
  resolveModelReference(text, { registryPath, cache: { cacheDir }, env: s3.env, note: () => {} });

describe('registered models on s3://', () => {
  it('resolves NAME@champion from the bucket into the cache, verified', async () => {
    const cacheDir = join(dir, 'reader-cache');
    const r = await resolveIn('card-fraud@champion', cacheDir);
    if (r.source !== 'registry') throw new Error(`expected a registered model, got the file ${r.path}`);
    expect(r.record.uri).toBe(`${ROOT}/${sha.slice(0, 2)}/${sha}.json`);
    expect(r.bytes.equals(modelBytes)).toBe(true);
    expect(r.path.startsWith(cacheDir)).toBe(true);
    expect(readFileSync(r.path).equals(modelBytes)).toBe(true);
  });

  it('refuses an object whose bytes differ from the recorded sha256, and a URI not laid out by the store', async () => {
    const damaged = await resolveIn('damaged/1', join(dir, 'damaged-cache')).catch((e: unknown) => e);
    expect(damaged).toBeInstanceOf(IntegrityError);
    expect((damaged as Error).message).toContain(`${ROOT}/`);
    const misplaced = await resolveIn('misplaced/1', join(dir, 'misplaced-cache')).catch((e: unknown) => e);
    expect(misplaced).toBeInstanceOf(InvalidInputError);
    expect((misplaced as Error).message).toMatch(
      /^--model misplaced\/1: the model is stored at s3:\/\/artifacts\/rareflow\/models\/[0-9a-f]{64}\.json; expected s3:\/\/BUCKET\/PREFIX\/[0-9a-f]{2}\/[0-9a-f]{64}\.json as the artifact store writes it$/,
    );
  });

  it('predict --model NAME@champion scores in a fresh home with only the registry and the AWS variables', async () => {
    const env = { ...s3.env, RAREFLOW_HOME: join(dir, 'fresh-home'), RAREFLOW_REGISTRY: registryPath, RAREFLOW_ARTIFACTS: ROOT };
    const p = await runCli(['predict', '--model', 'card-fraud@champion', '--input', 'tiny.csv', '--out', 'scores.csv', '--json'], {
      cwd: dir,
      env,
    });
    expect(p.code, p.stderr).toBe(0);
    expect(p.json()).toMatchObject({ registered: { name: 'card-fraud', version: 1, aliases: ['champion'], sha256: sha } });
    expect(readFileSync(join(dir, 'scores.csv'), 'utf8').split('\n')[0]).toContain('score');
  }, 60_000);
});
