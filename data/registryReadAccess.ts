// Opening the registry to read it from a process that does not hold it (`models`, `runs`, `ui`, model references).
// A PostgreSQL registry is read directly. For a DuckDB file, the holder (the registry worker, or `rareflow dev`)
// keeps DuckDB's single-writer lock on it, so a reader that finds it locked copies the file and its write-ahead log
// into a private snapshot and reads that.

import { copyFile, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidInputError } from '../core/invalidInputError.js';
import { Registry } from './registry.js';
import { isPostgresUrl } from './registryLocation.js';

export interface RegistryReader {
  registry: Registry;
  /** True when the file was held by another process and this reads a copy taken at open. */
  snapshot: boolean;
  /** Close the registry and remove the snapshot, if any. */
  close(): Promise<void>;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

function isLockConflict(err: unknown): boolean {
  return /lock/i.test(err instanceof Error ? err.message : String(err));
}

/**
 * Open the registry at `path` (a DuckDB file or a `postgres://` URL) for reading. A missing file or an empty
 * database is an input error (nothing has been recorded there yet): reading never creates a registry. A file
 * another process holds is read through a snapshot copy, retried a few times in case the copy caught the holder
 * mid-checkpoint.
 */
export async function openRegistryForReading(path: string): Promise<RegistryReader> {
  if (isPostgresUrl(path)) {
    const registry = await Registry.open(path, { create: false });
    return { registry, snapshot: false, close: () => registry.close() };
  }
  if (!(await exists(path))) {
    throw new InvalidInputError(
      'RAREFLOW_REGISTRY',
      `no registry at ${path}: nothing has been recorded there yet (run a retrain first, or set RAREFLOW_REGISTRY / RAREFLOW_HOME to the registry in use)`,
    );
  }
  try {
    const registry = await Registry.open(path);
    return { registry, snapshot: false, close: async () => registry.close() };
  } catch (err) {
    if (!isLockConflict(err)) throw err;
  }
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const dir = await mkdtemp(join(tmpdir(), 'rareflow-registry-'));
    const copy = join(dir, 'registry.duckdb');
    try {
      await copyFile(path, copy);
      if (await exists(`${path}.wal`)) await copyFile(`${path}.wal`, `${copy}.wal`);
      const registry = await Registry.open(copy);
      return {
        registry,
        snapshot: true,
        close: async () => {
          await registry.close();
          await rm(dir, { recursive: true, force: true });
        },
      };
    } catch (err) {
      lastError = err;
      await rm(dir, { recursive: true, force: true });
    }
  }
  throw lastError;
}

/**
 * DuckDB's lock conflict on the registry file, in words: another process (a second `rareflow worker` or `dev` on the
 * same home) serves the registry, and exactly one may. Any other error is returned as it is.
 */
export function registryInUse(err: unknown, path: string): unknown {
  const message = err instanceof Error ? err.message : String(err);
  if (!/Could not set lock on file/i.test(message)) return err;
  const pid = /\(PID (\d+)\)/.exec(message)?.[1];
  return new InvalidInputError(
    'RAREFLOW_REGISTRY',
    `the registry ${path} is in use by another process${pid ? ` (PID ${pid})` : ''}, most likely another rareflow worker or dev on the same RAREFLOW_HOME: exactly one process may serve the registry queue; start further workers with --queues workflows,compute, or use a PostgreSQL registry (RAREFLOW_REGISTRY=postgres://…) for several`,
  );
}
