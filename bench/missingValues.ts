// `node dist/bench/missingValues.js` (`npm run bench:missing`): what `fit`'s missing-value indicators are worth. The
// shared datasets are complete, so gaps are made, seeded, in up to three numeric columns of each binary set (the
// same gaps for every model), then rareflow's default (`auto`, median fill as `fit` does) is scored under repeated
// 5-fold stratified CV with a `column=missing` feature beside every gapped column (fit's default), only beside those
// whose gaps are related to the class (--missing-indicators related), and with none; and the Python peers
// on the same folds take the same gaps (their forests and HistGradientBoosting read NaN natively).
// Env: MISSING_SCENARIO=mnar (default: high readings censored, a sensor that saturates: values above the column's
// 75th percentile go missing with probability 0.6) | mcar (20% of the values at random, so the gap says nothing) |
// label (a test not ordered: missing for 30% of the negatives and 5% of the positives); QUALITY_DATASETS,
// QUALITY_MAX_ROWS, QUALITY_REPEATS (default 1), BENCH_NO_PEERS=1. Writes .rareflow/bench/missing-<scenario>.json.

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FeatureMatrix, LabelledData } from '../core/dataset.js';
import { indicateMissingNumbers, withMissingIndicators } from '../core/features/missingIndicators.js';
import { fillMissingValues, fitMissingValueFill } from '../core/features/missingValues.js';
import { scoreModel } from '../core/models/modelArtifact.js';
import { deriveSeed, seededRandom } from '../core/random.js';
import { readLabelledDataset } from '../data/datasetReader.js';
import { packageRoot } from '../infra/rareflowConfig.js';
import { fitModelArtifact } from '../stages/train.js';
import { DEFAULT_PIPELINE } from '../client/pipelineSpec.js';
import { peerPython } from './peerVenv.js';
import { binaryDatasetFiles, textColumnsOf } from './qualityDatasets.js';
import { FOLDS, foldFitOptions, foldSplit, metricsAt, repeatFolds } from './qualityFolds.js';
import type { Metrics } from './qualitySummary.js';

const SCENARIO = process.env.MISSING_SCENARIO ?? 'mnar';
if (!['mnar', 'mcar', 'label'].includes(SCENARIO)) throw new Error(`MISSING_SCENARIO: expected mnar, mcar or label, got ${SCENARIO}`);
const REPEATS = Number(process.env.QUALITY_REPEATS ?? 1);
const GAPPED_COLUMNS = 3;
// fit's default (an indicator beside every gapped column), only where the gaps are related to the class, none.
const ARMS = ['auto + every indicator', 'auto + related indicators', 'auto, fill only'] as const;
const PEERS = ['rfPrevalence', 'balancedRf', 'hgbBalanced', 'lrBalanced'] as const;

const root = packageRoot();
const datasetsDir = join(root, '..', 'shared', 'datasets');
const work = join(root, '.rareflow', 'bench', 'missing');
mkdirSync(work, { recursive: true });
const only = process.env.QUALITY_DATASETS?.split(',').map((s) => s.trim());
const maxRows = Number(process.env.QUALITY_MAX_ROWS ?? 6000);
const python = peerPython();

/** Up to GAPPED_COLUMNS columns with more than two distinct values (not one-hot, not 0/1), chosen by seed. */
function gappedColumns(x: FeatureMatrix, seed: number): number[] {
  const eligible: number[] = [];
  for (let c = 0; c < x.cols; c++) {
    const seen = new Set<number>();
    for (let r = 0; r < x.rows && seen.size < 3; r++) seen.add(x.values[r * x.cols + c]!);
    if (seen.size > 2) eligible.push(c);
  }
  const random = seededRandom(seed);
  for (let i = eligible.length - 1; i > 0; i--) {
    const j = random.nextInt(i + 1);
    [eligible[i], eligible[j]] = [eligible[j]!, eligible[i]!];
  }
  return eligible.slice(0, GAPPED_COLUMNS).sort((a, b) => a - b);
}

/** A copy of `data` with the scenario's gaps (NaN) in `columns`. */
function withGaps(data: LabelledData, columns: number[], seed: number): LabelledData {
  const { rows, cols } = data.x;
  const values = new Float64Array(data.x.values);
  const random = seededRandom(seed);
  for (const c of columns) {
    const sorted = Array.from({ length: rows }, (_, r) => values[r * cols + c]!).sort((a, b) => a - b);
    const q75 = sorted[Math.floor(0.75 * (rows - 1))]!;
    for (let r = 0; r < rows; r++) {
      const v = values[r * cols + c]!;
      const p = SCENARIO === 'mnar' ? (v > q75 ? 0.6 : 0) : SCENARIO === 'mcar' ? 0.2 : data.y[r] === 1 ? 0.05 : 0.3;
      if (random.next() < p) values[r * cols + c] = Number.NaN;
    }
  }
  return { x: { rows, cols, values }, y: data.y };
}

/** The columns that get an indicator under each arm, decided on the training rows as fit decides on its input. */
function indicatedColumns(train: LabelledData): Record<(typeof ARMS)[number], number[]> {
  const names = Array.from({ length: train.x.cols }, (_, j) => `x${j}`);
  // Only the gapped columns hold NaN (the sets are complete), so fit's rule over every column picks among them.
  const pick = (related?: { classOf: Uint8Array; classes: string[] }) =>
    indicateMissingNumbers(train.x, names, {}, related).columns.map((n) => names.indexOf(n));
  return { [ARMS[0]]: pick(), [ARMS[1]]: pick({ classOf: train.y, classes: ['0', '1'] }), [ARMS[2]]: [] } as Record<
    (typeof ARMS)[number],
    number[]
  >;
}

/** `fit`'s default on one outer fold: median fill fitted on the training rows, indicators on `present`, then `auto`. */
async function foldMetrics(train: LabelledData, test: LabelledData, present: number[], seed: number): Promise<Metrics> {
  const names = Array.from({ length: train.x.cols }, (_, j) => `x${j}`);
  const tr = withMissingIndicators(train.x, names, present);
  const te = withMissingIndicators(test.x, names, present);
  const fill = fitMissingValueFill(tr.x, { missing: 'median' });
  const { artifact } = await fitModelArtifact(
    { x: fillMissingValues(fill, tr.x).x, y: train.y },
    { ...foldFitOptions(DEFAULT_PIPELINE.model, tr.featureNames, seed), missingValues: { policy: 'median', fillValues: fill.fillValues! } },
  );
  return metricsAt(test.y, scoreModel(artifact, te.x), artifact.threshold);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const results: Array<{ name: string; rows: number; gapped: number; missingShare: number; models: Record<string, Metrics> }> = [];
for (const { name, path } of binaryDatasetFiles(datasetsDir, only)) {
  const categorical = await textColumnsOf(path);
  let complete: LabelledData;
  try {
    complete = (await readLabelledDataset(path, { label: 'label', categorical })).data;
  } catch {
    continue;
  }
  if (complete.x.rows > maxRows) continue;
  const gapped = gappedColumns(complete.x, deriveSeed(1, `gapped ${name}`));
  if (gapped.length === 0) continue;
  const data = withGaps(complete, gapped, deriveSeed(1, `gaps ${name} ${SCENARIO}`));
  const missingShare = data.x.values.filter(Number.isNaN).length / (data.x.rows * gapped.length);
  const perModel: Record<string, Metrics[]> = {};
  for (let repeat = 0; repeat < REPEATS; repeat++) {
    const fold = repeatFolds(data.y, name, repeat);
    for (let k = 0; k < FOLDS; k++) {
      const { train, test } = foldSplit(data, fold, k);
      const seed = repeat * FOLDS + k;
      // An arm with the same columns as one already fitted has the same model (same data, same seed): reused.
      const done = new Map<string, Metrics>();
      for (const [arm, columns] of Object.entries(indicatedColumns(train))) {
        const key = columns.join(',');
        if (!done.has(key)) done.set(key, await foldMetrics(train, test, columns, seed));
        (perModel[arm] ??= []).push(done.get(key)!);
      }
    }
    if (python && !process.env.BENCH_NO_PEERS) {
      const matrixCsv = join(work, `${name}.${SCENARIO}.csv`);
      const foldsTxt = join(work, `${name}.${SCENARIO}.folds.txt`);
      const header = [...Array.from({ length: data.x.cols }, (_, j) => `x${j}`), 'label'].join(',');
      const lines = Array.from({ length: data.x.rows }, (_, r) => {
        const row = Array.from(data.x.values.subarray(r * data.x.cols, (r + 1) * data.x.cols), (v) => (Number.isNaN(v) ? '' : String(v)));
        return [...row, String(data.y[r])].join(',');
      });
      writeFileSync(matrixCsv, `${header}\n${lines.join('\n')}\n`);
      writeFileSync(foldsTxt, `${Array.from(fold).join('\n')}\n`);
      const script = fileURLToPath(new URL('../../bench/peers/missingPeer.py', import.meta.url));
      const peer = JSON.parse(execFileSync(python, [script, matrixCsv, foldsTxt], { encoding: 'utf8', maxBuffer: 1 << 24 })) as {
        models: Record<string, Metrics[]>;
      };
      for (const m of PEERS) (perModel[m] ??= []).push(...peer.models[m]!);
    }
  }
  const models = Object.fromEntries(
    Object.entries(perModel).map(([m, f]) => [
      m,
      { gMean: mean(f.map((v) => v.gMean)), recall: mean(f.map((v) => v.recall)), prAucNormalised: mean(f.map((v) => v.prAucNormalised)) },
    ]),
  );
  results.push({ name, rows: data.x.rows, gapped: gapped.length, missingShare, models });
  const [every, related, off] = ARMS.map((a) => models[a]!.gMean);
  process.stderr.write(
    `${name}: ${data.x.rows} rows, ${gapped.length} gapped columns (${(100 * missingShare).toFixed(0)}% missing): G-mean ${every!.toFixed(3)} with every indicator, ${related!.toFixed(3)} with related ones, ${off!.toFixed(3)} without\n`,
  );
}

const names = [...new Set(results.flatMap((r) => Object.keys(r.models)))];
const lines = [
  `missing values (${SCENARIO}): ${REPEATS} × ${FOLDS}-fold stratified CV over ${results.length} sets`,
  'model | mean G-mean | PR-AUC above random',
];
for (const m of names) {
  const rs = results.filter((r) => r.models[m]);
  lines.push(
    `${m} | ${mean(rs.map((r) => r.models[m]!.gMean)).toFixed(4)} | ${mean(rs.map((r) => r.models[m]!.prAucNormalised)).toFixed(4)}`,
  );
}
for (const other of ARMS.slice(1)) {
  const diffs = results.map((r) => r.models[ARMS[0]]!.gMean - r.models[other]!.gMean);
  lines.push(
    `${ARMS[0]} vs ${other}: higher on ${diffs.filter((d) => d > 0.001).length} sets, lower on ${diffs.filter((d) => d < -0.001).length}, mean difference ${mean(diffs).toFixed(4)}`,
  );
}
writeFileSync(join(root, '.rareflow', 'bench', `missing-${SCENARIO}.json`), `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(`${lines.join('\n')}\n`);
