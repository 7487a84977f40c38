// The embedded Temporal server never outlives the rareflow that started it: `rareflow dev` killed with SIGKILL takes
// its server with it (the watchdog), and a server left by a rareflow whose watchdog died too is named and adopted by
// the next command on that port, which stops it when it ends.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processAlive, serverPidFilePath, type ServerPidFile } from '../../infra/serverWatchdog.js';
import { freePort } from '../../infra/temporalServer.js';
import { CLI, runCli } from '../support/cliProcess.js';

let dir: string;
let env: NodeJS.ProcessEnv;
let port: number;
const started: ChildProcess[] = [];
/** Servers this file started, stopped in afterAll should an assertion fail first. */
const serverPids: number[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-embedded-exit-'));
  port = await freePort();
  env = { ...process.env, RAREFLOW_HOME: join(dir, 'state'), RAREFLOW_TEMPORAL_PORT: String(port), TEMPORAL_ADDRESS: '' };
});

afterAll(() => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const pid of serverPids) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** `rareflow dev`, resolved once it says where Temporal is; the server's pid file is then written. */
async function startDev(): Promise<{ child: ChildProcess; record: ServerPidFile }> {
  const child = spawn(process.execPath, [CLI, 'dev'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`rareflow dev did not start: ${out}`)), 120_000);
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('Temporal at')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.on('data', (d) => (out += d));
    child.once('exit', (code) => reject(new Error(`rareflow dev exited with ${code}: ${out}`)));
  });
  const record = JSON.parse(readFileSync(serverPidFilePath(join(dir, 'state'), port), 'utf8')) as ServerPidFile;
  serverPids.push(record.serverPid);
  return { child, record };
}

async function goneWithin(pid: number, ms: number): Promise<boolean> {
  for (let waited = 0; waited <= ms; waited += 100) {
    if (!processAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('the embedded Temporal server dies with its rareflow', () => {
  it('SIGKILL of rareflow dev: its Temporal server is gone within 15 s', async () => {
    const { child, record } = await startDev();
    expect(record).toMatchObject({ ownerPid: child.pid, port, dbFilename: join(dir, 'state', 'temporal.sqlite') });
    expect(processAlive(record.serverPid)).toBe(true);
    await killed(child);
    expect(await goneWithin(record.serverPid, 15_000)).toBe(true);
    expect(await goneWithin(record.watchdogPid, 5_000)).toBe(true);
  });

  it('a server whose rareflow and watchdog were both killed is named by the next command, adopted, and stopped when it ends', async () => {
    const { child, record } = await startDev();
    process.kill(record.watchdogPid, 'SIGKILL');
    await goneWithin(record.watchdogPid, 5_000);
    await killed(child);
    await new Promise((r) => setTimeout(r, 500));
    expect(processAlive(record.serverPid)).toBe(true);
    const r = await runCli(['schedule', 'list'], { cwd: dir, env, timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      `reusing a Temporal server left running by rareflow pid ${record.ownerPid}, which is gone: server pid ${record.serverPid} on 127.0.0.1:${port}, database ${record.dbFilename}`,
    );
    expect(await goneWithin(record.serverPid, 15_000)).toBe(true);
    expect(existsSync(serverPidFilePath(join(dir, 'state'), port))).toBe(false);
  });
});
