// Starts a real S3-compatible server (S3Proxy on its filesystem backend) for tests and local trials: the jar from
// RAREFLOW_S3PROXY_JAR or the local Maven repository (fetched there with `mvn dependency:get` when missing).

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** The pinned S3Proxy release (Apache-2.0), as Maven names it. */
export const S3PROXY_VERSION = '4.1.0';
const ARTIFACT = `org.gaul:s3proxy:${S3PROXY_VERSION}:jar:jar-with-dependencies`;

export class S3ProxyUnavailableError extends Error {
  override readonly name = 'S3ProxyUnavailableError';
}

export interface S3ProxyServer {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The filesystem backend's directory: one folder per bucket, one file per object. */
  dataDir: string;
  /** The environment a process needs to reach this server through the standard AWS variables. */
  env: Record<string, string>;
  /** Stops the server; its data stays in dataDir, so a new server on the same dataDir finds it. */
  stop(): Promise<void>;
}

export interface S3ProxyOptions {
  /** Where objects live (kept across restarts). */
  dataDir: string;
  /** 0 picks a free port. @default 0 */
  port?: number;
  /** @default 'rareflow' */
  accessKeyId?: string;
  /** @default 'rareflow-secret' */
  secretAccessKey?: string;
}

function mavenJarPath(): string {
  const repo = process.env.MAVEN_REPO_LOCAL ?? join(homedir(), '.m2', 'repository');
  return join(repo, 'org', 'gaul', 's3proxy', S3PROXY_VERSION, `s3proxy-${S3PROXY_VERSION}-jar-with-dependencies.jar`);
}

/** The S3Proxy jar: RAREFLOW_S3PROXY_JAR, the local Maven repository, or fetched into it by mvn. */
export function findS3ProxyJar(): string {
  const explicit = process.env.RAREFLOW_S3PROXY_JAR;
  if (explicit) {
    if (!existsSync(explicit)) {
      throw new S3ProxyUnavailableError(
        `RAREFLOW_S3PROXY_JAR is set to ${explicit}, which does not exist; unset it or point it at the S3Proxy jar`,
      );
    }
    return resolve(explicit);
  }
  const cached = mavenJarPath();
  if (existsSync(cached)) return cached;
  const r = spawnSync('mvn', ['-q', 'dependency:get', `-Dartifact=${ARTIFACT}`], { encoding: 'utf8', timeout: 600_000 });
  if (existsSync(cached)) return cached;
  const detail = r.error ? r.error.message : (r.stderr || r.stdout || '').trim().split('\n').slice(-2).join(' | ');
  throw new S3ProxyUnavailableError(
    `S3Proxy ${S3PROXY_VERSION} is not in the local Maven repository and \`mvn dependency:get -Dartifact=${ARTIFACT}\` failed (${detail}); install Maven or set RAREFLOW_S3PROXY_JAR to the jar`,
  );
}

function requireJava(): void {
  const r = spawnSync('java', ['-version'], { encoding: 'utf8', timeout: 30_000 });
  if (r.error || r.status !== 0) {
    throw new S3ProxyUnavailableError(
      `S3Proxy needs Java 17 or later on PATH; \`java -version\` failed (${r.error?.message ?? r.stderr.trim()})`,
    );
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function waitUntilListening(endpoint: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new S3ProxyUnavailableError(`S3Proxy exited with code ${child.exitCode} before it was ready: ${output()}`);
    try {
      await fetch(endpoint, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  child.kill('SIGKILL');
  throw new S3ProxyUnavailableError(`S3Proxy did not answer at ${endpoint} within ${timeoutMs} ms: ${output()}`);
}

/** Starts S3Proxy with the filesystem backend in `dataDir`; resolves once it answers HTTP. */
export async function startS3Proxy(o: S3ProxyOptions): Promise<S3ProxyServer> {
  requireJava();
  const jar = findS3ProxyJar();
  const port = o.port || (await freePort());
  const endpoint = `http://127.0.0.1:${port}`;
  const accessKeyId = o.accessKeyId ?? 'rareflow';
  const secretAccessKey = o.secretAccessKey ?? 'rareflow-secret';
  const dataDir = resolve(o.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const properties = join(dataDir, `..`, `s3proxy-${port}.properties`);
  writeFileSync(
    properties,
    [
      'jclouds.provider=filesystem',
      `jclouds.filesystem.basedir=${dataDir}`,
      `s3proxy.endpoint=${endpoint}`,
      's3proxy.authorization=aws-v2-or-v4',
      `s3proxy.identity=${accessKeyId}`,
      `s3proxy.credential=${secretAccessKey}`,
      '',
    ].join('\n'),
  );
  const child = spawn('java', ['-Xmx512m', '-jar', jar, '--properties', properties], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (b: Buffer) => {
    log = (log + b.toString()).slice(-2000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  await waitUntilListening(endpoint, child, () => log.trim().split('\n').slice(-3).join(' | '), 60_000);
  return {
    endpoint,
    accessKeyId,
    secretAccessKey,
    dataDir,
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: secretAccessKey,
    },
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
