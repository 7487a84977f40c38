// What a run leaves behind, for before/after comparisons: the artifact store's files (with sizes, checked against
// their content hashes) and the registry's tables (row counts, rows sharing a key).

import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { sqlIdentifier } from '../../data/duckdbConnection.js';

/** Every file under `root` (relative path → bytes), directories walked recursively; empty when root is absent. */
export async function listFiles(root: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const walk = async (dir: string) => {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const name of names.sort()) {
      const path = join(dir, name);
      const s = await stat(path);
      if (s.isDirectory()) await walk(path);
      else out[relative(root, path)] = s.size;
    }
  };
  await walk(root);
  return out;
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const piece of createReadStream(path)) hash.update(piece as Buffer);
  return hash.digest('hex');
}

export interface ArtifactAudit {
  /** Content-addressed files, by sha256. */
  artifacts: string[];
  /** Anything under tmp/, and any `.tmp` file anywhere: a writer that never finished. */
  leftovers: string[];
  /** Stored files whose bytes do not hash to their name. */
  mismatched: string[];
  /** Files that are neither artifacts, key records nor leftovers. */
  unexpected: string[];
  /** Damaged stored files set aside under quarantine/ (their names as stored). */
  quarantined: string[];
}

/** Checks every file of an artifact store: `<sha[0:2]>/<sha>.<ext>` must hash to `<sha>`; tmp/ must be empty. */
export async function auditArtifactStore(root: string): Promise<ArtifactAudit> {
  const files = Object.keys(await listFiles(root));
  const audit: ArtifactAudit = { artifacts: [], leftovers: [], mismatched: [], unexpected: [], quarantined: [] };
  for (const f of files) {
    if (f.startsWith('tmp/') || f.endsWith('.tmp')) {
      audit.leftovers.push(f);
      continue;
    }
    const stored = /^([0-9a-f]{2})\/([0-9a-f]{64})\.[A-Za-z0-9]+$/.exec(f);
    if (stored && stored[2]!.startsWith(stored[1]!)) {
      audit.artifacts.push(stored[2]!);
      if ((await sha256OfFile(join(root, f))) !== stored[2]) audit.mismatched.push(f);
      continue;
    }
    if (/^keys\/[0-9a-f]{64}\.json$/.test(f)) continue;
    if (/^quarantine\/[0-9a-f]{64}\.[A-Za-z0-9]+$/.test(f)) {
      audit.quarantined.push(f.slice('quarantine/'.length));
      continue;
    }
    audit.unexpected.push(f);
  }
  audit.artifacts.sort();
  return audit;
}

/** The natural key of each registry table: two rows with the same key are a duplicate. */
export const REGISTRY_KEYS: Record<string, string[]> = {
  runs: ['run_id'],
  datasets: ['sha256', 'run_id', 'role'],
  models: ['model_sha256'],
  aliases: ['model_name', 'alias'],
  metrics: ['run_id', 'model_sha256', 'split', 'name', 'class'],
  gate_verdicts: ['run_id', 'model_sha256'],
  promotions: ['model_name', 'to_sha256', 'run_id', 'kind'],
  drift_events: ['model_name', 'at', 'source'],
  canary_rollouts: ['rollout_id'],
  archived_models: ['model_sha256'],
  approvals: ['run_id', 'stage'],
  lineage: ['run_id', 'synthetic_artifact_sha256', 'row'],
};

export interface RegistrySnapshot {
  /** Row count of every table in the file but schema_version. */
  counts: Record<string, number>;
  /** Per table: rows beyond the first of each key (0 everywhere when nothing is duplicated). */
  duplicates: Record<string, number>;
  /** The test-split metrics, sorted, as `run|model|name.class=value` lines. */
  metrics: string[];
  /** sha256 of every artifact a registry row points at (datasets, models, run reports), sorted. */
  referencedArtifacts: string[];
}

/** Reads a registry file no process holds open (read-only: nothing is created or changed). */
export async function snapshotRegistry(path: string): Promise<RegistrySnapshot> {
  if (!existsSync(path)) return { counts: {}, duplicates: {}, metrics: [], referencedArtifacts: [] };
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  const c = await instance.connect();
  try {
    const tables = (await c.runAndReadAll(`SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY table_name`))
      .getRowsJS()
      .map((r) => String(r[0]))
      // The schema's own bookkeeping (which migrations ran), not something a run wrote.
      .filter((t) => t !== 'schema_version');
    const counts: Record<string, number> = {};
    const duplicates: Record<string, number> = {};
    for (const t of tables) {
      counts[t] = Number((await c.runAndReadAll(`SELECT count(*) FROM ${sqlIdentifier(t)}`)).getRowsJS()[0]![0]);
      const key = REGISTRY_KEYS[t];
      if (key) {
        const cols = key.map(sqlIdentifier).join(', ');
        duplicates[t] = Number(
          (
            await c.runAndReadAll(`SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM ${sqlIdentifier(t)} GROUP BY ${cols})`)
          ).getRowsJS()[0]![0],
        );
      }
    }
    const metrics = tables.includes('metrics')
      ? (
          await c.runAndReadAll(
            `SELECT run_id || '|' || model_sha256 || '|' || name || '.' || class || '=' || coalesce(CAST(value AS VARCHAR), 'null') FROM metrics ORDER BY ALL`,
          )
        )
          .getRowsJS()
          .map((r) => String(r[0]))
      : [];
    const referenced = new Set<string>();
    if (tables.includes('datasets'))
      for (const r of (await c.runAndReadAll('SELECT sha256 FROM datasets')).getRowsJS()) referenced.add(String(r[0]));
    if (tables.includes('models'))
      for (const r of (await c.runAndReadAll('SELECT model_sha256 FROM models')).getRowsJS()) referenced.add(String(r[0]));
    if (tables.includes('runs')) {
      for (const r of (await c.runAndReadAll('SELECT report_uri FROM runs WHERE report_uri IS NOT NULL')).getRowsJS()) {
        const sha = /([0-9a-f]{64})\.[A-Za-z0-9]+$/.exec(String(r[0]))?.[1];
        if (sha) referenced.add(sha);
      }
    }
    return { counts, duplicates, metrics, referencedArtifacts: [...referenced].sort() };
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}
