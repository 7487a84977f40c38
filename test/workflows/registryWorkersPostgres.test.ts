// Two `rareflow worker --queues registry` processes on one PostgreSQL registry, as a cluster runs them: a throwaway
// PostgreSQL, the Temporal dev server, one workflows+compute worker. Model A is promoted by the first registry worker
// alone; then the second joins, the two retrains of the second phase start, and the first worker is stopped (a rolling
// replacement), so what each worker runs is decided by the test, not by Temporal's choice of poller (with both polling,
// one worker may take every task). Model A is retrained into a canary that is rolled back while model B is retrained
// and promoted, their registry steps concurrent on one database; the histories show both workers at work and the
// database holds every row once.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePipelineSpec, type PipelineSpec } from '../../client/pipelineSpec.js';
import { generateSyntheticDataset } from '../../data/syntheticData.js';
import { packageRoot } from '../../infra/rareflowConfig.js';
import { startDevServer, type DevServer } from '../../infra/temporalServer.js';
import { REGISTRY_TASK_QUEUE, WORKFLOWS_TASK_QUEUE, canaryWorkflowId, type RetrainResult } from '../../workflows/contract.js';
import { postgresUnavailable, startPostgres, type PostgresServer } from '../support/postgresServer.js';
import { startWorkerProcess, type WorkerProcess } from '../support/workerProcess.js';

const REGISTRY_WORKERS = ['registry-1', 'registry-2'];

let dir: string;
let postgres: PostgresServer;
let server: DevServer;
let connection: Connection;
let client: Client;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  if (postgresUnavailable()) return;
  dir = mkdtempSync(join(tmpdir(), 'rareflow-registry-pg-'));
  [postgres, server] = await Promise.all([
    startPostgres(),
    startDevServer({ stateDir: join(dir, 'temporal'), toolRoot: packageRoot(), port: 0, headless: true }),
  ]);
  connection = await Connection.connect({ address: server.target.address });
  client = new Client({ connection, namespace: server.target.namespace });
}, 120_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  await connection?.close();
  await server?.stop();
  await postgres?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface RegistryActivity {
  workflowId: string;
  type: string;
  identity: string;
  /** The attempt that completed it: 1 unless the activity itself failed and was retried. */
  attempt: number;
  /** Scheduled → completed and started → completed, in ms. */
  queuedAndRunMs: number;
  runMs: number;
}

/** Every completed registry-queue activity of a workflow: its type, the worker that ran it and its timings. */
async function registryActivities(workflowId: string): Promise<RegistryActivity[]> {
  const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const byId = new Map(events.map((e) => [String(e.eventId), e]));
  const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) => Number(t?.seconds ?? 0) * 1000 + (t?.nanos ?? 0) / 1e6;
  return events.flatMap((e) => {
    const done = e.activityTaskCompletedEventAttributes;
    if (!done) return [];
    const scheduled = byId.get(String(done.scheduledEventId));
    const started = byId.get(String(done.startedEventId));
    const attrs = scheduled?.activityTaskScheduledEventAttributes;
    if (attrs?.taskQueue?.name !== REGISTRY_TASK_QUEUE) return [];
    return [
      {
        workflowId,
        type: attrs.activityType?.name ?? '?',
        identity: started?.activityTaskStartedEventAttributes?.identity ?? '',
        attempt: started?.activityTaskStartedEventAttributes?.attempt ?? 0,
        queuedAndRunMs: ms(e.eventTime) - ms(scheduled!.eventTime),
        runMs: ms(e.eventTime) - ms(started!.eventTime),
      },
    ];
  });
}

/** Starts a retrain workflow and returns its handle. */
function startRetrain(spec: PipelineSpec, workflowId: string) {
  return client.workflow.start('retrainPipeline', {
    workflowId,
    taskQueue: WORKFLOWS_TASK_QUEUE,
    args: [{ spec, trigger: { kind: 'manual', reason: 'registry workers test', coalesced: 1 } }],
  });
}

describe.skipIf(postgresUnavailable() !== undefined)('two registry workers on one PostgreSQL registry', () => {
  it('runs a promotion, a rolled-back canary and a concurrent promotion of another model with no row lost or doubled', async () => {
    const testStartedAt = Date.now();
    const data = join(dir, 'data.parquet');
    await generateSyntheticDataset({ rows: 8_000, positiveRate: 0.05, features: 4, seed: 41, out: data });
    const registryUrl = await postgres.newDatabaseUrl();
    // Artifacts and serving state are shared, as on a cluster; each worker keeps its own home for the rest.
    const shared = { RAREFLOW_REGISTRY: registryUrl, RAREFLOW_ARTIFACTS: join(dir, 'artifacts'), RAREFLOW_SERVING: join(dir, 'serving') };
    mkdirSync(shared.RAREFLOW_ARTIFACTS, { recursive: true });
    mkdirSync(shared.RAREFLOW_SERVING, { recursive: true });
    const address = server.target.address;
    const registryWorker = (id: string) =>
      startWorkerProcess({ address, home: join(dir, id), queues: 'registry', env: { ...shared, RAREFLOW_WORKER_ID: id } });
    const [orchestrator, firstRegistry] = await Promise.all([
      startWorkerProcess({ address, home: join(dir, 'orchestrator'), queues: 'workflows,compute', env: shared }),
      registryWorker(REGISTRY_WORKERS[0]!),
    ]);
    workers.push(orchestrator!, firstRegistry!);

    // A canary with no live traffic ends after one short window for lack of evidence, and the spec's default
    // for that is a rollback: the second retrain of A is rolled back without a scoring service.
    const specOf = (modelName: string, seed: number) =>
      resolvePipelineSpec(
        {
          modelName,
          input: { paths: [data], label: 'label' },
          sampling: { targetSize: 3_000 },
          model: { kind: 'logreg', threshold: 'prevalence' },
          canary: { steps: [0.5, 1], windowMs: 300, maxExtensions: 0 },
          seed,
        },
        'registry workers spec',
      );
    const first = (await (await startRetrain(specOf('model-a', 3), 'a-first')).result()) as RetrainResult;
    const secondRegistry = await registryWorker(REGISTRY_WORKERS[1]!);
    workers.push(secondRegistry);
    const secondPhase = await Promise.all([startRetrain(specOf('model-a', 4), 'a-second'), startRetrain(specOf('model-b', 5), 'b-first')]);
    // A graceful stop: the first worker finishes what it holds (perhaps the first step of the second phase) and
    // takes nothing more; every later registry step goes to the second.
    expect(await firstRegistry!.stop()).toBe(0);
    const [second, other] = (await Promise.all(secondPhase.map((h) => h.result()))) as [RetrainResult, RetrainResult];
    expect(first.outcome).toBe('promoted');
    expect(other.outcome).toBe('promoted');
    expect(second.outcome).toBe('rolled-back');
    expect(second.canary?.outcome).toBe('rolled-back');
    expect(second.modelSha256).not.toBe(first.modelSha256);

    const workflowIds = ['a-first', 'a-second', 'b-first', canaryWorkflowId(second.runId)];
    const activities = (await Promise.all(workflowIds.map(registryActivities))).flat();
    const identities = new Set(activities.map((a) => a.identity));
    expect([...identities].sort()).toEqual(REGISTRY_WORKERS);
    expect(new Set(activities.filter((a) => a.workflowId === 'a-first').map((a) => a.identity))).toEqual(new Set([REGISTRY_WORKERS[0]]));
    // Registering a model and promoting it come after the stop: the second worker ran them in both retrains.
    for (const id of ['a-second', 'b-first'])
      expect(activities.some((a) => a.workflowId === id && a.identity === REGISTRY_WORKERS[1])).toBe(true);
    // Serialization conflicts between the two workers are retried inside the transaction, never as a failed activity.
    expect(activities.filter((a) => a.attempt !== 1)).toEqual([]);

    const db = new pg.Client({ connectionString: registryUrl });
    await db.connect();
    try {
      const rows = async (sql: string) => (await db.query(sql)).rows as Array<Record<string, unknown>>;
      const runs = await rows(`SELECT run_id, model_name, outcome FROM runs ORDER BY model_name, run_id`);
      expect(runs).toHaveLength(3);
      expect(new Set(runs.map((r) => r.run_id))).toEqual(new Set([first.runId, second.runId, other.runId]));
      expect(Object.fromEntries(runs.map((r) => [r.run_id, r.outcome]))).toEqual({
        [first.runId]: 'promoted',
        [second.runId]: 'rolled-back',
        [other.runId]: 'promoted',
      });
      const models = await rows(`SELECT model_sha256, model_name, run_id FROM models ORDER BY run_id`);
      expect(models.map((m) => [m.model_name, m.model_sha256, m.run_id]).sort()).toEqual(
        [
          ['model-a', first.modelSha256, first.runId],
          ['model-a', second.modelSha256, second.runId],
          ['model-b', other.modelSha256, other.runId],
        ].sort(),
      );
      const promotions = await rows(`SELECT model_name, from_sha256, to_sha256, run_id, kind FROM promotions ORDER BY model_name`);
      expect(promotions).toEqual([
        { model_name: 'model-a', from_sha256: null, to_sha256: first.modelSha256, run_id: first.runId, kind: 'promote' },
        { model_name: 'model-b', from_sha256: null, to_sha256: other.modelSha256, run_id: other.runId, kind: 'promote' },
      ]);
      const aliases = await rows(`SELECT model_name, alias, model_sha256 FROM aliases ORDER BY model_name, alias`);
      expect(aliases).toEqual([
        { model_name: 'model-a', alias: 'champion', model_sha256: first.modelSha256 },
        { model_name: 'model-b', alias: 'champion', model_sha256: other.modelSha256 },
      ]);
      const archived = await rows(`SELECT model_sha256, model_name, reason FROM archived_models`);
      expect(archived).toEqual([{ model_sha256: second.modelSha256, model_name: 'model-a', reason: second.reason }]);
      const canaries = await rows(`SELECT model_name, challenger_sha256, champion_sha256, status, weight FROM canary_rollouts`);
      expect(canaries).toEqual([
        {
          model_name: 'model-a',
          challenger_sha256: second.modelSha256,
          champion_sha256: first.modelSha256,
          status: 'rolled-back',
          weight: 0,
        },
      ]);

      const perWorker = REGISTRY_WORKERS.map((id) => `${id} ${activities.filter((a) => a.identity === id).length}`).join(', ');
      const registryMs = (workflowId: string) => {
        const own = activities.filter((a) => a.workflowId === workflowId);
        return `${own.length} activities, ${Math.round(own.reduce((s, a) => s + a.queuedAndRunMs, 0))} ms scheduled→completed, ${Math.round(own.reduce((s, a) => s + a.runMs, 0))} ms started→completed`;
      };
      console.log(
        `registry workers on PostgreSQL: ${activities.length} registry activities over 4 workflows ran on both workers, one after the other ` +
          `(${perWorker}); model A promoted then its canary rolled back (${second.reason?.split(':')[0]}) while model B was promoted; ` +
          `the database holds 3 runs, 3 models, 2 promotions, 2 champion aliases, 1 archived model and 1 rolled-back canary, ` +
          `nothing doubled or lost; first retrain of A's registry time: ${registryMs('a-first')}; ` +
          `${((Date.now() - testStartedAt) / 1000).toFixed(1)} s in all.`,
      );
    } finally {
      await db.end();
    }
  }, 180_000);
});
