// Drift events in the registry: what raised drift for a model, when, from where (monitor or CLI), with its evidence.

import { selectRows, type RegistryConnection } from './registryConnection.js';

export interface DriftEventRecord {
  modelName: string;
  /** ISO 8601. */
  at: string;
  /** e.g. `monitor`, `cli`. */
  source: string;
  evidence: unknown;
  runId?: string | null;
}

export function recordDriftEvent(db: RegistryConnection, e: DriftEventRecord): Promise<void> {
  return db.write(async (c) => {
    await c.run(`INSERT INTO drift_events VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, [
      e.modelName,
      e.at,
      e.source,
      JSON.stringify(e.evidence ?? null),
      e.runId ?? null,
    ]);
  });
}

/** Drift events of a model, oldest first. */
export function driftEvents(db: RegistryConnection, modelName: string): Promise<DriftEventRecord[]> {
  return db.read(async (c) => {
    const rows = await selectRows(c, `SELECT * FROM drift_events WHERE model_name = $1 ORDER BY "at", source`, [modelName]);
    return rows.map((r) => ({
      modelName: String(r.model_name),
      at: String(r.at),
      source: String(r.source),
      evidence: typeof r.evidence === 'string' ? (JSON.parse(r.evidence) as unknown) : r.evidence,
      runId: r.run_id === null ? null : String(r.run_id),
    }));
  });
}
