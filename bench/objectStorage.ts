// What s3:// storage costs the sampling and ADASYN stages: the same data read from local files and from S3Proxy
// (cold cache: download + verify; warm: the cached copy), and the ADASYN step on a local vs an s3:// store.
// Run: npx tsc -p tsconfig.json && node dist/bench/objectStorage.js [inputRows] [adasynRows] [features]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { seededRandom } from '../core/random.js';
import { ArtifactStore } from '../data/artifactStore.js';
import { loadDatasetArtifact, sampleWeightsOf, saveDatasetArtifact } from '../data/datasetArtifacts.js';
import type { ArtifactRef } from '../core/pipelineTypes.js';
import { oversampleStage } from '../stages/oversample.js';
import { S3ObjectStore, s3ClientFor } from '../data/s3ObjectStore.js';
import { openArtifactStore } from '../data/storageLocations.js';
import { generateSyntheticDataset } from '../data/syntheticData.js';
import { startS3Proxy } from '../infra/s3proxyServer.js';
import { sampleShardStage } from '../stages/sample.js';

const inputRows = Number(process.argv[2] ?? 1_000_000);
const adasynRows = Number(process.argv[3] ?? 200_000);
const features = Number(process.argv[4] ?? 20);

const dir = mkdtempSync(join(tmpdir(), 'rareflow-s3-bench-'));
const server = await startS3Proxy({ dataDir: join(dir, 'backend') });
Object.assign(process.env, server.env);
let caches = 0;
const freshCache = () => {
  process.env.RAREFLOW_CACHE = join(dir, `cache-${caches++}`);
  return process.env.RAREFLOW_CACHE;
};

async function timed<T>(label: string, work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  const ms = performance.now() - started;
  console.log(`${label}: ${ms.toFixed(0)} ms`);
  return { ms, value };
}

try {
  await s3ClientFor(process.env).client.send(new CreateBucketCommand({ Bucket: 'bench' }));

  // Sampling: one shard over the whole input, from a local file and from s3://.
  const local = join(dir, 'input.parquet');
  await generateSyntheticDataset({ rows: inputRows, positiveRate: 0.01, features, seed: 3, out: local });
  const upload = await timed(`upload the ${inputRows}-row Parquet input`, () =>
    new S3ObjectStore('s3://bench/input', 'bench').put('input.parquet', { file: local }),
  );
  console.log(`  input: ${((upload.value as { bytes: number }).bytes / 1e6).toFixed(1)} MB`);
  const request = (file: string) => ({
    files: [file],
    label: 'label',
    positiveLabel: '1',
    featureNames: Array.from({ length: features }, (_, f) => `f${f}`),
    targetSize: 20_000,
    positiveTarget: 2000,
    shardIndex: 0,
    shardCount: 1,
    seed: 7,
  });
  freshCache();
  const sampleLocal = await timed('sample stage, local file', () => sampleShardStage(request(local)));
  const sampleCold = await timed('sample stage, s3:// input, cold cache', () =>
    sampleShardStage(request('s3://bench/input/input.parquet')),
  );
  const sampleWarm = await timed('sample stage, s3:// input, warm cache', () =>
    sampleShardStage(request('s3://bench/input/input.parquet')),
  );
  console.log(
    `  sampling s3/local: cold ×${(sampleCold.ms / sampleLocal.ms).toFixed(2)}, warm ×${(sampleWarm.ms / sampleLocal.ms).toFixed(2)}`,
  );

  // ADASYN as its activity runs it (load the training artifact, oversample, store the augmented one), on each store.
  const adasynStep = async (store: ArtifactStore, ref: ArtifactRef) => {
    const loaded = await loadDatasetArtifact(store, ref);
    const done = oversampleStage(loaded.data, options, sampleWeightsOf(loaded), () => {});
    return saveDatasetArtifact(store, 'train-augmented', {
      data: done.augmented,
      featureNames: loaded.featureNames,
      labelName: loaded.labelName,
      ...(done.extra ? { extra: done.extra } : {}),
    });
  };
  const options = { k: 5, beta: 1, seed: 9 };
  const random = seededRandom(1);
  const values = new Float64Array(adasynRows * features);
  for (let i = 0; i < values.length; i++) values[i] = random.next();
  const y = new Uint8Array(adasynRows);
  for (let i = 0; i < adasynRows; i += 100) {
    y[i] = 1;
    for (let f = 0; f < features; f++) values[i * features + f]! += 0.3;
  }
  const train = {
    data: { x: { rows: adasynRows, cols: features, values }, y },
    featureNames: request(local).featureNames,
    labelName: 'label',
  };
  const localStore = new ArtifactStore(join(dir, 'artifacts'));
  const localRef = await saveDatasetArtifact(localStore, 'train', train);
  console.log(`  training artifact: ${adasynRows} rows × ${features}, ${(localRef.bytes / 1e6).toFixed(1)} MB`);
  const adasynLocal = await timed('ADASYN step, local store', () => adasynStep(localStore, localRef));
  const writer = openArtifactStore('s3://bench/artifacts', { cacheDir: freshCache() });
  const s3Ref = await timed('  save the training artifact to s3://', () => saveDatasetArtifact(writer, 'train', train));
  const reader = openArtifactStore('s3://bench/artifacts', { cacheDir: freshCache() });
  await timed('  of which: load it on another worker (download + verify)', () => loadDatasetArtifact(reader, s3Ref.value));
  const worker = openArtifactStore('s3://bench/artifacts', { cacheDir: freshCache() });
  const adasynS3 = await timed('ADASYN step, s3:// store, cold cache', () => adasynStep(worker, s3Ref.value));
  console.log(`  ADASYN s3/local: ×${(adasynS3.ms / adasynLocal.ms).toFixed(2)}`);
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
