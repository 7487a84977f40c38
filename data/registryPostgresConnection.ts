// The registry on PostgreSQL (RAREFLOW_REGISTRY=postgres://…): a connection pool any number of registry workers
// share, transactions that are SERIALIZABLE and retried on a serialization failure, bulk appends through unnest,
// and connection failures said with the URL (password masked): refused credentials are input errors, an
// unreachable server an infrastructure failure that a retry may outlive.

import pg from 'pg';
import { InvalidInputError } from '../core/invalidInputError.js';
import type { TableColumn } from './datasetWriter.js';
import type { OpenRegistryOptions, RegistryConnection, RegistrySql, SqlValue } from './registryConnection.js';
import { maskedUrl } from './registryLocation.js';
import { applyMigrations, checkSchemaVersion, recordedSchemaVersion } from './registrySchemaVersion.js';

/** SQLSTATEs after which the whole transaction is run again: serialization_failure, deadlock_detected. */
const RETRIED_STATES = new Set(['40001', '40P01']);
const MAX_TRANSACTION_ATTEMPTS = 10;
/** SQLSTATEs no retry can cure: bad password or user, no such database, no permission. */
const REFUSED_STATES: Record<string, string> = {
  '28P01': 'the user or password was refused',
  '28000': 'the user or password was refused',
  '3D000': 'the database does not exist',
  '42501': 'the user may not use this database',
};
/** Any number: the lock every opener of one database takes while it migrates the schema. */
const SCHEMA_LOCK_KEY = 7_310_446_219;
const APPEND_CHUNK_ROWS = 50_000;

/** JSON columns as their text (as DuckDB gives them), BIGINT and count(*) as numbers. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === pg.types.builtins.JSON || oid === pg.types.builtins.JSONB) return (v: string) => v;
    if (oid === pg.types.builtins.INT8) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format ?? 'text');
  },
};

function sqlStateOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A failure to reach or stay connected to the server: network errors, 08xxx, the server shutting down (57P0x). */
function isConnectionFailure(err: unknown): boolean {
  const code = sqlStateOf(err) ?? '';
  if (/^E[A-Z]+$/.test(code)) return true;
  if (code.startsWith('08') || code.startsWith('57P0')) return true;
  return /connection terminated|timeout exceeded when trying to connect/i.test(err instanceof Error ? err.message : '');
}

/** `err` said with the registry's (masked) URL: refused credentials as an input error, a lost server as retryable. */
export function describedConnectionError(err: unknown, location: string): unknown {
  const state = sqlStateOf(err);
  const said = err instanceof Error ? err.message : String(err);
  if (state !== undefined && REFUSED_STATES[state] !== undefined) {
    return new InvalidInputError('RAREFLOW_REGISTRY', `cannot open the registry at ${location}: ${REFUSED_STATES[state]} (${said})`);
  }
  if (isConnectionFailure(err)) return new Error(`cannot reach the registry database at ${location}: ${said}`, { cause: err });
  return err;
}

function pgArrayOf(column: TableColumn, rows: number, start: number, n: number): unknown[] {
  switch (column.kind) {
    case 'coded':
      return Array.from(column.codes.subarray(start, start + n), (code) => column.dictionary[code] ?? null);
    case 'integer':
    case 'double':
      return Array.from(column.values.subarray(start, start + n));
    default:
      throw new Error(`appendColumns on PostgreSQL: column ${column.name} of kind ${column.kind} is not supported (${rows} rows)`);
  }
}

const PG_ARRAY_TYPE: Partial<Record<TableColumn['kind'], string>> = {
  coded: 'varchar[]',
  integer: 'integer[]',
  double: 'double precision[]',
};

function sqlOf(client: pg.PoolClient | pg.Pool): RegistrySql {
  return {
    async run(sql: string, values: SqlValue[] = []) {
      const result = await client.query(sql, values);
      return { rowsChanged: result.rowCount ?? 0 };
    },
    async select(sql: string, values: SqlValue[]) {
      return (await client.query(sql, values)).rows as Array<Record<string, unknown>>;
    },
    async appendColumns(table: string, rows: number, columns: TableColumn[]) {
      const names = columns.map((col) => `"${col.name}"`).join(', ');
      const unnest = columns.map((col, i) => `$${i + 1}::${PG_ARRAY_TYPE[col.kind] ?? 'text[]'}`).join(', ');
      for (let start = 0; start < rows; start += APPEND_CHUNK_ROWS) {
        const n = Math.min(APPEND_CHUNK_ROWS, rows - start);
        await client.query(
          `INSERT INTO "${table}" (${names}) SELECT * FROM unnest(${unnest})`,
          columns.map((col) => pgArrayOf(col, rows, start, n)),
        );
      }
    },
  };
}

class PostgresRegistryConnection implements RegistryConnection {
  readonly backend = 'postgres';
  readonly location: string;
  readonly pool: pg.Pool;
  private readonly sessions = new WeakMap<RegistrySql, pg.PoolClient>();

  constructor(pool: pg.Pool, location: string) {
    this.pool = pool;
    this.location = location;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** Run `work` on a session of its own; PostgreSQL's locks and SERIALIZABLE keep concurrent writers apart. */
  async write<T>(work: (c: RegistrySql) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw describedConnectionError(err, this.location);
    }
    const sql = sqlOf(client);
    this.sessions.set(sql, client);
    let broken = false;
    try {
      return await work(sql);
    } catch (err) {
      broken = isConnectionFailure(err);
      throw describedConnectionError(err, this.location);
    } finally {
      client.release(broken);
    }
  }

  read<T>(work: (c: RegistrySql) => Promise<T>): Promise<T> {
    return this.write(work);
  }

  async inTransaction(c: RegistrySql, work: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      await c.run('BEGIN ISOLATION LEVEL SERIALIZABLE');
      try {
        await work();
        await c.run('COMMIT');
        return;
      } catch (err) {
        await c.run('ROLLBACK').catch(() => undefined);
        if (!RETRIED_STATES.has(sqlStateOf(err) ?? '') || attempt >= MAX_TRANSACTION_ATTEMPTS) throw err;
        // A short random wait, growing with the attempt, so the writers that collided do not collide again.
        await new Promise((r) => setTimeout(r, Math.random() * 10 * 2 ** attempt));
      }
    }
  }

  async tableNames(c: RegistrySql): Promise<string[]> {
    const rows = await c.select(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
      [],
    );
    return rows.map((r) => String(r.table_name));
  }

  /**
   * Bring the schema to this code's version. Openers of one database queue on an advisory lock, and the
   * migrations run in one READ COMMITTED transaction so each sees what the opener before it committed.
   */
  async migrate(create: boolean): Promise<void> {
    await this.write(async (c) => {
      if (!create) {
        const exists = await c.select(`SELECT to_regclass('schema_version') IS NOT NULL AS present`, []);
        if (exists[0]?.present !== true) {
          throw new InvalidInputError(
            'RAREFLOW_REGISTRY',
            `no registry at ${this.location}: nothing has been recorded there yet (run a retrain first, or set RAREFLOW_REGISTRY to the registry in use)`,
          );
        }
        return checkSchemaVersion(await recordedSchemaVersion(c), this.location);
      }
      await c.run(`SELECT pg_advisory_lock($1)`, [SCHEMA_LOCK_KEY]);
      try {
        await c.run('BEGIN');
        try {
          await applyMigrations(c, this.location);
          await c.run('COMMIT');
        } catch (err) {
          await c.run('ROLLBACK').catch(() => undefined);
          throw err;
        }
      } finally {
        await c.run(`SELECT pg_advisory_unlock($1)`, [SCHEMA_LOCK_KEY]).catch(() => undefined);
      }
    });
  }
}

/** Open the registry in the PostgreSQL database at `url` (PostgreSQL 13+), bringing its schema to this version. */
export async function openPostgresRegistry(url: string, options: OpenRegistryOptions): Promise<RegistryConnection> {
  const location = maskedUrl(url);
  const pool = new pg.Pool({ connectionString: url, types, max: 4, connectionTimeoutMillis: 10_000, idleTimeoutMillis: 30_000 });
  // An idle pooled session the server drops (restart, failover) is an error event on the pool, not a crash.
  pool.on('error', () => undefined);
  const db = new PostgresRegistryConnection(pool, location);
  try {
    await db.migrate(options.create !== false);
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
  return db;
}
