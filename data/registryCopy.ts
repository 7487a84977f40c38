// Copying a DuckDB registry file into a PostgreSQL registry (`rareflow registry migrate`): every table in one
// transaction, upserted by its key so a re-run changes nothing, and verified table by table (row count and a
// checksum over the rows) before it commits; a mismatch rolls the whole copy back.

import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { InvalidInputError } from '../core/invalidInputError.js';
import { openRegistryConnection, type RegistryConnection, type RegistrySql, type SqlValue } from './registryConnection.js';
import { isPostgresUrl, maskedUrl } from './registryLocation.js';

export interface TableCopy {
  table: string;
  /** Rows in the source, and in the target after the copy. */
  rows: number;
  /** sha256 over the table's rows, sorted, the same in the source and the target. */
  checksum: string;
}

/** Keyless tables and the columns whose values the copy replaces as a whole (as recordLineage does a retry). */
const REPLACED_PER: Record<string, string[]> = { lineage: ['run_id', 'synthetic_artifact_sha256'] };
/** Rows per INSERT: each column travels as one array parameter (unnest), so the statement count stays small. */
const ROWS_PER_INSERT = 50_000;

const quoted = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** A value as both databases give it back, made comparable: bigint as number, everything else as it is. */
function plain(value: unknown): SqlValue {
  if (typeof value === 'bigint') return Number(value);
  if (value === undefined) return null;
  return value as SqlValue;
}

interface TableShape {
  columns: string[];
  /** PostgreSQL type of each column, e.g. `character varying`, `double precision`, `json`. */
  types: string[];
  key: string[];
}

async function columnsOf(target: RegistrySql, table: string): Promise<TableShape> {
  const columns = await target.select(
    `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
    [table],
  );
  const key = await target.select(
    `SELECT a.attname AS name FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
     WHERE i.indrelid = $1::regclass AND i.indisprimary`,
    [quoted(table)],
  );
  return {
    columns: columns.map((r) => String(r.column_name)),
    types: columns.map((r) => String(r.data_type)),
    key: key.map((r) => String(r.name)),
  };
}

async function rowsOf(c: RegistrySql, table: string, columns: string[]): Promise<SqlValue[][]> {
  const rows = await c.select(`SELECT ${columns.map(quoted).join(', ')} FROM ${quoted(table)}`, []);
  return rows.map((r) => columns.map((col) => plain(r[col])));
}

function checksumOf(rows: SqlValue[][]): string {
  const lines = rows.map((r) => JSON.stringify(r)).sort();
  const hash = createHash('sha256');
  for (const line of lines) hash.update(line).update('\n');
  return hash.digest('hex');
}

async function insertRows(target: RegistrySql, table: string, { columns, types, key }: TableShape, rows: SqlValue[][]): Promise<void> {
  const rest = columns.filter((col) => !key.includes(col));
  const onConflict =
    key.length === 0
      ? ''
      : rest.length === 0
        ? ' ON CONFLICT DO NOTHING'
        : ` ON CONFLICT (${key.map(quoted).join(', ')}) DO UPDATE SET ${rest.map((col) => `${quoted(col)} = excluded.${quoted(col)}`).join(', ')}`;
  const arrays = types.map((type, i) => `$${i + 1}::${type}[]`).join(', ');
  const sql = `INSERT INTO ${quoted(table)} (${columns.map(quoted).join(', ')}) SELECT * FROM unnest(${arrays})${onConflict}`;
  for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
    const batch = rows.slice(start, start + ROWS_PER_INSERT);
    // One array per column: PostgreSQL binds a JS array as an array parameter (the target is always PostgreSQL).
    await target.run(sql, columns.map((_, i) => batch.map((row) => row[i]!)) as unknown as SqlValue[]);
  }
}

/** Rows of a keyless table whose group (REPLACED_PER) the source holds are removed before the source's are added. */
async function clearReplacedGroups(target: RegistrySql, table: string, columns: string[], rows: SqlValue[][]): Promise<void> {
  const by = REPLACED_PER[table];
  if (by === undefined) {
    throw new Error(`registry table ${table} has no primary key and no rule for replacing its rows; the copy cannot be made idempotent`);
  }
  const at = by.map((col) => columns.indexOf(col));
  const groups = new Map<string, SqlValue[]>();
  for (const row of rows) {
    const group = at.map((i) => row[i]!);
    groups.set(JSON.stringify(group), group);
  }
  for (const group of groups.values()) {
    await target.run(`DELETE FROM ${quoted(table)} WHERE ${by.map((col, i) => `${quoted(col)} = $${i + 1}`).join(' AND ')}`, group);
  }
}

async function openSource(fromPath: string): Promise<RegistryConnection> {
  if (isPostgresUrl(fromPath)) {
    throw new InvalidInputError('--from', `--from: expected a DuckDB registry file, got the URL ${maskedUrl(fromPath)}`);
  }
  const found = await stat(fromPath).then(
    (s) => s.isFile(),
    () => false,
  );
  if (!found) throw new InvalidInputError('--from', `--from: expected a DuckDB registry file, got ${fromPath}: no such file`);
  try {
    return await openRegistryConnection(fromPath, { create: false });
  } catch (err) {
    if (err instanceof InvalidInputError) throw err;
    const said = err instanceof Error ? err.message : String(err);
    if (/lock/i.test(said)) {
      throw new InvalidInputError(
        '--from',
        `--from: the registry ${fromPath} is held by another process (stop the registry worker first): ${said}`,
      );
    }
    throw new InvalidInputError('--from', `--from: ${fromPath} is not a DuckDB registry: ${said}`);
  }
}

/**
 * Copy every table of the DuckDB registry at `fromPath` into the PostgreSQL registry at `toUrl` (its schema is
 * created or brought to this version first). Returns each table's row count and checksum, equal on both sides.
 */
export async function copyRegistryToPostgres(fromPath: string, toUrl: string): Promise<TableCopy[]> {
  if (!isPostgresUrl(toUrl)) {
    throw new InvalidInputError(
      '--to',
      `--to: expected a postgres://user:password@host:port/database URL, got ${toUrl}; the registry is copied from a DuckDB file (--from) into PostgreSQL`,
    );
  }
  const source = await openSource(fromPath);
  try {
    const target = await openRegistryConnection(toUrl);
    try {
      return await source.read(async (from) => {
        const present = new Set(await source.tableNames(from));
        return target.write(async (to) => {
          const copies: TableCopy[] = [];
          await target.inTransaction(to, async () => {
            copies.length = 0;
            for (const table of await target.tableNames(to)) {
              if (table === 'schema_version') continue;
              const shape = await columnsOf(to, table);
              const { columns } = shape;
              const rows = present.has(table) ? await rowsOf(from, table, columns) : [];
              if (shape.key.length === 0) await clearReplacedGroups(to, table, columns, rows);
              await insertRows(to, table, shape, rows);
              const copied = await rowsOf(to, table, columns);
              const checksum = checksumOf(rows);
              if (copied.length !== rows.length || checksumOf(copied) !== checksum) {
                throw new InvalidInputError(
                  '--to',
                  `registry table ${table}: ${rows.length} rows in ${fromPath} but ${copied.length} rows (or different values) in ${target.location} after the copy; the target holds rows the source does not, so nothing was copied`,
                );
              }
              copies.push({ table, rows: rows.length, checksum });
            }
          });
          return copies;
        });
      });
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}
