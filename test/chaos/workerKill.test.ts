// Crashes during a retrain on a real Temporal dev server: the worker (a `rareflow worker` child process serving both
// queues) is SIGKILLed at seeded points spread over every activity of the run and restarted; then the server itself
// is stopped mid-run and started again on its SQLite file. Each run must end exactly as an uninterrupted run with
// the same seed, with no duplicate registry row and no partial or orphaned artifact.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection, type WorkflowHandleWithFirstExecutionRunId as WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePipelineSpec } from '../../client/pipelineSpec.js';
import { seededRandom } from '../../core/random.js';
import { ArtifactStore } from '../../data/artifactStore.js';
import { Registry } from '../../data/registry.js';
import { generateSyntheticDataset } from '../../data/syntheticData.js';
import { packageRoot } from '../../infra/rareflowConfig.js';
import { freePort, startDevServer, type DevServer } from '../../infra/temporalServer.js';
import { WORKFLOWS_TASK_QUEUE, type PipelineSpec, type RetrainResult } from '../../workflows/contract.js';
import { auditArtifactStore, snapshotRegistry, type ArtifactAudit, type RegistrySnapshot } from '../support/stateSnapshot.js';
import { startWorkerProcess, type WorkerProcess } from '../support/workerProcess.js';

/** Runs with a kill; each picks a different activity (a seeded shuffle of all of them). */
const KILL_RUNS = 12;
const KILL_SEED = 20_240_801;
/** One workflow id for every run: the run id is sealed into the model file, so equal ids make equal models. */
const WORKFLOW_ID = 'chaos-retrain';
const WORKER_ID = 'chaos-worker';
/** Longest a run may take after a crash (the released activity is retried after 1 s of backoff). */
const RUN_TIMEOUT_MS = 90_000;

let dir: string;
let stateDir: string;
let port: number;
let server: DevServer;
let connection: Connection;
let client: Client;
let spec: PipelineSpec;

interface RunOutcome {
  result: RetrainResult;
  registry: RegistrySnapshot;
  audit: ArtifactAudit;
  /** Activities in their scheduling order, over the retrain and its sampling child. */
  activities: string[];
  stderr: string;
}

let baseline: RunOutcome;
const killLog: Array<{
  run: number;
  killAt: number;
  delayMs: number;
  activity: string;
  inFlight: string;
  released: string;
  swept: number;
  status: string;
}> = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-chaos-kill-'));
  stateDir = join(dir, 'temporal');
  port = await freePort();
  server = await startDevServer({ stateDir, toolRoot: packageRoot(), port, headless: true });
  connection = await Connection.connect({ address: server.target.address });
  client = new Client({ connection, namespace: server.target.namespace });
  const data = join(dir, 'data.parquet');
  await generateSyntheticDataset({ rows: 20_000, positiveRate: 0.02, features: 5, seed: 7, out: data });
  // Every stage on, and a forest trained on worker threads, so a kill can land in each kind of work.
  spec = resolvePipelineSpec(
    {
      modelName: 'chaos',
      input: { paths: [data], label: 'label' },
      sampling: { targetSize: 3000 },
      denoise: { method: 'enn' },
      adasyn: { enabled: true },
      model: { kind: 'forest', threshold: 'prevalence', trees: 30 },
      seed: 5,
    },
    'chaos spec',
  );
});

afterAll(async () => {
  await connection?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function startRetrain(): Promise<WorkflowHandle> {
  return client.workflow.start('retrainPipeline', {
    workflowId: WORKFLOW_ID,
    taskQueue: WORKFLOWS_TASK_QUEUE,
    args: [{ spec, trigger: { kind: 'manual', reason: 'chaos', coalesced: 1 } }],
  });
}

/** Activity types scheduled so far by this retrain run and by its own sampling child (not an earlier run's). */
async function scheduledActivities(handle: WorkflowHandle): Promise<string[]> {
  const parent = (await client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId).fetchHistory()).events ?? [];
  const events = [...parent];
  const child = parent.find((e) => e.childWorkflowExecutionStartedEventAttributes)?.childWorkflowExecutionStartedEventAttributes
    ?.workflowExecution;
  if (child?.workflowId && child.runId)
    events.push(...((await client.workflow.getHandle(child.workflowId, child.runId).fetchHistory()).events ?? []));
  const at = (e: (typeof events)[number]) => Number(e.eventTime?.seconds ?? 0) * 1e3 + (e.eventTime?.nanos ?? 0) / 1e6;
  return events
    .filter((e) => e.activityTaskScheduledEventAttributes)
    .sort((a, b) => at(a) - at(b))
    .map((e) => e.activityTaskScheduledEventAttributes!.activityType!.name!);
}

/** The activities pending in the run and its sampling child right now, as `name(state)`. */
async function inFlight(handle: WorkflowHandle): Promise<{ status: string; pending: string[] }> {
  const d = await client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId).describe();
  const pending = (d.raw.pendingActivities ?? []).map((a) => `${a.activityType?.name}(${a.state === 2 ? 'started' : 'scheduled'})`);
  try {
    const child = await client.workflow.getHandle(`${WORKFLOW_ID}-sampling`).describe();
    if (child.status.name === 'RUNNING')
      pending.push(
        ...(child.raw.pendingActivities ?? []).map((a) => `${a.activityType?.name}(${a.state === 2 ? 'started' : 'scheduled'})`),
      );
  } catch {
    // not started yet
  }
  return { status: d.status.name, pending };
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms))),
  ]).finally(() => clearTimeout(timer));
}

/**
 * One retrain in a fresh RAREFLOW_HOME. With `kill`, the worker is SIGKILLed `delayMs` after the run schedules its
 * `at`-th activity, then restarted; the last worker is SIGKILLed too, so the registry is next opened after a crash.
 */
async function retrainRun(home: string, kill?: { run: number; at: number; delayMs: number }): Promise<RunOutcome> {
  mkdirSync(home, { recursive: true });
  const workerOptions = { address: server.target.address, home, env: { RAREFLOW_WORKER_ID: WORKER_ID } };
  let worker: WorkerProcess = await startWorkerProcess(workerOptions);
  let stderr = '';
  try {
    const handle = await startRetrain();
    if (kill) {
      let scheduled: string[] = [];
      const deadline = Date.now() + RUN_TIMEOUT_MS;
      while ((scheduled = await scheduledActivities(handle)).length < kill.at) {
        if (Date.now() > deadline) throw new Error(`the run never scheduled ${kill.at} activities (got ${scheduled.join(', ')})`);
        await new Promise((r) => setTimeout(r, 15));
      }
      if (kill.delayMs > 0) await new Promise((r) => setTimeout(r, kill.delayMs));
      await worker.kill();
      const state = await inFlight(handle);
      stderr += worker.stderr();
      worker = await startWorkerProcess(workerOptions);
      killLog.push({
        run: kill.run,
        killAt: kill.at,
        delayMs: kill.delayMs,
        activity: scheduled[kill.at - 1]!,
        inFlight: state.pending.join(' ') || '(between activities)',
        released: '',
        swept: 0,
        status: state.status,
      });
    }
    const result = (await withTimeout(
      handle.result(),
      RUN_TIMEOUT_MS,
      `retrain ${kill ? `killed at activity ${kill.at}` : 'baseline'}`,
    )) as RetrainResult;
    const activities = await scheduledActivities(handle);
    if (kill) {
      // Read once the run is over: the restarted worker's start-up lines (stderr) may trail its ready line (stdout).
      const entry = killLog.at(-1)!;
      entry.released = /released \d+ activity attempt\(s\)[^:]*: (.*)/.exec(worker.stderr())?.[1] ?? '';
      entry.swept = Number(/removed (\d+) temp file/.exec(worker.stderr())?.[1] ?? 0);
      await worker.kill();
    } else await worker.stop();
    stderr += worker.stderr();
    // The next process to open the registry after a SIGKILL must find it usable (no stale lock, WAL replayed).
    const reopened = await Registry.open(join(home, 'registry.duckdb'));
    await reopened.close();
    return {
      result,
      registry: await snapshotRegistry(join(home, 'registry.duckdb')),
      audit: await auditArtifactStore(join(home, 'artifacts')),
      activities,
      stderr,
    };
  } finally {
    await worker.kill();
  }
}

/** The parts of a result that must not depend on crashes: everything but timings and paths. */
function comparable(r: RetrainResult) {
  return {
    outcome: r.outcome,
    modelSha256: r.modelSha256,
    validation: r.validation,
    reportSha256: /([0-9a-f]{64})\.json$/.exec(r.reportUri)?.[1],
    stages: r.stages.map(({ seconds: _seconds, ...rest }) => rest),
  };
}

function expectCleanState(o: RunOutcome) {
  expect(o.audit.leftovers, 'temp files left in the artifact store').toEqual([]);
  expect(o.audit.mismatched, 'stored files whose bytes do not hash to their name').toEqual([]);
  expect(o.audit.unexpected).toEqual([]);
  expect(
    Object.values(o.registry.duplicates).every((n) => n === 0),
    `duplicate registry rows: ${JSON.stringify(o.registry.duplicates)}`,
  ).toBe(true);
}

describe('worker SIGKILL during a retrain', () => {
  it('an uninterrupted run sets the baseline: promoted, every activity once, a clean store', async () => {
    baseline = await retrainRun(join(dir, 'baseline'));
    expect(baseline.result.outcome).toBe('promoted');
    expectCleanState(baseline);
    expect(baseline.activities).toEqual([
      'describeInput',
      'registryChampion',
      'planSampleShards',
      'adaptiveSampleShard',
      'mergeSampleShards',
      // The run is registered once sampling has checked the kept rows (bad input leaves no run behind).
      'registryStartRun',
      'mergeAndSplit',
      'filterLabelNoise',
      'oversampleAdasyn',
      'trainModel',
      'validateModel',
      'registryRecordRetrain',
      'buildDriftReference',
      'registryPromote',
      'registryFinishRun',
    ]);
    expect(baseline.registry.counts.runs).toBe(1);
    expect(baseline.registry.counts.models).toBe(1);
    expect(baseline.registry.counts.promotions).toBe(1);
    expect(baseline.registry.counts.lineage).toBeGreaterThan(0);
    expect(baseline.registry.referencedArtifacts.length).toBeGreaterThanOrEqual(6);
    expect(baseline.registry.referencedArtifacts.filter((a) => !baseline.audit.artifacts.includes(a))).toEqual([]);
  });

  // Kill points: a seeded shuffle of every activity position, so the runs cover the activities without repeats.
  const random = seededRandom(KILL_SEED);
  const positions = Array.from({ length: 15 }, (_, i) => i + 1);
  for (let i = positions.length - 1; i > 0; i--) {
    const j = random.nextInt(i + 1);
    [positions[i], positions[j]] = [positions[j]!, positions[i]!];
  }
  const plan = positions.slice(0, KILL_RUNS).map((at, run) => ({ run: run + 1, at, delayMs: random.nextInt(60) }));

  for (const kill of plan) {
    it(`run ${kill.run}: SIGKILL ${kill.delayMs} ms after activity ${kill.at} is scheduled, restart: same result, no duplicates, no partial artifacts`, async () => {
      const o = await retrainRun(join(dir, `kill-${kill.run}`), kill);
      expect(comparable(o.result)).toEqual(comparable(baseline.result));
      expect(o.registry.counts).toEqual(baseline.registry.counts);
      expect(o.registry.metrics.join('\n')).toBe(baseline.registry.metrics.join('\n').replaceAll(baseline.result.runId, o.result.runId));
      expectCleanState(o);
      // The registry points at the same artifacts as the uninterrupted run's, and the store holds every one of them.
      expect(o.registry.referencedArtifacts).toEqual(baseline.registry.referencedArtifacts);
      expect(o.registry.referencedArtifacts.filter((a) => !o.audit.artifacts.includes(a))).toEqual([]);
      expect(killLog.at(-1)!.status, 'the kill landed while the run was still open').toBe('RUNNING');
    });
  }

  it('the kills covered activities of both queues, inside running activities', () => {
    console.log(
      [
        '| run | kill after scheduling | delay ms | in flight at the kill | released on restart | temp files swept |',
        '|---|---|---|---|---|---|',
      ]
        .concat(
          killLog.map(
            (k) => `| ${k.run} | #${k.killAt} ${k.activity} | ${k.delayMs} | ${k.inFlight} | ${k.released || '-'} | ${k.swept} |`,
          ),
        )
        .join('\n'),
    );
    expect(killLog).toHaveLength(KILL_RUNS);
    expect(new Set(killLog.map((k) => k.activity)).size).toBe(KILL_RUNS);
    expect(killLog.some((k) => k.activity.startsWith('registry'))).toBe(true);
    // A kill that caught an activity mid-flight must have been released, not left to its 2-minute heartbeat timeout.
    expect(killLog.filter((k) => k.released !== '').length).toBeGreaterThanOrEqual(KILL_RUNS / 2);
  });
});

describe('partial files of a killed writer', () => {
  it("a temp file left by a process killed mid-write is removed when the next worker starts; a live writer's is kept", async () => {
    const home = join(dir, 'sweep');
    const store = new ArtifactStore(join(home, 'artifacts'));
    const live = store.tempPath('arrow');
    writeFileSync(live, 'still being written by this process');
    const writer = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { ArtifactStore } = await import(${JSON.stringify(new URL('../../dist/data/artifactStore.js', import.meta.url).href)}); const { writeFileSync } = await import('node:fs'); const p = new ArtifactStore(process.argv[1]).tempPath('arrow'); writeFileSync(p, 'half a dataset'); console.log(p); setInterval(() => {}, 1000);`,
        store.root,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const orphan = await new Promise<string>((resolve) => writer.stdout!.once('data', (d) => resolve(String(d).trim())));
    writer.kill('SIGKILL');
    await new Promise((r) => writer.once('exit', r));
    expect(existsSync(orphan)).toBe(true);
    const worker = await startWorkerProcess({ address: server.target.address, home });
    try {
      // Written to stderr before the ready line on stdout; the two pipes may arrive in either order.
      for (let i = 0; i < 50 && !worker.stderr().includes('removed'); i++) await new Promise((r) => setTimeout(r, 20));
      expect(worker.stderr()).toMatch(/removed 1 temp file\(s\) left in .* by writers that are gone/);
      expect(existsSync(orphan)).toBe(false);
      expect(existsSync(live)).toBe(true);
    } finally {
      await worker.stop();
      rmSync(live);
    }
  });
});

describe('Temporal server restart during a retrain', () => {
  it('stops the dev server mid-run, starts it again on the same SQLite file and port: the run completes as the baseline did', async () => {
    const home = join(dir, 'server-restart');
    mkdirSync(home, { recursive: true });
    const worker = await startWorkerProcess({ address: server.target.address, home, env: { RAREFLOW_WORKER_ID: WORKER_ID } });
    try {
      const handle = await startRetrain();
      while ((await scheduledActivities(handle)).length < 8) await new Promise((r) => setTimeout(r, 15));
      await server.stop();
      await new Promise((r) => setTimeout(r, 1500));
      server = await startDevServer({ stateDir, toolRoot: packageRoot(), port, headless: true });
      expect(server.owned).toBe(true);
      const result = (await withTimeout(handle.result(), RUN_TIMEOUT_MS, 'retrain across a server restart')) as RetrainResult;
      expect(comparable(result)).toEqual(comparable(baseline.result));
      // The worker rode out the outage: it is the same process.
      expect(worker.child.exitCode).toBeNull();
      await worker.stop();
      const o = {
        result,
        registry: await snapshotRegistry(join(home, 'registry.duckdb')),
        audit: await auditArtifactStore(join(home, 'artifacts')),
        activities: [],
        stderr: '',
      };
      expect(o.registry.counts).toEqual(baseline.registry.counts);
      expectCleanState(o);
    } finally {
      await worker.kill();
    }
  });
});
