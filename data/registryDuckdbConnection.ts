// The registry in one DuckDB file: one connection whose statements all queue on one chain, so writes are
// serialised and transactions never interleave. One process holds the file (DuckDB has one writer).

import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { appendTableColumns } from './datasetWriter.js';
import { closeDuckDB, openDuckDB, type DuckDBSession } from './duckdbConnection.js';
import type { OpenRegistryOptions, RegistryConnection, RegistrySql, SqlValue } from './registryConnection.js';
import { applyMigrations, checkSchemaVersion, recordedSchemaVersion } from './registrySchemaVersion.js';

function sqlOf(c: DuckDBConnection): RegistrySql {
  return {
    async run(sql: string, values: SqlValue[] = []) {
      const result = await c.run(sql, values);
      return { rowsChanged: Number(result.rowsChanged) };
    },
    async select(sql: string, values: SqlValue[]) {
      const reader = await c.runAndReadAll(sql, values);
      return reader.getRowObjectsJS() as Array<Record<string, unknown>>;
    },
    appendColumns: (table, rows, columns) => appendTableColumns(c, table, rows, columns),
  };
}

class DuckdbRegistryConnection implements RegistryConnection {
  readonly backend = 'duckdb';
  readonly location: string;
  private readonly session: DuckDBSession;
  private readonly sql: RegistrySql;
  /** Every statement goes through this chain, so transactions never interleave on the one connection. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(session: DuckDBSession, location: string) {
    this.session = session;
    this.location = location;
    this.sql = sqlOf(session.connection);
  }

  close(): Promise<void> {
    closeDuckDB(this.session);
    return Promise.resolve();
  }

  /** Run `work` when every earlier statement has finished; a failure does not block later work. */
  write<T>(work: (c: RegistrySql) => Promise<T>): Promise<T> {
    const next = this.queue.then(() => work(this.sql)).catch((err: unknown) => Promise.reject(damagedRegistryError(err, this.location)));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Reads queue too: they share the connection with writes, and must not observe a half-done transaction. */
  read<T>(work: (c: RegistrySql) => Promise<T>): Promise<T> {
    return this.write(work);
  }

  async inTransaction(c: RegistrySql, work: () => Promise<void>): Promise<void> {
    await c.run('BEGIN TRANSACTION');
    try {
      await work();
      await c.run('COMMIT');
    } catch (err) {
      await c.run('ROLLBACK');
      throw err;
    }
  }

  async tableNames(c: RegistrySql): Promise<string[]> {
    const rows = await c.select(
      `SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' ORDER BY table_name`,
      [],
    );
    return rows.map((r) => String(r.table_name));
  }
}

/**
 * DuckDB's error for a registry file whose blocks fail their checksums, with the file named (its own text names only a
 * block location); any other error as it is.
 */
function damagedRegistryError(err: unknown, location: string): unknown {
  const message = err instanceof Error ? err.message : String(err);
  if (!/Corrupt database file/i.test(message) || message.includes(location)) return err;
  return new Error(
    `the registry database ${location} is damaged (${message.split('\n')[0]}); restore it from a backup, or move it aside to start an empty one`,
    {
      cause: err,
    },
  );
}

/** Open (creating if needed) the registry database at `path`, bringing its schema to this code's version. */
export async function openDuckdbRegistry(path: string, options: OpenRegistryOptions): Promise<RegistryConnection> {
  if (path !== ':memory:' && options.create !== false) await mkdir(dirname(path), { recursive: true });
  const session = await openDuckDB({ path }).catch((err: unknown) => Promise.reject(damagedRegistryError(err, path)));
  const db = new DuckdbRegistryConnection(session, path);
  try {
    await db.write(async (c) => {
      if (options.create === false && !(await db.tableNames(c)).includes('schema_version')) return;
      if (options.create === false) return checkSchemaVersion(await recordedSchemaVersion(c), path);
      await db.inTransaction(c, async () => {
        await applyMigrations(c, path);
      });
    });
  } catch (err) {
    closeDuckDB(session);
    throw err;
  }
  return db;
}
