// Labels that arrive later than their predictions (chargebacks, confirmed diagnoses): the first labels of a window
// are a biased few (here: only the positives, confirmed fast), and judging the label prior on them raised drift on
// unchanged traffic. With a label delay, the label tests read the window that long before, whose labels are in;
// the window's own early labels are not read, and `rareflow monitor report` judges the recorded window alike.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driftCheckActivities } from '../../activities/driftCheck.js';
import { scoreModel } from '../../core/models/modelArtifact.js';
import { ArtifactStore } from '../../data/artifactStore.js';
import { listMonitorWindows } from '../../data/monitorWindows.js';
import { ServingLog } from '../../data/servingLog.js';
import { monitorWindowReport } from '../../stages/monitorWindowReport.js';
import { yeast3ServedChampion } from '../support/yeast3Champion.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rareflow-drift-label-delay-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('labels that arrive late', () => {
  it('are judged on the window one label delay earlier, not on the early few of the current window', async () => {
    const { names, artifacts, servingDir, model, artifact, drift, served } = await yeast3ServedChampion(dir, 'label-delay');
    // The test half served twice over, unchanged: rows 0–349 at ts 1000 + i (every label has come in), rows 350–699
    // at ts 3000 + i (only some labels have come in so far).
    const scores = scoreModel(artifact, served.x);
    const log = await ServingLog.open({ servingDir, modelName: 'yeast3', flushMs: 60_000 });
    let earlyLabels = 0;
    for (let i = 0; i < 700; i++) {
      const ts = i < 350 ? 1000 + i : 3000 + (i - 350);
      const features = Object.fromEntries(names.map((n, c) => [n, served.x.values[i * served.x.cols + c]]));
      log.logPrediction(
        `r-${i}`,
        ts,
        'champion',
        model.sha256,
        scores[i]!,
        scores[i]! >= artifact.threshold,
        'ok',
        100,
        JSON.stringify(features),
      );
      const positive = served.y[i] === 1;
      // Early: every positive is confirmed at once, one negative in ten.
      const early = positive || i % 10 === 0;
      if (i < 350 || early) log.logFeedback(`r-${i}`, ts + 1, positive ? 'positive' : 'negative', positive);
      if (i >= 350 && early) earlyLabels += 1;
    }
    await log.close();
    expect(earlyLabels).toBeGreaterThan(50);

    // Without a delay the early labels read as a label prior about five times the training one: drift on unchanged traffic.
    const naive = await drift.checkDrift({ modelName: 'yeast3', fromMs: 3000, toMs: 3350 });
    expect(naive.labelled).toBe(earlyLabels);
    expect(naive.drifted).toBe(true);
    expect(naive.reasons.join('\n')).toMatch(/^label prior shifted: positive rate 0\.\d+ in \d+ labelled rows vs 0\.11 in training/m);

    // With the delay, the label tests read rows 0–349 (labels complete) and the verdict is no drift.
    const delayed = await drift.checkDrift({ modelName: 'yeast3', fromMs: 3000, toMs: 3350, labelDelayMs: 2000 });
    expect(delayed).toMatchObject({ status: 'checked', rows: 350, labelled: 350, drifted: false, reasons: [] });
    const stored = JSON.parse((await artifacts.readVerified(delayed.report!)).toString('utf8')) as {
      labelsFrom: unknown;
      labelShift: { n: number; drifted: boolean };
      performance: unknown;
    };
    expect(stored.labelsFrom).toEqual({ name: 'the window 2s earlier', fromMs: 1000, toMs: 1350 });
    expect(stored.labelShift).toMatchObject({ n: 350, drifted: false });
    expect(stored.performance).not.toBeNull();

    // The recorded window keeps its delay, so the report reads the same earlier rows.
    const records = await listMonitorWindows(servingDir, 'yeast3');
    expect(records.find((r) => r.fromMs === 3000 && r.toMs === 3350 && r.labelDelayMs === 2000)).toBeDefined();
    const page = await monitorWindowReport({ servingDir, artifacts, modelName: 'yeast3', window: '3000-3350' });
    expect(page.report.labelsFrom).toMatchObject({ fromMs: 1000, toMs: 1350 });
    expect(page.report.drifted).toBe(false);

    // An earlier window without traffic: the label tests say they did not run, naming that window.
    const none = await drift.checkDrift({ modelName: 'yeast3', fromMs: 3000, toMs: 3350, labelDelayMs: 1000 });
    expect(none.labelled).toBe(0);
    expect(none.insufficient).toContain('label-prior and measured performance not run: no labelled rows in the window 1s earlier');
  }, 60_000);

  it('refuses a label delay that is not a number of milliseconds ≥ 0', async () => {
    const drift = driftCheckActivities({ artifacts: new ArtifactStore(join(dir, 'store2')), servingDir: join(dir, 'serving2') });
    await expect(drift.checkDrift({ modelName: 'm', fromMs: 0, toMs: 1, labelDelayMs: -5 })).rejects.toThrow(
      'labelDelayMs: expected a number of milliseconds ≥ 0, got -5',
    );
  });
});
