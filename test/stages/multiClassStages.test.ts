// The stages of a multi-class retrain on a generated three-class CSV: describe records the classes and refuses
// two-class gates, sampling keeps the rare classes whole, training fits one model per class (auto included), and
// validation judges every class.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { featureMatrix, type LabelledData } from '../../core/dataset.js';
import { parseGateSpec, type GateSpec } from '../../core/gates/gateSpec.js';
import { multiClassReport } from '../../core/metrics/multiClassReport.js';
import { scoreMultiClass } from '../../core/models/modelArtifact.js';
import { seededRandom } from '../../core/random.js';
import { describeStage, type DescribeInputResult } from '../../stages/describe.js';
import { oneVsRest, trainMultiClassStage } from '../../stages/multiClassTrain.js';
import { sampleShardStage } from '../../stages/sample.js';
import { splitStage } from '../../stages/split.js';
import { fitModelArtifact } from '../../stages/train.js';
import { validateStage } from '../../stages/validate.js';
import { failure } from '../support/invalidInputFailure.js';

const CLASSES = ['bird', 'cat', 'eel'];
let dir: string;
let path: string;
let described: DescribeInputResult;
/** Every row of the file, to measure precision at the file's own class mix. */
const file = { values: [] as number[], classes: [] as number[] };

/** 30 000 rows: cat 90%, bird 8%, eel 2%, each class's features around its own mean. */
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-mc-'));
  path = join(dir, 'animals.csv');
  const random = seededRandom(3);
  const lines = ['f1,f2,kind'];
  for (let i = 0; i < 30_000; i++) {
    const u = random.next();
    const c = u < 0.08 ? 0 : u < 0.98 ? 1 : 2;
    const mean = [
      [1.5, 0],
      [0, 0],
      [0, 1.5],
    ][c]!;
    const f = [(mean[0]! + random.next() * 2 - 1).toFixed(4), (mean[1]! + random.next() * 2 - 1).toFixed(4)];
    lines.push(`${f[0]},${f[1]},${CLASSES[c]}`);
    file.values.push(Number(f[0]), Number(f[1]));
    file.classes.push(c);
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  described = await describeStage({
    input: { paths: [path], label: 'kind' },
    sampling: { targetSize: 8000 },
    denoise: { method: 'none' },
    model: { kind: 'logreg', threshold: 'prevalence' },
  });
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('multi-class stages', () => {
  it('describe records the classes and their counts and plans the sampling', () => {
    const plan = described.multiClass!;
    expect(plan.classes).toEqual(CLASSES);
    expect(plan.counts.reduce((a, b) => a + b, 0)).toBe(30_000);
    expect(plan.keptWhole).toEqual(['eel', 'bird']);
    expect(described.positiveTarget).toBe(plan.counts[0]! + plan.counts[2]!);
  });

  it('describe refuses a two-class gate on a three-class label before any sampling', async () => {
    const err = await failure(
      describeStage({
        input: { paths: [path], label: 'kind' },
        sampling: {},
        gates: { gates: [{ metric: 'brier', max: 0.2 }] },
      }),
    );
    expect(err.subject).toBe('gates[0].metric');
    expect(err.message).toMatch(
      /^gates\[0\]\.metric: "brier" is a two-class metric, but label column "kind" has 3 classes \(bird, cat, eel\)/,
    );
  });

  it('a chosen positive keeps the binary path', async () => {
    const binary = await describeStage({ input: { paths: [path], label: 'kind', positive: 'eel' }, sampling: { targetSize: 6000 } });
    expect(binary.multiClass).toBeUndefined();
    expect(binary.positiveLabel).toBe('eel');
    // 30,000 rows under a target of 40,000: the sample keeps every eel row, not only Nr = 50 × 3 parameters.
    const whole = await describeStage({ input: { paths: [path], label: 'kind', positive: 'eel' }, sampling: { targetSize: 40_000 } });
    expect(whole.positiveTarget).toBe(whole.positives);
    expect(whole.positives).toBeGreaterThan(150);
    expect(binary.positiveTarget).toBe(150);
  });

  it('sampling keeps every row of the rare classes and samples only the large one, with class indices as labels', async () => {
    const plan = described.multiClass!;
    const sampled = await sampleShardStage({
      files: described.files,
      label: 'kind',
      positiveLabel: described.positiveLabel,
      positiveValues: plan.positiveClasses,
      classes: plan.classes,
      featureNames: described.featureNames,
      targetSize: described.targetSize,
      positiveTarget: described.positiveTarget,
      shardIndex: 0,
      shardCount: 1,
      seed: 5,
      order: 'sequential',
    });
    const counts = [0, 0, 0];
    for (const c of sampled.data.y) counts[c]!++;
    expect(counts[0]).toBe(plan.counts[0]);
    expect(counts[2]).toBe(plan.counts[2]);
    expect(counts[1]).toBeLessThan(plan.counts[1]! / 5);
    expect(counts[1]).toBeGreaterThan(1000);
    expect(sampled.positives).toBe(plan.counts[0]! + plan.counts[2]!);

    const split = splitStage([{ data: sampled.data }], { split: { train: 0.6, validation: 0.2, test: 0.2 }, seed: 5, classes: CLASSES });
    expect(split.summary.note).toMatch(/^stratified by class: train \d+ \(bird \d+, cat \d+, eel \d+\)/);

    const trained = await trainMultiClassStage({
      train: split.parts.train.data,
      featureNames: described.featureNames,
      labelName: 'kind',
      weightSource: 'the training split',
      model: { kind: 'auto', threshold: 'prevalence', budgetSeconds: 5, trees: 20 },
      labels: { positive: 'eel', negative: 'bird|cat' },
      modelName: 'animals',
      seed: 5,
      runId: 'test',
      datasetSha256: 'a'.repeat(64),
      classes: CLASSES,
    });
    const model = trained.artifact;
    expect(model.multiClass!.classes).toEqual(CLASSES);
    expect(model.multiClass!.models).toHaveLength(3);
    expect(model.selection?.chosen).toBeDefined();
    expect(model.positiveLabel).toBe('bird');

    const validate = (gates: Record<string, unknown>, floor?: number) =>
      validateStage({
        model,
        modelSha256: 'b'.repeat(64),
        test: split.parts.test.data,
        testSha256: 'c'.repeat(64),
        gates: withFloor(parseGateSpec(gates, 'gates.json'), floor),
        stages: [split.summary, trained.summary],
      });
    const passed = validate({ minPositiveSupport: 10, gates: [{ metric: 'recall', class: 'positive', min: 0.5 }] });
    expect(passed.summary.verdict).toBe('pass');
    expect(passed.summary.classes!.map((c) => c.class)).toEqual(CLASSES);
    expect(passed.html).toContain('<th>recall 95% interval</th>');
    // At the data's class shares (cat is 90% of the file, a small part of the sample, so each cat row wrongly
    // predicted as a rare class counts several times), the rare classes' precision is lower; recall is not.
    const atData = validateStage({
      model,
      modelSha256: 'b'.repeat(64),
      test: split.parts.test.data,
      testSha256: 'c'.repeat(64),
      gates: parseGateSpec({ minPositiveSupport: 10, gates: [{ metric: 'recall', class: 'positive', min: 0.5 }] }, 'gates.json'),
      populationClasses: { classes: [...plan.classes].reverse(), counts: [...plan.counts].reverse() },
    });
    expect(atData.html).toContain('at the data&#39;s class shares');
    // Against the model's precision on every row of the file (its own mix): the weighted test split is near it,
    // the sample's mix far above it (0.78 against 0.41 for eel when this was written).
    const onFile = multiClassReport(
      CLASSES,
      file.classes,
      scoreMultiClass(model, featureMatrix(30_000, 2, Float64Array.from(file.values))).predicted,
    );
    for (const c of [0, 2]) {
      const measured = onFile.classes[c]!.precision!;
      expect(Math.abs(atData.summary.classes![c]!.precision! - measured)).toBeLessThan(0.08);
      expect(passed.summary.classes![c]!.precision! - measured).toBeGreaterThan(0.2);
      expect(atData.summary.classes![c]!.recall).toBe(passed.summary.classes![c]!.recall);
    }
    // A floor no class can reach (set past the spec check, which refuses a recall floor above 1): every class fails on its own line.
    const failed = validate({ minPositiveSupport: 10, gates: [{ metric: 'recall', class: 'positive', min: 1 }] }, 1.01);
    expect(failed.summary.verdict).toBe('fail');
    expect(failed.summary.reasons.map((r) => r.split(':')[0])).toEqual([
      'recall[bird] >= 1.01',
      'recall[cat] >= 1.01',
      'recall[eel] >= 1.01',
    ]);

    // A champion that also predicted "fox": this challenger never saw one, so it fails whatever its gates said.
    const withFox = { ...model, multiClass: { ...model.multiClass!, classes: [...CLASSES, 'fox'] } };
    const dropped = validateStage({
      model,
      modelSha256: 'b'.repeat(64),
      test: split.parts.test.data,
      testSha256: 'c'.repeat(64),
      gates: parseGateSpec({ minPositiveSupport: 10, gates: [{ metric: 'recall', class: 'positive', min: 0.5 }] }, 'gates.json'),
      champion: { model: withFox, sha256: 'e'.repeat(64) },
    });
    expect(dropped.summary.verdict).toBe('fail');
    expect(dropped.summary.reasons[0]).toMatch(
      /^classes: the champion predicts the class "fox", but this model was trained on rows without/,
    );
    expect(dropped.html).toContain('the champion predicts the class &quot;fox&quot;');

    // A two-class challenger (input.positive chosen later) is not compared with the multi-class champion.
    const eel = (d: LabelledData) => ({ x: d.x, y: oneVsRest(d.y, 2) });
    const binary = await fitModelArtifact(eel(split.parts.train.data), {
      model: { kind: 'logreg', threshold: 'prevalence' },
      featureNames: described.featureNames,
      labelName: 'kind',
      labels: { positive: 'eel', negative: 'bird|cat' },
      modelName: 'animals',
      seed: 5,
      runId: 'test',
      datasetSha256: 'a'.repeat(64),
    });
    const compared = validateStage({
      model: binary.artifact,
      modelSha256: 'd'.repeat(64),
      test: eel(split.parts.test.data),
      testSha256: 'c'.repeat(64),
      gates: parseGateSpec({ minPositiveSupport: 10, gates: [{ metric: 'gMean', maxDropVsChampion: 0.02 }] }, 'gates.json'),
      champion: { model, sha256: 'b'.repeat(64) },
    });
    expect(compared.report.championNote).toBe('the champion predicts 3 classes, so it cannot be compared with this two-class model');
    expect(compared.summary.champion).toBeUndefined();
    // Its champion gate cannot be judged: the verdict says so instead of passing as if there were no champion.
    expect(compared.summary.verdict).toBe('insufficient-evidence');
  }, 60_000);
});

/** `spec` with its first gate's min set to `floor` (when given), a value the spec check itself would refuse. */
function withFloor(spec: GateSpec, floor: number | undefined): GateSpec {
  return floor === undefined ? spec : { ...spec, gates: [{ ...spec.gates[0]!, min: floor }, ...spec.gates.slice(1)] };
}
