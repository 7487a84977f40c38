// Scale-out on object storage, as a cluster runs it: S3Proxy, the Temporal dev server, one `rareflow worker` for the
// workflows and registry queues and two compute workers with their own homes and no shared directory (artifacts,
// serving state and input all on s3://). A sharded retrain runs, the compute worker deep in the ENN stage is
// SIGKILLed, the run is promoted on the other one; then no registry row is doubled, no object in the artifact
// prefix is an orphan, and a scoring replica in a fresh home with only the s3:// serving root serves the champion.

import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePipelineSpec } from '../../client/pipelineSpec.js';
import type { ArtifactRef } from '../../core/pipelineTypes.js';
import { openRegistryForReading } from '../../data/registryReadAccess.js';
import { s3ClientFor, S3ObjectStore } from '../../data/s3ObjectStore.js';
import { generateSyntheticDataset } from '../../data/syntheticData.js';
import { packageRoot } from '../../infra/rareflowConfig.js';
import { startDevServer, type DevServer } from '../../infra/temporalServer.js';
import { WORKFLOWS_TASK_QUEUE, type RetrainResult } from '../../workflows/contract.js';
import { startS3TestStorage, type S3TestStorage } from '../support/s3Storage.js';
import { startServeProcess, type ServeProcess } from '../support/serveProcess.js';
import { startWorkerProcess, type WorkerProcess } from '../support/workerProcess.js';

const STAGE = 'filterLabelNoise';
const MODEL = 'scale-out';
const ARTIFACTS = 's3://artifacts/rareflow';
const SERVING = 's3://serving/rareflow';
/** The artifact store's layout (data/s3ArtifactStore.ts): content at <sha[0:2]>/<sha>.<ext>, memo records at keys/<key>.json. */
const CONTENT_KEY = /^([0-9a-f]{2})\/([0-9a-f]{64})\.[A-Za-z0-9]+$/;
const MEMO_KEY = /^keys\/[^/]+\.json$/;

let dir: string;
let server: DevServer;
let s3: S3TestStorage;
let connection: Connection;
let client: Client;
const workers: WorkerProcess[] = [];
let replica: ServeProcess | undefined;
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-scale-out-'));
  [server, s3] = await Promise.all([
    startDevServer({ stateDir: join(dir, 'temporal'), toolRoot: packageRoot(), port: 0, headless: true }),
    startS3TestStorage(),
  ]);
  for (const bucket of ['artifacts', 'serving', 'inputs']) await s3.createBucket(bucket);
  // The worker, serve and store helpers take the AWS variables from the process, as an operator's pods do.
  for (const [k, v] of Object.entries(s3.server.env)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  connection = await Connection.connect({ address: server.target.address });
  client = new Client({ connection, namespace: server.target.namespace });
}, 120_000);

afterAll(async () => {
  await replica?.stop('SIGTERM');
  await Promise.all(workers.map((w) => w.kill()));
  await connection?.close();
  await server?.stop();
  await s3?.close();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The started attempt of STAGE in the run right now, if any: its attempt number and worker identity. */
async function runningStage(workflowId: string): Promise<{ attempt: number; identity: string } | undefined> {
  const d = await client.workflow.getHandle(workflowId).describe();
  const a = (d.raw.pendingActivities ?? []).find((p) => p.activityType?.name === STAGE && p.state === 2 && p.lastWorkerIdentity);
  return a ? { attempt: a.attempt ?? 0, identity: a.lastWorkerIdentity! } : undefined;
}

/** Each completed activity of a workflow: its type, the attempt that finished it and that attempt's worker identity. */
async function finishedActivities(workflowId: string): Promise<Array<{ type: string; attempt: number; identity: string }>> {
  const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const typeOf = new Map<string, string>();
  for (const e of events) {
    const name = e.activityTaskScheduledEventAttributes?.activityType?.name;
    if (name) typeOf.set(String(e.eventId), name);
  }
  return events.flatMap((e) => {
    const s = e.activityTaskStartedEventAttributes;
    return s ? [{ type: typeOf.get(String(s.scheduledEventId)) ?? '?', attempt: s.attempt ?? 0, identity: s.identity ?? '' }] : [];
  });
}

/** Every 64-hex digest in a JSON value: the artifact references a workflow result carries. */
function digestsIn(value: unknown): string[] {
  return JSON.stringify(value).match(/\b[0-9a-f]{64}\b/g) ?? [];
}

describe('scale-out on s3:// storage', () => {
  it('runs a sharded retrain over two compute workers without a shared disk, survives a SIGKILL, and serves the champion', async () => {
    const inputs = new S3ObjectStore('s3://inputs/day-1', 'test', { env: process.env });
    for (const [i, seed] of [21, 22].entries()) {
      const path = join(dir, `part-${i}.parquet`);
      await generateSyntheticDataset({ rows: 6000, positiveRate: 0.04, features: 4, seed, out: path });
      await inputs.put(`part-${i}.parquet`, { file: path });
    }
    const address = server.target.address;
    const storage = { RAREFLOW_ARTIFACTS: ARTIFACTS, RAREFLOW_SERVING: SERVING };
    const registryPath = join(dir, 'orchestrator', 'registry.duckdb');
    // The first attempt of the ENN stage stalls (heartbeating) wherever it lands: the kill finds it mid-stage.
    const computeEnv = { ...storage, RAREFLOW_FAULTS: `${STAGE}:slow:1` };
    const started = await Promise.all([
      startWorkerProcess({ address, home: join(dir, 'orchestrator'), queues: 'workflows,registry', env: storage }),
      startWorkerProcess({ address, home: join(dir, 'compute-a'), queues: 'compute', env: computeEnv }),
      startWorkerProcess({ address, home: join(dir, 'compute-b'), queues: 'compute', env: computeEnv }),
    ]);
    workers.push(...started);
    const [orchestrator, a, b] = started as [WorkerProcess, WorkerProcess, WorkerProcess];
    const names: Array<[WorkerProcess, string]> = [
      [orchestrator, 'orchestrator'],
      [a, 'compute-a'],
      [b, 'compute-b'],
    ];
    const nameOf = (identity: string) => names.find(([w]) => identity.startsWith(`${w.pid}@`))?.[1] ?? identity;
    const spec = resolvePipelineSpec(
      {
        modelName: MODEL,
        input: { paths: ['s3://inputs/day-1/*.parquet'], label: 'label' },
        sampling: { targetSize: 3000, positivesPerParameter: 20, shards: 2 },
        denoise: { method: 'enn' },
        model: { kind: 'logreg', threshold: 'prevalence' },
        seed: 6,
      },
      'scale-out spec',
    );
    const runStartedAt = Date.now();
    const handle = await client.workflow.start('retrainPipeline', {
      workflowId: 'scale-out-retrain',
      taskQueue: WORKFLOWS_TASK_QUEUE,
      args: [{ spec, trigger: { kind: 'manual', reason: 'scale-out test', coalesced: 1 } }],
    });

    let first: { attempt: number; identity: string } | undefined;
    while (!(first = await runningStage(handle.workflowId))) await new Promise((r) => setTimeout(r, 200));
    expect(first.attempt).toBe(1);
    const victim = [a, b].find((w) => first!.identity.startsWith(`${w.pid}@`));
    expect(victim, `the stage ran on ${first.identity}, neither compute worker`).toBeDefined();
    const survivor = victim === a ? b : a;
    const killedAt = Date.now();
    await victim!.kill();

    const result = (await handle.result()) as RetrainResult;
    const failoverMs = Date.now() - killedAt;
    expect(result.outcome).toBe('promoted');
    const sha = result.modelSha256;

    // Which worker ran what: the run's own activities and the sampling child's shards.
    const run = await finishedActivities(handle.workflowId);
    const sampling = await finishedActivities(`${result.runId}-sampling`);
    const shards = sampling.filter((s) => s.type === 'adaptiveSampleShard');
    expect(shards).toHaveLength(2);
    const compute = [...run, ...sampling].filter((s) => nameOf(s.identity).startsWith('compute-'));
    const stage = run.find((s) => s.type === STAGE);
    // The ENN stage was finished by its second attempt, on the surviving worker.
    expect(stage).toMatchObject({ attempt: 2 });
    expect(stage!.identity.startsWith(`${survivor.pid}@`)).toBe(true);
    // Every compute activity ran on one of the two compute workers; both of them ran the run's work.
    expect(compute.length).toBe([...run, ...sampling].filter((s) => !s.type.startsWith('registry')).length);
    const computeWorkers = new Set([nameOf(first.identity), ...compute.map((s) => nameOf(s.identity))]);
    expect([...computeWorkers].sort()).toEqual(['compute-a', 'compute-b']);

    // Registry activities ran on the orchestrator only.
    expect([...run, ...sampling].filter((s) => s.type.startsWith('registry')).every((s) => nameOf(s.identity) === 'orchestrator')).toBe(
      true,
    );

    // No registry row written twice: one run, one model, one promotion, one champion alias, one gate verdict.
    const reader = await openRegistryForReading(registryPath);
    let counts: Record<string, number>;
    let modelUri: string | undefined;
    try {
      counts = await reader.registry.tableRowCounts();
      modelUri = (await reader.registry.model(sha))?.uri;
      expect(await reader.registry.listRuns(MODEL)).toHaveLength(1);
    } finally {
      await reader.close();
    }
    expect(counts).toMatchObject({ runs: 1, models: 1, promotions: 1, aliases: 1, gate_verdicts: 1 });
    expect(modelUri).toBe(`${ARTIFACTS}/${sha.slice(0, 2)}/${sha}.json`);

    // No orphan object: every key under the artifact prefix is a content object or a memo record (no temp or partial
    // key); every content object is named by its own sha256 and referenced by a memo record, the run's result or the
    // registry's model record; every reference in a memo record names an object that is there.
    const store = new S3ObjectStore(ARTIFACTS, 'test', { env: process.env });
    const objects = await store.list('');
    const unexpected = objects.filter((o) => !CONTENT_KEY.test(o.key) && !MEMO_KEY.test(o.key)).map((o) => o.key);
    expect(unexpected).toEqual([]);
    const content = new Map(objects.flatMap((o) => (CONTENT_KEY.test(o.key) ? [[CONTENT_KEY.exec(o.key)![2]!, o.key] as const] : [])));
    const referenced = new Set<string>([...digestsIn(result), sha]);
    const dangling: string[] = [];
    for (const o of objects.filter((x) => MEMO_KEY.test(x.key))) {
      const got = await store.get(o.key);
      if (!got || got === 'not-modified') throw new Error(`memo record ${o.key} vanished`);
      // A record names its key beside its outputs (keyRecordText).
      const record = JSON.parse(got.body.toString('utf8')) as { key: string; outputs: Record<string, ArtifactRef> };
      expect(`keys/${record.key}.json`).toBe(o.key);
      for (const ref of Object.values(record.outputs)) {
        referenced.add(ref.sha256);
        if (!content.has(ref.sha256)) dangling.push(`${o.key} -> ${ref.sha256}`);
      }
    }
    expect(dangling).toEqual([]);
    const orphans = [...content].filter(([digest]) => !referenced.has(digest)).map(([, key]) => key);
    expect(orphans).toEqual([]);
    const misnamed: string[] = [];
    for (const [digest, key] of content) {
      const got = await store.get(key);
      if (!got || got === 'not-modified' || createHash('sha256').update(got.body).digest('hex') !== digest) misnamed.push(key);
    }
    expect(misnamed).toEqual([]);
    // Nor a multipart upload left open under the prefix (a partial object that listing does not show).
    const open = await s3ClientFor(process.env).client.send(new ListMultipartUploadsCommand({ Bucket: 'artifacts', Prefix: 'rareflow/' }));
    expect((open.Uploads ?? []).map((u) => u.Key)).toEqual([]);

    // A scoring replica with nothing but the s3:// serving root serves the champion.
    replica = await startServeProcess({ home: join(dir, 'replica'), servingDir: SERVING, model: MODEL });
    const answer = await fetch(`${replica.url}/score`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ requestId: 'replica-1', features: { f0: 0.5, f1: -0.2, f2: 1.1, f3: 0.3 } }),
    });
    const scored = (await answer.json()) as { modelVersion?: string };
    expect(answer.status, JSON.stringify(scored)).toBe(200);
    expect(scored.modelVersion).toBe(sha);

    const byType = (list: typeof run) =>
      list.map((s) => `${s.type}${s.attempt > 1 ? ` (attempt ${s.attempt})` : ''} on ${nameOf(s.identity)}`);
    console.log(
      [
        `scale-out: run promoted ${((Date.now() - runStartedAt) / 1000).toFixed(1)} s after start; finished ${(failoverMs / 1000).toFixed(1)} s after ${nameOf(first.identity)} was SIGKILLed in ${STAGE}`,
        `  shards: ${byType(shards).join('; ')}`,
        `  run: ${byType(run).join('; ')}`,
        `  artifact objects: ${content.size} content, ${objects.length - content.size} memo records, 0 orphans; registry rows: ${JSON.stringify(counts)}`,
        `  replica in a fresh home answered /score with the champion ${sha.slice(0, 12)}`,
      ].join('\n'),
    );
  }, 240_000);
});
