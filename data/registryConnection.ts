// The registry's connection, whichever database holds it: the statement interface the table modules write their
// portable SQL against ($n placeholders), how writes and transactions are run, and the row-reading pieces they share.
// The DuckDB file backend is registryDuckdbConnection.ts, the PostgreSQL one registryPostgresConnection.ts.

import type { TableColumn } from './datasetWriter.js';
import { toNumber } from './duckdbConnection.js';
import { isPostgresUrl } from './registryLocation.js';

/** A value bound to a `$n` placeholder. */
export type SqlValue = string | number | boolean | null;

/** One session of the registry database: what a table module's statements run on. */
export interface RegistrySql {
  /** Run a statement; how many rows it inserted, updated or deleted. */
  run(sql: string, values?: SqlValue[]): Promise<{ rowsChanged: number }>;
  /** The rows of a query as plain objects keyed by column name (JSON columns as text, BIGINT as number or bigint). */
  select(sql: string, values: SqlValue[]): Promise<Array<Record<string, unknown>>>;
  /** Append `rows` rows to `table` from typed-array columns, in bulk (the DuckDB appender, or PostgreSQL unnest). */
  appendColumns(table: string, rows: number, columns: TableColumn[]): Promise<void>;
}

export interface RegistryConnection {
  readonly backend: 'duckdb' | 'postgres';
  /** Where the registry is, for messages: the file path, or the URL with its password masked. */
  readonly location: string;
  /** Run `work` as a writer: on DuckDB after every earlier statement (one writer), on PostgreSQL on its own session. */
  write<T>(work: (c: RegistrySql) => Promise<T>): Promise<T>;
  /** Run `work` as a reader; it never observes a half-done transaction. */
  read<T>(work: (c: RegistrySql) => Promise<T>): Promise<T>;
  /**
   * Run `work` in one transaction on `c` (call it inside write()), rolling back when it throws. On PostgreSQL the
   * transaction is SERIALIZABLE and retried from the start on a serialization failure or deadlock, so `work` must
   * only run statements (no side effects outside the database).
   */
  inTransaction(c: RegistrySql, work: () => Promise<void>): Promise<void>;
  /** The registry's tables, sorted by name. */
  tableNames(c: RegistrySql): Promise<string[]>;
  close(): Promise<void>;
}

export interface OpenRegistryOptions {
  /**
   * False: refuse a registry that does not exist yet (readers never create one), and leave its schema as it is.
   * @default true
   */
  create?: boolean;
}

/**
 * Open the registry at `location`: a `postgres://` URL, or a DuckDB file path (created with its directory if
 * needed). The schema migrations run first (registrySchema.ts); a registry newer than this code is refused.
 */
export async function openRegistryConnection(location: string, options: OpenRegistryOptions = {}): Promise<RegistryConnection> {
  if (isPostgresUrl(location)) return (await import('./registryPostgresConnection.js')).openPostgresRegistry(location, options);
  return (await import('./registryDuckdbConnection.js')).openDuckdbRegistry(location, options);
}

/** The rows of a parameterised query as plain objects keyed by column name. */
export function selectRows(c: RegistrySql, sql: string, values: SqlValue[]): Promise<Array<Record<string, unknown>>> {
  return c.select(sql, values);
}

/** `value` as text, or `fallback` for a SQL NULL. */
export function stringOr(value: unknown, fallback: string): string {
  return value === null || value === undefined ? fallback : String(value);
}

/** Rows in every table of the registry, by table name (health checks; before/after snapshots in tests). */
export function tableRowCounts(db: RegistryConnection): Promise<Record<string, number>> {
  return db.read(async (c) => {
    const counts: Record<string, number> = {};
    for (const name of await db.tableNames(c)) {
      const rows = await selectRows(c, `SELECT count(*) AS n FROM "${name.replaceAll('"', '""')}"`, []);
      counts[name] = toNumber(rows[0]?.n);
    }
    return counts;
  });
}
