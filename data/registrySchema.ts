// The registry's tables as versioned migrations, in SQL both DuckDB and PostgreSQL take: runs and what they
// recorded (and when its stages ran), models and aliases, canaries, approvals, drift events and synthetic-row lineage.

/**
 * Version 1: one CREATE TABLE IF NOT EXISTS statement per table. A registry made before versions were recorded
 * holds exactly these tables, so running them on it changes nothing and records it as version 1.
 */
const schemaVersion1 = [
  `CREATE TABLE IF NOT EXISTS runs (
    run_id VARCHAR PRIMARY KEY, model_name VARCHAR NOT NULL, workflow_id VARCHAR, started_at VARCHAR, finished_at VARCHAR,
    status VARCHAR NOT NULL, seed BIGINT, params JSON, input_hashes JSON, code_version VARCHAR, outcome VARCHAR, report_uri VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS datasets (
    sha256 VARCHAR NOT NULL, uri VARCHAR NOT NULL, rows BIGINT, positives BIGINT, role VARCHAR NOT NULL, run_id VARCHAR NOT NULL,
    PRIMARY KEY (sha256, run_id, role))`,
  `CREATE TABLE IF NOT EXISTS models (
    model_sha256 VARCHAR PRIMARY KEY, model_name VARCHAR NOT NULL, run_id VARCHAR, uri VARCHAR NOT NULL, kind VARCHAR,
    threshold DOUBLE PRECISION, created_at VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS aliases (
    model_name VARCHAR NOT NULL, alias VARCHAR NOT NULL CHECK (alias IN ('champion', 'challenger')), model_sha256 VARCHAR NOT NULL,
    updated_at VARCHAR, PRIMARY KEY (model_name, alias))`,
  `CREATE TABLE IF NOT EXISTS metrics (
    run_id VARCHAR NOT NULL, model_sha256 VARCHAR NOT NULL, split VARCHAR NOT NULL, name VARCHAR NOT NULL, class VARCHAR NOT NULL,
    value DOUBLE PRECISION, PRIMARY KEY (run_id, model_sha256, split, name, class))`,
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
    started_at VARCHAR NOT NULL, updated_at VARCHAR NOT NULL, weight DOUBLE PRECISION NOT NULL, step INTEGER NOT NULL, since_ms BIGINT NOT NULL,
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
    neighbour_row INTEGER NOT NULL, "lambda" DOUBLE PRECISION NOT NULL)`,
];

/**
 * Version 2: when each stage of a retrain ran (the run pages of `runs show` and `rareflow ui`), and the approvals a
 * canary asked for with its windows so far (the UI's approvals page).
 */
const schemaVersion2 = [
  `CREATE TABLE IF NOT EXISTS run_stage_timings (
    run_id VARCHAR NOT NULL, seq INTEGER NOT NULL, stage VARCHAR NOT NULL, started_at VARCHAR NOT NULL, finished_at VARCHAR NOT NULL,
    duration_ms BIGINT NOT NULL, PRIMARY KEY (run_id, seq))`,
  `CREATE TABLE IF NOT EXISTS approval_requests (
    run_id VARCHAR NOT NULL, stage VARCHAR NOT NULL, rollout_id VARCHAR NOT NULL, requested_at VARCHAR NOT NULL, windows JSON,
    PRIMARY KEY (run_id, stage))`,
];

export interface RegistryMigration {
  version: number;
  statements: string[];
}

/** Every schema version in order; the registry records the ones applied in its schema_version table. */
export const registryMigrations: RegistryMigration[] = [
  { version: 1, statements: schemaVersion1 },
  { version: 2, statements: schemaVersion2 },
];

/** The schema version this code writes and reads. */
export const REGISTRY_SCHEMA_VERSION = registryMigrations[registryMigrations.length - 1]!.version;
