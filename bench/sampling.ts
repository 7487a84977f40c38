// `node dist/bench/sampling.js`: `rareflow sample` against DuckDB's own full-scan stratified sample of the same
// file, both as whole processes, alternating, several runs. Default workload: 10M rows, 40 features, 1 positive in
// 2,500, N = 200k, M = 40 (Nr = 2,000), so Algorithm 1 should stop after about Nr/r = 5M rows.

import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSyntheticDataset } from '../data/syntheticData.js';
import { packageRoot } from '../infra/rareflowConfig.js';
import { writeBenchRows } from './benchResults.js';
import { measureProcess, median } from './processPeak.js';

const rows = Number(process.env.BENCH_ROWS ?? 10_000_000);
const features = Number(process.env.BENCH_FEATURES ?? 40);
const rate = 1 / 2500;
const runs = Number(process.env.BENCH_RUNS ?? 3);
const work = join(packageRoot(), '.rareflow', 'bench');
mkdirSync(work, { recursive: true });
const input = join(work, `sampling-${rows}x${features}.parquet`);
if (!existsSync(input)) {
  process.stderr.write(`generating ${input} ...\n`);
  const g = await generateSyntheticDataset({ rows, positiveRate: rate, features, seed: 17, out: input });
  process.stderr.write(`  ${g.rows} rows, ${g.positives} positives in ${g.seconds.toFixed(1)}s\n`);
}
const cli = fileURLToPath(new URL('../client/cli.js', import.meta.url));
const peer = fileURLToPath(new URL('./peers/duckdbStratifiedSample.js', import.meta.url));

/** Wall seconds, peak RSS (MB) and stdout of a whole process (bench/processPeak.ts). */
async function timed(cmd: string, args: string[]): Promise<{ seconds: number; peakMb: number; stdout: string }> {
  const r = await measureProcess(cmd, args);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return { seconds: r.seconds, peakMb: r.peakMb, stdout: r.stdout };
}

const ours: number[] = [];
const theirs: number[] = [];
const oursPeak: number[] = [];
const theirsPeak: number[] = [];
let stats: { positives: number; negatives: number; scannedRows: number; totalRows: number; earlyStop: boolean } | undefined;
let peerRows: { rows: number; positives: number } | undefined;
for (let i = 0; i < runs; i++) {
  const a = await timed(process.execPath, [
    cli,
    'sample',
    '--input',
    input,
    '--label',
    'label',
    '--target-size',
    '200000',
    '--params',
    String(features),
    '--seed',
    String(i + 1),
    '--out',
    join(work, 'ours.parquet'),
    '--json',
  ]);
  ours.push(a.seconds);
  oursPeak.push(a.peakMb);
  stats = JSON.parse(a.stdout);
  const b = await timed(process.execPath, [peer, input, join(work, 'peer.parquet'), String(50 * features), '200000']);
  theirs.push(b.seconds);
  theirsPeak.push(b.peakMb);
  peerRows = JSON.parse(b.stdout);
}
const nrOverR = (50 * features) / rate;
process.stdout.write(
  [
    `sampling bench: ${rows.toLocaleString('en')} rows × ${features} features, 1 positive in ${1 / rate}, N = 200,000, Nr = ${50 * features}; ${runs} alternating runs, whole processes`,
    `rareflow sample   median ${median(ours).toFixed(2)}s, peak RSS ${median(oursPeak)} MB  (runs ${ours.map((s) => s.toFixed(2)).join(', ')})  kept ${stats?.positives} positives + ${stats?.negatives} negatives, scanned ${stats?.scannedRows.toLocaleString('en')} rows = ${((stats?.scannedRows ?? 0) / nrOverR).toFixed(2)} × Nr/r`,
    `DuckDB window     median ${median(theirs).toFixed(2)}s, peak RSS ${median(theirsPeak)} MB  (runs ${theirs.map((s) => s.toFixed(2)).join(', ')})  kept ${peerRows?.positives} positives of ${peerRows?.rows} rows, full scan`,
    `ratio rareflow/DuckDB ${(median(ours) / median(theirs)).toFixed(2)} (goal ≤ 0.5); scan ${((stats?.scannedRows ?? 0) / nrOverR).toFixed(2)} × Nr/r (goal ≤ 1.3)`,
  ].join('\n') + '\n',
);
writeBenchRows('sampling', [
  {
    stage: 'sampling scan vs DuckDB stratified scan',
    note: `${(rows / 1e6).toLocaleString('en')}M × ${features}, whole processes`,
    rareflow: { value: median(ours), unit: 's', peakMb: median(oursPeak) },
    peer: { value: median(theirs), unit: 's', peakMb: median(theirsPeak) },
    goal: { kind: 'speedup', atLeast: 2 },
  },
]);
