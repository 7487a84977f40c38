// The model registry in one DuckDB file: runs, datasets, models and their champion/challenger aliases, metrics,
// gate verdicts, promotions, drift events and synthetic-row lineage. Writes are idempotent and serialised.

import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { InvalidInputError } from '../core/invalidInputError.js';
import { checkResourceName } from '../core/resourceName.js';
import { appendTableColumns } from './datasetWriter.js';
import { closeDuckDB, openDuckDB, sqlIdentifier, toNumber, type DuckDBSession } from './duckdbConnection.js';

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';
export type ModelAlias = 'champion' | 'challenger';

export interface RunStart {
  runId: string;
  modelName: string;
  workflowId: string;
  /** ISO 8601. */
  startedAt: string;
  seed: number;
  params: unknown;
  /** Input name → sha256. */
  inputHashes: Record<string, string>;
  codeVersion: string;
}

export interface RunFinish {
  /** ISO 8601. */
  finishedAt: string;
  status: RunStatus;
  /** Business outcome, e.g. `promoted`, `rejected-by-gate`. */
  outcome: string;
  reportUri?: string;
}

export interface RunRecord extends RunStart {
  finishedAt: string | null;
  status: string;
  outcome: string | null;
  reportUri: string | null;
}

export interface DatasetRecord {
  sha256: string;
  uri: string;
  rows: number;
  positives: number;
  /** e.g. `sample`, `train`, `validation`, `test`, `clean`, `augmented`. */
  role: string;
  runId: string;
}

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

export interface ApprovalRecord {
  runId: string;
  /** What was approved: `promotion` (before the canary or the alias move), `full-traffic` (before 100%). */
  stage: string;
  approved: boolean;
  /** Who decided, as the approver identified themselves (the CLI sends the OS user unless --by says otherwise). */
  decidedBy: string;
  /** ISO 8601. */
  at: string;
  reason: string | null;
}

export interface DriftEventRecord {
  modelName: string;
  /** ISO 8601. */
  at: string;
  /** e.g. `monitor`, `cli`. */
  source: string;
  evidence: unknown;
  runId?: string | null;
}

const schema = [
  `CREATE TABLE IF NOT EXISTS runs (
    run_id VARCHAR PRIMARY KEY, model_name VARCHAR NOT NULL, workflow_id VARCHAR, started_at VARCHAR, finished_at VARCHAR,
    status VARCHAR NOT NULL, seed BIGINT, params JSON, input_hashes JSON, code_version VARCHAR, outcome VARCHAR, report_uri VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS datasets (
    sha256 VARCHAR NOT NULL, uri VARCHAR NOT NULL, rows BIGINT, positives BIGINT, role VARCHAR NOT NULL, run_id VARCHAR NOT NULL,
    PRIMARY KEY (sha256, run_id, role))`,
  `CREATE TABLE IF NOT EXISTS models (
    model_sha256 VARCHAR PRIMARY KEY, model_name VARCHAR NOT NULL, run_id VARCHAR, uri VARCHAR NOT NULL, kind VARCHAR,
    threshold DOUBLE, created_at VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS aliases (
    model_name VARCHAR NOT NULL, alias VARCHAR NOT NULL CHECK (alias IN ('champion', 'challenger')), model_sha256 VARCHAR NOT NULL,
    updated_at VARCHAR, PRIMARY KEY (model_name, alias))`,
  `CREATE TABLE IF NOT EXISTS metrics (
    run_id VARCHAR NOT NULL, model_sha256 VARCHAR NOT NULL, split VARCHAR NOT NULL, name VARCHAR NOT NULL, class VARCHAR NOT NULL,
    value DOUBLE, PRIMARY KEY (run_id, model_sha256, split, name, class))`,
  `CREATE TABLE IF NOT EXISTS gate_verdicts (
    run_id VARCHAR NOT NULL, model_sha256 VARCHAR NOT NULL, verdict VARCHAR NOT NULL, checks JSON, PRIMARY KEY (run_id, model_sha256))`,
  `CREATE TABLE IF NOT EXISTS promotions (
    model_name VARCHAR NOT NULL, from_sha256 VARCHAR, to_sha256 VARCHAR NOT NULL, run_id VARCHAR NOT NULL, "at" VARCHAR NOT NULL,
    kind VARCHAR NOT NULL CHECK (kind IN ('promote', 'rollback')), PRIMARY KEY (model_name, to_sha256, run_id, kind))`,
  `CREATE TABLE IF NOT EXISTS drift_events (
    model_name VARCHAR NOT NULL, "at" VARCHAR NOT NULL, source VARCHAR NOT NULL, evidence JSON, run_id VARCHAR,
    PRIMARY KEY (model_name, "at", source))`,
  `CREATE TABLE IF NOT EXISTS canary_rollouts (
    rollout_id VARCHAR PRIMARY KEY, model_name VARCHAR NOT NULL, challenger_sha256 VARCHAR NOT NULL, champion_sha256 VARCHAR,
    started_at VARCHAR NOT NULL, updated_at VARCHAR NOT NULL, weight DOUBLE NOT NULL, step INTEGER NOT NULL, since_ms BIGINT NOT NULL,
    status VARCHAR NOT NULL CHECK (status IN ('running', 'promoted', 'rolled-back')), reason VARCHAR, windows JSON)`,
  `CREATE TABLE IF NOT EXISTS archived_models (
    model_sha256 VARCHAR PRIMARY KEY, model_name VARCHAR NOT NULL, "at" VARCHAR NOT NULL, reason VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS approvals (
    run_id VARCHAR NOT NULL, stage VARCHAR NOT NULL, approved BOOLEAN NOT NULL, decided_by VARCHAR NOT NULL, "at" VARCHAR NOT NULL,
    reason VARCHAR, PRIMARY KEY (run_id, stage))`,
  // No key on lineage: recordLineage replaces a run's rows for an artifact in one transaction, which keeps the
  // bulk append free of index upkeep.
  `CREATE TABLE IF NOT EXISTS lineage (
    run_id VARCHAR NOT NULL, synthetic_artifact_sha256 VARCHAR NOT NULL, "row" INTEGER NOT NULL, parent_row INTEGER NOT NULL,
    neighbour_row INTEGER NOT NULL, "lambda" DOUBLE NOT NULL)`,
];

export class Registry {
  private readonly session: DuckDBSession;
  /** Every statement goes through this chain, so transactions never interleave on the one connection. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(session: DuckDBSession) {
    this.session = session;
  }

  /** Open (creating if needed) the registry database at `path`, e.g. `.rareflow/registry.duckdb`. */
  static async open(path: string): Promise<Registry> {
    if (path !== ':memory:') await mkdir(dirname(path), { recursive: true });
    const session = await openDuckDB({ path });
    try {
      for (const statement of schema) await session.connection.run(statement);
    } catch (err) {
      closeDuckDB(session);
      throw err;
    }
    return new Registry(session);
  }

  close(): void {
    closeDuckDB(this.session);
  }

  /** Record a run's start; a retried start keeps the first record. */
  startRun(run: RunStart): Promise<void> {
    checkResourceName(run.modelName, 'model name');
    return this.write(async (c) => {
      await c.run(
        `INSERT INTO runs (run_id, model_name, workflow_id, started_at, status, seed, params, input_hashes, code_version)
         VALUES ($1, $2, $3, $4, 'running', $5, $6, $7, $8) ON CONFLICT (run_id) DO NOTHING`,
        [run.runId, run.modelName, run.workflowId, run.startedAt, run.seed, JSON.stringify(run.params ?? null), JSON.stringify(run.inputHashes), run.codeVersion],
      );
    });
  }

  finishRun(runId: string, finish: RunFinish): Promise<void> {
    return this.write(async (c) => {
      const changed = await c.run(`UPDATE runs SET finished_at = $2, status = $3, outcome = $4, report_uri = $5 WHERE run_id = $1`, [
        runId,
        finish.finishedAt,
        finish.status,
        finish.outcome,
        finish.reportUri ?? null,
      ]);
      if (changed.rowsChanged === 0) {
        throw new InvalidInputError(`run ${runId}`, `cannot finish run ${runId}: the registry has no such run; call startRun first`);
      }
    });
  }

  recordDataset(d: DatasetRecord): Promise<void> {
    return this.write(async (c) => {
      await c.run(`INSERT OR REPLACE INTO datasets VALUES ($1, $2, $3, $4, $5, $6)`, [d.sha256, d.uri, d.rows, d.positives, d.role, d.runId]);
    });
  }

  recordModel(m: ModelRecord): Promise<void> {
    return this.write(async (c) => {
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

  /**
   * Store a metrics report. A key `name.class` (e.g. `recall.positive`) fills name and class; a key without a dot
   * is a whole-model metric with class ''. Re-recording replaces the values.
   */
  recordMetrics(runId: string, modelSha256: string, split: string, report: Record<string, number | null>): Promise<void> {
    return this.write(async (c) => {
      await this.inTransaction(c, async () => {
        for (const [key, value] of Object.entries(report)) {
          const dot = key.indexOf('.');
          const name = dot < 0 ? key : key.slice(0, dot);
          const cls = dot < 0 ? '' : key.slice(dot + 1);
          await c.run(`INSERT OR REPLACE INTO metrics VALUES ($1, $2, $3, $4, $5, $6)`, [
            runId,
            modelSha256,
            split,
            name,
            cls,
            value === null || !Number.isFinite(value) ? null : value,
          ]);
        }
      });
    });
  }

  recordGateVerdict(runId: string, modelSha256: string, verdict: string, checks: unknown): Promise<void> {
    return this.write(async (c) => {
      await c.run(`INSERT OR REPLACE INTO gate_verdicts VALUES ($1, $2, $3, $4)`, [runId, modelSha256, verdict, JSON.stringify(checks ?? null)]);
    });
  }

  /** Point an alias at a model (e.g. the challenger under canary). */
  setAlias(modelName: string, alias: ModelAlias, modelSha256: string, at: string = new Date().toISOString()): Promise<void> {
    return this.write(async (c) => {
      await c.run(`INSERT OR REPLACE INTO aliases VALUES ($1, $2, $3, $4)`, [modelName, alias, modelSha256, at]);
    });
  }

  /**
   * Make `modelSha256` the champion of `modelName` and record the promotion, in one transaction.
   * Promoting the current champion again is a no-op, so a retried activity changes nothing.
   */
  promote(modelName: string, modelSha256: string, runId: string, at: string = new Date().toISOString()): Promise<void> {
    return this.moveChampion(modelName, modelSha256, runId, at, 'promote');
  }

  /** Put `modelSha256` (usually the previous champion) back as champion, recorded as a rollback. */
  rollback(modelName: string, modelSha256: string, runId: string, at: string = new Date().toISOString()): Promise<void> {
    return this.moveChampion(modelName, modelSha256, runId, at, 'rollback');
  }

  /** The current champion, with its model record, or undefined when there is none. */
  champion(modelName: string): Promise<ChampionRecord | undefined> {
    return this.read(async (c) => {
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

  /**
   * Start a canary, or move a running one to another step: the challenger alias points at it and the row holds
   * the current weight. Writing the same values again (a retried activity) changes nothing but `updatedAt`.
   */
  setCanary(c: { rolloutId: string; modelName: string; challengerSha256: string; championSha256: string | null; weight: number; step: number; sinceMs: number; at: string }): Promise<void> {
    checkResourceName(c.modelName, 'model name');
    return this.write(async (conn) => {
      await this.inTransaction(conn, async () => {
        const running = await selectRows(conn, `SELECT rollout_id FROM canary_rollouts WHERE model_name = $1 AND status = 'running' AND rollout_id <> $2`, [
          c.modelName,
          c.rolloutId,
        ]);
        if (running[0] !== undefined) {
          throw new InvalidInputError('canary', `model ${c.modelName} already has a running canary (${String(running[0].rollout_id)}); one canary per model at a time`);
        }
        const existing = await selectRows(conn, `SELECT status FROM canary_rollouts WHERE rollout_id = $1`, [c.rolloutId]);
        if (existing[0] !== undefined && existing[0].status !== 'running') return;
        await conn.run(
          `INSERT INTO canary_rollouts VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8, 'running', NULL, '[]')
           ON CONFLICT (rollout_id) DO UPDATE SET weight = excluded.weight, step = excluded.step, since_ms = excluded.since_ms, updated_at = excluded.updated_at`,
          [c.rolloutId, c.modelName, c.challengerSha256, c.championSha256, c.at, c.weight, c.step, c.sinceMs],
        );
        await conn.run(`INSERT OR REPLACE INTO aliases VALUES ($1, 'challenger', $2, $3)`, [c.modelName, c.challengerSha256, c.at]);
      });
    });
  }

  /**
   * End a canary. `rolled-back`: weight 0, the challenger alias cleared and the model archived with the reason.
   * `promoted`: the caller moves the champion alias (promote()), which clears the challenger alias.
   */
  finishCanary(rolloutId: string, status: 'promoted' | 'rolled-back', reason: string, windows: unknown, at: string): Promise<void> {
    return this.write(async (conn) => {
      await this.inTransaction(conn, async () => {
        const rows = await selectRows(conn, `SELECT model_name, challenger_sha256, status FROM canary_rollouts WHERE rollout_id = $1`, [rolloutId]);
        const row = rows[0];
        if (row === undefined) throw new InvalidInputError('canary', `no canary rollout ${rolloutId} in the registry`);
        if (row.status !== 'running') return;
        await conn.run(`UPDATE canary_rollouts SET status = $2, reason = $3, windows = $4, updated_at = $5, weight = $6 WHERE rollout_id = $1`, [
          rolloutId,
          status,
          reason,
          JSON.stringify(windows ?? []),
          at,
          status === 'promoted' ? 1 : 0,
        ]);
        if (status === 'rolled-back') {
          await conn.run(`DELETE FROM aliases WHERE model_name = $1 AND alias = 'challenger' AND model_sha256 = $2`, [row.model_name as string, row.challenger_sha256 as string]);
          await conn.run(`INSERT INTO archived_models VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, [row.challenger_sha256 as string, row.model_name as string, at, reason]);
        }
      });
    });
  }

  /** The canary rollouts of a model, newest first, or the one with `rolloutId`. */
  canaries(modelName: string): Promise<CanaryRecord[]> {
    return this.read(async (c) => {
      const rows = await selectRows(c, `SELECT * FROM canary_rollouts WHERE model_name = $1 ORDER BY started_at DESC, rollout_id`, [modelName]);
      return rows.map(canaryRecordOf);
    });
  }

  /** Models taken out of service (a canary rolled back), with the reason. */
  archivedModels(modelName: string): Promise<Array<{ modelSha256: string; at: string; reason: string }>> {
    return this.read(async (c) => {
      const rows = await selectRows(c, `SELECT * FROM archived_models WHERE model_name = $1 ORDER BY "at"`, [modelName]);
      return rows.map((r) => ({ modelSha256: String(r.model_sha256), at: String(r.at), reason: String(r.reason) }));
    });
  }

  /** A model's own record (any alias or none). */
  model(modelSha256: string): Promise<ModelRecord | undefined> {
    return this.read(async (c) => {
      const rows = await selectRows(c, `SELECT * FROM models WHERE model_sha256 = $1`, [modelSha256]);
      const r = rows[0];
      if (r === undefined) return undefined;
      return {
        modelSha256: String(r.model_sha256),
        modelName: String(r.model_name),
        runId: stringOr(r.run_id, ''),
        uri: String(r.uri),
        kind: stringOr(r.kind, ''),
        threshold: r.threshold === null ? Number.NaN : toNumber(r.threshold),
        createdAt: stringOr(r.created_at, ''),
      };
    });
  }

  /** Record a human decision; the first decision of a run and stage stands (a retried activity adds nothing). */
  recordApproval(a: ApprovalRecord): Promise<void> {
    return this.write(async (c) => {
      await c.run(`INSERT INTO approvals VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`, [a.runId, a.stage, a.approved, a.decidedBy, a.at, a.reason]);
    });
  }

  approvals(runId: string): Promise<ApprovalRecord[]> {
    return this.read(async (c) => {
      const rows = await selectRows(c, `SELECT * FROM approvals WHERE run_id = $1 ORDER BY "at"`, [runId]);
      return rows.map((r) => ({
        runId: String(r.run_id),
        stage: String(r.stage),
        approved: Boolean(r.approved),
        decidedBy: String(r.decided_by),
        at: String(r.at),
        reason: r.reason === null ? null : String(r.reason),
      }));
    });
  }

  /** Promotions and rollbacks of a model, oldest first. */
  promotions(modelName: string): Promise<Array<{ fromSha256: string | null; toSha256: string; runId: string; at: string; kind: string }>> {
    return this.read(async (c) => {
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

  recordDriftEvent(e: DriftEventRecord): Promise<void> {
    return this.write(async (c) => {
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
  driftEvents(modelName: string): Promise<DriftEventRecord[]> {
    return this.read(async (c) => {
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

  /**
   * Lineage of synthetic rows: synthetic row i came from `parent[i]` and `neighbour[i]` at interpolation `lambda[i]`.
   * Appended in bulk; a retry replaces the earlier rows of this run and artifact instead of adding to them.
   */
  recordLineage(runId: string, syntheticSha256: string, parent: Int32Array, neighbour: Int32Array, lambda: Float64Array): Promise<number> {
    const n = parent.length;
    if (neighbour.length !== n || lambda.length !== n) {
      return Promise.reject(
        new InvalidInputError(
          'lineage',
          `lineage arrays must have one entry per synthetic row: parent has ${n}, neighbour ${neighbour.length}, lambda ${lambda.length}`,
        ),
      );
    }
    return this.write(async (c) => {
      const row = new Int32Array(n);
      for (let i = 0; i < n; i++) row[i] = i;
      const zeros = new Uint8Array(n);
      await this.inTransaction(c, async () => {
        await c.run(`DELETE FROM lineage WHERE run_id = $1 AND synthetic_artifact_sha256 = $2`, [runId, syntheticSha256]);
        await appendTableColumns(c, 'lineage', n, [
          { name: 'run_id', kind: 'coded', codes: zeros, dictionary: [runId] },
          { name: 'synthetic_artifact_sha256', kind: 'coded', codes: zeros, dictionary: [syntheticSha256] },
          { name: 'row', kind: 'integer', values: row },
          { name: 'parent_row', kind: 'integer', values: parent },
          { name: 'neighbour_row', kind: 'integer', values: neighbour },
          { name: 'lambda', kind: 'double', values: lambda },
        ]);
      });
      return n;
    });
  }

  /** Number of lineage rows stored for a synthetic artifact. */
  lineageCount(syntheticSha256: string): Promise<number> {
    return this.read(async (c) => {
      const rows = await selectRows(c, `SELECT count(*) AS n FROM lineage WHERE synthetic_artifact_sha256 = $1`, [syntheticSha256]);
      return toNumber(rows[0]?.n);
    });
  }

  /** Number of lineage rows stored for the synthetic rows of one run. */
  lineageRunCount(runId: string): Promise<number> {
    return this.read(async (c) => {
      const rows = await selectRows(c, `SELECT count(*) AS n FROM lineage WHERE run_id = $1`, [runId]);
      return toNumber(rows[0]?.n);
    });
  }

  /** Runs of a model, newest first. */
  listRuns(modelName: string): Promise<RunRecord[]> {
    return this.read(async (c) => {
      const rows = await selectRows(c, `SELECT * FROM runs WHERE model_name = $1 ORDER BY started_at DESC, run_id`, [modelName]);
      return rows.map(runRecordOf);
    });
  }

  getRun(runId: string): Promise<RunRecord | undefined> {
    return this.read(async (c) => {
      const rows = await selectRows(c, `SELECT * FROM runs WHERE run_id = $1`, [runId]);
      return rows[0] === undefined ? undefined : runRecordOf(rows[0]);
    });
  }

  /** Rows in every table of the registry, by table name (health checks; before/after snapshots in tests). */
  tableRowCounts(): Promise<Record<string, number>> {
    return this.read(async (c) => {
      const tables = await selectRows(c, `SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' ORDER BY table_name`, []);
      const counts: Record<string, number> = {};
      for (const t of tables) {
        const name = String(t.table_name);
        const rows = await selectRows(c, `SELECT count(*) AS n FROM ${sqlIdentifier(name)}`, []);
        counts[name] = toNumber(rows[0]?.n);
      }
      return counts;
    });
  }

  /** Metrics of one model in one run and split, keyed as recordMetrics took them. */
  metrics(runId: string, modelSha256: string, split: string): Promise<Record<string, number | null>> {
    return this.read(async (c) => {
      const rows = await selectRows(c, `SELECT name, class, value FROM metrics WHERE run_id = $1 AND model_sha256 = $2 AND split = $3`, [
        runId,
        modelSha256,
        split,
      ]);
      const report: Record<string, number | null> = {};
      for (const r of rows) report[r.class === '' ? String(r.name) : `${String(r.name)}.${String(r.class)}`] = r.value === null ? null : toNumber(r.value);
      return report;
    });
  }

  private moveChampion(modelName: string, modelSha256: string, runId: string, at: string, kind: 'promote' | 'rollback'): Promise<void> {
    checkResourceName(modelName, 'model name');
    return this.write(async (c) => {
      await this.inTransaction(c, async () => {
        const current = await selectRows(c, `SELECT model_sha256 FROM aliases WHERE model_name = $1 AND alias = 'champion'`, [modelName]);
        const from = current[0] === undefined ? null : String(current[0].model_sha256);
        if (from === modelSha256) return;
        await c.run(`INSERT OR REPLACE INTO aliases VALUES ($1, 'champion', $2, $3)`, [modelName, modelSha256, at]);
        await c.run(`DELETE FROM aliases WHERE model_name = $1 AND alias = 'challenger' AND model_sha256 = $2`, [modelName, modelSha256]);
        await c.run(`INSERT INTO promotions VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`, [modelName, from, modelSha256, runId, at, kind]);
      });
    });
  }

  private async inTransaction(c: DuckDBConnection, work: () => Promise<void>): Promise<void> {
    await c.run('BEGIN TRANSACTION');
    try {
      await work();
      await c.run('COMMIT');
    } catch (err) {
      await c.run('ROLLBACK');
      throw err;
    }
  }

  private write<T>(work: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    const next = this.queue.then(() => work(this.session.connection));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Reads queue too: they share the connection with writes, and must not observe a half-done transaction. */
  private read<T>(work: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.write(work);
  }
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

async function selectRows(c: DuckDBConnection, sql: string, values: DuckDBValue[]): Promise<Array<Record<string, unknown>>> {
  const reader = await c.runAndReadAll(sql, values);
  return reader.getRowObjectsJS() as Array<Record<string, unknown>>;
}

function stringOr(value: unknown, fallback: string): string {
  return value === null || value === undefined ? fallback : String(value);
}

function runRecordOf(r: Record<string, unknown>): RunRecord {
  return {
    runId: String(r.run_id),
    modelName: String(r.model_name),
    workflowId: stringOr(r.workflow_id, ''),
    startedAt: stringOr(r.started_at, ''),
    seed: toNumber(r.seed),
    params: r.params === null ? null : (JSON.parse(String(r.params)) as unknown),
    inputHashes: r.input_hashes === null ? {} : (JSON.parse(String(r.input_hashes)) as Record<string, string>),
    codeVersion: stringOr(r.code_version, ''),
    finishedAt: r.finished_at === null ? null : String(r.finished_at),
    status: String(r.status),
    outcome: r.outcome === null ? null : String(r.outcome),
    reportUri: r.report_uri === null ? null : String(r.report_uri),
  };
}
