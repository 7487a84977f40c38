// Models in the registry: their records, the champion and challenger aliases, and the promotions and rollbacks
// that moved the champion.

import { checkResourceName } from '../core/resourceName.js';
import { toNumber } from './duckdbConnection.js';
import { selectRows, stringOr, type RegistryConnection } from './registryConnection.js';

export type ModelAlias = 'champion' | 'challenger';

export interface ModelRecord {
  modelSha256: string;
  modelName: string;
  runId: string;
  uri: string;
  /** e.g. `logreg`, `forest`. */
  kind: string;
  threshold: number;
  /** ISO 8601. */
  createdAt: string;
}

export interface ChampionRecord extends ModelRecord {
  /** When the alias last moved, ISO 8601. */
  updatedAt: string;
}

export function recordModel(db: RegistryConnection, m: ModelRecord): Promise<void> {
  return db.write(async (c) => {
    await c.run(`INSERT INTO models VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (model_sha256) DO NOTHING`, [
      m.modelSha256,
      m.modelName,
      m.runId,
      m.uri,
      m.kind,
      m.threshold,
      m.createdAt,
    ]);
  });
}

function modelRecordOf(r: Record<string, unknown>): ModelRecord {
  return {
    modelSha256: String(r.model_sha256),
    modelName: String(r.model_name),
    runId: stringOr(r.run_id, ''),
    uri: String(r.uri),
    kind: stringOr(r.kind, ''),
    threshold: r.threshold === null ? Number.NaN : toNumber(r.threshold),
    createdAt: stringOr(r.created_at, ''),
  };
}

/** A model's own record (any alias or none). */
export function model(db: RegistryConnection, modelSha256: string): Promise<ModelRecord | undefined> {
  return db.read(async (c) => {
    const rows = await selectRows(c, `SELECT * FROM models WHERE model_sha256 = $1`, [modelSha256]);
    return rows[0] === undefined ? undefined : modelRecordOf(rows[0]);
  });
}

/**
 * The models recorded under a name in version order: version v (1-based) is element v − 1, ordered by created_at,
 * then sha256, so the numbering never changes when models are added later.
 */
export function modelVersions(db: RegistryConnection, modelName: string): Promise<ModelRecord[]> {
  return db.read(async (c) => {
    const rows = await selectRows(c, `SELECT * FROM models WHERE model_name = $1 ORDER BY created_at, model_sha256`, [modelName]);
    return rows.map(modelRecordOf);
  });
}

/** The aliases a name has now (champion, challenger), sorted by alias. */
export function aliases(
  db: RegistryConnection,
  modelName: string,
): Promise<Array<{ alias: ModelAlias; modelSha256: string; updatedAt: string }>> {
  return db.read(async (c) => {
    const rows = await selectRows(c, `SELECT * FROM aliases WHERE model_name = $1 ORDER BY alias`, [modelName]);
    return rows.map((r) => ({
      alias: String(r.alias) as ModelAlias,
      modelSha256: String(r.model_sha256),
      updatedAt: stringOr(r.updated_at, ''),
    }));
  });
}

/** Point an alias at a model (e.g. the challenger under canary). */
export function setAlias(
  db: RegistryConnection,
  modelName: string,
  alias: ModelAlias,
  modelSha256: string,
  at: string = new Date().toISOString(),
): Promise<void> {
  return db.write(async (c) => {
    await c.run(
      `INSERT INTO aliases VALUES ($1, $2, $3, $4) ON CONFLICT (model_name, alias) DO UPDATE SET model_sha256 = excluded.model_sha256, updated_at = excluded.updated_at`,
      [modelName, alias, modelSha256, at],
    );
  });
}

/**
 * Make `modelSha256` the champion of `modelName` and record the promotion, in one transaction.
 * Promoting the current champion again is a no-op, so a retried activity changes nothing.
 */
export function promote(
  db: RegistryConnection,
  modelName: string,
  modelSha256: string,
  runId: string,
  at: string = new Date().toISOString(),
): Promise<void> {
  return moveChampion(db, modelName, modelSha256, runId, at, 'promote');
}

/** Put `modelSha256` (usually the previous champion) back as champion, recorded as a rollback. */
export function rollback(
  db: RegistryConnection,
  modelName: string,
  modelSha256: string,
  runId: string,
  at: string = new Date().toISOString(),
): Promise<void> {
  return moveChampion(db, modelName, modelSha256, runId, at, 'rollback');
}

/**
 * Takes back the promotion of `modelSha256` by run `runId` while it is still the champion: the alias returns to the
 * model it was promoted from (or is removed when there was none) and the promotion's row is deleted, in one
 * transaction. For a promotion whose serving state could not be published, which never took effect: a rollback row
 * in its place once outlived the retried promotion that followed it (same run, same time), and the history named the
 * old model as champion; with no earlier champion nothing was put back at all.
 */
export function undoPromotion(db: RegistryConnection, modelName: string, modelSha256: string, runId: string, at: string): Promise<void> {
  checkResourceName(modelName, 'model name');
  return db.write(async (c) => {
    await db.inTransaction(c, async () => {
      const current = await selectRows(c, `SELECT model_sha256 FROM aliases WHERE model_name = $1 AND alias = 'champion'`, [modelName]);
      if (current[0] === undefined || String(current[0].model_sha256) !== modelSha256) return;
      const row = await selectRows(
        c,
        `SELECT from_sha256 FROM promotions WHERE model_name = $1 AND to_sha256 = $2 AND run_id = $3 AND kind = 'promote'`,
        [modelName, modelSha256, runId],
      );
      if (row[0] === undefined) return;
      const from = row[0].from_sha256 === null ? null : String(row[0].from_sha256);
      if (from === null) await c.run(`DELETE FROM aliases WHERE model_name = $1 AND alias = 'champion'`, [modelName]);
      else
        await c.run(`UPDATE aliases SET model_sha256 = $1, updated_at = $2 WHERE model_name = $3 AND alias = 'champion'`, [
          from,
          at,
          modelName,
        ]);
      await c.run(`DELETE FROM promotions WHERE model_name = $1 AND to_sha256 = $2 AND run_id = $3 AND kind = 'promote'`, [
        modelName,
        modelSha256,
        runId,
      ]);
    });
  });
}

/** The current champion, with its model record, or undefined when there is none. */
export function champion(db: RegistryConnection, modelName: string): Promise<ChampionRecord | undefined> {
  return db.read(async (c) => {
    const rows = await selectRows(
      c,
      `SELECT a.model_sha256, a.updated_at, m.model_name, m.run_id, m.uri, m.kind, m.threshold, m.created_at
       FROM aliases a LEFT JOIN models m ON m.model_sha256 = a.model_sha256
       WHERE a.model_name = $1 AND a.alias = 'champion'`,
      [modelName],
    );
    const r = rows[0];
    if (r === undefined) return undefined;
    return {
      modelSha256: String(r.model_sha256),
      modelName,
      runId: stringOr(r.run_id, ''),
      uri: stringOr(r.uri, ''),
      kind: stringOr(r.kind, ''),
      threshold: r.threshold === null ? Number.NaN : toNumber(r.threshold),
      createdAt: stringOr(r.created_at, ''),
      updatedAt: stringOr(r.updated_at, ''),
    };
  });
}

/** Promotions and rollbacks of a model, oldest first. */
export function promotions(
  db: RegistryConnection,
  modelName: string,
): Promise<Array<{ fromSha256: string | null; toSha256: string; runId: string; at: string; kind: string }>> {
  return db.read(async (c) => {
    const rows = await selectRows(c, `SELECT * FROM promotions WHERE model_name = $1 ORDER BY "at", kind`, [modelName]);
    return rows.map((r) => ({
      fromSha256: r.from_sha256 === null ? null : String(r.from_sha256),
      toSha256: String(r.to_sha256),
      runId: String(r.run_id),
      at: String(r.at),
      kind: String(r.kind),
    }));
  });
}

function moveChampion(
  db: RegistryConnection,
  modelName: string,
  modelSha256: string,
  runId: string,
  at: string,
  kind: 'promote' | 'rollback',
): Promise<void> {
  checkResourceName(modelName, 'model name');
  return db.write(async (c) => {
    await db.inTransaction(c, async () => {
      const current = await selectRows(c, `SELECT model_sha256 FROM aliases WHERE model_name = $1 AND alias = 'champion'`, [modelName]);
      const from = current[0] === undefined ? null : String(current[0].model_sha256);
      if (from === modelSha256) return;
      await c.run(
        `INSERT INTO aliases VALUES ($1, 'champion', $2, $3) ON CONFLICT (model_name, alias) DO UPDATE SET model_sha256 = excluded.model_sha256, updated_at = excluded.updated_at`,
        [modelName, modelSha256, at],
      );
      await c.run(`DELETE FROM aliases WHERE model_name = $1 AND alias = 'challenger' AND model_sha256 = $2`, [modelName, modelSha256]);
      // A model taken out of service once (a rolled-back canary) and promoted since is in service again: it is no
      // longer listed as archived, with another run's rejection beside the champion alias.
      await c.run(`DELETE FROM archived_models WHERE model_name = $1 AND model_sha256 = $2`, [modelName, modelSha256]);
      await c.run(`INSERT INTO promotions VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`, [
        modelName,
        from,
        modelSha256,
        runId,
        at,
        kind,
      ]);
    });
  });
}
