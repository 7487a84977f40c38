// `node dist/bench/forest.js`: rareflow's random forest (100 trees, 2 worker threads) against scikit-learn's
// RandomForestClassifier(n_estimators=100, n_jobs=2) on the same generated 200k × 40 CSV, timed side by side.
// Env: BENCH_FOREST_ROWS (default 200000), BENCH_FOREST_TREES (default 100), BENCH_FOREST_THREADS (default 2),
// BENCH_NO_PEERS=1 to skip sklearn (which always runs with n_jobs = the same thread count).

import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { classificationReport } from '../core/metrics/classMetrics.js';
import { trainRandomForestInWorkers } from '../core/models/forestWorkers.js';
import { predictProbaForest } from '../core/models/randomForest.js';
import { readLabelledDataset } from '../data/datasetReader.js';
import { generateSyntheticDataset } from '../data/syntheticData.js';
import { packageRoot } from '../infra/rareflowConfig.js';
import { processPeakMb, writeBenchRows } from './benchResults.js';
import { peerPython } from './peerVenv.js';
import { measureProcess } from './processPeak.js';

const rows = Number(process.env.BENCH_FOREST_ROWS ?? 200_000);
const trees = Number(process.env.BENCH_FOREST_TREES ?? 100);
const features = 40;
const positiveRate = 0.01;
const threads = Number(process.env.BENCH_FOREST_THREADS ?? 2);

const root = packageRoot();
const work = join(root, '.rareflow', 'bench');
mkdirSync(work, { recursive: true });
const trainCsv = join(work, `forest-train-${rows}x${features}.csv`);
const testCsv = join(work, `forest-test-50000x${features}.csv`);
if (!existsSync(trainCsv)) await generateSyntheticDataset({ rows, positiveRate, features, seed: 21, out: trainCsv });
if (!existsSync(testCsv)) await generateSyntheticDataset({ rows: 50_000, positiveRate, features, seed: 22, out: testCsv });
const train = (await readLabelledDataset(trainCsv, { label: 'label', positive: '1' })).data;
const test = (await readLabelledDataset(testCsv, { label: 'label', positive: '1' })).data;

let t = performance.now();
const model = await trainRandomForestInWorkers(train, { trees, seed: 0 }, { threads });
const oursSeconds = (performance.now() - t) / 1000;
// Worker threads count towards this process's RSS; the figure is the process peak up to the end of training.
const oursPeakMb = processPeakMb();
t = performance.now();
const scores = predictProbaForest(model, test.x);
const oursPredictSeconds = (performance.now() - t) / 1000;
const report = classificationReport(test.y, scores, model.fitPrevalence);

interface PeerResult {
  seconds: number;
  predictSeconds: number;
  nodes: number;
  averagePrecision: number;
  gMeanAtPrevalence: number;
}
let peer: PeerResult | undefined;
let peerPeakMb: number | undefined;
const python = peerPython();
if (python) {
  const script = fileURLToPath(new URL('../../bench/peers/forestPeer.py', import.meta.url));
  const run = await measureProcess(python, [script, trainCsv, testCsv, String(trees), String(threads)]);
  if (run.status !== 0) throw new Error(`forestPeer.py failed: ${run.stderr.slice(-2000)}`);
  peer = JSON.parse(run.stdout) as PeerResult;
  peerPeakMb = run.peakMb;
}

const f = (v: number | null | undefined, digits = 3) => (v === null || v === undefined ? '—' : v.toFixed(digits));
const lines = [
  `forest bench: ${trees} trees on ${rows.toLocaleString('en')} × ${features} (${(positiveRate * 100).toFixed(0)}% positives), ${threads} threads; node ${process.version}`,
  `fit        ours ${f(oursSeconds, 2)}s (peak RSS ${oursPeakMb} MB)   sklearn ${f(peer?.seconds, 2)}s (its process's peak RSS ${peerPeakMb ?? '—'} MB)   ratio ${peer ? (oursSeconds / peer.seconds).toFixed(2) : '—'}×  (goal ≤ 2×)`,
  `predict    ours ${f(oursPredictSeconds, 2)}s   sklearn ${f(peer?.predictSeconds, 2)}s   on 50,000 test rows`,
  `nodes      ours ${model.feature.length.toLocaleString('en')}   sklearn ${peer ? peer.nodes.toLocaleString('en') : '—'}`,
  `test AP    ours ${f(report.prAuc)}   sklearn ${f(peer?.averagePrecision)}`,
  `G-mean@π   ours ${f(report.gMean)}   sklearn ${f(peer?.gMeanAtPrevalence)}   (threshold = training prevalence, RFQ)`,
];
if (!peer) lines.push('peer skipped (BENCH_NO_PEERS set, or the venv .rareflow/bench-venv could not be set up)');
process.stdout.write(`${lines.join('\n')}\n`);
// The table row: training time, ours (in-process) against scikit-learn's fit call; "goal ≤ 2×" slower is a 0.5× floor.
writeBenchRows('forest', [
  {
    stage: 'forest training vs scikit-learn',
    note: `${trees} trees, ${rows.toLocaleString('en')} × ${features}, ${threads} threads`,
    rareflow: { value: oursSeconds, unit: 's', peakMb: oursPeakMb },
    ...(peer ? { peer: { value: peer.seconds, unit: 's' as const, ...(peerPeakMb === undefined ? {} : { peakMb: peerPeakMb }) } } : {}),
    goal: { kind: 'speedup', atLeast: 0.5 },
  },
]);
