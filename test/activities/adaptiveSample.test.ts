// The sampling activity against a temp artifact store: a retry that finds a heartbeat checkpoint resumes from it
// and produces the byte-identical sample artifact; a re-run with the same input is a no-op.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adaptiveSampleActivities, type AdaptiveSampleShardInput } from '../../activities/adaptiveSample.js';
import { ArtifactStore } from '../../data/artifactStore.js';
import { fileSha256 } from '../../data/inputSources.js';
import { fileRowCounts, planShards } from '../../data/positiveScan.js';
import { sampleShard, type ShardCheckpoint } from '../../data/shardSampling.js';
import { generateSyntheticDataset } from '../../data/syntheticData.js';

let dir: string;
let input: AdaptiveSampleShardInput;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-act-'));
  const files = [join(dir, 'a.parquet'), join(dir, 'b.parquet')];
  await generateSyntheticDataset({ rows: 40_000, positiveRate: 0.01, features: 4, seed: 1, out: files[0]! });
  await generateSyntheticDataset({ rows: 40_000, positiveRate: 0.01, features: 4, seed: 2, out: files[1]! });
  const segments = planShards(files, await fileRowCounts(files), 1)[0]!;
  input = {
    segments,
    fileSha256s: await Promise.all(files.map((f) => fileSha256(f))),
    label: 'label',
    positiveLabel: '1',
    featureNames: ['f0', 'f1', 'f2', 'f3'],
    targetSize: 6000,
    positiveTarget: 500,
    shardIndex: 0,
    shardCount: 1,
    seed: 9,
    // Checkpoints belong to the file-order scan; the order-checked scan reads the label column in one pass.
    order: 'sequential',
  };
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('adaptiveSampleShard activity', () => {
  it('resumes from the checkpoint named in its last heartbeat and gives the identical sample', async () => {
    const uninterrupted = await new MockActivityEnvironment().run(
      adaptiveSampleActivities({ artifacts: new ArtifactStore(join(dir, 'store-a')) }).adaptiveSampleShard,
      input,
    );
    expect(uninterrupted.resumed).toBe(false);

    // A first attempt that dies after its first checkpoint: take that checkpoint as its last heartbeat.
    const store = new ArtifactStore(join(dir, 'store-b'));
    let checkpoint: ShardCheckpoint | undefined;
    const partial = await sampleShard(
      {
        segments: input.segments!,
        positive: { label: 'label', positive: '1' },
        featureNames: input.featureNames,
        targetSize: 6000,
        positiveTarget: 500,
        seed: 9,
        shardIndex: 0,
        order: 'sequential',
      },
      { onCheckpoint: (c) => ((checkpoint = c), true) },
    );
    expect(partial).toBeUndefined();
    expect(checkpoint!.position.segment).toBeGreaterThanOrEqual(0);
    const ref = await store.putBytes(JSON.stringify(checkpoint), 'sampling-checkpoint', 'json');
    const retry = await new MockActivityEnvironment({ heartbeatDetails: { checkpoint: ref }, attempt: 2 }).run(
      adaptiveSampleActivities({ artifacts: store }).adaptiveSampleShard,
      input,
    );
    expect(retry.resumed).toBe(true);
    expect(retry.sample.sha256).toBe(uninterrupted.sample.sha256);
    expect(retry.scannedRows).toBe(uninterrupted.scannedRows);
    expect(retry.positives).toBe(500);
    expect(retry.negatives).toBe(5500);
  });

  it('returns the stored result when run again with the same input', async () => {
    const store = new ArtifactStore(join(dir, 'store-c'));
    const acts = adaptiveSampleActivities({ artifacts: store });
    const first = await new MockActivityEnvironment().run(acts.adaptiveSampleShard, input);
    const again = await new MockActivityEnvironment().run(acts.adaptiveSampleShard, input);
    expect(again).toEqual(first);
  });
});
