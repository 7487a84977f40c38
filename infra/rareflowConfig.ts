// Where rareflow keeps its state and how it reaches Temporal, from the environment with documented defaults.

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidInputError } from '../core/invalidInputError.js';
import { cacheBytesOf } from '../data/boundedFileCache.js';
import { normaliseLocation } from '../data/objectStore.js';
import { isPostgresUrl } from '../data/registryLocation.js';

export interface RareflowConfig {
  /** State directory: artifacts, registry, Temporal's SQLite file. RAREFLOW_HOME, default ./.rareflow */
  stateDir: string;
  /**
   * RAREFLOW_ARTIFACTS, default <stateDir>/artifacts: a directory (path or file:// URI) or s3://bucket/prefix. Must be
   * shared storage when workers run on several machines.
   */
  artifactRoot: string;
  /**
   * RAREFLOW_REGISTRY, default <stateDir>/registry.duckdb: a DuckDB file (one registry worker), or a
   * `postgres://user:pass@host:port/db` URL (PostgreSQL 13+; any number of registry workers).
   */
  registryPath: string;
  /**
   * RAREFLOW_SERVING, default <stateDir>/serving: what the scoring service serves and its prediction/feedback logs; a
   * directory or s3://bucket/prefix.
   */
  servingDir: string;
  /** RAREFLOW_CACHE, default <stateDir>/cache: verified local copies of objects read from s3:// storage. */
  cacheDir: string;
  /** RAREFLOW_CACHE_BYTES, default 4 GiB: the cache's bound; least recently used files go first. */
  cacheBytes: number;
  /** The rareflow package root: the Temporal CLI is cached under it (.rareflow/tools). */
  packageRoot: string;
  /**
   * RAREFLOW_WORKER_ID: a stable identity for `rareflow worker` / `rareflow dev`, unique among live processes (e.g. a
   * StatefulSet pod name). A restarted worker then retries its crashed predecessor's activities at once. Unset: none.
   */
  workerId?: string;
}

export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'workflows'))) return dir;
    dir = dirname(dir);
  }
  return process.cwd();
}

/** A registry file path made absolute; a PostgreSQL URL as given. */
function registryLocation(value: string): string {
  return isPostgresUrl(value) ? value.trim() : resolve(value);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): RareflowConfig {
  const stateDir = resolve(env.RAREFLOW_HOME ?? '.rareflow');
  return {
    stateDir,
    artifactRoot: normaliseLocation(env.RAREFLOW_ARTIFACTS ?? join(stateDir, 'artifacts')),
    registryPath: registryLocation(env.RAREFLOW_REGISTRY ?? join(stateDir, 'registry.duckdb')),
    servingDir: normaliseLocation(env.RAREFLOW_SERVING ?? join(stateDir, 'serving')),
    cacheDir: resolve(env.RAREFLOW_CACHE ?? join(stateDir, 'cache')),
    cacheBytes: cacheBytesOf(env.RAREFLOW_CACHE_BYTES),
    packageRoot: packageRoot(),
    ...(env.RAREFLOW_WORKER_ID?.trim() ? { workerId: env.RAREFLOW_WORKER_ID.trim() } : {}),
  };
}

/** RAREFLOW_TEMPORAL_PORT, default 7233: the embedded server's port (0: any free one); anything else is refused by name. */
export function temporalPortOf(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return 7233;
  const port = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) {
    throw new InvalidInputError(
      'RAREFLOW_TEMPORAL_PORT',
      `RAREFLOW_TEMPORAL_PORT is ${JSON.stringify(text)}: expected a port number from 0 to 65535 (0: any free port)`,
    );
  }
  return port;
}

const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;

/** RAREFLOW_LOG_LEVEL, default WARN, any case: the workers' SDK log level; an unknown level is refused by name. */
export function logLevelOf(text: string | undefined): (typeof LOG_LEVELS)[number] {
  if (text === undefined || text.trim() === '') return 'WARN';
  const level = LOG_LEVELS.find((l) => l === text.trim().toUpperCase());
  if (!level) {
    throw new InvalidInputError(
      'RAREFLOW_LOG_LEVEL',
      `RAREFLOW_LOG_LEVEL is ${JSON.stringify(text)}: expected one of ${LOG_LEVELS.join(', ')}`,
    );
  }
  return level;
}
