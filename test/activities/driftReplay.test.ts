// The drift check replayed on a real dataset (yeast3): a model trained as the pipeline trains it (default forest),
// its reference built by the buildDriftReference activity, then 100 fully labelled windows of held-out rows from
// the same population go through the check the activity runs. Unchanged traffic must raise no drift; the same
// traffic with its label prior shifted must.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driftCheckActivities } from '../../activities/driftCheck.js';
import { servedWindowReport, type StoredReference } from '../../stages/driftWindow.js';
import { fitModelArtifact } from '../../stages/train.js';
import { FOREST_DEFAULTS } from '../../client/pipelineSpec.js';
import { takeRows, type LabelledData } from '../../core/dataset.js';
import { scoreModel, type ModelArtifact } from '../../core/models/modelArtifact.js';
import { seededRandom } from '../../core/random.js';
import { ArtifactStore } from '../../data/artifactStore.js';
import { saveDatasetArtifact } from '../../data/datasetArtifacts.js';
import { readYeast3 } from '../support/yeast3Fixture.js';

const WINDOWS = 100;
const WINDOW_ROWS = 250;

let dir: string;
let model: ModelArtifact;
let stored: StoredReference;
let serving: LabelledData;
let names: string[];

/** Seeded stratified split of the row indices into shares (the last part takes the rest). */
function stratifiedParts(y: Uint8Array, shares: number[], seed: number): Int32Array[] {
  const random = seededRandom(seed);
  const parts: number[][] = shares.map(() => []);
  for (const cls of [0, 1]) {
    const rows = [...y.keys()].filter((i) => y[i] === cls);
    for (let i = rows.length - 1; i > 0; i--) {
      const j = random.nextInt(i + 1);
      [rows[i], rows[j]] = [rows[j]!, rows[i]!];
    }
    let from = 0;
    shares.forEach((share, k) => {
      const to = k === shares.length - 1 ? rows.length : from + Math.round(share * rows.length);
      parts[k]!.push(...rows.slice(from, to));
      from = to;
    });
  }
  return parts.map((p) => Int32Array.from(p.sort((a, b) => a - b)));
}

/** `n` rows drawn without replacement from `pool` (seeded), row i with relative weight `weight(i)`. */
function windowRows(pool: LabelledData, n: number, seed: number, weight: (i: number) => number): Int32Array {
  const random = seededRandom(seed);
  // Weighted sampling without replacement (Efraimidis–Spirakis keys).
  const keyed = [...pool.y.keys()].map((i) => ({ i, key: Math.log(1 - random.next()) / weight(i) }));
  keyed.sort((a, b) => b.key - a.key);
  return Int32Array.from(keyed.slice(0, n).map((k) => k.i));
}

const unchanged = () => 1;

function replay(
  weight: (i: number) => number,
  seedBase: number,
  windowSize = WINDOW_ROWS,
  labelled = true,
  reference: StoredReference = stored,
) {
  const cols = names.length;
  return Array.from({ length: WINDOWS }, (_, w) => {
    const rows = takeRows(serving, windowRows(serving, windowSize, seedBase + w, weight));
    const scores = scoreModel(model, rows.x);
    const values = new Float64Array(rows.x.rows * reference.featureIndexes.length);
    for (let r = 0; r < rows.x.rows; r++)
      reference.featureIndexes.forEach((f, c) => (values[r * reference.featureIndexes.length + c] = rows.x.values[r * cols + f]!));
    return servedWindowReport(reference, values, scores, labelled ? Int8Array.from(rows.y) : new Int8Array(rows.y.length).fill(-1), {});
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rareflow-drift-replay-'));
  const yeast = await readYeast3();
  names = yeast.names;
  const [trainRows, testRows, servingRows] = stratifiedParts(yeast.data.y, [0.4, 0.3, 0.3], 11);
  const train = takeRows(yeast.data, trainRows!);
  const test = takeRows(yeast.data, testRows!);
  serving = takeRows(yeast.data, servingRows!);
  const artifacts = new ArtifactStore(join(dir, 'artifacts'));
  const trainRef = await saveDatasetArtifact(artifacts, 'train', { data: train, featureNames: names, labelName: 'label' });
  const testRef = await saveDatasetArtifact(artifacts, 'test', { data: test, featureNames: names, labelName: 'label' });
  const fitted = await fitModelArtifact(train, {
    // The balanced forest at q* = π: the recipe these windows were calibrated on (a fixed model, not the per-dataset choice).
    model: { kind: 'forest', threshold: 'prevalence', ...FOREST_DEFAULTS },
    featureNames: names,
    labelName: 'label',
    labels: { positive: 'positive', negative: 'negative' },
    modelName: 'yeast3',
    seed: 5,
    runId: 'replay',
    datasetSha256: trainRef.sha256,
  });
  model = fitted.artifact;
  const modelRef = await artifacts.putBytes(JSON.stringify(model), 'model', 'json');
  let positives = 0;
  for (const y of yeast.data.y) positives += y;
  const { reference } = await driftCheckActivities({ artifacts }).buildDriftReference({
    model: modelRef,
    train: trainRef,
    test: testRef,
    rawPrior: positives / yeast.data.y.length,
    seed: 3,
  });
  stored = JSON.parse(await readFile(artifacts.pathOf(reference), 'utf8')) as StoredReference;
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('drift check replayed on labelled yeast3 traffic', () => {
  it('raises no drift in 100 windows of unchanged, fully labelled traffic', () => {
    const reports = replay(unchanged, 1000);
    const drifted = reports.filter((r) => r.drifted);
    const kinds = new Set(drifted.flatMap((r) => r.reasons.map((m) => m.replace(/ [0-9(].*$/, ''))));
    if (drifted.length > 0) console.log(`drifted windows: ${drifted.length}/${WINDOWS}; findings: ${[...kinds].join('; ')}`);
    expect(reports.every((r) => r.labelled === WINDOW_ROWS)).toBe(true);
    expect(drifted.length).toBe(0);
  });

  it('raises none either when the estimate is compared with the measured validation values (a reference without its own estimate): labels overrule it', () => {
    const { estimatedPerformance: _, ...legacy } = stored.reference;
    const reports = replay(unchanged, 1000, WINDOW_ROWS, true, { ...stored, reference: legacy });
    expect(reports.filter((r) => r.drifted)).toHaveLength(0);
    // The label-free estimate is still computed and reported where the labels overrule it.
    expect(reports.filter((r) => r.estimatesSetAside.some((m) => m.startsWith('estimated positive precision '))).length).toBeGreaterThan(
      WINDOWS / 2,
    );
  });

  it('raises no drift in the same 100 windows without labels: the estimate is judged against its own level on the validation rows', () => {
    const reports = replay(unchanged, 1000, WINDOW_ROWS, false);
    const drifted = reports.filter((r) => r.drifted);
    const kinds = new Set(drifted.flatMap((r) => r.reasons.map((m) => m.replace(/ [0-9(].*$/, ''))));
    if (drifted.length > 0) console.log(`unlabelled drifted windows: ${drifted.length}/${WINDOWS}; findings: ${[...kinds].join('; ')}`);
    expect(reports.every((r) => r.labelled === 0 && r.estimatedPerformance !== null)).toBe(true);
    expect(drifted.length).toBe(0);
  });

  it('still raises drift when the label prior shifts (the held-out positives over-represented, about twice the rate)', () => {
    const reports = replay((i) => (serving.y[i] === 1 ? 20 : 1), 5000, 200);
    expect(reports.every((r) => r.labelShift!.currentPositiveRate >= 2 * r.labelShift!.referencePositiveRate)).toBe(true);
    expect(
      reports.every((r) => r.drifted && r.labelShift?.drifted === true && r.reasons.some((m) => m.startsWith('label prior shifted'))),
    ).toBe(true);
  });

  it('without labels, the estimate still flags a covariate shift: borderline predicted positives crowding in', () => {
    const scores = scoreModel(model, serving.x);
    const predicted = [...scores].filter((v) => v >= model.threshold).sort((a, b) => a - b);
    const median = predicted[predicted.length >> 1]!;
    const borderline = (i: number) => (scores[i]! >= model.threshold && scores[i]! < median ? 15 : 1);
    // 120-row windows: below the feature tests' minimum, so the label-free estimate is what must see the shift.
    const reports = replay(borderline, 9000, 120, false);
    const flagged = reports.filter((r) => r.drifted && r.reasons.some((m) => m.startsWith('estimated ')));
    expect(flagged.length).toBeGreaterThanOrEqual(WINDOWS * 0.9);
  });
});
