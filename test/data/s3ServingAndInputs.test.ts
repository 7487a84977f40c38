import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { S3ObjectStore } from '../../data/s3ObjectStore.js';
import { locateInputs } from '../../data/s3InputFiles.js';
import { ServingLog } from '../../data/servingLog.js';
import { summariseServingWindow } from '../../data/servingLogWindow.js';
import { readServingState, SERVING_STATE_FORMAT, updateServingState, type ServingState } from '../../data/servingState.js';
import { planSampleShards, sampleShardStage } from '../../stages/sample.js';
import { InvalidInputError } from '../../core/invalidInputError.js';
import { ServedModels } from '../../infra/servedModels.js';
import { ArtifactStore } from '../../data/artifactStore.js';
import { fitTestModel, publish, storeModel, tempDir } from '../serve/servingFixtures.js';
import { runCli } from '../support/cliProcess.js';
import { startS3TestStorage, type S3TestStorage } from '../support/s3Storage.js';

let s3: S3TestStorage;
const saved: Record<string, string | undefined> = {};
beforeAll(async () => {
  s3 = await startS3TestStorage();
  await s3.createBucket('serving');
  await s3.createBucket('inputs');
  // The serving state and input readers take the standard AWS variables from the process, as in production.
  for (const [k, v] of Object.entries({ ...s3.server.env, RAREFLOW_CACHE: join(s3.dir, 'cache') })) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
});
afterAll(async () => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await s3?.close();
});

const nextState =
  (modelName: string, at: string) =>
  (previous: ServingState | null): ServingState => ({
    format: SERVING_STATE_FORMAT,
    modelName,
    revision: (previous?.revision ?? 0) + 1,
    updatedAt: at,
    champion: null,
    canary: null,
  });

describe('serving state on s3://', () => {
  test('a write over a stale ETag gets 412; a writer that lost the race re-reads, so no update is lost', async () => {
    const servingDir = 's3://serving/prod';
    await updateServingState(servingDir, 'fraud', nextState('fraud', 'first'));
    const store = new S3ObjectStore(servingDir, 'RAREFLOW_SERVING', { env: process.env });
    const read = await store.get('fraud/state.json');
    expect(read).not.toBeNull();
    const staleEtag = (read as { etag: string }).etag;
    await updateServingState(servingDir, 'fraud', nextState('fraud', 'second'));
    expect(await store.put('fraud/state.json', { bytes: '{}' }, { ifMatch: staleEtag })).toBe('precondition-failed');
    expect(await store.put('fraud/state.json', { bytes: '{}' }, { ifNoneMatch: true })).toBe('precondition-failed');
    // A writer that loses the swap (another update lands between its read and its write) re-reads and rebuilds.
    const seen: number[] = [];
    await updateServingState(servingDir, 'fraud', async (previous) => {
      seen.push(previous?.revision ?? 0);
      if (seen.length === 1) await updateServingState(servingDir, 'fraud', nextState('fraud', 'interloper'));
      return nextState('fraud', 'slow writer')(previous);
    });
    expect(seen).toEqual([2, 3]);
    const state = await readServingState(servingDir, 'fraud');
    expect(state).toMatchObject({ revision: 4, updatedAt: 'slow writer' });
    // A poll of an unchanged state is answered from the ETag; a change shows at the next poll.
    expect(await readServingState(servingDir, 'fraud')).toEqual(state);
    await updateServingState(servingDir, 'fraud', nextState('fraud', 'after'));
    expect((await readServingState(servingDir, 'fraud'))?.updatedAt).toBe('after');
    expect(await readServingState(servingDir, 'no-model-yet')).toBeNull();
  });
});

describe('serving logs on s3://', () => {
  test('a missing bucket or refused credentials refuse the log at its opening, not at every write after', async () => {
    await expect(ServingLog.open({ servingDir: 's3://no-such-bucket/logs', modelName: 'fraud' })).rejects.toThrow(
      /bucket "no-such-bucket" does not exist/,
    );
    const secret = process.env.AWS_SECRET_ACCESS_KEY;
    process.env.AWS_SECRET_ACCESS_KEY = 'wrong';
    try {
      await expect(ServingLog.open({ servingDir: 's3://serving/logs', modelName: 'fraud' })).rejects.toThrow(/refused the credentials/);
    } finally {
      process.env.AWS_SECRET_ACCESS_KEY = secret;
    }
  });

  test('two replicas upload parts under keys of their own; a reader mirrors them and joins the latest feedback', async () => {
    const servingDir = 's3://serving/logs';
    const sha = 'a'.repeat(64);
    const replicas = await Promise.all([1, 2].map(() => ServingLog.open({ servingDir, modelName: 'fraud', flushMs: 60_000 })));
    const [one, two] = replicas as [ServingLog, ServingLog];
    one.logPrediction('r1', 1000, 'champion', sha, 0.9, true, 'ok', 1000, '{}');
    two.logPrediction('r2', 1100, 'champion', sha, 0.2, false, 'ok', 3000, '{}');
    await Promise.all([one.flush(), two.flush()]);
    one.logFeedback('r2', 1500, 'fraud', true); // the first label of r2, replaced by a later one
    await one.flush();
    two.logFeedback('r1', 1600, 'fraud', true);
    two.logFeedback('r2', 1700, 'ok', false);
    await Promise.all(replicas.map((r) => r.close()));
    const listed = await new S3ObjectStore(servingDir, 'test', { env: process.env }).list('fraud/');
    // Each replica's start wrote (and so checked) the marker beside the parts.
    expect(listed.map((o) => o.key)).toContain('fraud/predictions/.rareflow-write-check');
    const parts = listed.filter((o) => !o.key.endsWith('/.rareflow-write-check'));
    expect(
      parts.map((o) => o.key).every((k) => /^fraud\/(predictions|feedback)\/part-\d+-[0-9a-f]{8}-\d+-[0-9a-f]{8}-\d+\.parquet$/.test(k)),
    ).toBe(true);
    expect(parts.filter((o) => o.key.startsWith('fraud/predictions/'))).toHaveLength(2);
    const summary = await summariseServingWindow({ servingDir, modelName: 'fraud', fromMs: 0, toMs: 5000 });
    expect(summary.champion).toMatchObject({ requests: 2, errors: 0, labelled: 2, confusion: { tp: 1, fn: 0, fp: 0, tn: 1 } });
  });
});

describe('inputs on s3://', () => {
  const csv = (rows: number, offset: number) =>
    ['x,y', ...Array.from({ length: rows }, (_, i) => `${i + offset},${(i + offset) % 10 === 0 ? 1 : 0}`)].join('\n') + '\n';

  test('a glob over keys is expanded by listing and read from verified local copies; segments keep the URIs', async () => {
    const store = new S3ObjectStore('s3://inputs/day', 'test', { env: process.env });
    await store.put('part-1.csv', { bytes: csv(30, 0) });
    await store.put('part-2.csv', { bytes: csv(20, 30) });
    await store.put('notes.txt', { bytes: 'not an input' });
    await store.put('sub/part-3.csv', { bytes: csv(5, 50) });
    const located = await locateInputs(['s3://inputs/day/*.csv'], 'input.paths');
    expect(located.map((l) => l.source)).toEqual(['s3://inputs/day/part-1.csv', 's3://inputs/day/part-2.csv']);
    expect(located.every((l) => existsSync(l.local) && l.local.endsWith('.csv'))).toBe(true);
    expect(readFileSync(located[1]!.local, 'utf8')).toBe(csv(20, 30));
    // As DuckDB reads a local glob: `**/` is any number of folders, none included; `**` inside a name is one `*`.
    expect((await locateInputs(['s3://inputs/day/**/*.csv'], 'input.paths')).map((l) => l.source)).toEqual([
      's3://inputs/day/part-1.csv',
      's3://inputs/day/part-2.csv',
      's3://inputs/day/sub/part-3.csv',
    ]);
    expect((await locateInputs(['s3://inputs/day/**.csv'], 'input.paths')).map((l) => l.source)).toHaveLength(2);
    const plan = await planSampleShards(['s3://inputs/day/part-1.csv', 's3://inputs/day/part-2.csv'], 2);
    expect(plan.totalRows).toBe(50);
    expect(plan.shards.flat().map((s) => s.file)).toContain('s3://inputs/day/part-2.csv');
  });

  test('a folder marker is not a file; a bucket alone is not an object; a cached copy cut short is fetched again', async () => {
    const store = new S3ObjectStore('s3://inputs/mark', 'test', { env: process.env });
    await store.put('', { bytes: '' });
    await store.put('a.csv', { bytes: csv(10, 0) });
    expect((await locateInputs(['s3://inputs/mark/*'], '--input')).map((l) => l.source)).toEqual(['s3://inputs/mark/a.csv']);
    for (const uri of ['s3://inputs', 's3://inputs/'])
      await expect(locateInputs([uri], '--input')).rejects.toThrow(
        `--input ${uri} names a bucket, not an object: give a key or a glob, such as s3://inputs/data/*.parquet`,
      );
    // Inputs larger than the local cache: refused up front (each copy evicted the last, and the reader failed on a
    // missing local file).
    const small = { ...process.env, RAREFLOW_CACHE: join(s3.dir, 'small-cache'), RAREFLOW_CACHE_BYTES: '100' };
    await expect(locateInputs(['s3://inputs/day/*.csv'], '--input', small)).rejects.toThrow(
      /^--input: the s3:\/\/ inputs hold \d+ bytes, more than the local cache keeps \(RAREFLOW_CACHE_BYTES = 100\)/,
    );
    const [first] = await locateInputs(['s3://inputs/mark/a.csv'], '--input');
    writeFileSync(first!.local, csv(10, 0).slice(0, 20));
    const [again] = await locateInputs(['s3://inputs/mark/a.csv'], '--input');
    expect(again!.local).toBe(first!.local);
    expect(readFileSync(again!.local, 'utf8')).toBe(csv(10, 0));
  });

  test('a stage command names an s3:// input by its URI, never by its local copy, in errors and results', async () => {
    const store = new S3ObjectStore('s3://inputs/cli', 'test', { env: process.env });
    await store.put('header-only.csv', { bytes: 'x,label\n' });
    await store.put('data.csv', {
      bytes: ['x,label', ...Array.from({ length: 60 }, (_, i) => `${i},${i % 6 === 0 ? 1 : 0}`)].join('\n') + '\n',
    });
    const cwd = tempDir('s3-cli');
    const cliEnv = { ...s3.server.env, RAREFLOW_HOME: join(cwd, 'home'), RAREFLOW_CACHE: join(s3.dir, 'cli-cache') };
    const bad = await runCli(['fit', '--input', 's3://inputs/cli/header-only.csv', '--label', 'label', '--out', join(cwd, 'm.json')], {
      cwd,
      env: cliEnv,
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^rareflow fit: s3:\/\/inputs\/cli\/header-only.csv has no /);
    expect(bad.stderr).not.toContain('cli-cache');
    const fit = await runCli(
      ['fit', '--input', 's3://inputs/cli/data.csv', '--label', 'label', '--kind', 'logreg', '--out', join(cwd, 'm.json'), '--json'],
      { cwd, env: cliEnv },
    );
    expect(fit.code, fit.stderr).toBe(0);
    const evaluated = await runCli(
      [
        'evaluate',
        '--model',
        join(cwd, 'm.json'),
        '--input',
        's3://inputs/cli/data.csv',
        '--label',
        'label',
        '--json',
        '--report',
        join(cwd, 'rep'),
      ],
      { cwd, env: cliEnv },
    );
    expect(evaluated.code, evaluated.stderr).toBe(0);
    expect(evaluated.stdout).toContain('s3://inputs/cli/data.csv');
    expect(evaluated.stdout).not.toContain('cli-cache');
    // The report files name the input as given too.
    const reportJson = JSON.parse(readFileSync(join(cwd, 'rep', 'report.json'), 'utf8')) as { input: string };
    expect(reportJson.input).toBe('s3://inputs/cli/data.csv');
    expect(readFileSync(join(cwd, 'rep', 'report.html'), 'utf8')).not.toContain('cli-cache');
  });

  test("a retrain's sampling refuses an s3:// input's rows naming the URI, not the worker's local copy", async () => {
    const store = new S3ObjectStore('s3://inputs/bad', 'test', { env: process.env });
    const rows = ['x,y', ...Array.from({ length: 40 }, (_, i) => `${i === 7 ? 'inf' : i},${i % 5 === 0 ? 1 : 0}`)];
    await store.put('rows.csv', { bytes: rows.join('\n') + '\n' });
    const plan = await planSampleShards(['s3://inputs/bad/rows.csv'], 1);
    const request = {
      segments: plan.shards[0]!,
      label: 'y',
      positiveLabel: '1',
      featureNames: ['x'],
      targetSize: 100,
      positiveTarget: 20,
      shardIndex: 0,
      shardCount: 1,
      seed: 1,
    };
    const refused = await sampleShardStage(request).then(
      () => new Error('sampled'),
      (err: unknown) => err as Error,
    );
    expect(refused).toBeInstanceOf(InvalidInputError);
    expect(refused.message).toContain('s3://inputs/bad/rows.csv');
    expect(refused.message).not.toContain(join(s3.dir, 'cache'));
  });

  test('a missing key, a glob that matches nothing and a missing bucket each name the URI', async () => {
    await expect(locateInputs(['s3://inputs/day/absent.csv'], '--input')).rejects.toThrow(
      'input object s3://inputs/day/absent.csv does not exist; check the bucket and key',
    );
    await expect(locateInputs(['s3://inputs/none/*.parquet'], '--input')).rejects.toThrow(
      'no object matches s3://inputs/none/*.parquet; check the bucket, prefix and glob',
    );
    await expect(locateInputs(['s3://no-bucket/a.csv'], '--input')).rejects.toThrow(
      `cannot reach s3://no-bucket/a.csv: bucket "no-bucket" does not exist at ${s3.server.endpoint}`,
    );
  });
});

describe('a served model on s3:// whose local copy is damaged', () => {
  test('is fetched again from the bucket instead of failing verification for ever', async () => {
    const local = await storeModel(new ArtifactStore(tempDir('s3-served-local')), await fitTestModel('logreg', 1));
    const bytes = JSON.stringify(local.artifact);
    await new S3ObjectStore('s3://inputs/models', 'test', { env: process.env }).put('m.json', { bytes });
    const uri = 's3://inputs/models/m.json';
    const servingDir = tempDir('s3-served');
    await publish(servingDir, 1, { ...local.served, uri });
    const lines: string[] = [];
    const metrics = { loadFailures: { inc: () => undefined }, showRouting: () => undefined };
    const models = () => new ServedModels({ servingDir, modelName: 'fraud', pollMs: 60_000, log: (l) => lines.push(l) }, metrics as never);
    await models().refresh(true);
    // The cached copy (same size, one byte changed) is what the next service start would read.
    const [cached] = await locateInputs([uri], 'champion model');
    const text = readFileSync(cached!.local, 'utf8');
    writeFileSync(
      cached!.local,
      text.replace(/0\.(\d)/, (_, d: string) => `0.${(Number(d) + 1) % 10}`),
    );
    expect(readFileSync(cached!.local, 'utf8')).not.toBe(bytes);
    const again = models();
    await again.refresh(true);
    expect(again.routing.champion?.sha256).toBe(local.ref.sha256);
    expect(readFileSync(cached!.local, 'utf8')).toBe(bytes);
  });
});
