// `node dist/bench/gbdt.js`: one gbdt fit (balanced class weights, early stopping on) on 1 and on 2 threads, run
// alternately, against scikit-learn's HistGradientBoostingClassifier(class_weight='balanced', early_stopping=True)
// with OMP_NUM_THREADS=2 on the same generated 200k × 40 Parquet file. The 1- and 2-thread models must be identical.
// Env: BENCH_GBDT_ROWS (default 200000: the first rows of the file), BENCH_GBDT_RUNS (default 3),
// BENCH_NO_PEERS=1 to skip scikit-learn. Threads 2 is forced below the one-thread row threshold, so small sizes show
// what sharing costs there.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LabelledData } from '../core/dataset.js';
import { trainGradientBoosting } from '../core/models/gbdtBoosting.js';
import { readLabelledDataset } from '../data/datasetReader.js';
import { generateSyntheticDataset } from '../data/syntheticData.js';
import { packageRoot } from '../infra/rareflowConfig.js';
import { processPeakMb, writeBenchRows } from './benchResults.js';
import { peerPython } from './peerVenv.js';
import { measureProcess, median } from './processPeak.js';

const fileRows = 200_000;
const features = 40;
const rows = Math.min(fileRows, Number(process.env.BENCH_GBDT_ROWS ?? fileRows));
const runs = Number(process.env.BENCH_GBDT_RUNS ?? 3);

const work = join(packageRoot(), '.rareflow', 'bench');
mkdirSync(work, { recursive: true });
// The file of `rareflow generate --rows 200000 --positive-rate 0.01 --features 40 --seed 5`.
const trainFile = join(work, `gbdt-train-${fileRows}x${features}.parquet`);
if (!existsSync(trainFile)) await generateSyntheticDataset({ rows: fileRows, positiveRate: 0.01, features, seed: 5, out: trainFile });
const all = (await readLabelledDataset(trainFile, { label: 'label', positive: '1' })).data;
const train: LabelledData = {
  x: { rows, cols: all.x.cols, values: all.x.values.subarray(0, rows * all.x.cols) },
  y: all.y.subarray(0, rows),
};

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const seconds: Record<1 | 2, number[]> = { 1: [], 2: [] };
const hashes = new Set<string>();
let iterations = 0;
for (let run = 0; run < runs; run++) {
  for (const threads of [1, 2] as const) {
    const before = load();
    const t = performance.now();
    const model = await trainGradientBoosting(train, { seed: 0, earlyStopping: 'on' }, { threads, minThreadedRows: 0 });
    seconds[threads].push((performance.now() - t) / 1000);
    hashes.add(createHash('sha256').update(JSON.stringify(model)).digest('hex'));
    iterations = model.iterations;
    process.stdout.write(`run ${run + 1} threads ${threads}: ${seconds[threads].at(-1)!.toFixed(2)}s (load average before ${before})\n`);
  }
}
if (hashes.size !== 1) throw new Error(`gbdt bench: the 1- and 2-thread models differ (${hashes.size} distinct model hashes)`);
const oursPeakMb = processPeakMb();

let peer: { seconds: number[]; iterations: number } | undefined;
const python = rows === fileRows ? peerPython() : undefined;
if (python) {
  const script = fileURLToPath(new URL('../../bench/peers/gbdtPeer.py', import.meta.url));
  const run = await measureProcess(python, [script, trainFile, 'label', String(runs)], { env: { ...process.env, OMP_NUM_THREADS: '2' } });
  if (run.status !== 0) throw new Error(`gbdtPeer.py failed: ${run.stderr.slice(-2000)}`);
  peer = JSON.parse(run.stdout) as typeof peer;
}

const list = (v: number[]) => v.map((s) => s.toFixed(2)).join(', ');
const lines = [
  `gbdt bench: one fit on ${rows.toLocaleString('en')} × ${features} (1% positives), ${iterations} trees; node ${process.version}; load average now ${load()}`,
  `1 thread   ${list(seconds[1])} s (median ${median(seconds[1]).toFixed(2)})`,
  `2 threads  ${list(seconds[2])} s (median ${median(seconds[2]).toFixed(2)}), speedup ${(median(seconds[1]) / median(seconds[2])).toFixed(2)}×; models identical`,
  peer
    ? `sklearn    ${list(peer.seconds)} s (median ${median(peer.seconds).toFixed(2)}, ${peer.iterations} iterations, OMP_NUM_THREADS=2)`
    : 'peer skipped (BENCH_NO_PEERS set, BENCH_GBDT_ROWS below the file, or no venv)',
];
process.stdout.write(`${lines.join('\n')}\n`);
writeBenchRows('gbdt', [
  {
    stage: 'gbdt training vs scikit-learn',
    note: `${rows.toLocaleString('en')} × ${features}, 2 threads, early stopping`,
    rareflow: { value: median(seconds[2]), unit: 's', peakMb: oursPeakMb },
    ...(peer ? { peer: { value: median(peer.seconds), unit: 's' as const } } : {}),
    goal: { kind: 'speedup', atLeast: 0.5 },
  },
]);
