// `rareflow demo`, the main job: generated rare-event data → lifecycle → first retrain, gates, promotion →
// drifted data → drift signal → drift-triggered retrain, all on a real Temporal server with a real worker.

import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import { generateSyntheticDataset } from '../data/syntheticData.js';
import { loadConfig } from '../infra/rareflowConfig.js';
import { connectOrStartTemporal } from '../infra/temporalServer.js';
import { createRareflowWorkers } from '../worker/rareflowWorkers.js';
import { lifecycleWorkflowId, type LifecycleStatus, type RetrainResult } from '../workflows/contract.js';
import { activityLatencies, median } from './historyLatency.js';
import { formatPerClassTable, formatStages } from './perClassTable.js';
import { resolvePipelineSpec } from './pipelineSpec.js';
import { RareflowClient, connectClient } from './temporalClient.js';

export interface DemoOptions {
  /** Rows of the first training file. @default 1_000_000 */
  rows: number;
  /** Rows of the drifted file. @default 500_000 */
  driftRows: number;
  positiveRate: number;
  features: number;
  seed: number;
  modelName: string;
  json: boolean;
}

export const DEMO_DEFAULTS: DemoOptions = {
  rows: 1_000_000,
  driftRows: 500_000,
  positiveRate: 1 / 500,
  features: 20,
  seed: 7,
  modelName: 'demo-fraud',
  json: false,
};

async function ensureDataset(path: string, opts: Parameters<typeof generateSyntheticDataset>[0], say: (s: string) => void) {
  if (existsSync(path)) {
    say(`  reusing ${path}`);
    return;
  }
  const r = await generateSyntheticDataset(opts);
  say(`  wrote ${path}: ${r.rows.toLocaleString('en')} rows, ${r.positives.toLocaleString('en')} positives (${r.seconds.toFixed(1)}s)`);
}

export async function runDemo(o: DemoOptions): Promise<{ outcomes: string[]; results: RetrainResult[]; wallSeconds: number }> {
  const started = performance.now();
  const say = (s: string) => (o.json ? process.stderr : process.stdout).write(`${s}\n`);
  const config = loadConfig();
  const dataDir = join(config.stateDir, 'demo');
  mkdirSync(dataDir, { recursive: true });

  const tag = `${o.rows}-${o.positiveRate}-${o.features}-${o.seed}`;
  const firstData = join(dataDir, `transactions-${tag}.parquet`);
  const driftData = join(dataDir, `transactions-drifted-${o.driftRows}-${o.positiveRate}-${o.features}-${o.seed}.parquet`);
  say(`1/6 generating ${o.rows.toLocaleString('en')} rows with 1 positive in ${Math.round(1 / o.positiveRate)} and ${o.features} features`);
  await ensureDataset(firstData, { rows: o.rows, positiveRate: o.positiveRate, features: o.features, seed: o.seed, out: firstData }, say);

  say('2/6 starting Temporal and a worker');
  const server = await connectOrStartTemporal({ stateDir: config.stateDir, toolRoot: config.packageRoot, log: (l) => say(`  ${l}`) });
  say(`  Temporal at ${server.target.address}${server.target.uiAddress ? `, Web UI ${server.target.uiAddress}` : ''}`);
  const workers = await createRareflowWorkers({ target: server.target, artifactRoot: config.artifactRoot, registryPath: config.registryPath });
  const client = await connectClient(server.target);
  const rareflow = new RareflowClient(client);

  const work = async () => {
    // A lifecycle left from an earlier demo run would keep its old spec: start from a clean entity.
    try {
      await client.workflow.getHandle(lifecycleWorkflowId(o.modelName)).terminate('a new rareflow demo started');
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    const spec = resolvePipelineSpec(
      {
        modelName: o.modelName,
        input: { paths: [firstData], label: 'label' },
        // The demo turns on every stage (the defaults leave noise filtering and ADASYN off; see pipelineSpec.ts).
        denoise: { method: 'enn' },
        adasyn: { enabled: true },
        model: { kind: 'logreg', threshold: 'prevalence' },
        seed: o.seed,
      },
      'demo pipeline',
    );
    const progress = (s: LifecycleStatus, stage?: string) => say(`  lifecycle ${s.phase}${stage ? `: ${stage}` : ''}`);

    say(`3/6 first retrain of "${o.modelName}": adaptive sampling → ENN → ADASYN → logistic regression → per-class gates`);
    await rareflow.retrain(spec, 'first training of the demo model');
    const first = await rareflow.waitForRetrains(o.modelName, 1, progress);
    const firstResult = await rareflow.retrainResult(first.history.at(-1)!.runId);
    say(formatStages(firstResult));
    say(formatPerClassTable(firstResult));
    say(`  outcome: ${firstResult.outcome}${firstResult.outcome === 'promoted' ? ` — model ${firstResult.modelSha256.slice(0, 12)} promoted to champion` : ''}`);

    say(`4/6 generating ${o.driftRows.toLocaleString('en')} drifted rows (feature means and prior shifted)`);
    await ensureDataset(driftData, { rows: o.driftRows, positiveRate: o.positiveRate, features: o.features, seed: o.seed + 1, drift: 0.5, out: driftData }, say);

    say('5/6 drift detected upstream: sending a drift signal to the lifecycle');
    await rareflow.drift(o.modelName, { source: 'demo', reason: 'feature means and class prior shifted', dataPaths: [driftData], metrics: { driftStrength: 0.5 } });
    const second = await rareflow.waitForRetrains(o.modelName, 2, progress);
    const secondResult = await rareflow.retrainResult(second.history.at(-1)!.runId);
    say(formatStages(secondResult));
    say(formatPerClassTable(secondResult));
    say(`  outcome of the drift-triggered retrain: ${secondResult.outcome}`);

    const latencies = [];
    for (const r of [firstResult, secondResult]) {
      const history = await client.workflow.getHandle(r.runId).fetchHistory();
      latencies.push(...activityLatencies(history.events ?? []));
    }
    return { results: [firstResult, secondResult], latencies };
  };

  let outcome;
  try {
    outcome = await workers.run(work());
  } finally {
    await client.connection.close();
    await server.stop();
  }
  if (!outcome) throw new Error('the demo ended without a result');
  const { results, latencies } = outcome;
  const wallSeconds = Math.round((performance.now() - started) / 100) / 10;
  say('6/6 summary');
  for (const r of results) say(`  ${r.trigger.kind === 'drift' ? 'drift-triggered retrain' : 'first retrain'} ${r.runId}: ${r.outcome}`);
  say(
    `  orchestration overhead over ${latencies.length} activities: schedule-to-start median ${median(latencies.map((l) => l.scheduleToStartMs))} ms, ` +
      `completion latency median ${median(latencies.map((l) => l.completionLatencyMs))} ms (from workflow history)`,
  );
  if (server.target.uiAddress) say(`  the Temporal Web UI was at ${server.target.uiAddress} (run rareflow dev to browse these workflows again)`);
  say(`  demo wall time ${wallSeconds}s`);
  return { outcomes: results.map((r) => r.outcome), results, wallSeconds };
}
