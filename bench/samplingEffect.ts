// `node dist/bench/samplingEffect.js`: the adaptive-sampling paper's effect (seed 003, Tables 1–2) on generated
// data: 1 positive in 1,190, 151 features, N = 200k. L2 logistic regression trained on a uniform random sample and
// on an adaptive sample, both tested on the same independent random test sample, at the Bayes threshold 0.5.

import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { classCounts } from '../core/dataset.js';
import { classificationReport } from '../core/metrics/classMetrics.js';
import { predictProbaLogistic, trainLogisticRegression } from '../core/models/logisticRegression.js';
import { seededRandom } from '../core/random.js';
import { createRowIdSampler } from '../core/sampling/rowIdSamplers.js';
import { readLabelledDataset } from '../data/datasetReader.js';
import { fetchRowsById, fileRowCounts, planShards, scanPositives } from '../data/positiveScan.js';
import { generateSyntheticDataset } from '../data/syntheticData.js';
import { packageRoot } from '../infra/rareflowConfig.js';
import { processPeakMb } from './benchResults.js';

const features = Number(process.env.BENCH_FEATURES ?? 151);
const poolRows = Number(process.env.BENCH_ROWS ?? 10_000_000);
const targetSize = Number(process.env.BENCH_TARGET ?? 200_000);
const rate = 1 / 1190;
const work = join(packageRoot(), '.rareflow', 'bench');
mkdirSync(work, { recursive: true });
const pool = join(work, `effect-pool-${poolRows}x${features}.parquet`);
const test = join(work, `effect-test-${features}.parquet`);
for (const [path, rows, seed] of [
  [pool, poolRows, 31],
  [test, 600_000, 32],
] as const) {
  if (!existsSync(path)) {
    const g = await generateSyntheticDataset({ rows, positiveRate: rate, features, seed, out: path });
    process.stderr.write(`generated ${path}: ${g.rows} rows, ${g.positives} positives, ${g.seconds.toFixed(0)}s\n`);
  }
}
const featureNames = Array.from({ length: features }, (_, i) => `f${i}`);
const segments = planShards([pool], await fileRowCounts([pool]), 1)[0]!;
const def = { label: 'label', positive: '1' };

async function sampleWith(kind: 'uniform' | 'adaptive') {
  const t = performance.now();
  const sampler = createRowIdSampler({ kind, targetSize, positiveTarget: 50 * features, random: seededRandom(5) });
  await scanPositives(segments, def, sampler);
  const s = sampler.result();
  const { data } = await fetchRowsById(segments, Float64Array.from([...s.positiveRows, ...s.negativeRows]), featureNames, def);
  return { data, scannedRows: s.scannedRows, seconds: (performance.now() - t) / 1000 };
}

const testData = await readLabelledDataset(test, { label: 'label', positive: '1', features: featureNames });
const lines = [
  `paper effect: pool ${poolRows.toLocaleString('en')} rows × ${features} features at 1 in 1,190; N = ${targetSize.toLocaleString('en')}; test ${testData.rows.toLocaleString('en')} rows (${classCounts(testData.data.y)[1]} positives)`,
];
for (const kind of ['uniform', 'adaptive'] as const) {
  const s = await sampleWith(kind);
  const [, positives] = classCounts(s.data.y);
  const t = performance.now();
  const model = trainLogisticRegression(s.data, {});
  const fitSeconds = (performance.now() - t) / 1000;
  const scores = predictProbaLogistic(model, testData.data.x);
  const r = classificationReport(testData.data.y, scores, 0.5);
  const fmt = (v: number | null) => (v === null ? '—' : `${(100 * v).toFixed(2)}%`);
  lines.push(
    `${kind.padEnd(9)} sample: ${positives} positives of ${s.data.y.length} rows (scanned ${s.scannedRows.toLocaleString('en')} rows, ${s.seconds.toFixed(1)}s); ` +
      `logreg ${fitSeconds.toFixed(1)}s, peak RSS so far ${processPeakMb()} MB; test at 0.5: recall ${fmt(r.perClass.positive.recall)}, precision ${fmt(r.perClass.positive.precision)}, G-mean ${r.gMean?.toFixed(3)}`,
  );
}
process.stdout.write(`${lines.join('\n')}\n`);
