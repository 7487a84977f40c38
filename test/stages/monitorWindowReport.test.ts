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
});
