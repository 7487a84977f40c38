// `npm run bench:pipeline`: one whole retrain as a user runs it, `rareflow run --config … --wait` on the embedded
// Temporal server from a cold start, with each stage's time read from the workflow history and peak memory beside it.

import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import proto from '@temporalio/proto';
import { activityLatencies, eventTimeMs } from '../client/historyLatency.js';
import { connectClient } from '../client/temporalClient.js';
import { packageRoot } from '../infra/rareflowConfig.js';
import { freePort, startDevServer } from '../infra/temporalServer.js';
import type { RetrainResult } from '../workflows/contract.js';
import { writeBenchRows } from './benchResults.js';
import { measureProcess, type MeasuredProcess } from './processPeak.js';

type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;
const EventType = proto.temporal.api.enums.v1.EventType;

const rows = Number(process.env.BENCH_ROWS ?? 10_000_000);
const positiveRate = 0.001;
const features = 20;
const root = packageRoot();
const work = join(root, '.rareflow', 'bench');
mkdirSync(work, { recursive: true });
const cli = fileURLToPath(new URL('../client/cli.js', import.meta.url));

/** The pipelines compared: the default one, and the default with ENN noise filtering and ADASYN on. */
const configurations: Array<{ name: string; goalSeconds: number; spec: Record<string, unknown> }> = [
  { name: 'default', goalSeconds: 120, spec: {} },
  { name: 'enn+adasyn', goalSeconds: 150, spec: { denoise: { method: 'enn', k: 3 }, adasyn: { enabled: true, k: 5, beta: 1 } } },
];

interface StageTime {
  stage: string;
  /** Activity executions of this name in the retrain (sampling fans out per shard; retries count too). */
  count: number;
  seconds: number;
  /** Time the activities waited in the task queue before a worker started them. */
  queuedSeconds: number;
}

/** Per activity name, in order of first scheduling: run time (started → completed) summed over its executions. */
function stageTimes(events: HistoryEvent[]): StageTime[] {
  const firstScheduled = new Map<string, number>();
  for (const e of events) {
    const name = e.activityTaskScheduledEventAttributes?.activityType?.name;
    if (name && !firstScheduled.has(name)) firstScheduled.set(name, eventTimeMs(e));
  }
  const byName = new Map<string, StageTime>();
  for (const l of activityLatencies(events)) {
    const s = byName.get(l.activity) ?? { stage: l.activity, count: 0, seconds: 0, queuedSeconds: 0 };
    s.count += 1;
    s.seconds += l.runMs / 1000;
    s.queuedSeconds += l.scheduleToStartMs / 1000;
    byName.set(l.activity, s);
  }
  return [...byName.values()].sort((a, b) => firstScheduled.get(a.stage)! - firstScheduled.get(b.stage)!);
}

/**
 * Reopens the run's own Temporal state (the SQLite file under `home`) and reads the retrain's history, followed by
 * its child workflows' (adaptive sampling runs as one); the retrain's own events come first.
 */
async function retrainHistory(home: string, port: number, workflowId: string): Promise<HistoryEvent[]> {
  const server = await startDevServer({ stateDir: home, toolRoot: root, port, headless: true });
  try {
    const client = await connectClient(server.target);
    try {
      const withChildren = async (id: string, runId?: string): Promise<HistoryEvent[]> => {
        const events = (await client.workflow.getHandle(id, runId).fetchHistory()).events ?? [];
        const children: HistoryEvent[] = [];
        for (const e of events) {
          const child = e.childWorkflowExecutionStartedEventAttributes?.workflowExecution;
          if (child?.workflowId) children.push(...(await withChildren(child.workflowId, child.runId ?? undefined)));
        }
        return [...events, ...children];
      };
      return await withChildren(workflowId);
    } finally {
      await client.connection.close();
    }
  } finally {
    await server.stop();
  }
}

function failed(what: string, m: MeasuredProcess): Error {
  return new Error(`${what} exited with ${m.status}: ${m.stderr.slice(-2000)}`);
}

const raw = join(work, `pipeline-${rows}x${features}.parquet`);
// The raw file is kept between runs (its generation is not part of the figure); BENCH_REGENERATE=1 writes it anew.
let generated: MeasuredProcess | undefined;
if (process.env.BENCH_REGENERATE === '1' || !existsSync(raw)) {
  rmSync(raw, { force: true });
  generated = await measureProcess(process.execPath, [
    cli,
    'generate',
    '--rows',
    String(rows),
    '--positive-rate',
    String(positiveRate),
    '--features',
    String(features),
    '--seed',
    '11',
    '--out',
    raw,
    '--json',
  ]);
  if (generated.status !== 0) throw failed('rareflow generate', generated);
}
process.stdout.write(
  `${generated ? 'generated' : 'reusing'} ${rows.toLocaleString('en')} × ${features} rows, 1 positive in ` +
    `${Math.round(1 / positiveRate).toLocaleString('en')}` +
    (generated ? `: ${generated.seconds.toFixed(1)} s, peak memory ${generated.peakMb} MB\n` : ` (${raw})\n`),
);

const results = [];
for (const c of configurations) {
  const home = join(work, `pipeline-home-${c.name}`);
  rmSync(home, { recursive: true, force: true });
  mkdirSync(home, { recursive: true });
  const specPath = join(home, 'pipeline.json');
  const spec = { modelName: `bench-${c.name.replace(/[^a-z]/g, '-')}`, input: { paths: [raw], label: 'label' }, seed: 7, ...c.spec };
  writeFileSync(specPath, JSON.stringify(spec, null, 2));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, RAREFLOW_HOME: home, RAREFLOW_TEMPORAL_PORT: String(port) };
  delete env.TEMPORAL_ADDRESS;
  const startedAtMs = Date.now();
  const run = await measureProcess(process.execPath, [cli, 'run', '--config', specPath, '--wait', '--json'], { env });
  if (run.status !== 0 && run.status !== 1) throw failed(`rareflow run (${c.name})`, run);
  const result = JSON.parse(run.stdout) as RetrainResult;
  const events = await retrainHistory(home, port, result.runId);
  const ownEnd = events.findIndex((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
  const workflowSeconds = (eventTimeMs(events[ownEnd === -1 ? events.length - 1 : ownEnd]!) - eventTimeMs(events[0]!)) / 1000;
  const stages = stageTimes(events);
  const activitySeconds = stages.reduce((a, s) => a + s.seconds, 0);
  // Before the retrain's first event: the dev server starting (until the command says no worker polls), then the
  // in-process worker (workflow bundle) and the lifecycle workflow that starts the retrain.
  const retrainStartSeconds = (eventTimeMs(events[0]!) - startedAtMs) / 1000;
  const serverUpSeconds = Math.min(
    retrainStartSeconds,
    run.stderrLines.find((l) => l.line.startsWith('no worker is polling'))?.atSeconds ?? 0,
  );
  const rowsOfTable = [
    { stage: 'cold start: Temporal dev server', seconds: serverUpSeconds },
    { stage: 'cold start: worker, workflow bundle, lifecycle', seconds: Math.max(0, retrainStartSeconds - serverUpSeconds) },
    ...stages.map((s) => ({ stage: s.count > 1 ? `${s.stage} ×${s.count}` : s.stage, seconds: s.seconds })),
    { stage: 'orchestration (queues, workflow tasks)', seconds: Math.max(0, workflowSeconds - activitySeconds) },
    { stage: 'after the retrain: lifecycle, result, shutdown', seconds: Math.max(0, run.seconds - retrainStartSeconds - workflowSeconds) },
  ];
  process.stdout.write(
    [
      '',
      `${c.name}: outcome ${result.outcome}, total ${run.seconds.toFixed(1)} s (goal ≤ ${c.goalSeconds} s), ` +
        `workflow ${workflowSeconds.toFixed(1)} s, peak memory ${run.peakMb} MB (one process), ${run.treePeakMb} MB (with the server)`,
      `  ${'stage'.padEnd(48)} ${'seconds'.padStart(8)} ${'share'.padStart(6)}`,
      ...rowsOfTable.map(
        (r) =>
          `  ${r.stage.padEnd(48)} ${r.seconds.toFixed(2).padStart(8)} ${`${((100 * r.seconds) / run.seconds).toFixed(1)}%`.padStart(6)}`,
      ),
    ].join('\n') + '\n',
  );
  results.push({
    configuration: c.name,
    spec: c.spec,
    outcome: result.outcome,
    runId: result.runId,
    goalSeconds: c.goalSeconds,
    totalSeconds: run.seconds,
    workflowSeconds,
    peakMb: run.peakMb,
    treePeakMb: run.treePeakMb,
    stages,
    table: rowsOfTable,
    stagesReported: result.stages,
    validation: { gMean: result.validation.gMean, prAucNormalised: result.validation.prAucNormalised },
  });
}

const [load1, load5] = loadavg();
const out = join(work, 'pipeline.json');
writeFileSync(
  out,
  JSON.stringify(
    {
      rows,
      features,
      positiveRate,
      generate: generated ? { seconds: generated.seconds, peakMb: generated.peakMb } : 'reused',
      machine: { cpus: cpus().length, loadAverage1m: load1, loadAverage5m: load5 },
      results,
    },
    null,
    2,
  ),
);
writeBenchRows(
  'pipeline',
  results.map((r) => ({
    stage: `pipeline to a promoted model, ${r.configuration}`,
    note: `${(rows / 1e6).toLocaleString('en')}M raw rows, cold start, outcome ${r.outcome}; peak RSS of the rareflow process`,
    rareflow: { value: r.totalSeconds, unit: 's' as const, peakMb: r.peakMb },
    goal: { kind: 'ceiling' as const, atMost: r.goalSeconds },
    ...(r.outcome === 'promoted' ? {} : { unmetBecause: `outcome ${r.outcome}, not promoted` }),
  })),
);
process.stdout.write(`\nwritten: ${out} (load average at the end: ${load1!.toFixed(2)} over 1 min, ${load5!.toFixed(2)} over 5)\n`);
