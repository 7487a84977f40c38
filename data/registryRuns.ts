// Runs in the registry and what each recorded: its start and finish, its datasets, metrics, gate verdicts and
// the human approvals of its stages.

import { InvalidInputError } from '../core/invalidInputError.js';
import { checkResourceName } from '../core/resourceName.js';
import { toNumber } from './duckdbConnection.js';
import { selectRows, stringOr, type RegistryConnection } from './registryConnection.js';

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';

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

/** Record a run's start; a retried start keeps the first record. */
export function startRun(db: RegistryConnection, run: RunStart): Promise<void> {
  checkResourceName(run.modelName, 'model name');
  return db.write(async (c) => {
    await c.run(
      `INSERT INTO runs (run_id, model_name, workflow_id, started_at, status, seed, params, input_hashes, code_version)
       VALUES ($1, $2, $3, $4, 'running', $5, $6, $7, $8) ON CONFLICT (run_id) DO NOTHING`,
      [
        run.runId,
        run.modelName,
        run.workflowId,
        run.startedAt,
        run.seed,
        JSON.stringify(run.params ?? null),
        JSON.stringify(run.inputHashes),
        run.codeVersion,
      ],
    );
  });
}

export function finishRun(db: RegistryConnection, runId: string, finish: RunFinish): Promise<void> {
  return db.write(async (c) => {
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

export function getRun(db: RegistryConnection, runId: string): Promise<RunRecord | undefined> {
  return db.read(async (c) => {
    const rows = await selectRows(c, `SELECT * FROM runs WHERE run_id = $1`, [runId]);
    return rows[0] === undefined ? undefined : runRecordOf(rows[0]);
  });
}

/** Runs of a model, newest first. */
export function listRuns(db: RegistryConnection, modelName: string): Promise<RunRecord[]> {
  return db.read(async (c) => {
    const rows = await selectRows(c, `SELECT * FROM runs WHERE model_name = $1 ORDER BY started_at DESC, run_id`, [modelName]);
    return rows.map(runRecordOf);
  });
}

/** The datasets run `runId` recorded in the given roles (`train`, `validation`, ...). */
export function runDatasets(db: RegistryConnection, runId: string, roles: readonly string[]): Promise<DatasetRecord[]> {
  return db.read(async (c) => {
    const rows = await selectRows(c, `SELECT * FROM datasets WHERE run_id = $1 ORDER BY role, sha256`, [runId]);
    return rows
      .map((r) => ({
        sha256: stringOr(r.sha256, ''),
        uri: stringOr(r.uri, ''),
        rows: toNumber(r.rows),
        positives: toNumber(r.positives),
        role: stringOr(r.role, ''),
        runId: stringOr(r.run_id, ''),
      }))
      .filter((d) => roles.includes(d.role));
  });
}

export function recordDataset(db: RegistryConnection, d: DatasetRecord): Promise<void> {
  return db.write(async (c) => {
    await c.run(
      `INSERT INTO datasets VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (sha256, run_id, role) DO UPDATE SET uri = excluded.uri, "rows" = excluded."rows", positives = excluded.positives`,
      [d.sha256, d.uri, d.rows, d.positives, d.role, d.runId],
    );
  });
}

/**
 * Store a metrics report. A key `name.class` (e.g. `recall.positive`) fills name and class; a key without a dot
 * is a whole-model metric with class ''. Re-recording replaces the values.
 */
export function recordMetrics(
  db: RegistryConnection,
  runId: string,
  modelSha256: string,
  split: string,
  report: Record<string, number | null>,
): Promise<void> {
  return db.write(async (c) => {
    await db.inTransaction(c, async () => {
      for (const [key, value] of Object.entries(report)) {
        const dot = key.indexOf('.');
        const name = dot < 0 ? key : key.slice(0, dot);
        const cls = dot < 0 ? '' : key.slice(dot + 1);
        await c.run(
          `INSERT INTO metrics VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (run_id, model_sha256, split, name, class) DO UPDATE SET value = excluded.value`,
          [runId, modelSha256, split, name, cls, value === null || !Number.isFinite(value) ? null : value],
        );
      }
    });
  });
}

/** Metrics of one model in one run and split, keyed as recordMetrics took them. */
export function metrics(db: RegistryConnection, runId: string, modelSha256: string, split: string): Promise<Record<string, number | null>> {
  return db.read(async (c) => {
    const rows = await selectRows(c, `SELECT name, class, value FROM metrics WHERE run_id = $1 AND model_sha256 = $2 AND split = $3`, [
      runId,
      modelSha256,
      split,
    ]);
    const report: Record<string, number | null> = {};
    for (const r of rows)
      report[r.class === '' ? String(r.name) : `${String(r.name)}.${String(r.class)}`] = r.value === null ? null : toNumber(r.value);
    return report;
  });
}

export function recordGateVerdict(
  db: RegistryConnection,
  runId: string,
  modelSha256: string,
  verdict: string,
  checks: unknown,
): Promise<void> {
  return db.write(async (c) => {
    await c.run(
      `INSERT INTO gate_verdicts VALUES ($1, $2, $3, $4)
       ON CONFLICT (run_id, model_sha256) DO UPDATE SET verdict = excluded.verdict, checks = excluded.checks`,
      [runId, modelSha256, verdict, JSON.stringify(checks ?? null)],
    );
  });
}

/** Record a human decision; the first decision of a run and stage stands (a retried activity adds nothing). */
export function recordApproval(db: RegistryConnection, a: ApprovalRecord): Promise<void> {
  return db.write(async (c) => {
    await c.run(`INSERT INTO approvals VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`, [
      a.runId,
      a.stage,
      a.approved,
      a.decidedBy,
      a.at,
      a.reason,
    ]);
  });
}

export function approvals(db: RegistryConnection, runId: string): Promise<ApprovalRecord[]> {
  return db.read(async (c) => {
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
