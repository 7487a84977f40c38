// `node dist/bench/orderedSampling.js`: what early stop does on a file whose rows are ordered. A generated file is
// sorted by its most predictive feature (as public files come ordered by attack type or time) and sampled three
// ways: (a) Algorithm 1 in file order with early stop, (b) order-safe sampling (the default: the order test picks
// seeded random row blocks), (c) a full scan (dual reservoir over every row). A logistic regression is trained on
// 70% of each sample (stratified) and scored at threshold 0.5 on the sample's other 30% (what the gates see) and
// on the WHOLE file. The shuffled copy is sampled too, as the reference.
// Env: BENCH_ROWS (500000), BENCH_FEATURES (8), BENCH_RATE (0.02), BENCH_TARGET (20000), BENCH_SEED (7),
// BENCH_SORT (feature: by the most predictive feature; label: by label, then that feature, as files ordered by class).

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { classCounts, takeRows } from '../core/dataset.js';
import { seededRandom } from '../core/random.js';
import { stratifiedSplit } from '../core/sampling/stratifiedSplit.js';
import { classificationReport } from '../core/metrics/classMetrics.js';
import { predictProbaLogistic, trainLogisticRegression } from '../core/models/logisticRegression.js';
import type { RowIdSamplerKind } from '../core/sampling/rowIdSamplers.js';
import { readLabelledDataset } from '../data/datasetReader.js';
import { sqlIdentifier, sqlString, withDuckDB } from '../data/duckdbConnection.js';
import { fileRowCounts } from '../data/positiveScan.js';
import type { SamplingOrderChoice } from '../data/samplingOrder.js';
import { sampleShard } from '../data/shardSampling.js';
import { generateSyntheticDataset } from '../data/syntheticData.js';
import { packageRoot } from '../infra/rareflowConfig.js';
import { processPeakMb } from './benchResults.js';

const rows = Number(process.env.BENCH_ROWS ?? 500_000);
const features = Number(process.env.BENCH_FEATURES ?? 8);
const rate = Number(process.env.BENCH_RATE ?? 0.02);
const targetSize = Number(process.env.BENCH_TARGET ?? 20_000);
const seed = Number(process.env.BENCH_SEED ?? 7);
const byLabel = process.env.BENCH_SORT === 'label';
const work = join(packageRoot(), '.rareflow', 'bench', 'ordered');
mkdirSync(work, { recursive: true });

/**
 * Writes `ordered` (sorted by the feature whose class means differ most, in standard deviations) and `shuffled`
 * (a seeded random permutation) copies of `source`. Returns the sort feature.
 */
export async function orderedAndShuffledCopies(
  source: string,
  featureNames: string[],
  label: string,
  ordered: string,
  shuffled: string,
  shuffleSeed: number,
  byLabel = false,
): Promise<string> {
  return withDuckDB(async (c) => {
    const src = `read_parquet(${sqlString(source)})`;
    const effects = featureNames.map(
      (f) =>
        `abs(avg(${sqlIdentifier(f)}) FILTER (WHERE ${sqlIdentifier(label)} = 1) - avg(${sqlIdentifier(f)}) FILTER (WHERE ${sqlIdentifier(label)} = 0)) / stddev_pop(${sqlIdentifier(f)})`,
    );
    const r = (await c.runAndReadAll(`SELECT ${effects.join(', ')} FROM ${src}`)).getRowsJS()[0]!.map(Number);
    const best = featureNames[r.indexOf(Math.max(...r))]!;
    await c.run(
      `COPY (SELECT * FROM ${src} ORDER BY ${byLabel ? `${sqlIdentifier(label)}, ` : ''}${sqlIdentifier(best)}) TO ${sqlString(ordered)} (FORMAT parquet)`,
    );
    await c.run(
      `COPY (SELECT * EXCLUDE (k, file_row_number) FROM (SELECT *, hash(file_row_number + ${shuffleSeed}) AS k FROM read_parquet(${sqlString(source)}, file_row_number = true)) ORDER BY k) TO ${sqlString(shuffled)} (FORMAT parquet)`,
    );
    return best;
  });
}

const source = join(work, `gen-${rows}x${features}-${rate}-${seed}.parquet`);
const ordered = join(work, `ordered-${byLabel ? 'label' : 'feature'}-${rows}x${features}-${rate}-${seed}.parquet`);
const shuffled = join(work, `shuffled-${rows}x${features}-${rate}-${seed}.parquet`);
await generateSyntheticDataset({ rows, positiveRate: rate, features, seed, out: source });
const featureNames = Array.from({ length: features }, (_, i) => `f${i}`);
const sortedBy = await orderedAndShuffledCopies(source, featureNames, 'label', ordered, shuffled, seed, byLabel);
const whole = await readLabelledDataset(source, { label: 'label', positive: '1', features: featureNames });
const positiveTarget = 50 * (features + 1);

const lines = [
  `ordered-file sampling: ${rows.toLocaleString('en')} rows × ${features} features, ${classCounts(whole.data.y)[1]} positives, sorted by ${byLabel ? 'label, then ' : ''}${sortedBy}; N = ${targetSize}, Nr = ${positiveTarget}; logistic regression at 0.5 on 70% of each sample; G-mean on the sample's held-out 30% / on the whole file`,
];
const runs: Array<[string, string, SamplingOrderChoice, RowIdSamplerKind]> = [
  ['(a) ordered, file order + early stop', ordered, 'sequential', 'adaptive'],
  ['(b) ordered, order-safe (auto)', ordered, 'auto', 'adaptive'],
  ['(c) ordered, full scan', ordered, 'sequential', 'dualReservoir'],
  ['(d) shuffled copy, auto', shuffled, 'auto', 'adaptive'],
];
for (const [name, file, order, method] of runs) {
  const t = performance.now();
  const [n] = await fileRowCounts([file]);
  const s = (await sampleShard({
    segments: [{ file, firstRow: 0, endRow: n! }],
    positive: { label: 'label', positive: '1' },
    featureNames,
    targetSize,
    positiveTarget,
    seed,
    shardIndex: 0,
    method,
    order,
  }))!;
  const seconds = (performance.now() - t) / 1000;
  const parts = stratifiedSplit(s.data.y, { train: 0.7, validation: 0, test: 0.3 }, seededRandom(seed));
  const held = takeRows(s.data, parts.test);
  const model = trainLogisticRegression(takeRows(s.data, parts.train), {});
  const g = classificationReport(held.y, predictProbaLogistic(model, held.x), 0.5);
  const r = classificationReport(whole.data.y, predictProbaLogistic(model, whole.data.x), 0.5);
  const pct = (v: number | null) => (v === null ? '—' : `${(100 * v).toFixed(1)}%`);
  lines.push(
    `${name.padEnd(38)} G-mean sample ${g.gMean?.toFixed(3)} / whole file ${r.gMean?.toFixed(3)} (recall ${pct(r.perClass.positive.recall)}, precision ${pct(r.perClass.positive.precision)}, PR-AUC ${r.prAuc?.toFixed(3)}); ` +
      `sample ${s.positives}+/${s.data.y.length}, read ${s.scannedRows.toLocaleString('en')} rows, ${seconds.toFixed(1)}s, peak RSS so far ${processPeakMb()} MB; order ${s.order.mode}: ${s.order.reason}`,
  );
}
process.stdout.write(`${lines.join('\n')}\n`);
