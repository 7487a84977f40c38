// Commands against a Temporal server another process keeps running (as `rareflow dev` does): `run` without --wait
// returns once the lifecycle has the signal, hosting no worker; `schedule create` needs a running lifecycle.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { packageRoot } from '../../infra/rareflowConfig.js';
import { freePort, startDevServer, type DevServer } from '../../infra/temporalServer.js';
import { CLI, runCli } from '../support/cliProcess.js';

let dir: string;
let server: DevServer;
let connection: Connection;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-run-nowait-'));
  server = await startDevServer({ stateDir: join(dir, 'server'), toolRoot: packageRoot(), port: await freePort(), headless: true });
  connection = await Connection.connect({ address: server.target.address });
  env = { RAREFLOW_HOME: join(dir, 'state'), RAREFLOW_TEMPORAL_PORT: server.target.address.split(':')[1]! };
}, 120_000);

afterAll(async () => {
  await connection?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('returns once the lifecycle has the retrain signal, naming the workflow and the command to follow it', async () => {
  const gen = await runCli(['generate', '--rows', '2000', '--positive-rate', '0.05', '--features', '3', '--out', 'data.csv'], {
    cwd: dir,
    env,
  });
  expect(gen.code, gen.stderr).toBe(0);
  writeFileSync(join(dir, 'pipeline.json'), JSON.stringify({ modelName: 'nowait', input: { paths: ['data.csv'], label: 'label' } }));
  // No worker polls this server, so a run that waited for the retrain would never end: the timeout would fail it.
  const r = await runCli(['run', '--config', 'pipeline.json', '--json'], { cwd: dir, env, timeoutMs: 60_000 });
  expect(r.code, r.stderr).toBe(0);
  const out = r.json<{ modelName: string; workflowId: string; requested: boolean; lifecycle: string }>();
  expect([out.requested, out.lifecycle]).toEqual([true, 'started']);
  expect(out.modelName).toBe('nowait');
  expect(out.workflowId).toContain('nowait');
  expect(r.stderr).toContain(`retrain requested: lifecycle workflow ${out.workflowId}; follow it with: rareflow status --model nowait`);
  expect(r.stderr).toContain('note: no worker is polling yet');
  expect(r.stderr).not.toContain('running one in this process');
  const client = new Client({ connection, namespace: server.target.namespace });
  const description = await client.workflow.getHandle(out.workflowId).describe();
  expect(description.status.name).toBe('RUNNING');
  expect(description.type).toBe('modelLifecycle');
  // A second request goes to the running lifecycle: said as signalled, not started.
  const again = await runCli(['run', '--config', 'pipeline.json', '--json'], { cwd: dir, env, timeoutMs: 60_000 });
  expect(again.code, again.stderr).toBe(0);
  expect(again.json<{ lifecycle: string }>().lifecycle).toBe('signalled');
}, 120_000);

it('schedule create refuses a model without a running lifecycle, naming those that have one', async () => {
  // Runs after the test above, which started the lifecycle of "nowait".
  const refused = await runCli(['schedule', 'create', '--model', 'nobody', '--every', '1h'], { cwd: dir, env, timeoutMs: 60_000 });
  expect(refused.code).toBe(2);
  expect(refused.stderr.trim().split('\n').at(-1)).toMatch(
    /schedule create: model nobody has no running lifecycle for the schedule to signal; models with a running lifecycle: nowait$/,
  );
  const client = new Client({ connection, namespace: server.target.namespace });
  await expect(client.schedule.getHandle('rareflow-retrain-nobody').describe()).rejects.toThrow();
  const created = await runCli(['schedule', 'create', '--model', 'nowait', '--every', '1h', '--json'], {
    cwd: dir,
    env,
    timeoutMs: 60_000,
  });
  expect(created.code, created.stderr).toBe(0);
  expect(created.json<{ created: string }>().created).toBe('rareflow-retrain-nowait');
  // Listed as it is, started: the server's search index still held the paused state it was created in.
  const listed = await runCli(['schedule', 'list', '--json'], { cwd: dir, env, timeoutMs: 60_000 });
  expect(listed.code, listed.stderr).toBe(0);
  expect(listed.json<{ schedules: Array<{ id: string; paused: boolean; note?: string }> }>().schedules).toEqual([
    expect.objectContaining({ id: 'rareflow-retrain-nowait', paused: false, note: 'created with rareflow schedule create' }),
  ]);
}, 120_000);

it('status with no worker polling hosts a workflows worker only: it answers, and runs no pending activity', async () => {
  // Runs after the tests above: the lifecycle of "nowait" has a retrain whose first activity waits for a compute worker.
  const r = await runCli(['status', '--model', 'nowait', '--json'], { cwd: dir, env, timeoutMs: 90_000 });
  expect(r.code, r.stderr).toBe(0);
  expect(r.json<{ modelName: string; phase: string }>().phase).toBe('retraining');
  const client = new Client({ connection, namespace: server.target.namespace });
  const started: string[] = [];
  for await (const w of client.workflow.list()) {
    const history = await client.workflow.getHandle(w.workflowId, w.runId).fetchHistory();
    for (const e of history.events ?? []) if (e.activityTaskStartedEventAttributes) started.push(w.workflowId);
  }
  // An activity the command's worker took would have been abandoned when the command ended, spending an attempt.
  expect(started).toEqual([]);
}, 120_000);

it('run --wait on a retrain cancelled while it awaits approval says outcome cancelled and exits 1, not as a failure', async () => {
  writeFileSync(
    join(dir, 'approval.json'),
    JSON.stringify({
      modelName: 'cancelled',
      input: { paths: ['data.csv'], label: 'label' },
      model: { kind: 'logreg' },
      requireApproval: true,
      gates: { minPositiveSupport: 5, gates: [{ metric: 'gMean', min: 0.1 }] },
    }),
  );
  // A worker runs beside the waiting command, as under rareflow dev; the cancel comes from another process once the
  // retrain waits for a person.
  const worker = spawn(process.execPath, [CLI, 'worker'], { cwd: dir, env: { ...process.env, ...env }, stdio: 'ignore' });
  const waiting = runCli(['run', '--config', 'approval.json', '--wait'], { cwd: dir, env, timeoutMs: 180_000 });
  let ended = false;
  void waiting.then(() => (ended = true));
  for (let i = 0; ; i++) {
    const st = await runCli(['status', '--model', 'cancelled', '--json'], { cwd: dir, env, timeoutMs: 60_000 });
    if (st.code === 0 && st.json<{ phase: string }>().phase === 'awaiting-approval') break;
    if (ended || i > 120) throw new Error(`the retrain never waited for approval: ${JSON.stringify(await waiting)}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  const cancel = await runCli(['cancel', '--model', 'cancelled'], { cwd: dir, env, timeoutMs: 60_000 });
  expect(cancel.code, cancel.stderr).toBe(0);
  const r = await waiting;
  worker.kill('SIGTERM');
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr + r.stdout).toMatch(/outcome: cancelled/);
  expect(r.stderr).not.toContain('Workflow execution cancelled');
}, 240_000);

it('status after a worker stopped hosts its own worker once the stopped one has not polled for 75 s', async () => {
  // Runs after the test above: the lifecycle of "cancelled" exists. The server lists a stopped worker as a poller for
  // about five minutes; status counted it and failed with "Failed to query Workflow" all that time.
  const worker = spawn(process.execPath, [CLI, 'worker', '--queues', 'workflows'], {
    cwd: dir,
    env: { ...process.env, ...env },
    stdio: 'ignore',
  });
  const client = new Client({ connection, namespace: server.target.namespace });
  const pollers = async () =>
    (
      await client.workflowService.describeTaskQueue({
        namespace: server.target.namespace,
        taskQueue: { name: 'rareflow-workflows' },
        taskQueueType: 1,
      })
    ).pollers ?? [];
  for (let i = 0; (await pollers()).length === 0; i++) {
    if (i > 60) throw new Error('the worker never polled');
    await new Promise((r) => setTimeout(r, 1000));
  }
  worker.kill('SIGTERM');
  await new Promise((r) => worker.once('close', r));
  await new Promise((r) => setTimeout(r, 80_000));
  expect((await pollers()).length).toBeGreaterThan(0);
  const r = await runCli(['status', '--model', 'cancelled', '--json'], { cwd: dir, env, timeoutMs: 90_000 });
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toContain('no worker is polling: running one in this process');
}, 240_000);
