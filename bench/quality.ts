// `node dist/bench/quality.js`: learning quality on the real imbalanced datasets in ../shared/datasets under
// 5-fold stratified CV: rareflow's logistic regression and forest (at 1/2 and at q* = π, RFQ, seed 002) against
// (d) a balanced-sampling forest at 1/2, against the strongest Python peers, on the same folds (written to a file the peer reads). Prints G-mean, minority
// recall and normalised PR-AUC (AP − π) per dataset, with medians; writes .rareflow/bench/quality.json.
// Env: QUALITY_DATASETS=a,b (only these), QUALITY_MAX_ROWS (skip larger files), QUALITY_MIN_ROWS (skip smaller),
// QUALITY_SKIP=column,column (leave out slow columns, e.g. auto), BENCH_NO_PEERS=1.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { classCounts, takeRows, type LabelledData } from '../core/dataset.js';
import { averagePrecision } from '../core/metrics/rankingMetrics.js';
import { trainRandomForestInWorkers } from '../core/models/forestWorkers.js';
import { predictProbaLogistic, trainLogisticRegression } from '../core/models/logisticRegression.js';
import { predictProbaForest } from '../core/models/randomForest.js';
import { deriveSeed, seededRandom } from '../core/random.js';
import { describeColumns } from '../data/inputSources.js';
import { numericType } from '../data/columnTypes.js';
import { readLabelledDataset } from '../data/datasetReader.js';
import { writeLabelledTable } from '../data/datasetWriter.js';
import { packageRoot } from '../infra/rareflowConfig.js';
import { oversampleWithAdasyn } from '../stages/oversample.js';
import { filterAndType } from '../stages/denoise.js';
import { fitModelArtifact } from '../stages/train.js';
import { scoreModel } from '../core/models/modelArtifact.js';
import type { ModelSpec } from '../workflows/contract.js';
import { DEFAULT_PIPELINE } from '../client/pipelineSpec.js';

const FOLDS = 5;
/** Multi-class files (MANIFEST.md); the binary ones have two label values. */
const MULTICLASS = new Set(['ecoli_multiclass', 'yeast_multiclass', 'dermatology', 'kr-vs-k', 'nursery', 'car', 'page-blocks']);
const OURS = ['lr@0.5', 'forest@0.5', 'forest@π', 'forestBal@½', 'pipe ENN+ADASYN+LR', 'pipe default', 'gbdt', 'auto'] as const;
const PEERS = ['lrAdasyn', 'rfBalanced', 'balancedRf', 'rfPrevalence'] as const;
const PEER_LABELS: Record<(typeof PEERS)[number], string> = {
  lrAdasyn: 'sk LR+ADASYN',
  rfBalanced: 'sk RF balanced',
  balancedRf: 'imb BalancedRF',
  rfPrevalence: 'sk RF@π',
};
/** Cell values treated as missing when a file must be cleaned for the comparison. */
const MISSING = new Set(['', 'nan', 'NaN', 'NA', 'null']);
type Metrics = { gMean: number; recall: number; prAucNormalised: number };

const root = packageRoot();
const datasetsDir = join(root, '..', 'shared', 'datasets');
const work = join(root, '.rareflow', 'bench', 'quality');
mkdirSync(work, { recursive: true });
const only = process.env.QUALITY_DATASETS?.split(',').map((s) => s.trim());
const maxRows = Number(process.env.QUALITY_MAX_ROWS ?? Number.POSITIVE_INFINITY);
const minRows = Number(process.env.QUALITY_MIN_ROWS ?? 0);
const skipColumns = new Set(process.env.QUALITY_SKIP?.split(',').map((s) => s.trim()) ?? []);
const python = join(root, '.rareflow', 'bench-venv', 'bin', 'python');
const usePeers = !process.env.BENCH_NO_PEERS && existsSync(python);

async function pipelineMetrics(
  train: LabelledData,
  test: LabelledData,
  model: ModelSpec,
  withAdasyn: boolean,
  seed: number,
  withEnn = true,
): Promise<Metrics> {
  let data = train;
  if (withEnn && data.y.length > 4) data = takeRows(data, filterAndType(data, 'enn', 3).cleaning.kept);
  if (withAdasyn) data = oversampleWithAdasyn(data, { k: 5, beta: 1, seed }).augmented;
  const featureNames = Array.from({ length: data.x.cols }, (_, j) => `x${j}`);
  const { artifact } = await fitModelArtifact(data, {
    model,
    featureNames,
    labelName: 'label',
    labels: { positive: '1', negative: '0' },
    modelName: 'cv',
    seed,
    runId: 'cv',
    datasetSha256: '',
  });
  return metricsAt(test.y, scoreModel(artifact, test.x), artifact.threshold);
}

/** Stratified fold of every row: each class shuffled by seed, then dealt round-robin. */
function stratifiedFolds(y: Uint8Array, seed: number): Int32Array {
  const random = seededRandom(seed);
  const fold = new Int32Array(y.length);
  for (const cls of [0, 1]) {
    const rows: number[] = [];
    for (let i = 0; i < y.length; i++) if (y[i] === cls) rows.push(i);
    for (let i = rows.length - 1; i > 0; i--) {
      const j = random.nextInt(i + 1);
      [rows[i], rows[j]] = [rows[j]!, rows[i]!];
    }
    rows.forEach((r, k) => (fold[r] = k % FOLDS));
  }
  return fold;
}

function metricsAt(y: Uint8Array, p: Float64Array, threshold: number): Metrics {
  let tp = 0,
    pos = 0,
    tn = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] === 1) {
      pos++;
      if (p[i]! >= threshold) tp++;
    } else if (p[i]! < threshold) tn++;
  }
  const tpr = tp / pos;
  const tnr = tn / (y.length - pos);
  return { gMean: Math.sqrt(tpr * tnr), recall: tpr, prAucNormalised: averagePrecision(y, p)! - pos / y.length };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

interface DatasetResult {
  name: string;
  rows: number;
  features: number;
  imbalanceRatio: number;
  models: Record<string, Metrics>;
  notes: string[];
}
const results: DatasetResult[] = [];
const files = readdirSync(datasetsDir)
  .filter((f) => f.endsWith('.csv'))
  .sort();
for (const file of files) {
  const name = basename(file, '.csv');
  if (MULTICLASS.has(name) || (only && !only.includes(name))) continue;
  const path = join(datasetsDir, file);
  const columns = await describeColumns(path);
  const categorical = columns.filter((c) => c.name !== 'label' && !numericType.test(c.type)).map((c) => c.name);
  let data: LabelledData;
  const notes: string[] = [];
  try {
    data = (await readLabelledDataset(path, { label: 'label', categorical })).data;
  } catch (e) {
    // rareflow rejects missing values; for the comparison, drop the rows that hold one (e.g. "nan") and say so.
    const lines = readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    const missing = (line: string) => line.split(',').some((v) => MISSING.has(v.trim()));
    const kept = [lines[0]!, ...lines.slice(1).filter((l) => !missing(l))];
    const cleaned = join(work, `${name}.complete.csv`);
    writeFileSync(cleaned, `${kept.join('\n')}\n`);
    try {
      data = (await readLabelledDataset(cleaned, { label: 'label', categorical })).data;
      notes.push(`${lines.length - kept.length} rows with a missing value dropped (rareflow rejects them: ${(e as Error).message})`);
    } catch {
      process.stderr.write(`skipped ${name}: ${(e as Error).message}\n`);
      continue;
    }
  }
  if (data.x.rows > maxRows || data.x.rows < minRows) continue;
  const [negatives, positives] = classCounts(data.y);
  const started = performance.now();
  const fold = stratifiedFolds(data.y, deriveSeed(1, `folds ${name}`));
  const perModel: Record<string, Metrics[]> = Object.fromEntries(OURS.map((m) => [m, []]));
  for (let k = 0; k < FOLDS; k++) {
    const trainRows: number[] = [];
    const testRows: number[] = [];
    for (let i = 0; i < fold.length; i++) (fold[i] === k ? testRows : trainRows).push(i);
    const train = takeRows(data, trainRows);
    const test = takeRows(data, testRows);
    const lr = trainLogisticRegression(train);
    perModel['lr@0.5']!.push(metricsAt(test.y, predictProbaLogistic(lr, test.x), 0.5));
    const forest = await trainRandomForestInWorkers(train, { seed: k }, { threads: 2 });
    const p = predictProbaForest(forest, test.x);
    perModel['forest@0.5']!.push(metricsAt(test.y, p, 0.5));
    // Seed 002: the q*-classifier thresholds at the training prevalence π (RFQ).
    perModel['forest@π']!.push(metricsAt(test.y, p, forest.fitPrevalence));
    // Balanced sampling (Chen, Liaw & Breiman): trees fit a 1:1 mix, so q* = π of that mix = 1/2.
    const balanced = await trainRandomForestInWorkers(train, { seed: k, sampling: 'balanced' }, { threads: 2 });
    perModel['forestBal@½']!.push(metricsAt(test.y, predictProbaForest(balanced, test.x), balanced.fitPrevalence));
    // (d) the pipeline's own stage code, as `rareflow fit` runs it: ENN, then ADASYN + logreg, or a balanced forest.
    if (!skipColumns.has('pipe ENN+ADASYN+LR'))
      perModel['pipe ENN+ADASYN+LR']!.push(await pipelineMetrics(train, test, { kind: 'logreg', threshold: 'prevalence' }, true, k));
    perModel['pipe default']!.push(
      await pipelineMetrics(
        train,
        test,
        DEFAULT_PIPELINE.model,
        DEFAULT_PIPELINE.adasyn.enabled,
        k,
        DEFAULT_PIPELINE.denoise.method !== 'none',
      ),
    );
    // Gradient-boosted trees with balanced class weights, and the model chosen by inner folds of the training rows.
    if (!skipColumns.has('gbdt'))
      perModel['gbdt']!.push(await pipelineMetrics(train, test, { kind: 'gbdt', threshold: 'prevalence' }, false, k, false));
    if (!skipColumns.has('auto'))
      perModel['auto']!.push(await pipelineMetrics(train, test, { kind: 'auto', threshold: 'prevalence' }, false, k, false));
  }
  const oursSeconds = (performance.now() - started) / 1000;
  let peerSeconds = 0;
  if (usePeers) {
    const matrixCsv = join(work, `${name}.csv`);
    const foldsTxt = join(work, `${name}.folds.txt`);
    const featureNames = Array.from({ length: data.x.cols }, (_, j) => `x${j}`);
    await writeLabelledTable(matrixCsv, { data, featureNames, labelName: 'label' });
    writeFileSync(foldsTxt, `${Array.from(fold).join('\n')}\n`);
    const script = fileURLToPath(new URL('../../bench/peers/qualityPeer.py', import.meta.url));
    const t = performance.now();
    const peer = JSON.parse(execFileSync(python, [script, matrixCsv, foldsTxt], { encoding: 'utf8', maxBuffer: 1 << 24 })) as {
      models: Record<string, Metrics[]>;
      notes: string[];
    };
    peerSeconds = (performance.now() - t) / 1000;
    for (const m of PEERS) perModel[PEER_LABELS[m]] = peer.models[m]!;
    notes.push(...peer.notes);
  }
  const models: Record<string, Metrics> = {};
  for (const [m, folds] of Object.entries(perModel)) {
    models[m] = {
      gMean: mean(folds.map((f) => f.gMean)),
      recall: mean(folds.map((f) => f.recall)),
      prAucNormalised: mean(folds.map((f) => f.prAucNormalised)),
    };
  }
  results.push({ name, rows: data.x.rows, features: data.x.cols, imbalanceRatio: negatives / positives, models, notes });
  process.stderr.write(`${name}: ${data.x.rows}×${data.x.cols}, ours ${oursSeconds.toFixed(1)}s, peers ${peerSeconds.toFixed(1)}s\n`);
}

const modelNames = [...OURS, ...(usePeers ? PEERS.map((m) => PEER_LABELS[m]) : [])];
const lines: string[] = [
  `quality: ${FOLDS}-fold stratified CV, mean over folds; ours: 100-tree forest, default options; peers on the same folds`,
];
for (const metric of ['gMean', 'recall', 'prAucNormalised'] as const) {
  const title = metric === 'gMean' ? 'G-mean' : metric === 'recall' ? 'minority recall' : 'normalised PR-AUC (AP − π)';
  lines.push('', `${title}`, `${'dataset'.padEnd(28)}${'IR'.padStart(6)}  ${modelNames.map((m) => m.padStart(15)).join('')}`);
  for (const r of results) {
    lines.push(
      `${r.name.padEnd(28)}${r.imbalanceRatio.toFixed(1).padStart(6)}  ${modelNames.map((m) => (r.models[m]?.[metric].toFixed(3) ?? '—').padStart(15)).join('')}`,
    );
  }
  lines.push(
    `${'median'.padEnd(28)}${''.padStart(6)}  ${modelNames
      .map((m) =>
        median(results.map((r) => r.models[m]![metric]))
          .toFixed(3)
          .padStart(15),
      )
      .join('')}`,
  );
}
for (const r of results) for (const n of r.notes) lines.push(`note ${r.name}: ${n}`);
writeFileSync(join(root, '.rareflow', 'bench', 'quality.json'), `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(`${lines.join('\n')}\n`);
