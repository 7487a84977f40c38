// `npm run bench`: rareflow's stages against their peers, measured side by side in one run on this machine.
// Peers: DuckDB's own scan of the same Parquet file, and imbalanced-learn + scikit-learn (installed into a
// private venv under .rareflow/bench-venv on first use; never a dependency of the product).

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { classCounts, takeRows } from '../core/dataset.js';
import { editedNearestNeighbours } from '../core/denoise/editedNearestNeighbours.js';
import { trainLogisticRegression } from '../core/models/logisticRegression.js';
import { adasyn } from '../core/oversample/adasyn.js';
import { appendSynthetic } from '../core/oversample/syntheticLineage.js';
import { seededRandom } from '../core/random.js';
import { AdaptiveSampler, positiveTargetFor } from '../core/sampling/adaptiveSample.js';
import { scanLabelledBatches } from '../data/labelledBatchScan.js';
import { writeLabelledTable } from '../data/datasetWriter.js';
import { withDuckDB } from '../data/duckdbConnection.js';
import { generateSyntheticDataset } from '../data/syntheticData.js';
import { packageRoot } from '../infra/rareflowConfig.js';

const root = packageRoot();
const work = join(root, '.rareflow', 'bench');
mkdirSync(work, { recursive: true });

function time<T>(f: () => T): { value: T; seconds: number } {
  const t = performance.now();
  const value = f();
  return { value, seconds: (performance.now() - t) / 1000 };
}

async function timeAsync<T>(f: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const t = performance.now();
  const value = await f();
  return { value, seconds: (performance.now() - t) / 1000 };
}

function peerPython(): string | undefined {
  const venv = join(root, '.rareflow', 'bench-venv');
  const python = join(venv, 'bin', 'python');
  if (!existsSync(python)) {
    process.stderr.write('installing the peers (imbalanced-learn 0.14.2, scikit-learn) into .rareflow/bench-venv ...\n');
    const made = spawnSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
    if (made.status !== 0) return undefined;
    const pip = spawnSync(python, ['-m', 'pip', 'install', '--quiet', 'imbalanced-learn==0.14.2', 'scikit-learn'], { stdio: 'inherit' });
    if (pip.status !== 0) return undefined;
  }
  return python;
}

const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
const features = 20;
const parquet = join(work, `scan-${rows}x${features}.parquet`);
if (!existsSync(parquet)) await generateSyntheticDataset({ rows, positiveRate: 0.002, features, seed: 3, out: parquet });
const featureNames = Array.from({ length: features }, (_, i) => `f${i}`);

// 1. Scan: the adaptive sampler's full pass (early stop disabled by a target larger than the file) vs DuckDB
//    aggregating every column of the same file inside the engine.
const full = await timeAsync(async () => {
  let seen = 0;
  await scanLabelledBatches(parquet, { label: 'label', positive: '1', features: featureNames }, (_x, _y, n) => {
    seen += n;
    return false;
  });
  return seen;
});
const duck = await timeAsync(() =>
  withDuckDB(async (c) => {
    const sums = featureNames.map((f) => `sum(${f})`).join(', ');
    await c.runAndReadAll(`SELECT ${sums}, sum(label) FROM read_parquet('${parquet}')`);
  }),
);

// 2. The sample the pipeline would train on, then ENN, ADASYN and logistic regression on it, vs the peers.
const sampler = new AdaptiveSampler({
  targetSize: 20_000,
  positiveTarget: positiveTargetFor(features + 1),
  cols: features,
  random: seededRandom(1),
});
const sampling = await timeAsync(() =>
  scanLabelledBatches(parquet, { label: 'label', positive: '1', features: featureNames }, (x, y, n) => sampler.offerBatch(x, y, n)),
);
const sample = sampler.result();
const sampleCsv = join(work, 'sample.csv');
await writeLabelledTable(sampleCsv, { data: sample, featureNames, labelName: 'label' });
const enn = time(() => editedNearestNeighbours(sample, { k: 3 }));
const clean = takeRows(sample, enn.value.kept);
const ada = time(() => adasyn(clean, { k: 5, beta: 1, random: seededRandom(1) }));
const augmentedRows = clean.y.length + ada.value.synthetic.rows;
const augmented = appendSynthetic(clean, ada.value.synthetic);
const logreg = time(() => trainLogisticRegression(augmented, {}));

const rowsOf = (s: number) => `${(rows / s / 1e6).toFixed(1)}M rows/s`;
const lines: string[] = [];
lines.push(`rareflow bench on ${rows.toLocaleString('en')} × ${features} Parquet (1 positive in 500); node ${process.version}`);
lines.push(
  `scan to typed arrays (all columns)      ours ${full.seconds.toFixed(2)}s (${rowsOf(full.seconds)})   DuckDB in-engine aggregate ${duck.seconds.toFixed(2)}s   ratio ${(full.seconds / duck.seconds).toFixed(1)}×`,
);
lines.push(
  `adaptive sample N=20000, Nr=1050       ${sampling.seconds.toFixed(2)}s, stopped after ${sample.scannedRows.toLocaleString('en')} rows`,
);
const [neg, pos] = classCounts(sample.y);
lines.push(`sample: ${neg} negatives, ${pos} positives`);

const python = process.env.BENCH_NO_PEERS ? undefined : peerPython();
let peer:
  { enn: { seconds: number; rowsOut: number }; adasyn: { seconds: number; rowsOut: number }; logreg: { seconds: number } } | undefined;
if (python) {
  const script = fileURLToPath(new URL('../../bench/peers/imbalancedLearnPeer.py', import.meta.url));
  peer = JSON.parse(execFileSync(python, [script, sampleCsv, 'label'], { encoding: 'utf8' }));
}
const row = (name: string, ours: number, theirs: number | undefined, parity: string) =>
  `${name.padEnd(38)} ours ${ours.toFixed(3)}s   peer ${theirs === undefined ? '—' : `${theirs.toFixed(3)}s`}   ratio ${theirs ? (ours / theirs).toFixed(2) : '—'}×   ${parity}`;
lines.push(
  row('ENN k=3 on the sample', enn.seconds, peer?.enn.seconds, `rows out ${enn.value.kept.length} vs ${peer?.enn.rowsOut ?? '—'}`),
);
lines.push(
  row('ADASYN k=5 on the cleaned sample', ada.seconds, peer?.adasyn.seconds, `rows out ${augmentedRows} vs ${peer?.adasyn.rowsOut ?? '—'}`),
);
lines.push(row('logistic regression (L2)', logreg.seconds, peer?.logreg.seconds, 'both on the augmented sample'));
if (!python) lines.push('peers skipped (BENCH_NO_PEERS set, or python3 -m venv / pip unavailable)');
process.stdout.write(`${lines.join('\n')}\n`);
