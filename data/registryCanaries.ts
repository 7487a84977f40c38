// Canary rollouts in the registry: the running rollout of a model and its current weight, how it ended, and the
// models a rolled-back canary archived.

import { InvalidInputError } from '../core/invalidInputError.js';
import { checkResourceName } from '../core/resourceName.js';
import { toNumber } from './duckdbConnection.js';
import { selectRows, type RegistryConnection } from './registryConnection.js';

export interface CanaryRecord {
  rolloutId: string;
  modelName: string;
  challengerSha256: string;
  championSha256: string | null;
  startedAt: string;
  updatedAt: string;
  /** Share of traffic on the challenger, in [0, 1]. */
  weight: number;
  step: number;
  /** ms since the epoch at which the current weight took effect. */
  sinceMs: number;
  status: 'running' | 'promoted' | 'rolled-back';
  reason: string | null;
  windows: unknown;
}

/**
 * Start a canary, or move a running one to another step: the challenger alias points at it and the row holds
 * the current weight. Writing the same values again (a retried activity) changes nothing but `updatedAt`.
 */
export function setCanary(
  db: RegistryConnection,
  c: {
    rolloutId: string;
    modelName: string;
    challengerSha256: string;
    championSha256: string | null;
    weight: number;
    step: number;
    sinceMs: number;
    at: string;
  },
): Promise<void> {
  checkResourceName(c.modelName, 'model name');
  return db.write(async (conn) => {
    await db.inTransaction(conn, async () => {
      const running = await selectRows(
        conn,
        `SELECT rollout_id FROM canary_rollouts WHERE model_name = $1 AND status = 'running' AND rollout_id <> $2`,
        [c.modelName, c.rolloutId],
      );
      if (running[0] !== undefined) {
        throw new InvalidInputError(
          'canary',
          `model ${c.modelName} already has a running canary (${String(running[0].rollout_id)}); one canary per model at a time`,
        );
      }
      const existing = await selectRows(conn, `SELECT status FROM canary_rollouts WHERE rollout_id = $1`, [c.rolloutId]);
      if (existing[0] !== undefined && existing[0].status !== 'running') return;
      await conn.run(
        `INSERT INTO canary_rollouts VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8, 'running', NULL, '[]')
         ON CONFLICT (rollout_id) DO UPDATE SET weight = excluded.weight, step = excluded.step, since_ms = excluded.since_ms, updated_at = excluded.updated_at`,
        [c.rolloutId, c.modelName, c.challengerSha256, c.championSha256, c.at, c.weight, c.step, c.sinceMs],
      );
      await conn.run(
        `INSERT INTO aliases VALUES ($1, 'challenger', $2, $3) ON CONFLICT (model_name, alias) DO UPDATE SET model_sha256 = excluded.model_sha256, updated_at = excluded.updated_at`,
        [c.modelName, c.challengerSha256, c.at],
      );
    });
  });
}

/**
 * End a canary. `rolled-back`: weight 0, the challenger alias cleared and the model archived with the reason.
 * `promoted`: the caller moves the champion alias (promote()), which clears the challenger alias.
 */
export function finishCanary(
  db: RegistryConnection,
  rolloutId: string,
  status: 'promoted' | 'rolled-back',
  reason: string,
  windows: unknown,
  at: string,
): Promise<void> {
  return db.write(async (conn) => {
    await db.inTransaction(conn, async () => {
      const rows = await selectRows(conn, `SELECT model_name, challenger_sha256, status FROM canary_rollouts WHERE rollout_id = $1`, [
        rolloutId,
      ]);
      const row = rows[0];
      if (row === undefined) throw new InvalidInputError('canary', `no canary rollout ${rolloutId} in the registry`);
      if (row.status !== 'running') return;
      await conn.run(
        `UPDATE canary_rollouts SET status = $2, reason = $3, windows = $4, updated_at = $5, weight = $6 WHERE rollout_id = $1`,
        [rolloutId, status, reason, JSON.stringify(windows ?? []), at, status === 'promoted' ? 1 : 0],
      );
      if (status === 'rolled-back') {
        await conn.run(`DELETE FROM aliases WHERE model_name = $1 AND alias = 'challenger' AND model_sha256 = $2`, [
          row.model_name as string,
          row.challenger_sha256 as string,
        ]);
        await conn.run(`INSERT INTO archived_models VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, [
          row.challenger_sha256 as string,
          row.model_name as string,
          at,
          reason,
        ]);
      }
    });
  });
}

/** The canary rollouts of a model, newest first. */
export function canaries(db: RegistryConnection, modelName: string): Promise<CanaryRecord[]> {
  return db.read(async (c) => {
    const rows = await selectRows(c, `SELECT * FROM canary_rollouts WHERE model_name = $1 ORDER BY started_at DESC, rollout_id`, [
      modelName,
    ]);
    return rows.map(canaryRecordOf);
  });
}

/** Models taken out of service (a canary rolled back), with the reason. */
export function archivedModels(
  db: RegistryConnection,
  modelName: string,
): Promise<Array<{ modelSha256: string; at: string; reason: string }>> {
  return db.read(async (c) => {
    const rows = await selectRows(c, `SELECT * FROM archived_models WHERE model_name = $1 ORDER BY "at"`, [modelName]);
    return rows.map((r) => ({ modelSha256: String(r.model_sha256), at: String(r.at), reason: String(r.reason) }));
  });
}

function canaryRecordOf(r: Record<string, unknown>): CanaryRecord {
  return {
    rolloutId: String(r.rollout_id),
    modelName: String(r.model_name),
    challengerSha256: String(r.challenger_sha256),
    championSha256: r.champion_sha256 === null ? null : String(r.champion_sha256),
    startedAt: String(r.started_at),
    updatedAt: String(r.updated_at),
    weight: toNumber(r.weight),
    step: toNumber(r.step),
    sinceMs: toNumber(r.since_ms),
    status: String(r.status) as CanaryRecord['status'],
    reason: r.reason === null ? null : String(r.reason),
    windows: typeof r.windows === 'string' ? (JSON.parse(r.windows) as unknown) : (r.windows ?? []),
  };
}
