// A `sample_weight` input column through the pipeline's activities on a temp artifact store: never a feature,
// carried by sampling, merge, split, label-noise filtering and ADASYN (synthetic rows take their seed row's
// weight), used by training; bad weights fail as non-retryable InvalidInput naming the file, column and row.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adaptiveSampleActivities } from '../../activities/adaptiveSample.js';
import { adasynActivities } from '../../activities/adasyn.js';
import { describeInputActivities } from '../../activities/describeInput.js';
import { filterLabelNoiseActivities } from '../../activities/filterLabelNoise.js';
import { trainModelActivities } from '../../activities/trainModel.js';
import { loadModelArtifact } from '../../data/modelArtifacts.js';
import { seededRandom } from '../../core/random.js';
import { ArtifactStore } from '../../data/artifactStore.js';
import { fileSha256 } from '../../data/inputSources.js';
import { loadDatasetArtifact, saveDatasetArtifact, type DatasetArtifact } from '../../data/datasetArtifacts.js';
import { sqlString, withDuckDB } from '../../data/duckdbConnection.js';
import { fileRowCounts, planShards } from '../../data/positiveScan.js';
import type { ArtifactRef, PipelineSpec } from '../../workflows/contract.js';

let dir: string;
let store: ArtifactStore;
let files: string[];

/** The weight every generated row carries: a function of its id column f1, so it can be checked after any reordering. */
const weightOfId = (id: number) => 1 + (id % 3);

/** CSV rows `first..first+rows-1`: f0 (signal), f1 (the row id), sample_weight, label (about 10% positive). */
function weightedCsv(
  path: string,
  first: number,
  rows: number,
  seed: number,
  weight: (id: number, label: number) => string = (id) => String(weightOfId(id)),
): void {
  const rng = seededRandom(seed);
  const lines = ['f0,f1,sample_weight,label'];
  for (let id = first; id < first + rows; id++) {
    const label = rng.next() < 0.1 ? 1 : 0;
    lines.push(`${(rng.next() * 2 + 1.5 * label).toFixed(6)},${id},${weight(id, label)},${label}`);
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

async function csvToParquet(csv: string, parquet: string): Promise<void> {
  await withDuckDB(async (c) => {
    await c.run(`COPY (SELECT * FROM read_csv(${sqlString(csv)})) TO ${sqlString(parquet)} (FORMAT PARQUET)`);
  });
}

function inputSpec(
  paths: string[],
  extra: Partial<PipelineSpec['input']> = {},
): { input: PipelineSpec['input']; sampling: PipelineSpec['sampling'] } {
  return { input: { paths, label: 'label', positive: '1', ...extra }, sampling: { targetSize: 700, positivesPerParameter: 20 } };
}

/** Every row's weight is its id's weight. */
function expectWeightsFollowRows(d: DatasetArtifact, rows = d.data.y.length): void {
  const w = d.extra?.sample_weight;
  expect(w).toBeInstanceOf(Float64Array);
  const id = d.featureNames.indexOf('f1');
  for (let r = 0; r < rows; r++) expect(w![r]).toBe(weightOfId(d.data.x.values[r * d.data.x.cols + id]!));
}

async function rejection(p: Promise<unknown>): Promise<{ type?: string; message: string; nonRetryable?: boolean }> {
  return p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e as { type?: string; message: string; nonRetryable?: boolean },
  );
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-weights-'));
  store = new ArtifactStore(join(dir, 'store'));
  files = [join(dir, 'a.csv'), join(dir, 'b.csv')];
  weightedCsv(files[0]!, 0, 700, 1);
  weightedCsv(files[1]!, 700, 700, 2);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('describeInput with a sample_weight column', () => {
  const { describeInput } = describeInputActivities();

  it('keeps sample_weight out of the features and reports it', async () => {
    const described = await describeInput(inputSpec(files));
    expect(described.featureNames).toEqual(['f0', 'f1']);
    expect(described.sampleWeight).toBe('sample_weight');
    expect(described.params).toBe(3);
  });

  it('ignores the column when input.exclude lists it, and refuses it as a listed feature', async () => {
    const excluded = await describeInput(inputSpec(files, { exclude: ['sample_weight'] }));
    expect(excluded.featureNames).toEqual(['f0', 'f1']);
    expect(excluded.sampleWeight).toBeUndefined();
    const listed = await rejection(describeInput(inputSpec(files, { features: ['f0', 'sample_weight'] })));
    expect(listed.type).toBe('InvalidInput');
    expect(listed.message).toContain('column "sample_weight"');
    expect(listed.message).toContain('cannot also be a feature');
  });

  it('rejects a non-numeric weight column, naming the file, the column and the first bad row', async () => {
    const text = join(dir, 'text-weights.csv');
    weightedCsv(text, 0, 50, 3, (id) => (id === 6 ? 'heavy' : '1'));
    const failure = await rejection(describeInput(inputSpec([text])));
    expect(failure.type).toBe('InvalidInput');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain(`weight column "sample_weight" in ${text} has type VARCHAR`);
    expect(failure.message).toContain('"heavy" at data row 7');
  });
});

describe('sample_weight through sampling, split, filtering, ADASYN and training', () => {
  let described: Awaited<ReturnType<ReturnType<typeof describeInputActivities>['describeInput']>>;
  let merged: ArtifactRef;
  let split: { train: ArtifactRef; validation: ArtifactRef; test: ArtifactRef };
  let clean: ArtifactRef;
  let augmented: ArtifactRef;
  const sampling = () => adaptiveSampleActivities({ artifacts: store });

  beforeAll(async () => {
    described = await describeInputActivities().describeInput(inputSpec(files));
  });

  it("each shard keeps its rows' weights, and the merge shuffles weights with their rows", async () => {
    const plan = await sampling().planSampleShards({ files: described.files, shards: 2 });
    const shards = await Promise.all(
      plan.shards.map((segments, shardIndex) =>
        sampling().adaptiveSampleShard({
          segments,
          // As the sampling workflow passes them: the sha256 of each file of this shard, in order of first use.
          fileSha256s: [...new Set(segments.map((s) => s.file))].map((f) => described.fileSha256s[described.files.indexOf(f)]!),
          label: 'label',
          positiveLabel: described.positiveLabel,
          featureNames: described.featureNames,
          sampleWeight: 'sample_weight',
          targetSize: described.targetSize,
          positiveTarget: described.positiveTarget,
          shardIndex,
          shardCount: 2,
          seed: 5,
        }),
      ),
    );
    for (const s of shards) {
      const loaded = await loadDatasetArtifact(store, s.sample);
      expect(loaded.featureNames).toEqual(['f0', 'f1']);
      expectWeightsFollowRows(loaded);
    }
    const result = await sampling().mergeSampleShards({ samples: shards.map((s) => s.sample), seed: 5, files: described.files });
    merged = result.sample;
    const loaded = await loadDatasetArtifact(store, merged);
    expect(loaded.data.y.length).toBe(shards.reduce((a, s) => a + s.rows, 0));
    expectWeightsFollowRows(loaded);
    // Weights 1, 2 and 3 all occur: the column is the input's, not a constant.
    expect(new Set(loaded.extra.sample_weight)).toEqual(new Set([1, 2, 3]));
  });

  it("the stratified split gives every split its rows' weights", async () => {
    split = await sampling().mergeAndSplit({ samples: [merged], split: { train: 0.6, validation: 0.2, test: 0.2 }, seed: 5 });
    for (const ref of [split.train, split.validation, split.test]) expectWeightsFollowRows(await loadDatasetArtifact(store, ref));
  });

  it("label-noise filtering keeps the kept rows' weights next to their origin rows", async () => {
    const cleaned = await filterLabelNoiseActivities({ artifacts: store }).filterLabelNoise({ train: split.train, method: 'enn', k: 3 });
    clean = cleaned.dataset;
    const loaded = await loadDatasetArtifact(store, clean);
    const train = await loadDatasetArtifact(store, split.train);
    expect(loaded.data.y.length).toBeLessThan(train.data.y.length);
    expectWeightsFollowRows(loaded);
    const origin = loaded.extra.origin_row as Int32Array;
    origin.forEach((r, i) => expect(loaded.extra.sample_weight![i]).toBe(train.extra.sample_weight![r]));
  });

  it("ADASYN gives each synthetic row its seed row's weight", async () => {
    const result = await adasynActivities({ artifacts: store }).oversampleAdasyn({ train: clean, k: 5, beta: 1, seed: 5 });
    expect(result.syntheticRows).toBeGreaterThan(0);
    augmented = result.dataset;
    const loaded = await loadDatasetArtifact(store, augmented);
    const input = await loadDatasetArtifact(store, clean);
    const realRows = input.data.y.length;
    const w = loaded.extra.sample_weight!;
    expect(w).toHaveLength(realRows + result.syntheticRows);
    expectWeightsFollowRows(loaded, realRows);
    const seedRow = loaded.extra._seed_row as Int32Array;
    for (let r = realRows; r < w.length; r++) expect(w[r]).toBe(input.extra.sample_weight![seedRow[r]!]);
  });

  it('training is weighted and says so; the same rows without weights give another model', async () => {
    const train = trainModelActivities({ artifacts: store });
    const base = { validation: split.validation, labels: { positive: '1', negative: '0' }, seed: 5, modelName: 'weights', runId: 'run-1' };
    for (const kind of ['logreg', 'forest'] as const) {
      const model: PipelineSpec['model'] =
        kind === 'forest' ? { kind, threshold: 'prevalence', trees: 20 } : { kind, threshold: 'prevalence' };
      const weighted = await train.trainModel({ ...base, train: augmented, model });
      expect(weighted.summary.note).toContain('weighted by sample_weight');
      const artifact = await loadModelArtifact(store, weighted.model);
      expect(artifact.featureNames).toEqual(['f0', 'f1']);
      expect(artifact.training.sampleWeight).toBe('sample_weight');

      const loaded = await loadDatasetArtifact(store, augmented);
      const stripped = await saveDatasetArtifact(store, 'train-augmented', {
        data: loaded.data,
        featureNames: loaded.featureNames,
        labelName: loaded.labelName,
      });
      const unweighted = await train.trainModel({ ...base, train: stripped, model });
      expect(unweighted.summary.note).not.toContain('weighted');
      const plain = await loadModelArtifact(store, unweighted.model);
      expect(plain.training.sampleWeight).toBeUndefined();
      expect(plain.model).not.toEqual(artifact.model);
    }
  });
});

describe('bad sample weights', () => {
  async function sampleAll(path: string) {
    const segments = planShards([path], await fileRowCounts([path]), 1)[0]!;
    return adaptiveSampleActivities({ artifacts: new ArtifactStore(join(dir, 'store-bad')) }).adaptiveSampleShard({
      segments,
      fileSha256s: [await fileSha256(path)],
      label: 'label',
      positiveLabel: '1',
      featureNames: ['f0', 'f1'],
      sampleWeight: 'sample_weight',
      // More rows than the file: every row is kept, so every weight is read.
      targetSize: 1000,
      positiveTarget: 10,
      shardIndex: 0,
      shardCount: 1,
      seed: 1,
    });
  }

  it('a negative weight fails sampling as InvalidInput naming the file, the column and the data row (CSV and Parquet)', async () => {
    const csv = join(dir, 'negative.csv');
    weightedCsv(csv, 0, 200, 4, (id) => (id === 41 || id === 90 ? '-2' : '1'));
    const parquet = join(dir, 'negative.parquet');
    await csvToParquet(csv, parquet);
    for (const path of [csv, parquet]) {
      const failure = await rejection(sampleAll(path));
      expect(failure.type).toBe('InvalidInput');
      expect(failure.nonRetryable).toBe(true);
      expect(failure.message).toBe(
        `weight column "sample_weight" in ${path} has -2 at data row 42; expected a finite number ≥ 0 on every row (0 leaves a row out of training): fix or drop such rows first`,
      );
    }
  });

  it('a missing weight fails the same way', async () => {
    const csv = join(dir, 'missing.csv');
    weightedCsv(csv, 0, 100, 5, (id) => (id === 9 ? '' : '0.5'));
    const failure = await rejection(sampleAll(csv));
    expect(failure.type).toBe('InvalidInput');
    expect(failure.message).toContain(`weight column "sample_weight" in ${csv} has an empty or null value at data row 10`);
  });

  it('a sample whose positives all weigh 0 fails the merge, naming the files and the column', async () => {
    const csv = join(dir, 'zero-positives.csv');
    weightedCsv(csv, 0, 300, 6, (_id, label) => (label === 1 ? '0' : '1'));
    const shard = await sampleAll(csv);
    const failure = await rejection(
      adaptiveSampleActivities({ artifacts: new ArtifactStore(join(dir, 'store-bad')) }).mergeSampleShards({
        samples: [shard.sample],
        seed: 1,
        files: [csv],
      }),
    );
    expect(failure.type).toBe('InvalidInput');
    expect(failure.message).toBe(
      `weight column "sample_weight" of the sample of ${csv}: every positive row has weight 0, so the positive class cannot be learned; expected at least one positive row with a weight > 0`,
    );
  });

  it('training refuses a split whose positives all weigh 0, naming the split and the column', async () => {
    const data = { x: { rows: 4, cols: 1, values: Float64Array.from([0, 1, 2, 3]) }, y: Uint8Array.from([0, 1, 0, 1]) };
    const ref = await saveDatasetArtifact(store, 'split-train', {
      data,
      featureNames: ['f0'],
      labelName: 'label',
      extra: { sample_weight: Float64Array.from([1, 0, 1, 0]) },
    });
    const failure = await rejection(
      trainModelActivities({ artifacts: store }).trainModel({
        train: ref,
        validation: ref,
        model: { kind: 'logreg', threshold: 'prevalence' },
        labels: { positive: '1', negative: '0' },
        seed: 1,
        modelName: 'bad',
        runId: 'bad',
      }),
    );
    expect(failure.type).toBe('InvalidInput');
    expect(failure.message).toContain(`weight column "sample_weight" of the training split ${ref.uri}: every positive row has weight 0`);
  });
});
