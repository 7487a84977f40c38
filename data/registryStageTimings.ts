// When each stage of a run ran (the retrain's workflow measures it; registryFinishRun records it), for the run
// pages of `runs show` and `rareflow ui`.

import type { StageTiming } from '../core/pipelineTypes.js';
import { toNumber } from './duckdbConnection.js';
import { selectRows, type RegistryConnection } from './registryConnection.js';

const TABLE = 'run_stage_timings';

/** Replace the run's stage timings with `timings`, in one transaction (a retried activity writes the same rows). */
export function recordStageTimings(db: RegistryConnection, runId: string, timings: StageTiming[]): Promise<void> {
  return db.write(async (c) => {
    await db.inTransaction(c, async () => {
      await c.run(`DELETE FROM ${TABLE} WHERE run_id = $1`, [runId]);
      for (const [seq, t] of timings.entries())
        await c.run(`INSERT INTO ${TABLE} VALUES ($1, $2, $3, $4, $5, $6)`, [runId, seq, t.stage, t.startedAt, t.finishedAt, t.durationMs]);
    });
  });
}

/**
 * The run's stage timings in order; none for a run that recorded none (it is running, or ran before they were
 * recorded), and none from a registry read at an older schema (a PostgreSQL reader does not migrate).
 */
export function stageTimings(db: RegistryConnection, runId: string): Promise<StageTiming[]> {
  return db.read(async (c) => {
    if (!(await db.tableNames(c)).includes(TABLE)) return [];
    const rows = await selectRows(c, `SELECT * FROM ${TABLE} WHERE run_id = $1 ORDER BY seq`, [runId]);
    return rows.map((r) => ({
      stage: String(r.stage),
      startedAt: String(r.started_at),
      finishedAt: String(r.finished_at),
      durationMs: toNumber(r.duration_ms),
    }));
  });
}
