// The model registry, in one DuckDB file or a PostgreSQL database: runs, datasets, models and their
// champion/challenger aliases, metrics, gate verdicts, promotions, drift events and synthetic-row lineage. Writes
// are idempotent and atomic. Registry is the one handle callers hold; each method runs the SQL of its table group's
// module on the registry's connection (registryConnection.ts), whichever backend that is.

import * as approvalRequests from './registryApprovalRequests.js';
import type { ApprovalRequestRecord } from './registryApprovalRequests.js';
import * as browse from './registryBrowse.js';
import * as canaryRollouts from './registryCanaries.js';
import type { CanaryRecord } from './registryCanaries.js';
import { openRegistryConnection, tableRowCounts, type OpenRegistryOptions, type RegistryConnection } from './registryConnection.js';
import * as driftEventLog from './registryDriftEvents.js';
import type { DriftEventRecord } from './registryDriftEvents.js';
import * as syntheticLineage from './registryLineage.js';
import * as models from './registryModels.js';
import type { ChampionRecord, ModelAlias, ModelRecord } from './registryModels.js';
import type { StageTiming } from '../core/pipelineTypes.js';
import * as runs from './registryRuns.js';
import * as runStages from './registryStageTimings.js';
import type { ApprovalRecord, DatasetRecord, RunFinish, RunRecord, RunStart } from './registryRuns.js';

export class Registry {
  private readonly db: RegistryConnection;

  private constructor(db: RegistryConnection) {
    this.db = db;
  }

  /**
   * Open (creating if needed) the registry at `location`: a DuckDB file such as `.rareflow/registry.duckdb`, or a
   * `postgres://user:pass@host:port/db` URL. Its schema is brought to this code's version first.
   */
  static async open(location: string, options: OpenRegistryOptions = {}): Promise<Registry> {
    return new Registry(await openRegistryConnection(location, options));
  }

  /** Where the registry is, for messages: the file path, or the URL with its password masked. */
  get location(): string {
    return this.db.location;
  }

  get backend(): RegistryConnection['backend'] {
    return this.db.backend;
  }

  close(): Promise<void> {
    return this.db.close();
  }

  // Runs and what they recorded (registryRuns.ts).

  /** Record a run's start; a retried start keeps the first record. */
  startRun(run: RunStart): Promise<void> {
    return runs.startRun(this.db, run);
  }

  finishRun(runId: string, finish: RunFinish): Promise<void> {
    return runs.finishRun(this.db, runId, finish);
  }

  /** Replace the run's stage timings (registryStageTimings.ts). */
  recordStageTimings(runId: string, timings: StageTiming[]): Promise<void> {
    return runStages.recordStageTimings(this.db, runId, timings);
  }

  /** A canary's request for a decision, with its windows so far (registryApprovalRequests.ts). */
  recordApprovalRequest(r: ApprovalRequestRecord): Promise<void> {
    return approvalRequests.recordApprovalRequest(this.db, r);
  }

  /** The run's approval requests that no decision answers yet. */
  openApprovalRequests(runId: string): Promise<ApprovalRequestRecord[]> {
    return approvalRequests.openApprovalRequests(this.db, runId);
  }

  /** The run's stage timings in order; none when it recorded none. */
  stageTimings(runId: string): Promise<StageTiming[]> {
    return runStages.stageTimings(this.db, runId);
  }

  /** Runs of a model, newest first. */
  listRuns(modelName: string): Promise<RunRecord[]> {
    return runs.listRuns(this.db, modelName);
  }

  getRun(runId: string): Promise<RunRecord | undefined> {
    return runs.getRun(this.db, runId);
  }

  /** The datasets run `runId` recorded in the given roles. */
  runDatasets(runId: string, roles: readonly string[]): Promise<DatasetRecord[]> {
    return runs.runDatasets(this.db, runId, roles);
  }

  recordDataset(d: DatasetRecord): Promise<void> {
    return runs.recordDataset(this.db, d);
  }

  /**
   * Store a metrics report. A key `name.class` (e.g. `recall.positive`) fills name and class; a key without a dot
   * is a whole-model metric with class ''. Re-recording replaces the values.
   */
  recordMetrics(runId: string, modelSha256: string, split: string, report: Record<string, number | null>): Promise<void> {
    return runs.recordMetrics(this.db, runId, modelSha256, split, report);
  }

  /** Metrics of one model in one run and split, keyed as recordMetrics took them. */
  metrics(runId: string, modelSha256: string, split: string): Promise<Record<string, number | null>> {
    return runs.metrics(this.db, runId, modelSha256, split);
  }

  recordGateVerdict(runId: string, modelSha256: string, verdict: string, checks: unknown): Promise<void> {
    return runs.recordGateVerdict(this.db, runId, modelSha256, verdict, checks);
  }

  /** Record a human decision; the first decision of a run and stage stands (a retried activity adds nothing). */
  recordApproval(a: ApprovalRecord): Promise<void> {
    return runs.recordApproval(this.db, a);
  }

  approvals(runId: string): Promise<ApprovalRecord[]> {
    return runs.approvals(this.db, runId);
  }

  // Models, aliases and promotions (registryModels.ts).

  recordModel(m: ModelRecord): Promise<void> {
    return models.recordModel(this.db, m);
  }

  /** A model's own record (any alias or none). */
  model(modelSha256: string): Promise<ModelRecord | undefined> {
    return models.model(this.db, modelSha256);
  }

  /** The models recorded under a name, in version order (1-based version v is element v − 1: created_at, then sha256). */
  modelVersions(modelName: string): Promise<ModelRecord[]> {
    return models.modelVersions(this.db, modelName);
  }

  /** The aliases a name has now, sorted by alias. */
  aliases(modelName: string): ReturnType<typeof models.aliases> {
    return models.aliases(this.db, modelName);
  }

  /** Point an alias at a model (e.g. the challenger under canary). @default at now */
  setAlias(modelName: string, alias: ModelAlias, modelSha256: string, at?: string): Promise<void> {
    return models.setAlias(this.db, modelName, alias, modelSha256, at);
  }

  /**
   * Make `modelSha256` the champion of `modelName` and record the promotion, in one transaction.
   * Promoting the current champion again is a no-op, so a retried activity changes nothing.
   */
  promote(modelName: string, modelSha256: string, runId: string, at?: string): Promise<void> {
    return models.promote(this.db, modelName, modelSha256, runId, at);
  }

  /** Put `modelSha256` (usually the previous champion) back as champion, recorded as a rollback. */
  /** Takes back a promotion that never took effect (its serving state could not be published): see registryModels. */
  undoPromotion(modelName: string, modelSha256: string, runId: string, at: string): Promise<void> {
    return models.undoPromotion(this.db, modelName, modelSha256, runId, at);
  }

  rollback(modelName: string, modelSha256: string, runId: string, at?: string): Promise<void> {
    return models.rollback(this.db, modelName, modelSha256, runId, at);
  }

  /** The current champion, with its model record, or undefined when there is none. */
  champion(modelName: string): Promise<ChampionRecord | undefined> {
    return models.champion(this.db, modelName);
  }

  /** Promotions and rollbacks of a model, oldest first. */
  promotions(modelName: string): ReturnType<typeof models.promotions> {
    return models.promotions(this.db, modelName);
  }

  // Canary rollouts (registryCanaries.ts).

  /**
   * Start a canary, or move a running one to another step: the challenger alias points at it and the row holds
   * the current weight. Writing the same values again (a retried activity) changes nothing but `updatedAt`.
   */
  setCanary(c: Parameters<typeof canaryRollouts.setCanary>[1]): Promise<void> {
    return canaryRollouts.setCanary(this.db, c);
  }

  /**
   * End a canary. `rolled-back`: weight 0, the challenger alias cleared and the model archived with the reason.
   * `promoted`: the caller moves the champion alias (promote()), which clears the challenger alias.
   */
  finishCanary(rolloutId: string, status: 'promoted' | 'rolled-back', reason: string, windows: unknown, at: string): Promise<void> {
    return canaryRollouts.finishCanary(this.db, rolloutId, status, reason, windows, at);
  }

  /** The canary rollouts of a model, newest first. */
  canaries(modelName: string): Promise<CanaryRecord[]> {
    return canaryRollouts.canaries(this.db, modelName);
  }

  /** Models taken out of service (a canary rolled back), with the reason. */
  archivedModels(modelName: string): ReturnType<typeof canaryRollouts.archivedModels> {
    return canaryRollouts.archivedModels(this.db, modelName);
  }

  // Drift events (registryDriftEvents.ts).

  recordDriftEvent(e: DriftEventRecord): Promise<void> {
    return driftEventLog.recordDriftEvent(this.db, e);
  }

  /** Drift events of a model, oldest first. */
  driftEvents(modelName: string): Promise<DriftEventRecord[]> {
    return driftEventLog.driftEvents(this.db, modelName);
  }

  // Synthetic-row lineage (registryLineage.ts).

  /**
   * Lineage of synthetic rows: synthetic row i came from `parent[i]` and `neighbour[i]` at interpolation `lambda[i]`.
   * Appended in bulk; a retry replaces the earlier rows of this run and artifact instead of adding to them.
   */
  recordLineage(runId: string, syntheticSha256: string, parent: Int32Array, neighbour: Int32Array, lambda: Float64Array): Promise<number> {
    return syntheticLineage.recordLineage(this.db, runId, syntheticSha256, parent, neighbour, lambda);
  }

  /** Number of lineage rows stored for a synthetic artifact. */
  lineageCount(syntheticSha256: string): Promise<number> {
    return syntheticLineage.lineageCount(this.db, syntheticSha256);
  }

  /** Number of lineage rows stored for the synthetic rows of one run. */
  lineageRunCount(runId: string): Promise<number> {
    return syntheticLineage.lineageRunCount(this.db, runId);
  }

  // Read-only views for the operator: `rareflow models|runs` and `rareflow ui` (registryBrowse.ts).

  /** Every model with its champion, challenger, number of versions and last run. */
  modelSummaries(): Promise<browse.ModelSummary[]> {
    return browse.modelSummaries(this.db);
  }

  /** Every model name the registry knows, sorted. */
  modelNames(): Promise<string[]> {
    return browse.modelNames(this.db);
  }

  /** A model's versions, promotions, canaries, drift timeline and lineage counts; undefined when unknown. */
  modelDetail(modelName: string): Promise<browse.ModelDetail | undefined> {
    return browse.modelDetail(this.db, modelName);
  }

  /** Runs across models (or of one), newest first. */
  runSummaries(filter?: { modelName?: string; limit?: number }): Promise<browse.RunSummary[]> {
    return browse.listRunSummaries(this.db, filter);
  }

  /** One run with everything it recorded; undefined when unknown. */
  runDetail(runId: string): Promise<browse.RunDetail | undefined> {
    return browse.runDetail(this.db, runId);
  }

  /** Runs waiting for an approve or reject decision, oldest first. */
  runsAwaitingApproval(): Promise<browse.RunDetail[]> {
    return browse.runsAwaitingApproval(this.db);
  }

  /** Rows in every table of the registry, by table name (health checks; before/after snapshots in tests). */
  tableRowCounts(): Promise<Record<string, number>> {
    return tableRowCounts(this.db);
  }
}
