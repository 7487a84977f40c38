// `npm run bench:predict`: `rareflow predict` on 10M × 20 Parquet rows against a Python process that loads a
// scikit-learn model and scores the same file with pyarrow + pandas: logistic regression on both sides, and
// rareflow's default forest against a scikit-learn forest of about its size. Whole processes, alternating; rows/s
// and peak memory (max RSS, bench/processPeak.ts) for each.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSyntheticDataset } from '../data/syntheticData.js';
import { packageRoot } from '../infra/rareflowConfig.js';
import { writeBenchRows } from './benchResults.js';
import { peerPython } from './peerVenv.js';
import { measureProcess, median } from './processPeak.js';

const rows = Number(process.env.BENCH_ROWS ?? 10_000_000);
const runs = Number(process.env.BENCH_RUNS ?? 2);
const root = packageRoot();
const work = join(root, '.rareflow', 'bench');
mkdirSync(work, { recursive: true });
const data = join(work, `predict-${rows}x20.parquet`);
const train = join(work, 'predict-train.csv');
if (!existsSync(data)) await generateSyntheticDataset({ rows, positiveRate: 0.002, features: 20, seed: 41, out: data });
if (!existsSync(train)) await generateSyntheticDataset({ rows: 100_000, positiveRate: 0.02, features: 20, seed: 42, out: train });

const python = peerPython();
if (!python)
  throw new Error(
    'bench:predict needs the scikit-learn peer: the venv .rareflow/bench-venv could not be set up (or BENCH_NO_PEERS is set)',
  );

const cli = fileURLToPath(new URL('../client/cli.js', import.meta.url));
const peers = fileURLToPath(new URL('../../bench/peers/', import.meta.url));
const ourModel = join(work, 'predict-model.json');
const peerModel = join(work, 'predict-model.pkl');
// Like for like: logistic regression on both sides, and forests of about the same size (node counts printed).
spawnSync(
  process.execPath,
  [cli, 'train', '--input', train, '--label', 'label', '--kind', 'logreg', '--threshold', 'bayes', '--out', ourModel],
  { stdio: 'ignore' },
);
const forestModel = join(work, 'predict-forest.json');
spawnSync(process.execPath, [cli, 'fit', '--input', train, '--label', 'label', '--kind', 'forest', '--out', forestModel], {
  stdio: 'ignore',
});
spawnSync(python, [join(peers, 'trainPeerModel.py'), train, peerModel], { stdio: 'inherit' });
const peerForestModel = join(work, 'predict-forest.pkl');
const peerForest = spawnSync(python, [join(peers, 'trainPeerForest.py'), train, peerForestModel], { encoding: 'utf8' });
if (peerForest.status !== 0) throw new Error(`trainPeerForest.py failed: ${peerForest.stderr.slice(-2000)}`);
const peerForestNodes = (JSON.parse(peerForest.stdout) as { nodes: number }).nodes;
const ourForestNodes = (JSON.parse(readFileSync(forestModel, 'utf8')) as { model: { feature: number[] } }).model.feature.length;

/** Wall seconds, max RSS of the process (MB) and the peak of its tree's summed RSS, from bench/processPeak.ts. */
async function measured(cmd: string, args: string[]): Promise<{ seconds: number; peakMb: number; treePeakMb: number }> {
  const r = await measureProcess(cmd, args);
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr.slice(-2000)}`);
  return { seconds: r.seconds, peakMb: r.peakMb, treePeakMb: r.treePeakMb };
}

const ours: Array<{ seconds: number; peakMb: number }> = [];
const theirs: Array<{ seconds: number; peakMb: number }> = [];
const ourForest: Array<{ seconds: number; peakMb: number }> = [];
const theirForest: Array<{ seconds: number; peakMb: number }> = [];
const threshold = 0.5;
for (let i = 0; i < runs; i++) {
  ours.push(
    await measured(process.execPath, [cli, 'predict', '--model', ourModel, '--input', data, '--out', join(work, 'predict-ours.csv')]),
  );
  theirs.push(await measured(python, [join(peers, 'predictPeer.py'), peerModel, data, join(work, 'predict-peer.csv'), String(threshold)]));
  ourForest.push(
    await measured(process.execPath, [cli, 'predict', '--model', forestModel, '--input', data, '--out', join(work, 'predict-forest.csv')]),
  );
  theirForest.push(
    await measured(python, [
      join(peers, 'predictPeer.py'),
      peerForestModel,
      data,
      join(work, 'predict-peer-forest.csv'),
      String(threshold),
    ]),
  );
}
const seconds = (m: Array<{ seconds: number }>) => median(m.map((x) => x.seconds));
const peak = (m: Array<{ peakMb: number }>) => median(m.map((x) => x.peakMb));
const line = (name: string, m: Array<{ seconds: number; peakMb: number }>) =>
  `${name.padEnd(34)} median ${seconds(m).toFixed(2)}s = ${(rows / seconds(m) / 1e6).toFixed(2)}M rows/s, peak memory ${peak(m)} MB`;
process.stdout.write(
  [
    `predict bench: ${rows.toLocaleString('en')} × 20 Parquet rows, CSV output, ${runs} alternating whole-process runs`,
    line('rareflow predict, logistic', ours),
    line('sklearn + pyarrow/pandas, logistic', theirs),
    line(`rareflow predict, forest`, ourForest),
    line(`sklearn + pyarrow/pandas, forest`, theirForest),
    `forests: rareflow's default (100 trees, ${ourForestNodes.toLocaleString('en')} nodes), scikit-learn's (100 trees, ${peerForestNodes.toLocaleString('en')} nodes)`,
    `ratio rareflow/peer (both logistic regression): time ${(seconds(ours) / seconds(theirs)).toFixed(2)}, peak memory ${(peak(ours) / peak(theirs)).toFixed(2)}`,
    `ratio rareflow/peer (both forests): rows/s ×${(seconds(theirForest) / seconds(ourForest)).toFixed(2)}, peak memory ${(peak(ourForest) / peak(theirForest)).toFixed(2)}`,
  ].join('\n') + '\n',
);
const rowsPerSecond = (m: Array<{ seconds: number; peakMb: number }>) => ({
  value: rows / seconds(m),
  unit: 'rows/s' as const,
  peakMb: peak(m),
});
const shape = `${(rows / 1e6).toLocaleString('en')}M × 20, whole process with reading`;
writeBenchRows('predict', [
  {
    stage: 'forest scoring vs scikit-learn predict_proba',
    note: shape,
    rareflow: rowsPerSecond(ourForest),
    peer: rowsPerSecond(theirForest),
    goal: { kind: 'speedup', atLeast: 2 },
  },
  {
    stage: 'logistic scoring vs scikit-learn predict_proba',
    note: shape,
    rareflow: rowsPerSecond(ours),
    peer: rowsPerSecond(theirs),
    goal: { kind: 'none' },
  },
]);
