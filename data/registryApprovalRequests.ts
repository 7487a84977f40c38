// Approvals a canary asked for (before 100% traffic, or to go on after insufficient evidence), with its windows so
// far: the UI's approvals page lists one until a decision for its run and stage is in the approvals table.

import { selectRows, type RegistryConnection } from './registryConnection.js';

export interface ApprovalRequestRecord {
  runId: string;
  /** `full-traffic`, or `insufficient-evidence-step-N`: the stage the decision is recorded under. */
  stage: string;
  rolloutId: string;
  /** ISO 8601. */
  requestedAt: string;
  /** The canary's windows when it asked (CanaryWindow[] as JSON). */
  windows: unknown;
}

const TABLE = 'approval_requests';

/** Record a canary's request; a retried activity keeps the first. */
export function recordApprovalRequest(db: RegistryConnection, r: ApprovalRequestRecord): Promise<void> {
  return db.write(async (c) => {
    await c.run(`INSERT INTO ${TABLE} VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, [
      r.runId,
      r.stage,
      r.rolloutId,
      r.requestedAt,
      JSON.stringify(r.windows ?? []),
    ]);
  });
}

/**
 * The run's requests that no decision answers yet, oldest first; none from a registry read at an older schema (a
 * PostgreSQL reader does not migrate).
 */
export function openApprovalRequests(db: RegistryConnection, runId: string): Promise<ApprovalRequestRecord[]> {
  return db.read(async (c) => {
    if (!(await db.tableNames(c)).includes(TABLE)) return [];
    const rows = await selectRows(
      c,
      `SELECT * FROM ${TABLE} q WHERE q.run_id = $1
       AND NOT EXISTS (SELECT 1 FROM approvals a WHERE a.run_id = q.run_id AND a.stage = q.stage) ORDER BY q.requested_at`,
      [runId],
    );
    return rows.map((r) => ({
      runId: String(r.run_id),
      stage: String(r.stage),
      rolloutId: String(r.rollout_id),
      requestedAt: String(r.requested_at),
      windows: typeof r.windows === 'string' ? (JSON.parse(r.windows) as unknown) : (r.windows ?? []),
    }));
  });
}
