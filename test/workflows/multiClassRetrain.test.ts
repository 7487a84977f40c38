// retrainPipeline on a label of three classes, on a real Temporal dev server: the run promotes a multi-class
// champion whose drift reference carries the class reference, a served window whose class prior moved raises class
// drift, and a two-class-only setting is refused by its spec key before anything is written.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePipelineSpec } from '../../client/pipelineSpec.js';
import { parseModelArtifact } from '../../core/models/modelArtifact.js';
import { seededRandom } from '../../core/random.js';
import { ArtifactStore } from '../../data/artifactStore.js';
import { ServingLog } from '../../data/servingLog.js';
import { driftCheckActivities } from '../../activities/driftCheck.js';
import { labelValuesInOrder } from '../../client/fitInputColumns.js';
import { formatModelDetail, formatRunDetail } from '../../client/registryTables.js';
import { renderDriftReport } from '../../core/report/driftReportPage.js';
import { modelPage } from '../../infra/ui/modelPages.js';
import { checkServedWindow, loadStoredReference, type StoredReference } from '../../stages/driftWindow.js';
import { monitorWindowReport } from '../../stages/monitorWindowReport.js';
import { FailureType, WORKFLOWS_TASK_QUEUE } from '../../workflows/contract.js';
import {
  createTestWorkers,
  runRetrainPipeline,
  startTemporalTestEnv,
  withTestWorkers,
  type TemporalTestEnv,
} from '../support/temporalServer.js';
import { CLASSES, classOf, PRIOR, rowOf, writeThreeClassCsv } from '../support/threeClassRows.js';
import { recordWorkflowHistories } from '../support/workflowHistories.js';

let env: TemporalTestEnv;
let inputPath: string;
/** The champion the first test promotes, and its stored drift reference. */
let champion: { sha256: string; stored: StoredReference } | undefined;

beforeAll(async () => {
  env = await startTemporalTestEnv();
  inputPath = join(env.dir, 'animals.csv');
  writeThreeClassCsv(inputPath, { rows: 4000, seed: 7 });
});

afterAll(async () => {
  await env?.close();
});

/** A served window of 1500 labelled rows from `startMs` on, class shares `prior`, predicted right 90% of the time. */
async function writeWindow(modelName: string, sha256: string, prior: number[], seed: number, startMs: number): Promise<void> {
  const random = seededRandom(seed);
  const log = await ServingLog.open({ servingDir: env.servingDir, modelName, flushMs: 60_000 });
  for (let i = 0; i < 1500; i++) {
    const c = classOf(random.next(), prior);
    const predicted = random.next() < 0.9 ? c : (c + 1) % 3;
    const [f1, f2, f3] = rowOf(c, random);
    log.logPrediction(
      `r${seed}-${i}`,
      startMs + i,
      'champion',
      sha256,
      0.8,
      predicted === 0,
      'ok',
      900,
      JSON.stringify({ f1, f2, f3 }),
      CLASSES[predicted]!,
    );
    log.logFeedback(`r${seed}-${i}`, startMs + 4000 + i, CLASSES[c]!, c === 0);
  }
  await log.close();
}

describe('retrainPipeline on a three-class label', () => {
  it('promotes a multi-class champion with a class drift reference, and a window like the input shows no class drift', async () => {
    const spec = resolvePipelineSpec(
      {
        modelName: 'wf-animals',
        input: { paths: [inputPath], label: 'kind' },
        model: { kind: 'logreg', threshold: 'prevalence' },
        gates: {
          minPositiveSupport: 10,
          gates: [
            { metric: 'recall', class: 'positive', min: 0.5 },
            { metric: 'gMean', min: 0.6 },
          ],
        },
        seed: 3,
      },
      'test spec',
    );
    const { result, recorded, runs, detail, runDetail } = await withTestWorkers(env, async (c, registry) => {
      const result = await runRetrainPipeline(c, spec, 'wf-animals-1');
      // The multi-class run and its sampling child guard the workflow code in the replay test.
      await recordWorkflowHistories(env.client, (type) => type === 'retrainPipeline' || type === 'adaptiveSampling');
      return {
        result,
        recorded: await registry.model(result.modelSha256),
        runs: await registry.listRuns('wf-animals'),
        detail: await registry.modelDetail('wf-animals'),
        runDetail: await registry.runDetail(result.runId),
      };
    });
    // `models show`, `runs show` and the UI's model page read the multi-class run like any other.
    expect(formatModelDetail(detail!)).toContain('wf-animals');
    expect(runDetail!.models[0]!.perClass.map((c) => c.cls).sort()).toEqual(CLASSES);
    expect(runDetail!.models[0]!.overall.gMean).toBeCloseTo(result.validation.gMean!, 10);
    expect(formatRunDetail(runDetail!)).toContain('eel');
    expect(String(modelPage(detail!, []))).toContain('wf-animals');
    expect(result.outcome, result.reason).toBe('promoted');
    expect(result.validation.classes?.map((c) => c.class)).toEqual(CLASSES);
    expect(result.validation.classes?.every((c) => c.recall! >= 0.5)).toBe(true);
    expect(result.stages[0]!.note).toContain('multi-class: every row of eel');
    expect(result.stages[1]!.note).toContain('stratified by class');
    expect(runs.map((r) => r.outcome)).toEqual(['promoted']);
    const path = fileURLToPath(recorded!.uri);
    const model = parseModelArtifact(JSON.parse(await readFile(path, 'utf8')), path);
    expect(model.multiClass?.classes).toEqual(CLASSES);
    expect(model.multiClass?.models).toHaveLength(3);
    expect(model.multiClass?.thresholds).toHaveLength(3);

    const lookup = await loadStoredReference(new ArtifactStore(env.artifactRoot), result.modelSha256);
    expect(lookup.status).toBe('found');
    const stored = lookup.status === 'found' ? lookup.stored : undefined;
    expect(stored!.reference.classes?.classes).toEqual(CLASSES);
    // The prior is the input's as collected (the sample kept every eel row), so it sits near 3% for eel.
    expect(stored!.reference.classes!.prior[2]).toBeGreaterThan(0.015);
    expect(stored!.reference.classes!.prior[2]).toBeLessThan(0.05);
    expect(stored!.reference.classes!.recall.every((r) => r > 0.5)).toBe(true);
    champion = { sha256: result.modelSha256, stored: stored! };

    const check = (fromMs: number, toMs: number) =>
      checkServedWindow({
        stored: stored!,
        servingDir: env.servingDir,
        modelName: 'wf-animals',
        fromMs,
        toMs,
        modelSha256: result.modelSha256,
      });
    await writeWindow('wf-animals', result.modelSha256, PRIOR, 11, 1000);
    const steady = (await check(0, 10_000)).report!;
    expect(steady.classDrift!.labelPrior!.drifted, steady.classDrift!.reasons.join('; ')).toBe(false);
  });

  it('compares a second retrain (auto, chosen by macro G-mean) with the champion on macro G-mean', async () => {
    expect(champion).toBeDefined();
    const spec = resolvePipelineSpec(
      {
        modelName: 'wf-animals',
        input: { paths: [inputPath], label: 'kind' },
        model: { budgetSeconds: 10, trees: 20 },
        gates: {
          minPositiveSupport: 10,
          gates: [
            { metric: 'recall', class: 'positive', min: 0.5 },
            { metric: 'gMean', maxDropVsChampion: 0.5 },
          ],
        },
        seed: 4,
      },
      'test spec',
    );
    expect(spec.model.kind).toBe('auto');
    const result = await withTestWorkers(env, (c) => runRetrainPipeline(c, spec, 'wf-animals-2'));
    expect(result.outcome, result.reason).toBe('promoted');
    expect(result.validation.champion?.modelSha256).toBe(champion!.sha256);
    expect(result.validation.champion?.gMean).toBeGreaterThan(0.5);
    expect(result.stages.find((st) => st.stage === 'trainModel')!.note).toMatch(
      /^one-vs-rest over 3 classes \(auto chose \S+ by macro G-mean\)/,
    );
    const lookup = await loadStoredReference(new ArtifactStore(env.artifactRoot), result.modelSha256);
    expect(lookup.status === 'found' ? lookup.stored.reference.classes?.classes : undefined).toEqual(CLASSES);
    champion = { sha256: result.modelSha256, stored: lookup.status === 'found' ? lookup.stored : champion!.stored };
  }, 120_000);

  it('rejects a retrain on rows without the rarest class: the new model could never predict it', async () => {
    expect(champion).toBeDefined();
    // A window where no eel turned up: two classes left, so the retrain trains a two-class model that passes its
    // own gates on a test split without eel. It must not replace the champion that predicts eel.
    const noEel = join(env.dir, 'no-eel.csv');
    writeThreeClassCsv(noEel, { rows: 3000, seed: 8, prior: [0.4, 0.6, 0] });
    const spec = resolvePipelineSpec(
      {
        modelName: 'wf-animals',
        input: { paths: [noEel], label: 'kind' },
        model: { kind: 'logreg', threshold: 'prevalence' },
        gates: { minPositiveSupport: 10, gates: [{ metric: 'recall', class: 'positive', min: 0.5 }] },
        seed: 5,
      },
      'test spec',
    );
    const { result, detail } = await withTestWorkers(env, async (c, registry) => {
      const result = await runRetrainPipeline(c, spec, 'wf-animals-no-eel');
      return { result, detail: await registry.modelDetail('wf-animals') };
    });
    expect(result.outcome).toBe('rejected-by-gate');
    expect(result.validation.verdict).toBe('fail');
    expect(result.reason).toMatch(/^classes: the champion predicts the class "eel", but this model was trained on rows without that class/);
    expect(detail!.promotions.at(-1)!.toSha256).toBe(champion!.sha256);
  }, 120_000);

  it('the drift check raises class-prior drift on a window whose classes moved, and its report shows it', async () => {
    expect(champion).toBeDefined();
    const { sha256 } = champion!;
    await writeWindow('wf-animals', sha256, [0.3, 0.3, 0.4], 12, 21_000);
    const artifacts = new ArtifactStore(env.artifactRoot);
    const activities = driftCheckActivities({ artifacts, servingDir: env.servingDir });
    const checked = await activities.checkDrift({
      modelName: 'wf-animals',
      fromMs: 20_000,
      toMs: 30_000,
    });
    expect(checked.championSha256).toBe(sha256);
    expect(checked.drifted).toBe(true);
    expect(checked.reasons.some((r) => r.startsWith('label prior shifted over 3 classes'))).toBe(true);
    const gathered = await monitorWindowReport({ artifacts, servingDir: env.servingDir, modelName: 'wf-animals' });
    expect(gathered.report.classDrift!.labelPrior!.drifted).toBe(true);
    const page = renderDriftReport({
      title: 't',
      details: [],
      report: gathered.report,
      scoreReference: gathered.scoreReference,
      thresholds: { fdr: gathered.options.fdr, psiThreshold: gathered.options.psiThreshold, ksThreshold: gathered.options.ksThreshold },
    });
    expect(page).toContain('Classes (multi-class model)');
    // The window a drift-triggered retrain learns from keeps every row's true class.
    const exported = await activities.exportRecentWindow({ modelName: 'wf-animals', fromMs: 20_000, toMs: 30_000 });
    expect(exported.rows).toBe(1500);
    expect((await labelValuesInOrder(exported.path, 'kind')).classes).toEqual(CLASSES);
  });

  it('refuses a two-class-only setting on a three-class label by its spec key, writing nothing to the registry', async () => {
    const spec = resolvePipelineSpec(
      {
        modelName: 'wf-animals-enn',
        input: { paths: [inputPath], label: 'kind' },
        model: { kind: 'logreg', threshold: 'prevalence' },
        denoise: { method: 'enn' },
        seed: 3,
      },
      'test spec',
    );
    const workers = await createTestWorkers(env);
    const { err, before, after } = await workers.run(
      (async () => {
        const before = await workers.registry!.tableRowCounts();
        const err = await env.client.workflow
          .execute('retrainPipeline', {
            workflowId: 'wf-animals-enn-1',
            taskQueue: WORKFLOWS_TASK_QUEUE,
            args: [{ spec, trigger: { kind: 'manual', reason: 'test', coalesced: 1 } }],
          })
          .catch((e: unknown) => e);
        return { err, before, after: await workers.registry!.tableRowCounts() };
      })(),
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    // The describe activity refused the spec: its ApplicationFailure is the activity failure's cause.
    let cause = (err as WorkflowFailedError).cause as Error | undefined;
    while (cause && !(cause instanceof ApplicationFailure)) cause = cause.cause as Error | undefined;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe(FailureType.invalidInput);
    expect((cause as ApplicationFailure).nonRetryable).toBe(true);
    expect(cause!.message).toMatch(
      /^denoise\.method: "enn" cleans two-class training rows, but label column "kind" has 3 classes \(bird, cat, eel\)/,
    );
    expect(after).toEqual(before);
  });
});
