// Read-only views of the registry for the operator (`rareflow models|runs`, `rareflow ui`): models with their
// versions and aliases, runs across models, one run's evidence (stage timings included), runs waiting for approval and lineage counts.

import type { StageTiming } from '../core/pipelineTypes.js';
import { toNumber } from './duckdbConnection.js';
import { canaries, type CanaryRecord } from './registryCanaries.js';
import { selectRows, stringOr, type RegistryConnection } from './registryConnection.js';
import { driftEvents, type DriftEventRecord } from './registryDriftEvents.js';
import { promotions } from './registryModels.js';
import { openApprovalRequests, type ApprovalRequestRecord } from './registryApprovalRequests.js';
import { approvals, type ApprovalRecord } from './registryRuns.js';
import { stageTimings } from './registryStageTimings.js';

/** A registered model under its name. `version` is its 1-based ordinal by created_at (then sha) under that name. */
export interface ModelVersion {
  modelName: string;
  version: number;
  modelSha256: string;
  runId: string;
  uri: string;
  kind: string;
  threshold: number | null;
  createdAt: string;
  /** The aliases pointing at it now. */
  aliases: string[];
  /** Why a rolled-back canary archived it, if it did. */
  archivedReason: string | null;
  /**
   * How the run that made it ended (`promoted`, `rejected-by-gate`, `insufficient-evidence`, `cancelled`…, or its status
   * while it runs), so a version no gate passed is told apart from a champion's; null when the run is not recorded.
   */
  runOutcome: string | null;
}

export interface AliasTarget {
  modelSha256: string;
  version: number | null;
  updatedAt: string;
}

export interface ModelSummary {
  modelName: string;
  champion: AliasTarget | null;
  challenger: AliasTarget | null;
  versions: number;
  lastRun: { runId: string; startedAt: string; status: string; outcome: string | null } | null;
}

/** A run as a row of a list: what started it (from the params startRun recorded) and how it ended. */
export interface RunSummary {
  runId: string;
  modelName: string;
  trigger: string | null;
  reason: string | null;
  status: string;
  outcome: string | null;
  startedAt: string;
  finishedAt: string | null;
  reportUri: string | null;
}

export interface ClassMetrics {
  cls: string;
  support: number | null;
  recall: number | null;
  recallLower: number | null;
  recallUpper: number | null;
  precision: number | null;
  f1: number | null;
}

/** What one run recorded for one model (the challenger it trained, or the champion it compared with). */
export interface RunModelEvidence {
  modelSha256: string;
  version: number | null;
  role: 'challenger' | 'champion';
  /** Whole-model metrics of the test split (gMean, prAuc, brier, threshold...). */
  overall: Record<string, number | null>;
  perClass: ClassMetrics[];
}

export interface GateVerdictRecord {
  modelSha256: string;
  verdict: string;
  checks: unknown;
}

export interface RunDetail extends RunSummary {
  workflowId: string;
  seed: number;
  params: unknown;
  inputHashes: Record<string, string>;
  codeVersion: string;
  models: RunModelEvidence[];
  gateVerdicts: GateVerdictRecord[];
  approvals: ApprovalRecord[];
  datasets: Array<{ role: string; sha256: string; uri: string; rows: number; positives: number }>;
  syntheticLineageRows: number;
  /** True while the run waits for an approve or reject decision (see {@link runsAwaitingApproval}). */
  awaitingApproval: boolean;
  /** When each stage ran; none while the run is running, or for a run from before they were recorded. */
  stageTimings: StageTiming[];
  /** The run's canary waits for a decision (before 100% traffic, or after insufficient evidence): what it asked. */
  canaryApproval: ApprovalRequestRecord | null;
}

export interface ModelDetail {
  modelName: string;
  versions: ModelVersion[];
  promotions: Array<{ kind: string; fromSha256: string | null; toSha256: string; toVersion: number | null; runId: string; at: string }>;
  canaries: CanaryRecord[];
  driftEvents: DriftEventRecord[];
  /** Per version: the datasets its run recorded and the synthetic rows with lineage. */
  lineage: Array<{ version: number; modelSha256: string; runId: string; datasets: number; datasetRows: number; syntheticRows: number }>;
}

/** Every model name the registry knows (from models, runs or aliases), sorted. */
export function modelNames(db: RegistryConnection): Promise<string[]> {
  return db.read(async (c) => {
    const rows = await selectRows(
      c,
      `SELECT model_name FROM models UNION SELECT model_name FROM runs UNION SELECT model_name FROM aliases ORDER BY model_name`,
      [],
    );
    return rows.map((r) => String(r.model_name));
  });
}

/** The models of `modelName` in version order, each with its aliases and archive reason. */
export function modelVersions(db: RegistryConnection, modelName: string): Promise<ModelVersion[]> {
  return db.read(async (c) => {
    const rows = await selectRows(c, `SELECT * FROM models WHERE model_name = $1 ORDER BY created_at, model_sha256`, [modelName]);
    const aliasRows = await selectRows(c, `SELECT alias, model_sha256 FROM aliases WHERE model_name = $1 ORDER BY alias`, [modelName]);
    const archived = await selectRows(c, `SELECT model_sha256, reason FROM archived_models WHERE model_name = $1`, [modelName]);
    const runs = await selectRows(c, `SELECT run_id, status, outcome, started_at FROM runs WHERE model_name = $1`, [modelName]);
    // A model file trained again, byte for byte, by a later run keeps its row (and first run): the run shown is the
    // latest that trained it (its gate verdict names it), so a champion promoted by that run is not shown with the
    // outcome of the first (rolled back, say).
    const judged = await selectRows(
      c,
      `SELECT v.model_sha256, v.run_id FROM gate_verdicts v JOIN runs r ON r.run_id = v.run_id WHERE r.model_name = $1 ORDER BY r.started_at, v.run_id`,
      [modelName],
    );
    return rows.map((r, i) => {
      const sha = String(r.model_sha256);
      const runId = stringOr(judged.filter((v) => String(v.model_sha256) === sha).at(-1)?.run_id, '') || stringOr(r.run_id, '');
      return {
        modelName,
        version: i + 1,
        modelSha256: sha,
        runId,
        uri: String(r.uri),
        kind: stringOr(r.kind, ''),
        threshold: r.threshold === null ? null : toNumber(r.threshold),
        createdAt: stringOr(r.created_at, ''),
        aliases: aliasRows.filter((a) => String(a.model_sha256) === sha).map((a) => String(a.alias)),
        archivedReason: stringOr(archived.find((a) => String(a.model_sha256) === sha)?.reason, '') || null,
        runOutcome: runOutcomeOf(runs.find((run) => String(run.run_id) === runId)),
      };
    });
  });
}

function runOutcomeOf(run: Record<string, unknown> | undefined): string | null {
  return run ? stringOr(run.outcome, '') || stringOr(run.status, '') || null : null;
}

function versionOf(versions: ModelVersion[], sha: string | null): number | null {
  return versions.find((v) => v.modelSha256 === sha)?.version ?? null;
}

/** Every model with its champion, challenger, number of versions and last run. */
export async function modelSummaries(db: RegistryConnection): Promise<ModelSummary[]> {
  const out: ModelSummary[] = [];
  for (const name of await modelNames(db)) {
    const versions = await modelVersions(db, name);
    const aliases = await db.read((c) =>
      selectRows(c, `SELECT alias, model_sha256, updated_at FROM aliases WHERE model_name = $1`, [name]),
    );
    const target = (alias: string): AliasTarget | null => {
      const a = aliases.find((r) => r.alias === alias);
      if (a === undefined) return null;
      const sha = String(a.model_sha256);
      return { modelSha256: sha, version: versionOf(versions, sha), updatedAt: stringOr(a.updated_at, '') };
    };
    const last = (await listRunSummaries(db, { modelName: name, limit: 1 }))[0];
    out.push({
      modelName: name,
      champion: target('champion'),
      challenger: target('challenger'),
      versions: versions.length,
      lastRun: last ? { runId: last.runId, startedAt: last.startedAt, status: last.status, outcome: last.outcome } : null,
    });
  }
  return out;
}

/** A model's versions, promotions and rollbacks, canaries, drift timeline and lineage counts; undefined when unknown. */
export async function modelDetail(db: RegistryConnection, modelName: string): Promise<ModelDetail | undefined> {
  if (!(await modelNames(db)).includes(modelName)) return undefined;
  const versions = await modelVersions(db, modelName);
  const lineage = await db.read(async (c) => {
    const out: ModelDetail['lineage'] = [];
    for (const v of versions) {
      const ds = await selectRows(c, `SELECT count(*) AS n, sum(rows) AS r FROM datasets WHERE run_id = $1`, [v.runId]);
      const syn = await selectRows(c, `SELECT count(*) AS n FROM lineage WHERE run_id = $1`, [v.runId]);
      out.push({
        version: v.version,
        modelSha256: v.modelSha256,
        runId: v.runId,
        datasets: toNumber(ds[0]?.n),
        datasetRows: ds[0]?.r === null || ds[0]?.r === undefined ? 0 : toNumber(ds[0].r),
        syntheticRows: toNumber(syn[0]?.n),
      });
    }
    return out;
  });
  return {
    modelName,
    versions,
    promotions: (await promotions(db, modelName)).map((p) => ({ ...p, toVersion: versionOf(versions, p.toSha256) })),
    canaries: await canaries(db, modelName),
    driftEvents: await driftEvents(db, modelName),
    lineage,
  };
}

/** `params.trigger` as startRun recorded it ({kind, reason}), or nulls when the run has none. */
function triggerOf(params: unknown): { trigger: string | null; reason: string | null } {
  const t = (params as { trigger?: { kind?: unknown; reason?: unknown } } | null)?.trigger;
  return {
    trigger: typeof t?.kind === 'string' ? t.kind : null,
    reason: typeof t?.reason === 'string' ? t.reason : null,
  };
}

function parseJson(v: unknown): unknown {
  return typeof v === 'string' ? (JSON.parse(v) as unknown) : (v ?? null);
}

function runSummaryOf(r: Record<string, unknown>): RunSummary {
  return {
    runId: String(r.run_id),
    modelName: String(r.model_name),
    ...triggerOf(parseJson(r.params)),
    status: String(r.status),
    outcome: r.outcome === null ? null : String(r.outcome),
    startedAt: stringOr(r.started_at, ''),
    finishedAt: r.finished_at === null ? null : String(r.finished_at),
    reportUri: r.report_uri === null ? null : String(r.report_uri),
  };
}

/** Runs across models (or of one), newest first, at most `limit`. */
export function listRunSummaries(db: RegistryConnection, filter: { modelName?: string; limit?: number } = {}): Promise<RunSummary[]> {
  return db.read(async (c) => {
    const where = filter.modelName === undefined ? '' : 'WHERE model_name = $1';
    // An integer spliced in, never text: LIMIT takes no placeholder on every backend.
    const limit = filter.limit === undefined ? '' : ` LIMIT ${Math.max(0, Math.floor(filter.limit))}`;
    const rows = await selectRows(
      c,
      `SELECT * FROM runs ${where} ORDER BY started_at DESC, run_id${limit}`,
      filter.modelName === undefined ? [] : [filter.modelName],
    );
    return rows.map(runSummaryOf);
  });
}

/**
 * Whether a running run waits for a human: its evidence is recorded (a gate verdict), its spec asks for approval
 * (`requireApproval`, or insufficient evidence with `onInsufficientEvidence: require-approval`), and no promotion
 * decision is recorded yet. The registry has no waiting flag: this is what the retrain workflow records before it
 * waits.
 */
function waitsForApproval(status: string, params: unknown, verdicts: GateVerdictRecord[], decided: ApprovalRecord[]): boolean {
  if (status !== 'running' || verdicts.length === 0) return false;
  if (decided.some((a) => a.stage === 'promotion')) return false;
  const spec = (params as { spec?: { requireApproval?: unknown; gates?: { onInsufficientEvidence?: unknown } } } | null)?.spec;
  if (spec?.requireApproval === true) return true;
  return spec?.gates?.onInsufficientEvidence === 'require-approval' && verdicts.some((v) => v.verdict === 'insufficient-evidence');
}

function metricNumber(rows: Array<Record<string, unknown>>, name: string, cls: string): number | null {
  const r = rows.find((m) => m.name === name && m.class === cls);
  return r === undefined || r.value === null ? null : toNumber(r.value);
}

/** One run with everything it recorded; undefined when the registry has no such run. */
export async function runDetail(db: RegistryConnection, runId: string): Promise<RunDetail | undefined> {
  const found = await db.read(async (c) => {
    const rows = await selectRows(c, `SELECT * FROM runs WHERE run_id = $1`, [runId]);
    if (rows[0] === undefined) return undefined;
    const metricRows = await selectRows(
      c,
      `SELECT * FROM metrics WHERE run_id = $1 AND split = 'test' ORDER BY model_sha256, name, class`,
      [runId],
    );
    const verdictRows = await selectRows(c, `SELECT * FROM gate_verdicts WHERE run_id = $1 ORDER BY model_sha256`, [runId]);
    const datasetRows = await selectRows(c, `SELECT * FROM datasets WHERE run_id = $1 ORDER BY role, sha256`, [runId]);
    const trained = await selectRows(c, `SELECT model_sha256 FROM models WHERE run_id = $1`, [runId]);
    const lineage = await selectRows(c, `SELECT count(*) AS n FROM lineage WHERE run_id = $1`, [runId]);
    return { run: rows[0], metricRows, verdictRows, datasetRows, trained, lineage };
  });
  if (found === undefined) return undefined;
  const { run, metricRows, verdictRows, datasetRows, trained, lineage } = found;
  const summary = runSummaryOf(run);
  const versions = await modelVersions(db, summary.modelName);
  // The run's own model: the one its gates judged (a model file trained before, byte for byte, keeps its first run).
  const trainedShas = new Set([...trained, ...verdictRows].map((t) => String(t.model_sha256)));
  const shas = [...new Set(metricRows.map((m) => String(m.model_sha256)))];
  const models: RunModelEvidence[] = shas.map((sha) => {
    const mine = metricRows.filter((m) => String(m.model_sha256) === sha);
    const classes = [...new Set(mine.map((m) => String(m.class)).filter((c) => c !== ''))].sort((a, b) =>
      a === 'positive' ? -1 : b === 'positive' ? 1 : a.localeCompare(b),
    );
    const overall: Record<string, number | null> = {};
    for (const m of mine) if (m.class === '') overall[String(m.name)] = m.value === null ? null : toNumber(m.value);
    return {
      modelSha256: sha,
      version: versionOf(versions, sha),
      role: trainedShas.has(sha) ? 'challenger' : 'champion',
      overall,
      perClass: classes.map((cls) => ({
        cls,
        support: metricNumber(mine, 'support', cls),
        recall: metricNumber(mine, 'recall', cls),
        recallLower: metricNumber(mine, 'recallLower', cls),
        recallUpper: metricNumber(mine, 'recallUpper', cls),
        precision: metricNumber(mine, 'precision', cls),
        f1: metricNumber(mine, 'f1', cls),
      })),
    };
  });
  models.sort((a, b) => (a.role === b.role ? 0 : a.role === 'challenger' ? -1 : 1));
  const gateVerdicts = verdictRows.map((v) => ({
    modelSha256: String(v.model_sha256),
    verdict: String(v.verdict),
    checks: parseJson(v.checks),
  }));
  const decided = await approvals(db, runId);
  const params = parseJson(run.params);
  const canaryApproval = summary.status === 'running' ? ((await openApprovalRequests(db, runId)).at(-1) ?? null) : null;
  return {
    ...summary,
    workflowId: stringOr(run.workflow_id, ''),
    seed: toNumber(run.seed),
    params,
    inputHashes: (parseJson(run.input_hashes) as Record<string, string> | null) ?? {},
    codeVersion: stringOr(run.code_version, ''),
    models,
    gateVerdicts,
    approvals: decided,
    datasets: datasetRows.map((d) => ({
      role: String(d.role),
      sha256: String(d.sha256),
      uri: String(d.uri),
      rows: toNumber(d.rows),
      positives: toNumber(d.positives),
    })),
    syntheticLineageRows: toNumber(lineage[0]?.n),
    awaitingApproval: canaryApproval !== null || waitsForApproval(summary.status, params, gateVerdicts, decided),
    stageTimings: await stageTimings(db, runId),
    canaryApproval,
  };
}

/** Runs waiting for an approve or reject decision, oldest first, with their evidence. */
export async function runsAwaitingApproval(db: RegistryConnection): Promise<RunDetail[]> {
  const running = await db.read((c) => selectRows(c, `SELECT run_id FROM runs WHERE status = 'running' ORDER BY started_at, run_id`, []));
  const out: RunDetail[] = [];
  for (const r of running) {
    const d = await runDetail(db, String(r.run_id));
    if (d?.awaitingApproval) out.push(d);
  }
  return out;
}
