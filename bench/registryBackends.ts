// `node dist/bench/registryBackends.js DIR postgres://…`: the registry calls of retrains (start, datasets, model,
// metrics, gate verdict, lineage, promotion, finish), timed on a DuckDB file in DIR and on the PostgreSQL database
// at the URL (an empty one); then the filled DuckDB registry copied into a second, empty database (URL + `_copy`).

import { join } from 'node:path';
import { Registry } from '../data/registry.js';
import { copyRegistryToPostgres } from '../data/registryCopy.js';
import { maskedUrl } from '../data/registryLocation.js';

const [dir, url] = process.argv.slice(2);
if (!dir || !url) throw new Error('usage: node dist/bench/registryBackends.js DIR postgres://user:pass@host:port/db');
const retrains = Number(process.env.RETRAINS ?? 5);
const lineageRows = Number(process.env.LINEAGE_ROWS ?? 40_000);

/** The calls registryStartRun, registryRecordRetrain, registryPromote and registryFinishRun make for one retrain. */
async function oneRetrain(registry: Registry, i: number): Promise<void> {
  const runId = `run-${i}`;
  const sha = `model-${i}`;
  await registry.startRun({
    runId,
    modelName: 'fraud',
    workflowId: runId,
    startedAt: `2026-01-0${i + 1}`,
    seed: i,
    params: { k: 5 },
    inputHashes: { a: 'x' },
    codeVersion: 'bench',
  });
  for (const role of ['sample', 'train', 'validation', 'test', 'clean', 'augmented']) {
    await registry.recordDataset({ sha256: `${role}-${i}`, uri: `file:///${role}`, rows: 100_000, positives: 1000, role, runId });
  }
  await registry.recordModel({
    modelSha256: sha,
    modelName: 'fraud',
    runId,
    uri: `file:///${sha}`,
    kind: 'forest',
    threshold: 0.3,
    createdAt: 'now',
  });
  const report: Record<string, number> = {};
  for (const m of ['recall', 'precision', 'f1', 'specificity'])
    for (const c of ['positive', 'negative']) report[`${m}.${c}`] = Math.random();
  for (const m of ['g_mean', 'auc_pr', 'auc_roc', 'brier', 'mcc']) report[m] = Math.random();
  await registry.recordMetrics(runId, sha, 'test', report);
  if (i > 0) await registry.recordMetrics(runId, `model-${i - 1}`, 'test', report);
  await registry.recordGateVerdict(runId, sha, 'pass', [{ name: 'recall', ok: true }]);
  const n = lineageRows;
  await registry.recordLineage(
    runId,
    `syn-${i}`,
    new Int32Array(n).map((_, r) => r),
    new Int32Array(n).map((_, r) => n - r),
    new Float64Array(n).map((_, r) => r / n),
  );
  await registry.champion('fraud');
  await registry.promote('fraud', sha, runId, `2026-01-0${i + 1}T01`);
  await registry.finishRun(runId, { finishedAt: `2026-01-0${i + 1}T02`, status: 'succeeded', outcome: 'promoted' });
}

async function timed(location: string): Promise<number[]> {
  const registry = await Registry.open(location);
  const times: number[] = [];
  try {
    for (let i = 0; i < retrains; i++) {
      const t = performance.now();
      await oneRetrain(registry, i);
      times.push(performance.now() - t);
    }
  } finally {
    await registry.close();
  }
  return times;
}

const summary = (times: number[]) =>
  `${times.map((t) => t.toFixed(0)).join(', ')} ms (median ${[...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!.toFixed(0)} ms)`;
const file = join(dir, 'registry.duckdb');
console.log(`${retrains} retrains, ${lineageRows} lineage rows each`);
console.log(`DuckDB     ${summary(await timed(file))}`);
console.log(`PostgreSQL ${summary(await timed(url))}`);
const copyUrl = `${url}_copy`;
let t = performance.now();
const tables = await copyRegistryToPostgres(file, copyUrl);
console.log(
  `migrate to ${maskedUrl(copyUrl)}: ${tables.reduce((s, x) => s + x.rows, 0)} rows in ${tables.length} tables, ${(performance.now() - t).toFixed(0)} ms`,
);
t = performance.now();
await copyRegistryToPostgres(file, copyUrl);
console.log(`re-run (nothing to change): ${(performance.now() - t).toFixed(0)} ms`);
