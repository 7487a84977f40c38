// The registry's one DuckDB connection and how it is shared: every statement queues on one chain, so writes are
// serialised and transactions never interleave, plus the row-reading pieces the registry tables share.

import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { closeDuckDB, openDuckDB, sqlIdentifier, toNumber, type DuckDBSession } from './duckdbConnection.js';
import { registrySchema } from './registrySchema.js';

export class RegistryConnection {
  private readonly session: DuckDBSession;
  /** Every statement goes through this chain, so transactions never interleave on the one connection. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(session: DuckDBSession) {
    this.session = session;
  }

  close(): void {
    closeDuckDB(this.session);
  }

  /** Run `work` when every earlier statement has finished; a failure does not block later work. */
  write<T>(work: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    const next = this.queue.then(() => work(this.session.connection));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Reads queue too: they share the connection with writes, and must not observe a half-done transaction. */
  read<T>(work: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.write(work);
  }

  /** Run `work` in BEGIN/COMMIT on `c`, rolling back when it throws. Call it inside write(). */
  async inTransaction(c: DuckDBConnection, work: () => Promise<void>): Promise<void> {
    await c.run('BEGIN TRANSACTION');
    try {
      await work();
      await c.run('COMMIT');
    } catch (err) {
      await c.run('ROLLBACK');
      throw err;
    }
  }
}

/** Open (creating if needed) the registry database at `path` with every table of the schema. */
export async function openRegistryConnection(path: string): Promise<RegistryConnection> {
  if (path !== ':memory:') await mkdir(dirname(path), { recursive: true });
  const session = await openDuckDB({ path });
  try {
    for (const statement of registrySchema) await session.connection.run(statement);
  } catch (err) {
    closeDuckDB(session);
    throw err;
  }
  return new RegistryConnection(session);
}

/** The rows of a parameterised query as plain objects keyed by column name. */
export async function selectRows(c: DuckDBConnection, sql: string, values: DuckDBValue[]): Promise<Array<Record<string, unknown>>> {
  const reader = await c.runAndReadAll(sql, values);
  return reader.getRowObjectsJS() as Array<Record<string, unknown>>;
}

/** `value` as text, or `fallback` for a SQL NULL. */
export function stringOr(value: unknown, fallback: string): string {
  return value === null || value === undefined ? fallback : String(value);
}

/** Rows in every table of the registry, by table name (health checks; before/after snapshots in tests). */
export function tableRowCounts(db: RegistryConnection): Promise<Record<string, number>> {
  return db.read(async (c) => {
    const tables = await selectRows(
      c,
      `SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' ORDER BY table_name`,
      [],
    );
    const counts: Record<string, number> = {};
    for (const t of tables) {
      const name = String(t.table_name);
      const rows = await selectRows(c, `SELECT count(*) AS n FROM ${sqlIdentifier(name)}`, []);
      counts[name] = toNumber(rows[0]?.n);
    }
    return counts;
  });
}
