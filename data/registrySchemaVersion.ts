// Bringing a registry's schema to this code's version at open: the schema_version table, the migrations not yet
// applied, and the refusal of a registry that a newer rareflow has already migrated past us.

import { InvalidInputError } from '../core/invalidInputError.js';
import { toNumber } from './duckdbConnection.js';
import type { RegistrySql } from './registryConnection.js';
import { REGISTRY_SCHEMA_VERSION, registryMigrations } from './registrySchema.js';

const VERSION_TABLE = `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at VARCHAR NOT NULL)`;

/** The newest schema version recorded, or 0 when the table is empty. Needs the schema_version table. */
export async function recordedSchemaVersion(c: RegistrySql): Promise<number> {
  const rows = await c.select(`SELECT max(version) AS v FROM schema_version`, []);
  return rows[0]?.v === null || rows[0]?.v === undefined ? 0 : toNumber(rows[0].v);
}

/** Refuse a registry at a schema version this code does not know. */
export function checkSchemaVersion(version: number, location: string): void {
  if (version > REGISTRY_SCHEMA_VERSION) {
    throw new InvalidInputError(
      'RAREFLOW_REGISTRY',
      `the registry at ${location} is at schema version ${version}, newer than this rareflow understands (version ${REGISTRY_SCHEMA_VERSION}); upgrade rareflow to use it`,
    );
  }
}

/**
 * Apply every migration newer than the registry's recorded version, recording each; the caller runs this in one
 * transaction (and, on a shared database, under a lock other openers wait on). Returns the version reached.
 */
export async function applyMigrations(c: RegistrySql, location: string): Promise<number> {
  await c.run(VERSION_TABLE);
  const current = await recordedSchemaVersion(c);
  checkSchemaVersion(current, location);
  for (const m of registryMigrations) {
    if (m.version <= current) continue;
    for (const statement of m.statements) await c.run(statement);
    await c.run(`INSERT INTO schema_version VALUES ($1, $2) ON CONFLICT DO NOTHING`, [m.version, new Date().toISOString()]);
  }
  return REGISTRY_SCHEMA_VERSION;
}
