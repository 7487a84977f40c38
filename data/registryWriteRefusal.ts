// A registry the worker cannot write: its DuckDB file (or write-ahead log) made read-only or immutable, on a
// read-only file system, or a Postgres role without the right to write its tables. No retry mends it, so the registry
// step fails at once naming RAREFLOW_REGISTRY, instead of being retried for ten minutes while `run --wait` showed
// the stage before it.

import { StorageAccessError } from './objectStore.js';

/** DuckDB's words for a file it may not write, and Postgres's for a table it may not write. */
const DUCKDB_REFUSED =
  /Could not (?:write|open|create|truncate) file "([^"]+)": (Operation not permitted|Permission denied|Read-only file system)/;
const POSTGRES_REFUSED = /permission denied for (?:table|relation|schema|sequence|database) (\S+)/;

/** `err` as a StorageAccessError naming RAREFLOW_REGISTRY when it is a write the registry may never make; else undefined. */
export function registryWriteRefusal(err: unknown): StorageAccessError | undefined {
  const message = err instanceof Error ? err.message : undefined;
  if (message === undefined) return undefined;
  const file = DUCKDB_REFUSED.exec(message);
  if (file) {
    return new StorageAccessError(
      file[1]!,
      `RAREFLOW_REGISTRY: cannot write the registry file ${file[1]} (${file[2]!.toLowerCase()}); expected a registry file (and its .wal beside it) rareflow can write: mend its permissions or point RAREFLOW_REGISTRY at one`,
      'RAREFLOW_REGISTRY',
    );
  }
  const table = POSTGRES_REFUSED.exec(message);
  if (table) {
    return new StorageAccessError(
      table[1]!,
      `RAREFLOW_REGISTRY: the database refused a write to ${table[1]} (permission denied); expected a role that may write the registry's tables`,
      'RAREFLOW_REGISTRY',
    );
  }
  return undefined;
}
