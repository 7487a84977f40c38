// A throwaway PostgreSQL server for tests: Debian's PostgreSQL binaries in a temp directory on a free port, with a
// password-protected user, run as an unprivileged user when the tests run as root; stopped and removed after.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface PostgresServer {
  /** `postgres://rareflow:PASSWORD@127.0.0.1:PORT/DB` for a database created fresh by this call. */
  newDatabaseUrl(): Promise<string>;
  /** The server's address with a wrong password, for refusal tests. */
  wrongPasswordUrl: string;
  port: number;
  stop(): Promise<void>;
}

export const POSTGRES_USER = 'rareflow';
const PASSWORD = 'test-secret-pw';

/** The bin directory of the newest Debian PostgreSQL install, or undefined when there is none. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')) && existsSync(join(root, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

/** Why PostgreSQL tests cannot run here, or undefined when they can. */
export function postgresUnavailable(): string | undefined {
  return postgresBinDir() === undefined ? 'no PostgreSQL binaries under /usr/lib/postgresql (install postgresql-15)' : undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

const NOBODY = 65534;
/** As `nobody` when root (initdb and postgres refuse root), as ourselves otherwise. */
const serverUser = process.getuid?.() === 0 ? { uid: NOBODY, gid: NOBODY } : {};

async function waitReady(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited (${child.exitCode}) before it was ready: ${log()}`);
    const client = new pg.Client({ host: '127.0.0.1', port, user: POSTGRES_USER, password: PASSWORD, database: 'postgres' });
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`postgres on port ${port} not ready after 30 s: ${log()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Start a PostgreSQL server; call stop() in afterAll. */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBinDir();
  if (bin === undefined) throw new Error(postgresUnavailable());
  const dir = await mkdtemp(join(tmpdir(), 'rareflow-pg-'));
  const data = join(dir, 'data');
  const socketDir = join(dir, 'sock');
  const pwfile = join(dir, 'pw');
  await writeFile(pwfile, `${PASSWORD}\n`);
  await mkdir(socketDir);
  if (process.getuid?.() === 0) {
    for (const path of [dir, pwfile, socketDir]) await chown(path, NOBODY, NOBODY);
  }
  await chmod(dir, 0o700);
  const init = spawnSync(
    join(bin, 'initdb'),
    ['-D', data, '-U', POSTGRES_USER, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8'],
    {
      encoding: 'utf8',
      ...serverUser,
    },
  );
  if (init.status !== 0) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${init.stderr}`);
  }
  const port = await freePort();
  const settings = ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=50'];
  const child = spawn(join(bin, 'postgres'), ['-D', data, '-p', String(port), '-k', socketDir, '-h', '127.0.0.1', ...settings], {
    stdio: ['ignore', 'ignore', 'pipe'],
    ...serverUser,
  });
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-4000);
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      // SIGINT is PostgreSQL's fast shutdown.
      child.kill('SIGINT');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(port, child, () => stderr);
  } catch (err) {
    await stop();
    throw err;
  }
  let databases = 0;
  const base = `postgres://${POSTGRES_USER}:${PASSWORD}@127.0.0.1:${port}`;
  return {
    port,
    wrongPasswordUrl: `postgres://${POSTGRES_USER}:not-the-password@127.0.0.1:${port}/postgres`,
    async newDatabaseUrl() {
      const name = `t${process.pid}_${++databases}`;
      const admin = new pg.Client({ connectionString: `${base}/postgres` });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      return `${base}/${name}`;
    },
    stop,
  };
}
