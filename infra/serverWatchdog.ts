// Keeps the embedded Temporal server from outliving the rareflow process that started it, even one killed by
// SIGKILL: a small watchdog process holds a pipe from rareflow, and when the pipe closes (its writer died, however)
// it stops the server. A pid file next to the server's SQLite file names a server whose owner is gone.

import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Runs in the watchdog (`node -e`): argv[1] is the server's pid. */
const WATCHDOG_SOURCE = `
const pid = Number(process.argv[1]);
const alive = () => { try { process.kill(pid, 0); return true; } catch { return false; } };
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  try { process.kill(pid, 'SIGTERM'); } catch {}
  const started = Date.now();
  setInterval(() => {
    if (!alive()) process.exit(0);
    if (Date.now() - started > 10000) { try { process.kill(pid, 'SIGKILL'); } catch {} process.exit(0); }
  }, 100);
};
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
setInterval(() => { if (!stopping && !alive()) process.exit(0); }, 1000);
`;

/**
 * Starts a watchdog that stops `serverPid` when this process dies. It exits by itself once the server is gone,
 * so a normal stop needs nothing more. Returns the watchdog's pid.
 */
export function watchServer(serverPid: number): number {
  const watchdog = spawn(process.execPath, ['-e', WATCHDOG_SOURCE, String(serverPid)], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  // Neither the watchdog nor its pipe keeps this process alive; the pipe closes only when this process ends.
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void }).unref?.();
  return watchdog.pid ?? -1;
}

export interface ServerPidFile {
  serverPid: number;
  /** The rareflow process that stops the server. */
  ownerPid: number;
  watchdogPid: number;
  port: number;
  dbFilename: string;
  startedAt: string;
}

export function serverPidFilePath(stateDir: string, port: number): string {
  return join(stateDir, `temporal-server-${port}.json`);
}

export function writeServerPidFile(stateDir: string, record: ServerPidFile): void {
  writeFileSync(serverPidFilePath(stateDir, record.port), `${JSON.stringify(record)}\n`);
}

export function removeServerPidFile(stateDir: string, port: number): void {
  rmSync(serverPidFilePath(stateDir, port), { force: true });
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Alive, and (where /proc shows it) still a `temporal server start-dev`, not a process that reused the pid. */
function temporalServerAlive(pid: number): boolean {
  if (!processAlive(pid)) return false;
  const cmdline = `/proc/${pid}/cmdline`;
  if (!existsSync(cmdline)) return true;
  try {
    return readFileSync(cmdline, 'utf8').includes('start-dev');
  } catch {
    return true;
  }
}

/**
 * Servers recorded in `stateDir` whose owner is gone but which still run (left by a rareflow killed before its
 * watchdog existed, or with its watchdog killed too). Stale records (server gone) are removed.
 */
export function orphanedServers(stateDir: string): ServerPidFile[] {
  if (!existsSync(stateDir)) return [];
  const out: ServerPidFile[] = [];
  for (const name of readdirSync(stateDir)) {
    if (!/^temporal-server-\d+\.json$/.test(name)) continue;
    let record: ServerPidFile;
    try {
      record = JSON.parse(readFileSync(join(stateDir, name), 'utf8')) as ServerPidFile;
    } catch {
      continue;
    }
    if (!temporalServerAlive(record.serverPid)) {
      rmSync(join(stateDir, name), { force: true });
      continue;
    }
    if (record.ownerPid !== process.pid && !processAlive(record.ownerPid)) out.push(record);
  }
  return out;
}

export function describeOrphan(r: ServerPidFile): string {
  return `a Temporal server left running by rareflow pid ${r.ownerPid}, which is gone: server pid ${r.serverPid} on 127.0.0.1:${r.port}, database ${r.dbFilename}, started ${r.startedAt}`;
}
