// The registry backends every registry test runs against: a DuckDB file in a temp directory, and a database on a
// throwaway PostgreSQL server (skipped, with the reason, only where no PostgreSQL binaries are installed).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgresUnavailable, startPostgres, type PostgresServer } from './postgresServer.js';

export interface RegistryBackend {
  name: 'duckdb' | 'postgres';
  /** Why this backend cannot run here; undefined when it can. */
  skip: string | undefined;
  /** Start what the backend needs (beforeAll). */
  setup(): Promise<void>;
  /** Stop it and remove its files (afterAll). */
  teardown(): Promise<void>;
  /** Where a new, empty registry can be opened: a file path, or the URL of a fresh database. */
  newLocation(): Promise<string>;
  /** The running server, for the PostgreSQL backend. */
  server?: PostgresServer;
}

function duckdbBackend(): RegistryBackend {
  let dir: string | undefined;
  let n = 0;
  return {
    name: 'duckdb',
    skip: undefined,
    async setup() {
      dir = await mkdtemp(join(tmpdir(), 'rareflow-registry-'));
    },
    async teardown() {
      if (dir) await rm(dir, { recursive: true, force: true });
    },
    newLocation: () => Promise.resolve(join(dir!, `r${++n}`, 'registry.duckdb')),
  };
}

function postgresBackend(): RegistryBackend {
  const backend: RegistryBackend = {
    name: 'postgres',
    skip: postgresUnavailable(),
    async setup() {
      if (backend.skip === undefined) backend.server = await startPostgres();
    },
    async teardown() {
      await backend.server?.stop();
    },
    newLocation: () => backend.server!.newDatabaseUrl(),
  };
  return backend;
}

/** A fresh pair of backends for one test file (each file starts its own PostgreSQL server). */
export function registryBackends(): RegistryBackend[] {
  return [duckdbBackend(), postgresBackend()];
}
