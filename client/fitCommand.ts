// `rareflow fit`: the default pipeline's data→model stages (noise filtering, ADASYN, the model and its threshold)
// on one training file, in one process, with the workflow's own defaults and stage code.

import { basename } from 'node:path';
import { classCounts, takeRows } from '../core/dataset.js';
import type { InputColumn } from '../core/models/modelArtifact.js';
import { parseThresholdPolicy } from '../core/models/thresholdPolicy.js';
import { deriveSeed, seededRandom } from '../core/random.js';
import { stratifiedSplit } from '../core/sampling/stratifiedSplit.js';
import { oversampleWithAdasyn } from '../activities/adasyn.js';
import { filterAndType } from '../activities/filterLabelNoise.js';
import { fitModelArtifact } from '../activities/trainModel.js';
import { describeColumns, fileSha256, formatOf, numericType, readLabelledDataset, tableSource } from '../data/datasetReader.js';
import { sqlIdentifier, toNumber, withDuckDB } from '../data/duckdbConnection.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import { readPipelineConfigJson, resolvePipelineSpec } from './pipelineSpec.js';
import { requireOutputDirectory, writeFileAtomically } from './stageCommands.js';
import { createHash } from 'node:crypto';

/** Text columns with more distinct values than this are left out (ids, free text) instead of one-hot encoded. */
const MAX_AUTO_CATEGORIES = 50;

export interface FitArgs {
  input: string;
  label: string;
  positive?: string;
  categorical?: string[];
  config?: string;
  seed?: number;
  out: string;
}

function seconds(start: number): number {
  return Math.round((performance.now() - start) / 10) / 100;
}

/** Numeric columns stay; text columns become categorical when they have few distinct values, else are left out. */
async function chooseColumns(input: string, label: string, declared: string[], exclude: string[]) {
  const format = formatOf(input);
  const columns = await describeColumns(input);
  if (!columns.some((c) => c.name === label)) {
    throw new InvalidInputError(`label column "${label}"`, `label column "${label}" not found in ${input}; available columns: ${columns.map((c) => c.name).join(', ')}. Pass --label with one of them`);
  }
  const features: string[] = [];
  const categorical: string[] = [];
  const leftOut: string[] = [];
  for (const c of columns) {
    if (c.name === label || exclude.includes(c.name)) continue;
    if (declared.includes(c.name) || (!numericType.test(c.type) && format !== 'arrow')) {
      if (!declared.includes(c.name)) {
        const distinct = await withDuckDB(async (conn) => {
          const r = await conn.runAndReadAll(`SELECT count(DISTINCT ${sqlIdentifier(c.name)}) FROM ${tableSource(format as 'csv' | 'parquet', [input])}`);
          return toNumber(r.getRowsJS()[0]?.[0]);
        });
        if (distinct > MAX_AUTO_CATEGORIES) {
          leftOut.push(`${c.name} (text with ${distinct} distinct values)`);
          continue;
        }
      }
      categorical.push(c.name);
    }
    features.push(c.name);
  }
  return { features, categorical, leftOut };
}

export async function fitCommand(a: FitArgs) {
  const started = performance.now();
  const out = await requireOutputDirectory(a.out);
  const defaults = { modelName: basename(out).replace(/\.json$/, '').replace(/[^A-Za-z0-9_.-]/g, '-') || 'model', input: { paths: [a.input], label: a.label } };
  // A config supplies denoise, adasyn and model settings; the input is always --input.
  const base = a.config ? resolvePipelineSpec({ ...defaults, ...readPipelineConfigJson(a.config), input: defaults.input }, a.config) : resolvePipelineSpec(defaults, 'defaults');
  const spec = { ...base, ...(a.seed !== undefined ? { seed: a.seed } : {}) };
  const stages: Array<Record<string, unknown>> = [];

  let t = performance.now();
  const cols = await chooseColumns(a.input, a.label, a.categorical ?? [], spec.input.exclude ?? []);
  const d = await readLabelledDataset(a.input, {
    label: a.label,
    features: cols.features,
    ...(a.positive !== undefined ? { positive: a.positive } : spec.input.positive !== undefined ? { positive: spec.input.positive } : {}),
    ...(cols.categorical.length ? { categorical: cols.categorical } : {}),
  });
  const [negatives0, positives0] = classCounts(d.data.y);
  stages.push({
    stage: 'read',
    rowsIn: d.rows,
    rowsOut: d.rows,
    positives: positives0,
    negatives: negatives0,
    features: d.featureNames.length,
    categorical: cols.categorical,
    ...(cols.leftOut.length ? { leftOut: cols.leftOut } : {}),
    seconds: seconds(t),
  });

  // The gmean policy chooses its threshold on rows the model does not see; the others use every row.
  let train = d.data;
  let validation;
  if (parseThresholdPolicy(spec.model.threshold).kind === 'gmean') {
    const parts = stratifiedSplit(d.data.y, { train: 0.8, validation: 0.2, test: 0 }, seededRandom(deriveSeed(spec.seed, 'split')));
    train = takeRows(d.data, parts.train);
    validation = takeRows(d.data, parts.validation);
  }

  if (spec.denoise.method !== 'none') {
    t = performance.now();
    const k = spec.denoise.k ?? 3;
    if (train.y.length > k + 1) {
      const { cleaning, typing } = filterAndType(train, spec.denoise.method, k, spec.denoise.neighbors ?? 'auto');
      const cleaned = takeRows(train, cleaning.kept);
      stages.push({
        stage: spec.denoise.method,
        rowsIn: train.y.length,
        rowsOut: cleaned.y.length,
        removedNegatives: cleaning.removedPerClass[0],
        removedPositives: cleaning.removedPerClass[1],
        minorityTypes: typing.counts,
        seconds: seconds(t),
      });
      train = cleaned;
    } else {
      stages.push({ stage: spec.denoise.method, skipped: `only ${train.y.length} rows` });
    }
  }

  if (spec.adasyn.enabled) {
    t = performance.now();
    const done = oversampleWithAdasyn(train, {
      k: spec.adasyn.k ?? 5,
      beta: spec.adasyn.beta ?? 1,
      seed: spec.seed,
      ...(spec.adasyn.neighbors ? { neighbors: spec.adasyn.neighbors } : {}),
      ...(spec.adasyn.maxSyntheticRatio !== undefined ? { maxSyntheticRatio: spec.adasyn.maxSyntheticRatio } : {}),
    });
    stages.push({ stage: 'adasyn', rowsIn: train.y.length, rowsOut: done.augmented.y.length, syntheticRows: done.syntheticRows, note: done.note, seconds: seconds(t) });
    train = done.augmented;
  }

  t = performance.now();
  const inputColumns: InputColumn[] = cols.features.map((name) =>
    d.categorical[name] ? { name, kind: 'categorical', categories: d.categorical[name]! } : { name, kind: 'numeric' },
  );
  const { artifact, note } = await fitModelArtifact(train, {
    model: spec.model,
    featureNames: d.featureNames,
    inputColumns,
    labelName: a.label,
    labels: { positive: d.positiveLabel, negative: d.negativeLabel },
    modelName: spec.modelName,
    seed: spec.seed,
    runId: 'fit',
    datasetSha256: await fileSha256(a.input),
    ...(validation ? { validation } : {}),
  });
  const text = JSON.stringify(artifact);
  await writeFileAtomically(out, text);
  stages.push({ stage: 'train', rows: train.y.length, threshold: artifact.threshold, note, seconds: seconds(t) });
  return {
    command: 'fit',
    out,
    sha256: createHash('sha256').update(text).digest('hex'),
    model: spec.model.kind,
    threshold: artifact.threshold,
    positiveLabel: d.positiveLabel,
    stages,
    seed: spec.seed,
    seconds: seconds(started),
  };
}
