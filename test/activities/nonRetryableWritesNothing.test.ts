// Per stage: an input error leaves the activity as a non-retryable InvalidInput failure and writes nothing: the
// artifact store and serving directory are byte-for-byte as they were, and every registry table keeps its rows.
// The registry cases hold the bug where a model name the serving directory refused (x..y) moved the champion alias
// and wrote a promotion row, then retried for minutes as an untyped error.

import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createComputeActivities } from '../../activities/compute.js';
import { createRegistryActivities } from '../../activities/registry.js';
import { featureMatrix } from '../../core/dataset.js';
import { ArtifactStore } from '../../data/artifactStore.js';
import { saveDatasetArtifact } from '../../data/datasetArtifacts.js';
import { Registry } from '../../data/registry.js';
import { FailureType, type ArtifactRef } from '../../workflows/contract.js';
import { registryBackends } from '../support/registryBackends.js';
import { listFiles } from '../support/stateSnapshot.js';
import { registerModel } from '../support/registeredModel.js';

let dir: string;
let artifacts: ArtifactStore;
let registry: Registry;
let train: ArtifactRef;
let modelRef: ArtifactRef;
const servingDir = () => join(dir, 'serving');

async function state(): Promise<{ files: Record<string, string>; tables: Record<string, number> }> {
  const files: Record<string, string> = {};
  for (const root of ['artifacts', 'serving']) {
    for (const f of Object.keys(await listFiles(join(dir, root))))
      files[`${root}/${f}`] = createHash('sha256')
        .update(readFileSync(join(dir, root, f)))
        .digest('hex');
  }
  return { files, tables: await registry.tableRowCounts() };
}

/** A fresh store, serving directory and registry (a DuckDB file in the temp directory, or `registryUrl`). */
async function prepare(registryUrl: string | undefined): Promise<void> {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-nonretryable-'));
  artifacts = new ArtifactStore(join(dir, 'artifacts'));
  registry = await Registry.open(registryUrl ?? join(dir, 'registry.duckdb'));
  const rows = 200;
  const x = new Float64Array(rows * 2);
  const y = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    y[r] = r % 10 === 0 ? 1 : 0;
    x[r * 2] = (r % 17) / 4 + y[r]! * 2;
    x[r * 2 + 1] = (r % 13) / 3;
  }
  train = await saveDatasetArtifact(artifacts, 'train', {
    data: { x: featureMatrix(rows, 2, x), y },
    featureNames: ['f0', 'f1'],
    labelName: 'label',
  });
  modelRef = await artifacts.putBytes(JSON.stringify({ kind: 'logreg' }), 'model', 'json');
  writeFileSync(
    join(dir, 'good.csv'),
    `f0,f1,label\n${Array.from({ length: 50 }, (_, r) => `${r},${r % 3},${r % 5 === 0 ? 1 : 0}`).join('\n')}\n`,
  );
  // A champion in place, so a failed promotion has something to leave alone.
  await registerModel(registry, 'fraud', 'r1', modelRef);
  await createRegistryActivities({ registry, artifacts, servingDir: servingDir() }).registryPromote({
    modelName: 'fraud',
    modelSha256: modelRef.sha256,
    runId: 'r1',
    at: '2026-01-01T00:00:00Z',
  });
}

async function cleanUp(): Promise<void> {
  await registry?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
}

type Stage = { stage: string; call: () => Promise<unknown>; message: RegExp };

const stages = (): Stage[] => {
  const compute = createComputeActivities({ artifacts, servingDir: servingDir() });
  const reg = createRegistryActivities({ registry, artifacts, servingDir: servingDir() });
  const env = new MockActivityEnvironment();
  const badName = 'x..y';
  return [
    {
      stage: 'describeInput',
      call: () => env.run(compute.describeInput, { input: { paths: [join(dir, 'missing.csv')], label: 'label' }, sampling: {} }),
      message: /missing\.csv/,
    },
    {
      stage: 'adaptiveSampleShard',
      call: () =>
        env.run(compute.adaptiveSampleShard, {
          files: [join(dir, 'gone.csv')],
          fileSha256s: ['0'.repeat(64)],
          label: 'label',
          positiveLabel: '1',
          featureNames: ['f0', 'f1'],
          targetSize: 40,
          positiveTarget: 5,
          shardIndex: 0,
          shardCount: 1,
          seed: 1,
        }),
      message: /gone\.csv/,
    },
    {
      // A file replaced after the run described it: a feature column is gone.
      stage: 'adaptiveSampleShard (a column gone)',
      call: () => {
        const narrowed = join(mkdtempSync(join(tmpdir(), 'rareflow-narrowed-')), 'narrowed.csv');
        writeFileSync(narrowed, `f0,label\n${Array.from({ length: 60 }, (_, i) => `${i},${i % 10 === 0 ? 1 : 0}`).join('\n')}\n`);
        return env.run(compute.adaptiveSampleShard, {
          files: [narrowed],
          fileSha256s: ['0'.repeat(64)],
          label: 'label',
          positiveLabel: '1',
          featureNames: ['f0', 'f1'],
          targetSize: 40,
          positiveTarget: 5,
          shardIndex: 0,
          shardCount: 1,
          seed: 1,
        });
      },
      message: /narrowed\.csv: column "f1" is missing/,
    },
    {
      stage: 'mergeAndSplit',
      call: () => env.run(compute.mergeAndSplit, { samples: [train], split: { train: 1.5, validation: -0.25, test: -0.25 }, seed: 1 }),
      message: /split|train/,
    },
    { stage: 'filterLabelNoise', call: () => env.run(compute.filterLabelNoise, { train, method: 'enn', k: 1_000_000 }), message: /k/ },
    {
      stage: 'oversampleAdasyn',
      call: () => env.run(compute.oversampleAdasyn, { train, k: 5, beta: 1, maxSyntheticRatio: Infinity }),
      message: /max synthetic ratio must be a number > 0; got Infinity/,
    },
    {
      stage: 'trainModel',
      call: () =>
        env.run(compute.trainModel, {
          train,
          validation: train,
          model: { kind: 'logreg', threshold: 'bogus' as never },
          labels: { positive: '1', negative: '0' },
          seed: 1,
          modelName: 'fraud',
          runId: 'r2',
        }),
      message: /--threshold: expected one of/,
    },
    {
      stage: 'validateModel',
      call: () => env.run(compute.validateModel, { model: modelRef, test: train, gates: { gates: [{ metric: 'recal', min: 0.5 }] } }),
      message: /gates\[0\]\.metric/,
    },
    {
      stage: 'canaryAnalysis',
      call: () =>
        env.run(compute.canaryAnalysis, {
          modelName: 'fraud',
          championSha256: modelRef.sha256,
          challengerSha256: modelRef.sha256,
          fromMs: 0,
          toMs: 1,
          criteria: { alpha: 2 },
        }),
      message: /canary\.criteria\.alpha/,
    },
    {
      stage: 'registryStartRun',
      call: () =>
        env.run(reg.registryStartRun, {
          runId: 'r3',
          modelName: badName,
          workflowId: 'r3',
          startedAt: '2026-01-02T00:00:00Z',
          seed: 1,
          params: {},
          inputHashes: {},
        }),
      message: /model name: expected .* got "x\.\.y"/,
    },
    {
      stage: 'registryPromote',
      call: () =>
        env.run(reg.registryPromote, { modelName: badName, modelSha256: modelRef.sha256, runId: 'r1', at: '2026-01-02T00:00:00Z' }),
      message: /model name: expected .* got "x\.\.y"/,
    },
    {
      stage: 'registrySetCanary',
      call: () =>
        env.run(reg.registrySetCanary, {
          rolloutId: 'c1',
          modelName: badName,
          challengerSha256: modelRef.sha256,
          championSha256: null,
          weight: 0.05,
          step: 0,
          sinceMs: 0,
          at: '2026-01-02T00:00:00Z',
        }),
      message: /model name: expected .* got "x\.\.y"/,
    },
  ];
};

describe.each(registryBackends())('a non-retryable failure writes nothing (registry on $name)', (backend) => {
  beforeAll(async () => {
    if (backend.skip) return;
    await backend.setup();
    await prepare(backend.name === 'duckdb' ? undefined : await backend.newLocation());
  }, 60_000);
  afterAll(async () => {
    if (backend.skip) return;
    await cleanUp();
    await backend.teardown();
  });
  if (backend.skip) it.skipIf(true)(`skipped: ${backend.skip}`, () => {});
  const test = it.skipIf(backend.skip !== undefined);

  for (const name of [
    'describeInput',
    'adaptiveSampleShard',
    'adaptiveSampleShard (a column gone)',
    'mergeAndSplit',
    'filterLabelNoise',
    'oversampleAdasyn',
    'trainModel',
    'validateModel',
    'canaryAnalysis',
    'registryStartRun',
    'registryPromote',
    'registrySetCanary',
  ]) {
    test(`${name}: InvalidInput, non-retryable, store, serving directory and registry unchanged`, async () => {
      const s = stages().find((x) => x.stage === name)!;
      const before = await state();
      const err = await s.call().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApplicationFailure);
      expect((err as ApplicationFailure).type, (err as Error).message).toBe(FailureType.invalidInput);
      expect((err as ApplicationFailure).nonRetryable).toBe(true);
      expect((err as Error).message).toMatch(s.message);
      expect(await state()).toEqual(before);
    });
  }

  test('the champion alias and its serving state still name the first model after the refused promotion', async () => {
    expect((await registry.champion('fraud'))?.modelSha256).toBe(modelRef.sha256);
    expect(await registry.champion('x..y')).toBeUndefined();
  });
});
