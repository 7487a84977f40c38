// The drift report of real monitor windows: a serving log and a stored reference on disk (test/support/
// driftWindowFixture.ts), gathered as `rareflow monitor report` gathers them, and the refusals that name what exists.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OTHER_CATEGORY_BIN } from '../../core/drift/categoricalDrift.js';
import { InvalidInputError } from '../../core/invalidInputError.js';
import { renderDriftReport } from '../../core/report/driftReportPage.js';
import { ArtifactStore } from '../../data/artifactStore.js';
import { checkServedWindow, loadStoredReference } from '../../stages/driftWindow.js';
import { monitorWindowReport, type MonitorReportRequest } from '../../stages/monitorWindowReport.js';
import { DRIFTED, FIXTURE_MODEL, FIXTURE_SHA, STEADY, writeDriftFixture, type DriftFixture } from '../support/driftWindowFixture.js';
import { monitorWindowId, recordMonitorWindow } from '../../data/monitorWindows.js';
import { ServingLog } from '../../data/servingLog.js';

let home: string;
let fixture: DriftFixture;
const request = (extra: Partial<MonitorReportRequest> = {}): MonitorReportRequest => ({
  artifacts: new ArtifactStore(fixture.artifactRoot),
  servingDir: fixture.servingDir,
  modelName: FIXTURE_MODEL,
  ...extra,
});

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'rareflow-drift-window-'));
  fixture = await writeDriftFixture(home);
});
afterAll(() => rm(home, { recursive: true, force: true }));

describe('the drift report of a monitor window', () => {
  it('reports the latest window: the shifted numeric feature and the categorical one with its unseen category', async () => {
    const r = await monitorWindowReport(request());
    expect(r.window).toMatchObject({ fromMs: DRIFTED.fromMs, toMs: DRIFTED.toMs, id: `${DRIFTED.fromMs}-${DRIFTED.toMs}` });
    expect(r.source).toBe('window');
    expect(r.report.rows).toBe(1500);
    expect(r.report.labelled).toBe(750);
    expect(r.report.drifted).toBe(true);
    const [amount, age] = r.report.features;
    expect(amount).toMatchObject({ name: 'amount', drifted: true });
    expect(age).toMatchObject({ name: 'age', drifted: false });
    expect(amount!.histogram!.current).toHaveLength(amount!.histogram!.edges.length + 1);
    const [channel] = r.report.categoricalFeatures;
    expect(channel).toMatchObject({ name: 'channel', drifted: true });
    expect(channel!.unseen[0]!.category).toBe('kiosk');
    expect(channel!.histogram!.categories).toEqual(['web', 'app', 'shop', OTHER_CATEGORY_BIN]);
    // The unseen channel takes about a fifth of the window and none of the reference.
    expect(channel!.histogram!.reference[3]).toBe(0);
    expect(channel!.histogram!.current[3]).toBeGreaterThan(0.15);
    expect(r.report.reasons.some((x) => x.startsWith('categorical feature "channel" shifted'))).toBe(true);
    expect(r.scoreReference.threshold).toBe(0.5);
  });

  it('reports a given window as the monitor judged it, and the page names each feature and the verdict', async () => {
    const r = await monitorWindowReport(request({ window: `${STEADY.fromMs}-${STEADY.toMs}` }));
    expect(r.report.features.every((f) => !f.drifted)).toBe(true);
    expect(r.report.categoricalFeatures.every((f) => !f.drifted)).toBe(true);
    const html = renderDriftReport({
      title: 'steady',
      report: r.report,
      scoreReference: r.scoreReference,
      thresholds: r.options,
    });
    for (const name of ['amount', 'age', 'channel']) expect(html).toContain(`<td>${name}</td>`);
    expect(html).toContain('Label prior');
  });

  it('refuses an unknown model, a malformed or empty window and an event without a registry, naming what exists', async () => {
    const fails = async (extra: Partial<MonitorReportRequest>, message: RegExp) => {
      const run = monitorWindowReport(request(extra));
      await expect(run).rejects.toThrow(InvalidInputError);
      await expect(run).rejects.toThrow(message);
    };
    await fails({ modelName: 'nobody' }, /^--model: no model "nobody" has a serving log under .*; models there: card-fraud$/);
    await fails({ window: 'yesterday' }, /^--window: expected a window id FROM_MS-TO_MS .*got "yesterday"$/);
    await fails(
      { window: '1000-2000' },
      new RegExp(
        `^window 1000-2000 of model card-fraud: no champion rows were served in it; recorded windows: ${STEADY.fromMs}-${STEADY.toMs}, ${DRIFTED.fromMs}-${DRIFTED.toMs}$`,
      ),
    );
    await fails({ window: '1000-2000', event: '2026-01-01T00:00:00Z' }, /^--window and --event: expected one of them/);
    await fails(
      { event: '2026-01-01T00:00:00Z', driftEvents: async () => [] },
      /^--event: model card-fraud has no drift event at "2026-01-01T00:00:00Z"; its drift events: none$/,
    );
  });

  it('says the windows recorded were not checked (no traffic), not that none exists, when no window has a check', async () => {
    const quiet = 'quiet-model';
    const log = await ServingLog.open({ servingDir: fixture.servingDir, modelName: quiet, flushMs: 60_000 });
    await log.close();
    await recordMonitorWindow(fixture.servingDir, quiet, {
      id: monitorWindowId(1000, 2000),
      fromMs: 1000,
      toMs: 2000,
      championSha256: FIXTURE_SHA,
      status: 'no-traffic',
      rows: 0,
      labelled: 0,
      drifted: false,
      options: {},
    });
    await expect(monitorWindowReport(request({ modelName: quiet }))).rejects.toThrow(
      `model ${quiet} has no monitor window with a drift check yet: the windows recorded were not checked (1000-2000: no-traffic); a report needs a window that served enough requests to check, or give --window FROM_MS-TO_MS to read one anyway`,
    );
  });

  it('shows a recorded window as the monitor judged it, not with rows flushed after its check', async () => {
    const late = 'late-model';
    const window = { fromMs: 1_700_100_000_000, toMs: 1_700_100_600_000 };
    const logRows = async (prefix: string, rows: number) => {
      const log = await ServingLog.open({ servingDir: fixture.servingDir, modelName: late, flushMs: 60_000 });
      for (let i = 0; i < rows; i++) {
        const ts = window.fromMs + Math.floor(((window.toMs - window.fromMs) * i) / rows);
        const amount = (i % 13) / 4 - 1.5;
        log.logPrediction(
          `${prefix}${i}`,
          ts,
          'champion',
          FIXTURE_SHA,
          0.2,
          false,
          'ok',
          900,
          JSON.stringify({ amount, age: 0, channel: 'web' }),
        );
      }
      await log.close();
    };
    await logRows('a', 400);
    // The monitor's check: its report stored with the window's record.
    const artifacts = new ArtifactStore(fixture.artifactRoot);
    const lookup = await loadStoredReference(artifacts, FIXTURE_SHA);
    if (lookup.status !== 'found') throw new Error(lookup.status);
    const check = { stored: lookup.stored, servingDir: fixture.servingDir, modelName: late, ...window, modelSha256: FIXTURE_SHA };
    const judged = (await checkServedWindow(check)).report!;
    await recordMonitorWindow(fixture.servingDir, late, {
      id: monitorWindowId(window.fromMs, window.toMs),
      ...window,
      championSha256: FIXTURE_SHA,
      status: 'checked',
      rows: judged.rows,
      labelled: judged.labelled,
      drifted: judged.drifted,
      options: {},
      report: await artifacts.putBytes(JSON.stringify(judged), 'drift-report', 'json'),
    });
    // Rows of the window written after the check (a late flush).
    await logRows('b', 300);
    const r = await monitorWindowReport(request({ modelName: late }));
    expect(r.judged).toBe('as the monitor checked it');
    expect(r.report).toEqual(judged);
    expect(r.report.rows).toBe(400);
    // A range with no record is read from the log as it is now.
    const now = await monitorWindowReport(request({ modelName: late, window: `${window.fromMs}-${window.toMs + 1}` }));
    expect(now.judged).toBe('from the serving log as it is now');
    expect(now.report.rows).toBe(700);
  });

  it('names the champions of a span it leaves out, when two served it', async () => {
    const model = 'two-champions';
    const window = { fromMs: 1_700_200_000_000, toMs: 1_700_200_600_000 };
    const other = 'b'.repeat(64);
    const log = await ServingLog.open({ servingDir: fixture.servingDir, modelName: model, flushMs: 60_000 });
    for (let i = 0; i < 500; i++) {
      const ts = window.fromMs + i * 1000;
      const sha256 = i < 380 ? FIXTURE_SHA : other;
      log.logPrediction(
        `t${i}`,
        ts,
        'champion',
        sha256,
        0.2,
        false,
        'ok',
        900,
        JSON.stringify({ amount: (i % 7) / 3, age: 0, channel: 'web' }),
      );
    }
    await log.close();
    const r = await monitorWindowReport(request({ modelName: model, window: `${window.fromMs}-${window.toMs}` }));
    expect(r.championSha256).toBe(FIXTURE_SHA);
    expect(r.report.rows).toBe(380);
    expect(r.otherChampions).toEqual([{ sha256: other, rows: 120 }]);
  });
});
