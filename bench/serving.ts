// `npm run bench:serving`: `rareflow serve` (a child process on one core) scoring a 40-feature, 100-tree forest,
// driven by autocannon at 1,000 requests/s for 15 s with a champion hot swap half-way, then at full speed for 10 s,
// then the same rated run with a logistic-regression champion; the service's peak RSS (VmHWM) after each.
// Client latencies come from autocannon's response events (exact, not its 1 ms histogram); server latencies are
// the service's own prediction log (receive to answer). 8 connections: with 32, autocannon's per-connection rate
// timers alone put its p50 near 3 ms against 0.6 ms with 8 (measured here; the service's own p50 was 0.06 ms both
// ways). Env: BENCH_SERVING_RATE, BENCH_SERVING_SECONDS, BENCH_SERVING_MAX_SECONDS, BENCH_SERVING_CONNECTIONS,
// BENCH_SERVING_MAX_CONNECTIONS.

import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fitModelArtifact } from '../stages/train.js';
import { readLoadRows } from '../client/loadGenerator.js';
import { ArtifactStore } from '../data/artifactStore.js';
import type { ArtifactRef } from '../core/pipelineTypes.js';
import { readLabelledDataset } from '../data/datasetReader.js';
import { summariseServingWindow } from '../data/servingLogWindow.js';
import { SERVING_STATE_FORMAT, writeServingState, type ServedModel } from '../data/servingState.js';
import { generateSyntheticDataset } from '../data/syntheticData.js';
import { packageRoot } from '../infra/rareflowConfig.js';
import { writeBenchRows } from './benchResults.js';

/** The part of autocannon's API this bench uses (the package ships no types). */
interface AutocannonRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  setupRequest?: (req: AutocannonRequest) => AutocannonRequest;
  onResponse?: (status: number, body: string) => void;
}
interface AutocannonResult {
  requests: { total: number; average: number };
  latency: { p50: number; p99: number };
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  mismatches: number;
  statusCodeStats: Record<string, { count: number }>;
}
interface AutocannonInstance {
  on(event: 'response', listener: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void): void;
  stop(): void;
}
type Autocannon = (
  options: { url: string; connections: number; duration: number; overallRate?: number; requests: AutocannonRequest[]; timeout?: number },
  done: (err: Error | null, result: AutocannonResult) => void,
) => AutocannonInstance;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const rate = Number(process.env.BENCH_SERVING_RATE ?? 1000);
const rateSeconds = Number(process.env.BENCH_SERVING_SECONDS ?? 15);
const maxSeconds = Number(process.env.BENCH_SERVING_MAX_SECONDS ?? 10);
const connections = Number(process.env.BENCH_SERVING_CONNECTIONS ?? 8);
const maxConnections = Number(process.env.BENCH_SERVING_MAX_CONNECTIONS ?? 8);
const features = 40;
const modelName = 'bench-serving';

const root = packageRoot();
const work = join(root, '.rareflow', 'bench', 'serving');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const servingDir = join(work, 'serving');
const say = (line: string) => process.stdout.write(`${line}\n`);

// ---- two models and the traffic rows ----------------------------------------------------------------------
const trainPath = join(work, 'train.parquet');
const trafficPath = join(work, 'traffic.parquet');
await generateSyntheticDataset({ rows: 60_000, positiveRate: 0.02, features, seed: 61, out: trainPath });
await generateSyntheticDataset({ rows: 5_000, positiveRate: 0.02, features, seed: 62, out: trafficPath });
const train = await readLabelledDataset(trainPath, { label: 'label', positive: '1' });
const store = new ArtifactStore(join(work, 'artifacts'));
async function fitted(kind: 'forest' | 'logreg', seed: number): Promise<{ ref: ArtifactRef; served: ServedModel; nodes: number }> {
  const { artifact } = await fitModelArtifact(train.data, {
    model: kind === 'forest' ? { kind, threshold: 'prevalence', trees: 100 } : { kind, threshold: 'prevalence' },
    featureNames: train.featureNames,
    labelName: 'label',
    labels: { positive: train.positiveLabel, negative: train.negativeLabel },
    modelName,
    seed,
    runId: `bench-${seed}`,
    datasetSha256: 'bench',
  });
  const ref = await store.putBytes(JSON.stringify(artifact), 'model', 'json');
  const nodes = artifact.model.kind === 'forest' ? artifact.model.feature.length : 0;
  return {
    ref,
    served: { sha256: ref.sha256, uri: ref.uri, kind, threshold: artifact.threshold, runId: `bench-${seed}` },
    nodes,
  };
}
const first = await fitted('forest', 1);
const second = await fitted('forest', 2);
// The same rated run with a logistic-regression champion afterwards, on the same service: what the forest costs.
const logistic = await fitted('logreg', 3);
let revision = 0;
const publish = (champion: ServedModel) =>
  writeServingState(servingDir, {
    format: SERVING_STATE_FORMAT,
    modelName,
    revision: ++revision,
    updatedAt: new Date().toISOString(),
    champion,
    canary: null,
  });
await publish(first.served);
const traffic = await readLoadRows({ path: trafficPath, label: 'label' });
const bodies = traffic.rows.map((r) => JSON.stringify(r));

// ---- the service: `rareflow serve`, pinned to core 0 when taskset exists ------------------------------------
const cli = fileURLToPath(new URL('../client/cli.js', import.meta.url));
const help = spawnSync(process.execPath, [cli, 'serve', '--help'], { encoding: 'utf8' });
const cliServes = help.status === 0 && help.stdout.includes('--model');
const serveArgs = cliServes
  ? [cli, 'serve', '--model', modelName, '--port', '0']
  : [
      '--input-type=module',
      '-e',
      `const { serveCommand } = await import(${JSON.stringify(new URL('../client/serveCommand.js', import.meta.url).href)});
       await serveCommand({ model: ${JSON.stringify(modelName)}, port: 0 }, (l) => console.log(l));`,
    ];
const pinned = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
if (pinned) spawnSync('taskset', ['-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
const env = { ...process.env, RAREFLOW_HOME: work, RAREFLOW_SERVING: servingDir };
const child: ChildProcessWithoutNullStreams = pinned
  ? spawn('taskset', ['-c', '0', process.execPath, ...serveArgs], { env })
  : spawn(process.execPath, serveArgs, { env });
let serviceErr = '';
child.stderr.on('data', (d) => (serviceErr += d));
const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));

try {
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('close', (code) => reject(new Error(`the service exited with ${code} before printing its URL:\n${serviceErr}`)));
  });
  const pid = child.pid!;
  const statusMb = (field: 'VmRSS' | 'VmHWM') =>
    Math.round(Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024);
  const rssMb = () => statusMb('VmRSS');
  /** CPU seconds (user + system) the service has used; Linux clock ticks are 1/100 s. */
  const cpuSeconds = () => {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  };
  const health = async () => (await (await fetch(`${url}/healthz`)).json()) as { champion?: string };
  const championIs = async (sha256: string) => {
    while ((await health()).champion !== sha256) await new Promise((r) => setTimeout(r, 100));
  };
  await championIs(first.ref.sha256);

  interface RunOutcome {
    result: AutocannonResult;
    clientMs: Float64Array;
    fromMs: number;
    toMs: number;
    cpuShare: number;
    byModel: Map<string, number>;
  }
  async function drive(
    prefix: string,
    seconds: number,
    conns: number,
    overallRate: number | undefined,
    midway?: () => Promise<void>,
  ): Promise<RunOutcome> {
    let n = 0;
    const byModel = new Map<string, number>();
    const clientMs: number[] = [];
    const request: AutocannonRequest = {
      method: 'POST',
      path: '/score',
      headers: { 'content-type': 'application/json' },
      setupRequest: (req) => {
        const i = n++;
        return { ...req, body: `{"requestId":"${prefix}-${i}","features":${bodies[i % bodies.length]}}` };
      },
      ...(midway
        ? {
            onResponse: (status: number, body: string) => {
              if (status !== 200) return;
              const m = /"modelVersion":"([0-9a-f]{64})"/.exec(body);
              if (m) byModel.set(m[1]!, (byModel.get(m[1]!) ?? 0) + 1);
            },
          }
        : {}),
    };
    const fromMs = Date.now();
    const cpu0 = cpuSeconds();
    const wall0 = performance.now();
    const swap = midway ? setTimeout(() => void midway(), (seconds * 1000) / 2) : undefined;
    const result = await new Promise<AutocannonResult>((resolve, reject) => {
      const instance = autocannon(
        { url, connections: conns, duration: seconds, timeout: 10, requests: [request], ...(overallRate ? { overallRate } : {}) },
        (err, r) => (err ? reject(err) : resolve(r)),
      );
      instance.on('response', (_client, statusCode, _bytes, responseTime) => {
        if (statusCode === 200) clientMs.push(responseTime);
      });
    });
    clearTimeout(swap);
    const cpuShare = (cpuSeconds() - cpu0) / ((performance.now() - wall0) / 1000);
    return { result, clientMs: Float64Array.from(clientMs).sort(), fromMs, toMs: Date.now() + 1, cpuShare, byModel };
  }

  const rssStart = rssMb();
  // Warm-up (not reported): the JIT compiles the hot paths.
  await drive('warmup', 3, connections, rate);
  const rssWarm = rssMb();
  let swappedAtMs = 0;
  const rated = await drive(`rated-${Date.now()}`, rateSeconds, connections, rate, async () => {
    swappedAtMs = Date.now();
    await publish(second.served);
  });
  const rssRated = rssMb();
  const afterSwap = await health();
  const max = await drive(`max-${Date.now()}`, maxSeconds, maxConnections, undefined);
  const rssMax = rssMb();
  const forestPeakMb = statusMb('VmHWM');
  await publish(logistic.served);
  await championIs(logistic.ref.sha256);
  await drive('warmup-logistic', 3, connections, rate);
  const ratedLogistic = await drive(`rated-logistic-${Date.now()}`, rateSeconds, connections, rate);
  const peakMb = statusMb('VmHWM');

  child.kill('SIGTERM');
  const code = await exited;
  if (code !== 0) throw new Error(`the service exited with ${code} on SIGTERM:\n${serviceErr}`);

  const q = (sorted: Float64Array, p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN;
  const failedOf = (r: AutocannonResult) => r.errors + r.timeouts + r.non2xx + r.mismatches;
  const server = async (o: RunOutcome) =>
    (await summariseServingWindow({ servingDir, modelName, fromMs: o.fromMs, toMs: o.toMs })).champion;
  const rows: string[] = [];
  for (const [name, o, conns] of [
    [`forest: ${rate} req/s, hot swap at ${rateSeconds / 2} s`, rated, connections],
    ['forest: max throughput (no rate limit)', max, maxConnections],
    [`logistic regression: ${rate} req/s`, ratedLogistic, connections],
  ] as const) {
    const s = await server(o);
    const r = o.result;
    rows.push(
      `| ${name} | ${r.duration.toFixed(1)} s | ${conns} | ${r.requests.total} | ${r.requests.average.toFixed(0)} | ${q(o.clientMs, 0.5).toFixed(2)} | ${q(o.clientMs, 0.99).toFixed(2)} | ${q(o.clientMs, 1).toFixed(1)} | ` +
        `${s.latencyP50Ms?.toFixed(3) ?? '—'} | ${s.latencyP99Ms?.toFixed(3) ?? '—'} | ${failedOf(r)} | ${(o.cpuShare * 100).toFixed(0)}% |`,
    );
  }
  const swapped = rated.byModel.get(second.ref.sha256) ?? 0;
  const beforeSwap = rated.byModel.get(first.ref.sha256) ?? 0;
  say(
    [
      '',
      `serving bench: POST /score on a ${features}-feature random forest (100 trees, ${first.nodes} nodes; swapped to one of ${second.nodes} nodes), ` +
        `\`rareflow ${cliServes ? 'serve' : 'serve (in-process entry)'}\` ${pinned ? 'pinned to core 0 (taskset), autocannon pinned to core 1' : 'unpinned (no taskset)'}`,
      '',
      '| run | duration | connections | requests | throughput (req/s) | client p50 (ms) | client p99 (ms) | client max (ms) | server p50 (ms) | server p99 (ms) | failed | service CPU |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|',
      ...rows,
      '',
      `service RSS: ${rssStart} MB at start (models loaded), ${rssWarm} MB after warm-up, ${rssRated} MB after the rated run, ${rssMax} MB after the max run; ` +
        `peak RSS ${forestPeakMb} MB with the forests, ${peakMb} MB after the logistic-regression run`,
      `hot swap: revision 2 published ${((swappedAtMs - rated.fromMs) / 1000).toFixed(1)} s into the rated run; answers by the old model ${beforeSwap}, by the new ${swapped}; ` +
        `/healthz after: champion ${afterSwap.champion === second.ref.sha256 ? 'is the new model' : `is NOT the new model (${afterSwap.champion})`}`,
      'client latency: from autocannon sending a request to its full answer, on this machine (loopback); server latency: the service log (receive to answer)',
    ].join('\n'),
  );
  const p99 = (o: RunOutcome) => q(o.clientMs, 0.99);
  writeBenchRows('serving', [
    {
      stage: `serving p99 at ${rate} req/s, forest champion`,
      note: `${features} features, 100 trees, client latency; peak RSS of the service`,
      rareflow: { value: p99(rated), unit: 'ms', peakMb: forestPeakMb },
      goal: { kind: 'none' },
    },
    {
      stage: `serving p99 at ${rate} req/s, logistic-regression champion`,
      note: 'the same service after the forest runs; client latency',
      rareflow: { value: p99(ratedLogistic), unit: 'ms', peakMb },
      goal: { kind: 'none' },
    },
  ]);
  const failed = failedOf(rated.result) + failedOf(ratedLogistic.result);
  if (failed > 0 || swapped === 0 || afterSwap.champion !== second.ref.sha256) {
    process.stderr.write(
      `bench:serving: the rated run had ${failed} failed requests and ${swapped} answers from the new model; expected 0 and > 0\n`,
    );
    process.exitCode = 1;
  }
} finally {
  if (child.exitCode === null) child.kill('SIGKILL');
}
