// `node dist/bench/quality.js` (`npm run bench:quality`): learning quality on the real imbalanced datasets in
// ../shared/datasets under repeated 5-fold stratified CV: rareflow's default (the model chosen by inner folds of each
// training split) and its fixed recipes against the strongest Python peers on the same folds (written to a file the
// peer reads). Prints G-mean, minority recall and normalised PR-AUC (AP − π) per dataset, then the means, the mean
// rank, how often each candidate was chosen and where the default loses to a peer; writes .rareflow/bench/quality.json.
// Env: QUALITY_DATASETS=a,b (only these), QUALITY_MAX_ROWS (skip larger files), QUALITY_MIN_ROWS (skip smaller),
// QUALITY_REPEATS (default 3), QUALITY_SKIP=column,column (leave out slow columns), BENCH_NO_PEERS=1,
// QUALITY_DIR (another folder of two-class CSV files with a `label` column, instead of the shared datasets).

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { classCounts, takeRows, type LabelledData } from '../core/dataset.js';
import { trainRandomForestInWorkers } from '../core/models/forestWorkers.js';
import { predictProbaLogistic, trainLogisticRegression } from '../core/models/logisticRegression.js';
import { predictProbaForest } from '../core/models/randomForest.js';
import { CSV_MISSING_MARKERS } from '../data/inputSources.js';
import { readLabelledDataset } from '../data/datasetReader.js';
import { writeLabelledTable } from '../data/datasetWriter.js';
import { packageRoot } from '../infra/rareflowConfig.js';
import { oversampleWithAdasyn } from '../stages/oversample.js';
import { filterAndType } from '../stages/denoise.js';
import { fitModelArtifact } from '../stages/train.js';
import { scoreModel } from '../core/models/modelArtifact.js';
import type { ModelSpec } from '../workflows/contract.js';
import { DEFAULT_PIPELINE } from '../client/pipelineSpec.js';
import { peerPython } from './peerVenv.js';
import { binaryDatasetFiles, textColumnsOf } from './qualityDatasets.js';
import { qualitySummary, qualityTables, type DatasetResult, type Metrics } from './qualitySummary.js';
import { FOLDS, foldFitOptions, foldSplit, metricsAt, repeatFolds } from './qualityFolds.js';

const REPEATS = Number(process.env.QUALITY_REPEATS ?? 3);
/** rareflow's default (today `auto`) first; then its fixed recipes. */
const DEFAULT_COLUMN = 'rareflow default';
const OURS = [DEFAULT_COLUMN, 'lr@0.5', 'forest@π', 'forestBal@½', 'pipe ENN+ADASYN+LR', 'gbdt'] as const;
const PEERS = ['lrBalanced', 'lrAdasyn', 'lrEnnAdasyn', 'rf', 'rfPrevalence', 'rfBalanced', 'balancedRf', 'hgbBalanced'] as const;
const PEER_LABELS: Record<(typeof PEERS)[number], string> = {
  lrBalanced: 'sk LR balanced',
  lrAdasyn: 'sk LR+ADASYN',
  lrEnnAdasyn: 'LR+ENN+ADASYN',
  rf: 'sk RF',
  rfPrevalence: 'sk RF@π',
  rfBalanced: 'sk RF balanced',
  balancedRf: 'imb BalancedRF',
  hgbBalanced: 'sk HGB balanced',
};
/** Cell values treated as missing when a file must be cleaned for the comparison. */
const MISSING = new Set<string>(['nan', 'NaN', ...CSV_MISSING_MARKERS]);

const root = packageRoot();
const datasetsDir = process.env.QUALITY_DIR ?? join(root, '..', 'shared', 'datasets');
const work = join(root, '.rareflow', 'bench', 'quality');
mkdirSync(work, { recursive: true });
const only = process.env.QUALITY_DATASETS?.split(',').map((s) => s.trim());
const maxRows = Number(process.env.QUALITY_MAX_ROWS ?? Number.POSITIVE_INFINITY);
const minRows = Number(process.env.QUALITY_MIN_ROWS ?? 0);
const skipColumns = new Set(process.env.QUALITY_SKIP?.split(',').map((s) => s.trim()) ?? []);
const python = peerPython();
const usePeers = python !== undefined;

async function pipelineMetrics(
  train: LabelledData,
  test: LabelledData,
  model: ModelSpec,
  withAdasyn: boolean,
  seed: number,
  withEnn = true,
): Promise<Metrics & { chosen?: string }> {
  let data = train;
  if (withEnn && data.y.length > 4) data = takeRows(data, filterAndType(data, 'enn', 3).cleaning.kept);
  if (withAdasyn) data = oversampleWithAdasyn(data, { k: 5, beta: 1, seed }).augmented;
  const featureNames = Array.from({ length: data.x.cols }, (_, j) => `x${j}`);
  const { artifact } = await fitModelArtifact(data, foldFitOptions(model, featureNames, seed));
  const metrics = metricsAt(test.y, scoreModel(artifact, test.x), artifact.threshold);
  return artifact.selection ? { ...metrics, chosen: artifact.selection.chosen } : metrics;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

const results: DatasetResult[] = [];
for (const { name, path } of binaryDatasetFiles(datasetsDir, only)) {
  const categorical = await textColumnsOf(path);
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
  const perModel: Record<string, Metrics[]> = Object.fromEntries(OURS.map((m) => [m, []]));
  const chosen: string[] = [];
  let peerSeconds = 0;
  for (let repeat = 0; repeat < REPEATS; repeat++) {
    const fold = repeatFolds(data.y, name, repeat);
    for (let k = 0; k < FOLDS; k++) {
      const { train, test } = foldSplit(data, fold, k);
      const seed = repeat * FOLDS + k;
      // (d) the pipeline's own stage code, as `rareflow fit` runs it with its defaults.
      const byDefault = await pipelineMetrics(
        train,
        test,
        DEFAULT_PIPELINE.model,
        DEFAULT_PIPELINE.adasyn.enabled,
        seed,
        DEFAULT_PIPELINE.denoise.method !== 'none',
      );
      perModel[DEFAULT_COLUMN]!.push(byDefault);
      if (byDefault.chosen) chosen.push(byDefault.chosen);
      const lr = trainLogisticRegression(train);
      perModel['lr@0.5']!.push(metricsAt(test.y, predictProbaLogistic(lr, test.x), 0.5));
      // Seed 002: the q*-classifier thresholds at the training prevalence π (RFQ).
      const forest = await trainRandomForestInWorkers(train, { seed }, { threads: 2 });
      perModel['forest@π']!.push(metricsAt(test.y, predictProbaForest(forest, test.x), forest.fitPrevalence));
      // Balanced sampling (Chen, Liaw & Breiman): trees fit a 1:1 mix, so q* = π of that mix = 1/2.
      const balanced = await trainRandomForestInWorkers(train, { seed, sampling: 'balanced' }, { threads: 2 });
      perModel['forestBal@½']!.push(metricsAt(test.y, predictProbaForest(balanced, test.x), balanced.fitPrevalence));
      if (!skipColumns.has('pipe ENN+ADASYN+LR'))
        perModel['pipe ENN+ADASYN+LR']!.push(await pipelineMetrics(train, test, { kind: 'logreg', threshold: 'prevalence' }, true, seed));
      if (!skipColumns.has('gbdt'))
        perModel['gbdt']!.push(await pipelineMetrics(train, test, { kind: 'gbdt', threshold: 'prevalence' }, false, seed, false));
    }
    if (usePeers) {
      const matrixCsv = join(work, `${name}.csv`);
      const foldsTxt = join(work, `${name}.folds.txt`);
      const featureNames = Array.from({ length: data.x.cols }, (_, j) => `x${j}`);
      if (repeat === 0) await writeLabelledTable(matrixCsv, { data, featureNames, labelName: 'label' });
      writeFileSync(foldsTxt, `${Array.from(fold).join('\n')}\n`);
      const script = fileURLToPath(new URL('../../bench/peers/qualityPeer.py', import.meta.url));
      const t = performance.now();
      const peer = JSON.parse(execFileSync(python!, [script, matrixCsv, foldsTxt], { encoding: 'utf8', maxBuffer: 1 << 24 })) as {
        models: Record<string, Metrics[]>;
        notes: string[];
      };
      peerSeconds += (performance.now() - t) / 1000;
      for (const m of PEERS) (perModel[PEER_LABELS[m]] ??= []).push(...peer.models[m]!);
      notes.push(...peer.notes.map((n) => `repeat ${repeat + 1}, ${n}`));
    }
  }
  const oursSeconds = (performance.now() - started) / 1000 - peerSeconds;
  const models: Record<string, Metrics> = {};
  const folds: Record<string, number[]> = {};
  for (const [m, perFold] of Object.entries(perModel)) {
    if (perFold.length === 0) continue;
    folds[m] = perFold.map((f) => f.gMean);
    models[m] = {
      gMean: mean(perFold.map((f) => f.gMean)),
      recall: mean(perFold.map((f) => f.recall)),
      prAucNormalised: mean(perFold.map((f) => f.prAucNormalised)),
    };
  }
  results.push({
    name,
    rows: data.x.rows,
    features: data.x.cols,
    imbalanceRatio: negatives / positives,
    models,
    gMeanFolds: folds,
    chosen,
    notes,
  });
  process.stderr.write(`${name}: ${data.x.rows}×${data.x.cols}, ours ${oursSeconds.toFixed(1)}s, peers ${peerSeconds.toFixed(1)}s\n`);
}

const modelNames = [...OURS.filter((m) => results.some((r) => r.models[m])), ...(usePeers ? PEERS.map((m) => PEER_LABELS[m]) : [])];
const lines = [
  `quality: ${REPEATS} × ${FOLDS}-fold stratified CV, mean over folds; ours: the default of rareflow fit, and fixed recipes; peers on the same folds`,
  ...qualityTables(results, modelNames),
  ...qualitySummary(results, modelNames, DEFAULT_COLUMN, usePeers ? PEERS.map((m) => PEER_LABELS[m]) : []),
];
for (const r of results) for (const n of r.notes) lines.push(`note ${r.name}: ${n}`);
writeFileSync(join(root, '.rareflow', 'bench', 'quality.json'), `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(`${lines.join('\n')}\n`);
