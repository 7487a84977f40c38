// `node dist/bench/sampleStages.js` (a section of `npm run bench`): the stages on the sample the pipeline trains on,
// in-process, against DuckDB's scan of the same Parquet file and imbalanced-learn + scikit-learn on the same sample
// (bench/peerVenv.ts). Each line shows this process's peak RSS so far. Env: BENCH_ROWS, BENCH_NO_PEERS.

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
import { processPeakMb, writeBenchRows } from './benchResults.js';
import { peerPython } from './peerVenv.js';
import { measureProcess } from './processPeak.js';
import type { RatioRow } from './ratioTable.js';

const root = packageRoot();
const work = join(root, '.rareflow', 'bench');
mkdirSync(work, { recursive: true });

/** The value, wall seconds and this process's peak RSS (MB) once `f` has run. */
function time<T>(f: () => T): { value: T; seconds: number; peakMb: number } {
  const t = performance.now();
  const value = f();
  return { value, seconds: (performance.now() - t) / 1000, peakMb: processPeakMb() };
}

async function timeAsync<T>(f: () => Promise<T>): Promise<{ value: T; seconds: number; peakMb: number }> {
  const t = performance.now();
  const value = await f();
  return { value, seconds: (performance.now() - t) / 1000, peakMb: processPeakMb() };
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
  `scan to typed arrays (all columns)      ours ${full.seconds.toFixed(2)}s (${rowsOf(full.seconds)}, peak RSS ${full.peakMb} MB)   DuckDB in-engine aggregate ${duck.seconds.toFixed(2)}s (peak RSS ${duck.peakMb} MB)   ratio ${(full.seconds / duck.seconds).toFixed(1)}×`,
);
lines.push(
  `adaptive sample N=20000, Nr=1050       ${sampling.seconds.toFixed(2)}s (peak RSS ${sampling.peakMb} MB), stopped after ${sample.scannedRows.toLocaleString('en')} rows`,
);
const [neg, pos] = classCounts(sample.y);
lines.push(`sample: ${neg} negatives, ${pos} positives`);

const python = peerPython();
let peerPeakMb: number | undefined;
let peer:
  { enn: { seconds: number; rowsOut: number }; adasyn: { seconds: number; rowsOut: number }; logreg: { seconds: number } } | undefined;
if (python) {
  const script = fileURLToPath(new URL('../../bench/peers/imbalancedLearnPeer.py', import.meta.url));
  const run = await measureProcess(python, [script, sampleCsv, 'label']);
  if (run.status !== 0) throw new Error(`imbalancedLearnPeer.py failed: ${run.stderr.slice(-2000)}`);
  peer = JSON.parse(run.stdout) as NonNullable<typeof peer>;
  peerPeakMb = run.peakMb;
}
const row = (name: string, ours: number, theirs: number | undefined, parity: string) =>
  `${name.padEnd(38)} ours ${ours.toFixed(3)}s (peak RSS ${processPeakMb()} MB)   peer ${theirs === undefined ? '—' : `${theirs.toFixed(3)}s`}   ratio ${theirs ? (ours / theirs).toFixed(2) : '—'}×   ${parity}`;
lines.push(
  row('ENN k=3 on the sample', enn.seconds, peer?.enn.seconds, `rows out ${enn.value.kept.length} vs ${peer?.enn.rowsOut ?? '—'}`),
);
lines.push(
  row('ADASYN k=5 on the cleaned sample', ada.seconds, peer?.adasyn.seconds, `rows out ${augmentedRows} vs ${peer?.adasyn.rowsOut ?? '—'}`),
);
lines.push(row('logistic regression (L2)', logreg.seconds, peer?.logreg.seconds, 'both on the augmented sample'));
if (python) lines.push(`peer process (imbalanced-learn, scikit-learn): peak RSS ${peerPeakMb} MB for all three stages`);
else lines.push('peers skipped (BENCH_NO_PEERS set, or python3 -m venv / pip unavailable)');
process.stdout.write(`${lines.join('\n')}\n`);
const onSample = `${sample.y.length.toLocaleString('en')}-row sample, in-process call vs call`;
/** A table row of one stage on the sample, ours in-process against the peer process's call. */
const onSampleRow = (stage: string, ours: { seconds: number; peakMb: number }, theirs: number | undefined): RatioRow => ({
  stage,
  note: onSample,
  rareflow: { value: ours.seconds, unit: 's', peakMb: ours.peakMb },
  ...(theirs === undefined ? {} : { peer: { value: theirs, unit: 's', ...(peerPeakMb === undefined ? {} : { peakMb: peerPeakMb }) } }),
  goal: { kind: 'none' },
});
writeBenchRows('sampleStages', [
  {
    stage: 'scan to typed arrays vs DuckDB in-engine aggregate',
    note: `${(rows / 1e6).toLocaleString('en')}M × ${features}`,
    rareflow: { value: full.seconds, unit: 's', peakMb: full.peakMb },
    peer: { value: duck.seconds, unit: 's', peakMb: duck.peakMb },
    goal: { kind: 'none' },
  },
  onSampleRow('ENN k=3 vs imbalanced-learn', enn, peer?.enn.seconds),
  onSampleRow('ADASYN k=5 vs imbalanced-learn', ada, peer?.adasyn.seconds),
  onSampleRow('logistic regression vs scikit-learn', logreg, peer?.logreg.seconds),
]);
