// Integrity faults: stored artifacts and model files changed on disk after they were written (one byte flipped in
// an .arrow, an edited model JSON, a damaged drift reference). A reused output is re-hashed and recomputed from
// its inputs; an input that cannot be recomputed where it is read fails as a non-retryable IntegrityError naming
// the file, and leaves nothing behind. Data: yeast3 (test/fixtures).

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import {
  adaptiveSampleActivities,
  type AdaptiveSampleShardInput,
  type AdaptiveSampleShardResult,
} from '../../activities/adaptiveSample.js';
import { driftCheckActivities } from '../../activities/driftCheck.js';
import { createRegistryActivities } from '../../activities/registry.js';
import { filterLabelNoiseActivities } from '../../activities/filterLabelNoise.js';
import { trainModelActivities } from '../../activities/trainModel.js';
import { validateModelActivities } from '../../activities/validateModel.js';
import { takeRows, type LabelledData } from '../../core/dataset.js';
import { defaultGateSpec } from '../../core/gates/gateSpec.js';
import { ArtifactStore } from '../../data/artifactStore.js';
import { fileSha256 } from '../../data/inputSources.js';
import type { ArtifactRef } from '../../core/pipelineTypes.js';
import { saveDatasetArtifact } from '../../data/datasetArtifacts.js';
import { fileRowCounts, planShards } from '../../data/positiveScan.js';
import { Registry } from '../../data/registry.js';
import { sampleShard, type ShardCheckpoint } from '../../data/shardSampling.js';
import { generateSyntheticDataset } from '../../data/syntheticData.js';
import { SERVING_STATE_FORMAT, writeServingState } from '../../data/servingState.js';
import { FailureType } from '../../workflows/contract.js';
import { runCli } from '../support/cliProcess.js';
import { auditArtifactStore, listFiles, snapshotRegistry } from '../support/stateSnapshot.js';
import { readYeast3 } from '../support/yeast3Fixture.js';

let base: string;
let yeast: { data: LabelledData; names: string[] };

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'rareflow-integrity-'));
  yeast = await readYeast3();
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

let stores = 0;
/** A fresh store holding yeast3's even rows as the training split and its odd rows as the test split. */
async function freshStore() {
  const root = join(base, `store-${stores++}`);
  const artifacts = new ArtifactStore(root);
  const even = Int32Array.from({ length: Math.ceil(yeast.data.y.length / 2) }, (_, i) => 2 * i);
  const odd = Int32Array.from({ length: Math.floor(yeast.data.y.length / 2) }, (_, i) => 2 * i + 1);
  const train = await saveDatasetArtifact(artifacts, 'train', {
    data: takeRows(yeast.data, even),
    featureNames: yeast.names,
    labelName: 'label',
  });
  const test = await saveDatasetArtifact(artifacts, 'test', {
    data: takeRows(yeast.data, odd),
    featureNames: yeast.names,
    labelName: 'label',
  });
  return { root, artifacts, train, test };
}

const trainInput = (train: ArtifactRef, validation: ArtifactRef) => ({
  train,
  validation,
  model: { kind: 'logreg' as const, threshold: 'prevalence' as const },
  labels: { positive: 'positive', negative: 'negative' },
  seed: 1,
  modelName: 'yeast3',
  runId: 'integrity',
});

/** sha256 of `original` with the byte at length − `fromEnd` flipped (what flipByte wrote to `path`). */
async function sha256Of(path: string, original: Buffer, fromEnd: number): Promise<string> {
  const flipped = Buffer.from(original);
  flipped[flipped.length - fromEnd] = flipped[flipped.length - fromEnd]! ^ 0xff;
  expect((await readFile(path)).equals(flipped)).toBe(true);
  return createHash('sha256').update(flipped).digest('hex');
}

async function flipByte(path: string, at: (length: number) => number): Promise<void> {
  const bytes = await readFile(path);
  const i = at(bytes.length);
  bytes[i] = bytes[i]! ^ 0xff;
  await writeFile(path, bytes);
}

/** The non-retryable IntegrityError failure `p` rejects with (fails the test on anything else). */
async function integrityFailure(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  const failure = err as ApplicationFailure;
  expect(failure.type).toBe(FailureType.integrity);
  expect(failure.nonRetryable).toBe(true);
  return failure;
}

/** The first checkpoint sampling `input`'s shard takes (it takes one every few thousand rows). */
async function sampleCheckpoint(input: AdaptiveSampleShardInput): Promise<ShardCheckpoint> {
  let checkpoint: ShardCheckpoint | undefined;
  await sampleShard(
    {
      segments: input.segments!,
      positive: { label: input.label, positive: input.positiveLabel },
      featureNames: input.featureNames,
      targetSize: input.targetSize,
      positiveTarget: input.positiveTarget,
      seed: input.seed,
      shardIndex: 0,
      order: 'sequential',
    },
    { onCheckpoint: (c) => ((checkpoint = c), true) },
  );
  expect(checkpoint).toBeDefined();
  return checkpoint!;
}

/** Runs `work`, returning its value and the warnings it wrote to stderr (activities warn there outside Temporal). */
async function withWarnings<T>(work: () => Promise<T>): Promise<{ value: T; warnings: string[] }> {
  const warnings: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    warnings.push(String(chunk));
    return true;
  });
  try {
    return { value: await work(), warnings };
  } finally {
    spy.mockRestore();
  }
}

describe('a reused output that changed on disk is recomputed, never reused', () => {
  it('one byte flipped in a memoised .arrow (noise filter output): the stage recomputes it', async () => {
    const { root, artifacts, train } = await freshStore();
    const filter = filterLabelNoiseActivities({ artifacts }).filterLabelNoise;
    const input = { train, method: 'enn' as const, k: 3 };
    const first = await filter(input);
    const path = artifacts.pathOf(first.dataset);
    const original = await readFile(path);
    await flipByte(path, (n) => n - 200);
    expect(await artifacts.check(first.dataset)).toMatchObject({ status: 'corrupt', path });
    const flippedSha = await sha256Of(path, original, 200);
    const { value: again, warnings } = await withWarnings(() => filter(input));
    expect(warnings).toEqual([
      `[WARN] stored output "dataset" ${path} failed verification (sha256 ${flippedSha}, expected ${first.dataset.sha256}): recomputing it\n`,
    ]);
    expect(again.dataset).toEqual(first.dataset);
    expect((await readFile(path)).equals(original)).toBe(true);
    const audit = await auditArtifactStore(root);
    expect(audit.mismatched).toEqual([]);
    expect(audit.leftovers).toEqual([]);
  });

  it('an edited model JSON (memoised training output): training recomputes it', async () => {
    const { root, artifacts, train, test } = await freshStore();
    const trainModel = trainModelActivities({ artifacts }).trainModel;
    const first = await trainModel(trainInput(train, test));
    const path = artifacts.pathOf(first.model);
    const original = await readFile(path, 'utf8');
    const edited = JSON.parse(original) as { threshold: number };
    edited.threshold = 0.000001;
    await writeFile(path, JSON.stringify(edited));
    const editedSha = createHash('sha256').update(JSON.stringify(edited)).digest('hex');
    const { value: again, warnings } = await withWarnings(() => trainModel(trainInput(train, test)));
    expect(warnings).toEqual([
      `[WARN] stored output "model" ${path} failed verification (sha256 ${editedSha}, expected ${first.model.sha256}): recomputing it\n`,
    ]);
    expect(again.model).toEqual(first.model);
    expect(again.threshold).toBe(first.threshold);
    expect(await readFile(path, 'utf8')).toBe(original);
    expect((await auditArtifactStore(root)).mismatched).toEqual([]);
  });

  it('a damaged memoised result record: the stage recomputes it', async () => {
    const { root, artifacts, train, test } = await freshStore();
    const trainModel = trainModelActivities({ artifacts }).trainModel;
    const first = await trainModel(trainInput(train, test));
    const before = await listFiles(root);
    const resultFile = Object.keys(before).filter(
      (f) => f.endsWith('.json') && !f.startsWith('keys/') && f !== artifacts.pathOf(first.model).slice(root.length + 1),
    );
    expect(resultFile).toHaveLength(1);
    const resultPath = join(root, resultFile[0]!);
    const original = await readFile(resultPath, 'utf8');
    await writeFile(resultPath, original.replace(/"threshold":[0-9.e-]+/, '"threshold":0.999'));
    const { value: again, warnings } = await withWarnings(() => trainModel(trainInput(train, test)));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      new RegExp(
        `^\\[WARN\\] stored output "result" ${resultPath} failed verification \\(sha256 [0-9a-f]{64}, expected [0-9a-f]{64}\\): recomputing it`,
      ),
    );
    expect(again.model).toEqual(first.model);
    expect(again.threshold).toBe(first.threshold);
    // The damaged record is set aside in quarantine/ (and rewritten with its original bytes when the recomputed timing
    // matched).
    const after = await listFiles(root);
    if (after[resultFile[0]!] !== undefined) expect(await readFile(resultPath, 'utf8')).toBe(original);
    const audit = await auditArtifactStore(root);
    expect(audit.mismatched).toEqual([]);
    expect(audit.leftovers).toEqual([]);
    expect(audit.quarantined).toEqual([resultFile[0]!.split('/').at(-1)]);
    expect(Object.keys(after).filter((f) => !f.startsWith('quarantine/')).length).toBe(Object.keys(before).length);
  });

  it('a damaged sampling checkpoint named by the last heartbeat: the retry samples the shard from its start', async () => {
    // Two files: the sampler checkpoints at least where one file ends and the next begins.
    const files = [join(base, 'shard-1.parquet'), join(base, 'shard-2.parquet')];
    await generateSyntheticDataset({ rows: 20_000, positiveRate: 0.01, features: 3, seed: 4, out: files[0]! });
    await generateSyntheticDataset({ rows: 20_000, positiveRate: 0.01, features: 3, seed: 5, out: files[1]! });
    const input: AdaptiveSampleShardInput = {
      segments: planShards(files, await fileRowCounts(files), 1)[0]!,
      fileSha256s: await Promise.all(files.map((f) => fileSha256(f))),
      label: 'label',
      positiveLabel: '1',
      featureNames: ['f0', 'f1', 'f2'],
      targetSize: 3000,
      positiveTarget: 300,
      shardIndex: 0,
      shardCount: 1,
      seed: 3,
      // Checkpoints belong to the file-order scan (an order-safe scan re-reads its label pass on a retry).
      order: 'sequential',
    };
    const uninterrupted = (await new MockActivityEnvironment().run(
      adaptiveSampleActivities({ artifacts: new ArtifactStore(join(base, 'shard-a')) }).adaptiveSampleShard,
      input,
    )) as AdaptiveSampleShardResult;
    const root = join(base, 'shard-b');
    const store = new ArtifactStore(root);
    // A checkpoint as stored, then changed on disk: read as is, it would resume mid-file with an empty sampler.
    const stored = await sampleCheckpoint(input);
    const ref = await store.putBytes(JSON.stringify(stored), 'sampling-checkpoint', 'json');
    await writeFile(store.pathOf(ref), JSON.stringify({ ...stored, position: { ...stored.position, row: stored.position.row + 7 } }));
    const retry = (await new MockActivityEnvironment({ heartbeatDetails: { checkpoint: ref }, attempt: 2 }).run(
      adaptiveSampleActivities({ artifacts: store }).adaptiveSampleShard,
      input,
    )) as AdaptiveSampleShardResult;
    expect(retry.resumed).toBe(false);
    expect(retry.sample.sha256).toBe(uninterrupted.sample.sha256);
    expect(await store.has(ref)).toBe(false);
    expect((await auditArtifactStore(root)).mismatched).toEqual([]);
  });

  it('storing content whose stored copy was damaged replaces the damaged copy', async () => {
    const { artifacts } = await freshStore();
    const ref = await artifacts.putBytes('{"a": 1}', 'note', 'json');
    await writeFile(artifacts.pathOf(ref), '{"a": 2}');
    const again = await artifacts.putBytes('{"a": 1}', 'note', 'json');
    expect(again).toEqual(ref);
    expect(await readFile(artifacts.pathOf(ref), 'utf8')).toBe('{"a": 1}');
    expect(await artifacts.check(ref)).toMatchObject({ status: 'ok' });
  });
});

describe('an input that changed on disk fails as IntegrityError naming the file, and writes nothing', () => {
  it('an edited model JSON given to validation', async () => {
    const { root, artifacts, train, test } = await freshStore();
    const { model } = await trainModelActivities({ artifacts }).trainModel(trainInput(train, test));
    const path = artifacts.pathOf(model);
    await writeFile(path, (await readFile(path, 'utf8')).replace('"threshold":', '"threshold": '));
    const before = await listFiles(root);
    const failure = await integrityFailure(
      validateModelActivities({ artifacts }).validateModel({ model, test, gates: defaultGateSpec() as never }),
    );
    expect(failure.message).toBe(
      `model file failed verification: ${path} has sha256 ${((await artifacts.check(model)) as { actualSha256: string }).actualSha256}, expected ${model.sha256}; it was changed or damaged after it was written`,
    );
    expect(await listFiles(root)).toEqual(before);
  });

  it('a champion whose model file is gone from the store: its gates are not judged, never passed as if there were none', async () => {
    const { artifacts, train, test } = await freshStore();
    const { model } = await trainModelActivities({ artifacts }).trainModel(trainInput(train, test));
    const gone = { ...model, sha256: 'f'.repeat(64), uri: model.uri.replace(model.sha256, 'f'.repeat(64)) };
    expect(await artifacts.has(gone)).toBe(false);
    const { summary } = await validateModelActivities({ artifacts }).validateModel({
      model,
      test,
      gates: defaultGateSpec() as never,
      champion: gone,
    });
    expect(summary.verdict).toBe('insufficient-evidence');
    expect(summary.championNote).toBe(
      `the champion's model file (${'f'.repeat(12)}) is no longer in the artifact store, so it could not be compared`,
    );
    expect(summary.reasons.join(' ')).toContain('the champion could not be compared');
  });

  it('a champion whose model file was damaged in place: set aside in quarantine/, its gates not judged, every retrain too', async () => {
    const { artifacts, train, test } = await freshStore();
    const trainModel = trainModelActivities({ artifacts }).trainModel;
    const { model: champion } = await trainModel(trainInput(train, test));
    const { model } = await trainModel({
      ...trainInput(train, test),
      seed: 2,
      model: { kind: 'forest' as const, threshold: 'prevalence' as const },
    });
    const championFile = artifacts.pathOf(champion);
    await flipByte(championFile, (n) => n - 10);
    for (const seed of [1, 2]) {
      const { summary } = await validateModelActivities({ artifacts }).validateModel({
        model,
        test,
        gates: defaultGateSpec() as never,
        champion,
        seed,
      });
      expect(summary.verdict).toBe('insufficient-evidence');
      expect(summary.championNote).toMatch(/failed verification .* set aside in the artifact store's quarantine\//);
    }
    expect((await auditArtifactStore(artifacts.root)).quarantined).toEqual([championFile.split('/').at(-1)]);
  });

  it('a damaged memo key record (cut short): the stage recomputes it and writes the record again', async () => {
    const { root, artifacts, train, test } = await freshStore();
    const trainModel = trainModelActivities({ artifacts }).trainModel;
    const first = await trainModel(trainInput(train, test));
    const keys = Object.keys(await listFiles(root)).filter((f) => f.startsWith('keys/'));
    expect(keys).toHaveLength(1);
    const keyPath = join(root, keys[0]!);
    const original = await readFile(keyPath, 'utf8');
    await writeFile(keyPath, original.slice(0, 30));
    const again = await trainModel(trainInput(train, test));
    expect(again.model).toEqual(first.model);
    expect(JSON.parse(await readFile(keyPath, 'utf8'))).toHaveProperty('outputs.result');
  });

  it("a memo key record replaced by another step's record: the stage does not reuse the other's outputs", async () => {
    // As a bad copy or sync of the store would leave it: the record of a run with another seed under this run's key.
    const { root, artifacts, train, test } = await freshStore();
    const trainModel = trainModelActivities({ artifacts }).trainModel;
    const first = await trainModel(trainInput(train, test));
    const keysBefore = Object.keys(await listFiles(root)).filter((f) => f.startsWith('keys/'));
    const other = await trainModel({ ...trainInput(train, test), model: { kind: 'logreg' as const, threshold: 'gmean' as const } });
    expect(other.model.sha256).not.toBe(first.model.sha256);
    const otherKey = Object.keys(await listFiles(root)).find((f) => f.startsWith('keys/') && !keysBefore.includes(f))!;
    await writeFile(join(root, keysBefore[0]!), await readFile(join(root, otherKey)));
    const again = await trainModel(trainInput(train, test));
    expect(again.model).toEqual(first.model);
  });

  it('one byte flipped in the training split (.arrow) read by the noise filter', async () => {
    const { root, artifacts, train } = await freshStore();
    const path = artifacts.pathOf(train);
    await flipByte(path, (n) => Math.floor(n / 2));
    const before = await listFiles(root);
    const failure = await integrityFailure(filterLabelNoiseActivities({ artifacts }).filterLabelNoise({ train, method: 'enn', k: 3 }));
    expect(failure.message).toMatch(
      new RegExp(`^train file failed verification: ${path} has sha256 [0-9a-f]{64}, expected ${train.sha256}`),
    );
    expect(failure.details).toEqual([path]);
    expect(await listFiles(root)).toEqual(before);
  });

  it('one byte flipped in the test split (.arrow) read by validation', async () => {
    const { root, artifacts, train, test } = await freshStore();
    const { model } = await trainModelActivities({ artifacts }).trainModel(trainInput(train, test));
    const path = artifacts.pathOf(test);
    await flipByte(path, (n) => n - 100);
    const before = await listFiles(root);
    const failure = await integrityFailure(
      validateModelActivities({ artifacts }).validateModel({ model, test, gates: defaultGateSpec() as never }),
    );
    expect(failure.message).toMatch(new RegExp(`^test file failed verification: ${path} has sha256 [0-9a-f]{64}, expected ${test.sha256}`));
    expect(await listFiles(root)).toEqual(before);
  });

  it('a damaged drift reference read by the drift check, and a damaged champion read by the window export', async () => {
    const { root, artifacts, train, test } = await freshStore();
    const servingDir = join(root, '..', `serving-${stores}`);
    const { model } = await trainModelActivities({ artifacts }).trainModel(trainInput(train, test));
    const drift = driftCheckActivities({ artifacts, servingDir });
    const { reference } = await drift.buildDriftReference({ model, train, test, rawPrior: 0.11, seed: 1 });
    const modelJson = JSON.parse(await readFile(artifacts.pathOf(model), 'utf8')) as { threshold: number };
    await writeServingState(servingDir, {
      format: SERVING_STATE_FORMAT,
      modelName: 'yeast3',
      revision: 1,
      updatedAt: new Date(0).toISOString(),
      champion: { sha256: model.sha256, uri: model.uri, kind: 'logreg', threshold: modelJson.threshold, runId: 'integrity' },
      canary: null,
    });
    const referencePath = artifacts.pathOf(reference);
    await flipByte(referencePath, (n) => Math.floor(n / 3));
    const before = await listFiles(root);
    // The monitor keeps running: the window reports the damaged reference instead of ending the workflow.
    const checked = await drift.checkDrift({ modelName: 'yeast3', fromMs: 0, toMs: 1 });
    expect(checked).toMatchObject({ status: 'reference-failed-verification', drifted: false, championSha256: model.sha256 });
    expect(checked.reasons).toHaveLength(1);
    expect(checked.reasons[0]).toMatch(
      new RegExp(`^drift-reference file failed verification: ${referencePath} has sha256 [0-9a-f]{64}, expected ${reference.sha256}`),
    );
    const modelPath = artifacts.pathOf(model);
    await flipByte(modelPath, (n) => n - 3);
    const exported = await integrityFailure(drift.exportRecentWindow({ modelName: 'yeast3', fromMs: 0, toMs: 1 }));
    expect(exported.message).toMatch(
      new RegExp(`^champion model file failed verification: ${modelPath} has sha256 [0-9a-f]{64}, expected ${model.sha256}`),
    );
    expect(Object.keys(await listFiles(root))).toEqual(Object.keys(before));
  });

  it('an edited model JSON given to `rareflow evaluate`: exit 2, one line naming the file, no report written', async () => {
    const cwd = await mkdtemp(join(base, 'cli-'));
    const yeastCsv = join(process.cwd(), 'test/fixtures/yeast3.csv');
    const trained = await runCli(['train', '--input', yeastCsv, '--label', 'label', '--kind', 'logreg', '--out', 'model.json', '--json'], {
      cwd,
    });
    expect(trained.code, trained.stderr).toBe(0);
    const model = JSON.parse(await readFile(join(cwd, 'model.json'), 'utf8')) as { threshold: number };
    await writeFile(join(cwd, 'edited.json'), JSON.stringify({ ...model, threshold: model.threshold * 0.9 }));
    const before = await listFiles(cwd);
    const r = await runCli(['evaluate', '--model', 'edited.json', '--input', yeastCsv, '--label', 'label', '--report', 'report'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^rareflow evaluate: edited\.json is not a usable rareflow model: its content sha256 is [0-9a-f]{64}, but the file says [0-9a-f]{64}: it was changed or damaged after training\.\n$/,
    );
    expect(existsSync(join(cwd, 'report'))).toBe(false);
    expect(await listFiles(cwd)).toEqual(before);
  });

  it('a damaged validation report given to the registry: no dataset, model, metric or verdict row is written', async () => {
    const { root, artifacts, train, test } = await freshStore();
    const { model } = await trainModelActivities({ artifacts }).trainModel(trainInput(train, test));
    const { report } = await validateModelActivities({ artifacts }).validateModel({ model, test, gates: defaultGateSpec() as never });
    const registryPath = join(root, '..', `registry-${stores}.duckdb`);
    const registry = await Registry.open(registryPath);
    const reportPath = artifacts.pathOf(report);
    await flipByte(reportPath, (n) => n >> 1);
    let failure: ApplicationFailure;
    try {
      const activities = createRegistryActivities({ registry, artifacts, servingDir: join(root, '..', `serving-r${stores}`) });
      failure = await integrityFailure(
        activities.registryRecordRetrain({
          runId: 'integrity-run',
          modelName: 'yeast3',
          datasets: [
            { ref: train, role: 'train' },
            { ref: test, role: 'test' },
          ],
          model,
          modelKind: 'logreg',
          threshold: 0.1,
          createdAt: new Date(0).toISOString(),
          report,
        }),
      );
    } finally {
      await registry.close();
    }
    expect(failure.message).toMatch(
      new RegExp(`^validation-report file failed verification: ${reportPath} has sha256 [0-9a-f]{64}, expected ${report.sha256}`),
    );
    const snapshot = await snapshotRegistry(registryPath);
    expect(Object.entries(snapshot.counts).filter(([, n]) => n > 0)).toEqual([]);
  });
});
