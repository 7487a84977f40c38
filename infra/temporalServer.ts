// Starts, reuses or skips the embedded Temporal dev server, and describes how to reach the Temporal cluster in use.

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { InvalidInputError } from '../core/invalidInputError.js';
import { temporalPortOf } from './rareflowConfig.js';
import { ensureTemporalCli } from './temporalCli.js';
import {
  describeOrphan,
  orphanedServers,
  processAlive,
  removeServerPidFile,
  watchServer,
  writeServerPidFile,
  type ServerPidFile,
} from './serverWatchdog.js';

export interface TemporalTarget {
  address: string;
  namespace: string;
  /** TLS material read from the TEMPORAL_TLS_* paths, when set. */
  tls?: { clientCertPair?: { crt: Buffer; key: Buffer }; serverRootCACertificate?: Buffer };
  apiKey?: string;
  /** The Web UI address, when known (embedded server only). */
  uiAddress?: string;
  embedded: boolean;
}

/** The embedded dev server's SQLite file in a state directory: absent until the server first ran there. */
export function embeddedDatabaseFile(stateDir: string): string {
  return join(stateDir, 'temporal.sqlite');
}

/**
 * Whether no workflow can exist for the embedded server of `stateDir`: it never ran there (no SQLite file) and no
 * server answers on its port (one started from another state directory, or by hand, would be used instead).
 */
export async function embeddedServerNeverRan(stateDir: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if (existsSync(embeddedDatabaseFile(stateDir))) return false;
  const port = temporalPortOf(env.RAREFLOW_TEMPORAL_PORT);
  return port === 0 || !(await portAnswers(port));
}

/** The cluster named by TEMPORAL_ADDRESS and friends, or undefined when rareflow should run its own dev server. */
export function externalTemporalTarget(env: NodeJS.ProcessEnv = process.env): TemporalTarget | undefined {
  const address = env.TEMPORAL_ADDRESS?.trim();
  if (!address) return undefined;
  // host[:port] as the SDK reads it (no port: 7233), the host a name, an IPv4 address or a bracketed IPv6 one: a
  // typo (a space, a scheme, a port out of range) fails here, not as a connect timeout.
  const shape = /^(?:[^:/\s[\]]+|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?$/.exec(address);
  const port = shape?.[1];
  if (!shape || (port !== undefined && (Number(port) < 1 || Number(port) > 65535))) {
    throw new InvalidInputError(
      'TEMPORAL_ADDRESS',
      `TEMPORAL_ADDRESS is ${JSON.stringify(env.TEMPORAL_ADDRESS)}: expected host:port of a Temporal frontend, such as temporal.example.com:7233 (the port defaults to 7233); unset it to use the embedded server`,
    );
  }
  const certPath = env.TEMPORAL_TLS_CERT;
  const keyPath = env.TEMPORAL_TLS_KEY;
  const caPath = env.TEMPORAL_TLS_CA;
  if ((certPath && !keyPath) || (!certPath && keyPath)) {
    throw new InvalidInputError(
      certPath ? 'TEMPORAL_TLS_KEY' : 'TEMPORAL_TLS_CERT',
      'TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY must be set together (paths to the client certificate and key).',
    );
  }
  const readPem = (name: string, path: string): Buffer => {
    try {
      return readFileSync(path);
    } catch {
      throw new InvalidInputError(name, `${name} points at ${path}, which cannot be read.`);
    }
  };
  const tls =
    certPath || caPath || env.TEMPORAL_TLS === 'true'
      ? {
          ...(certPath && keyPath
            ? { clientCertPair: { crt: readPem('TEMPORAL_TLS_CERT', certPath), key: readPem('TEMPORAL_TLS_KEY', keyPath) } }
            : {}),
          ...(caPath ? { serverRootCACertificate: readPem('TEMPORAL_TLS_CA', caPath) } : {}),
        }
      : undefined;
  return {
    address,
    namespace: env.TEMPORAL_NAMESPACE ?? 'default',
    ...(tls ? { tls } : {}),
    ...(env.TEMPORAL_API_KEY ? { apiKey: env.TEMPORAL_API_KEY } : {}),
    embedded: false,
  };
}

/** The options every connection to `target` takes (address, TLS, API key): the client's and the workers' alike. */
export function connectionOptions(target: TemporalTarget): { address: string; tls?: TemporalTarget['tls']; apiKey?: string } {
  return { address: target.address, ...(target.tls ? { tls: target.tls } : {}), ...(target.apiKey ? { apiKey: target.apiKey } : {}) };
}

/** The error of a connection to `target` that failed (an infrastructure failure), naming the address and its source. */
export function connectionFailure(target: TemporalTarget, err: unknown): Error {
  const where = target.embedded ? 'the embedded Temporal server' : 'the Temporal server of TEMPORAL_ADDRESS';
  return new Error(`cannot connect to ${where} at ${target.address}: ${(err as Error).message}`, { cause: err });
}

export interface DevServerOptions {
  /** Directory for the SQLite file and server logs (RareflowConfig.stateDir). */
  stateDir: string;
  /** Root under which the Temporal CLI is found or installed (.rareflow/tools). */
  toolRoot: string;
  /** gRPC port; 0 picks a free one. @default 7233 (or RAREFLOW_TEMPORAL_PORT) */
  port?: number;
  /** Web UI port; 0 picks a free one. @default port + 1000 */
  uiPort?: number;
  /** SQLite file that keeps workflow state across restarts. @default <stateDir>/temporal.sqlite */
  dbFilename?: string;
  /** Serve without the Web UI. @default false */
  headless?: boolean;
  log?: (line: string) => void;
}

export interface DevServer {
  target: TemporalTarget;
  /** True when this process started the server (and so stops it). */
  owned: boolean;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

function portAnswers(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((done) => {
    const socket = new Socket();
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(timeoutMs);
    socket.once('connect', () => finish(true));
    socket.once('timeout', () => finish(false));
    socket.once('error', () => finish(false));
    socket.connect(port, '127.0.0.1');
  });
}

async function waitForServer(port: number, child: ChildProcess, logPath: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: number | null = null;
  child.once('exit', (code) => {
    exited = code ?? -1;
  });
  const { Connection } = await import('@temporalio/client');
  while (Date.now() < deadline) {
    if (exited !== null) {
      throw new Error(`the Temporal dev server exited with code ${exited} while starting; see ${logPath}`);
    }
    if (await portAnswers(port)) {
      try {
        const connection = await Connection.connect({ address: `127.0.0.1:${port}`, connectTimeout: 1000 });
        try {
          await connection.workflowService.getSystemInfo({});
          // The default namespace is registered a moment after the frontend answers.
          await connection.workflowService.describeNamespace({ namespace: 'default' });
          return;
        } finally {
          await connection.close();
        }
      } catch {
        // not ready yet
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the Temporal dev server did not become ready on 127.0.0.1:${port} within ${timeoutMs / 1000}s; see ${logPath}`);
}

/**
 * Starts `temporal server start-dev` on loopback with a SQLite file, or reuses a server already answering on the
 * port (another `rareflow dev`). The server is stopped by `stop()` and when this process exits, however it exits
 * (infra/serverWatchdog.ts).
 */
export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  const log = opts.log ?? (() => {});
  const stateDir = resolve(opts.stateDir);
  mkdirSync(stateDir, { recursive: true });
  const requestedPort = opts.port ?? temporalPortOf(process.env.RAREFLOW_TEMPORAL_PORT);
  const port = requestedPort === 0 ? await freePort() : requestedPort;
  let uiPort = opts.headless ? 0 : await chooseUiPort(port, opts.uiPort, log);
  // A server whose rareflow died is named; the one on our port is adopted (this process stops it when it ends).
  const orphans = orphanedServers(stateDir);
  const adopted = requestedPort !== 0 ? orphans.find((o) => o.port === port) : undefined;
  for (const o of orphans) if (o !== adopted) log(`note: ${describeOrphan(o)}; stop it with kill ${o.serverPid}`);
  if (requestedPort !== 0 && (await portAnswers(port))) {
    const target = targetOf(port, uiPort);
    if (adopted) {
      log(`reusing ${describeOrphan(adopted)}; this process now stops it when it ends`);
      return adoptServer(stateDir, adopted, target);
    }
    log(`using the Temporal server already running on ${target.address}`);
    return { target, owned: false, stop: async () => {} };
  }
  const cli = ensureTemporalCli(opts.toolRoot, log);
  const dbFilename = opts.dbFilename ?? embeddedDatabaseFile(stateDir);
  // The dev server binds ports besides ours (the Web UI's, and internal ones it picks at random): one taken by another
  // process between the check and the bind fails the start. That is a race, not a setting, so it is tried again.
  for (let attempt = 1; ; attempt++) {
    const launch: Launch = { cli: cli.path, stateDir, port, uiPort, dbFilename, headless: opts.headless === true };
    log(`starting the Temporal dev server (${cli.path}) on 127.0.0.1:${port}`);
    try {
      return { target: targetOf(port, uiPort), owned: true, stop: await launchServer(launch) };
    } catch (err) {
      if (!(err instanceof PortTakenWhileStarting)) throw err;
      if (err.port === port || (opts.uiPort && err.port === uiPort)) {
        const whose = err.port === port ? 'the Temporal port' : 'the Web UI port';
        throw new Error(`${whose} ${err.port} is in use by another program; choose another (${err.message})`, { cause: err });
      }
      if (attempt >= START_ATTEMPTS) throw err;
      log(`note: ${err.message}; starting it again`);
      if (!opts.headless && !opts.uiPort) uiPort = await chooseUiPort(port, 0, log);
    }
  }
}

const START_ATTEMPTS = 3;

function targetOf(port: number, uiPort: number): TemporalTarget {
  return {
    address: `127.0.0.1:${port}`,
    namespace: 'default',
    embedded: true,
    ...(uiPort > 0 ? { uiAddress: `http://127.0.0.1:${uiPort}` } : {}),
  };
}

/** The Web UI's port: the one asked for, else port + 1000 when it is free, else any free port. */
async function chooseUiPort(port: number, asked: number | undefined, log: (line: string) => void): Promise<number> {
  if (asked !== undefined && asked !== 0) return asked;
  if (asked === undefined && (await portFree(port + 1000))) return port + 1000;
  const chosen = await freePort();
  if (asked === undefined) log(`note: port ${port + 1000} is in use, so the Temporal Web UI is on port ${chosen}`);
  return chosen;
}

function portFree(port: number): Promise<boolean> {
  if (port > 65535) return Promise.resolve(false);
  return new Promise((done) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => done(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => done(true)));
  });
}

interface Launch {
  cli: string;
  stateDir: string;
  port: number;
  uiPort: number;
  dbFilename: string;
  headless: boolean;
}

/** The dev server exited while starting because a port it binds was taken. */
class PortTakenWhileStarting extends Error {
  constructor(
    message: string,
    readonly port: number,
  ) {
    super(message);
  }
}

/** Starts one dev server process and waits until it answers; resolves to the function that stops it. */
async function launchServer(l: Launch): Promise<() => Promise<void>> {
  const logPath = join(l.stateDir, `temporal-server-${l.port}.log`);
  const logFd = openSync(logPath, 'a');
  const logStart = statSync(logPath).size;
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(l.port),
    '--db-filename',
    l.dbFilename,
    '--sqlite-pragma',
    'journal_mode=wal',
    '--log-level',
    'warn',
    ...(l.headless ? ['--headless'] : ['--ui-port', String(l.uiPort), '--ui-ip', '127.0.0.1']),
  ];
  const child = spawn(l.cli, args, { stdio: ['ignore', logFd, logFd], detached: false });
  closeSync(logFd);
  // Stopped by stop(), on a normal exit, and by the watchdog when this process dies any other way (SIGKILL too).
  if (child.pid !== undefined) {
    writeServerPidFile(l.stateDir, {
      serverPid: child.pid,
      ownerPid: process.pid,
      watchdogPid: watchServer(child.pid),
      port: l.port,
      dbFilename: l.dbFilename,
      startedAt: new Date().toISOString(),
    });
  }
  const killChild = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    removeServerPidFile(l.stateDir, l.port);
  };
  process.once('exit', killChild);
  try {
    await waitForServer(l.port, child, logPath, 60_000);
  } catch (err) {
    process.removeListener('exit', killChild);
    killChild();
    const said = readFileSync(logPath, 'utf8').slice(logStart);
    const taken = /listen tcp [^ ]*:(\d+): bind: address already in use/.exec(said);
    if (child.exitCode !== null && taken) {
      throw new PortTakenWhileStarting(`the Temporal dev server could not ${taken[0]}`, Number(taken[1]));
    }
    throw err;
  }
  return async () => {
    process.removeListener('exit', killChild);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    removeServerPidFile(l.stateDir, l.port);
  };
}

/** Takes over a server whose rareflow died: watched from now on, stopped by stop() or this process's end. */
function adoptServer(stateDir: string, orphan: ServerPidFile, target: TemporalTarget): DevServer {
  const watchdogPid = watchServer(orphan.serverPid);
  writeServerPidFile(stateDir, { ...orphan, ownerPid: process.pid, watchdogPid });
  const kill = (signal: NodeJS.Signals) => {
    try {
      process.kill(orphan.serverPid, signal);
    } catch {
      // already gone
    }
  };
  const onExit = () => {
    kill('SIGTERM');
    removeServerPidFile(stateDir, orphan.port);
  };
  process.once('exit', onExit);
  return {
    target,
    owned: true,
    stop: async () => {
      process.removeListener('exit', onExit);
      kill('SIGTERM');
      for (let waited = 0; processAlive(orphan.serverPid) && waited < 10_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
      if (processAlive(orphan.serverPid)) kill('SIGKILL');
      removeServerPidFile(stateDir, orphan.port);
    },
  };
}

/** The cluster to use: TEMPORAL_ADDRESS when set, else the embedded dev server (started if needed). */
export async function connectOrStartTemporal(opts: DevServerOptions): Promise<DevServer> {
  const external = externalTemporalTarget();
  if (external) return { target: external, owned: false, stop: async () => {} };
  return startDevServer(opts);
}
