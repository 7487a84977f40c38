// `rareflow monitor report` as a user runs it, on a rareflow home with a serving log, a stored reference, recorded
// windows and a registry drift event: the files it writes, its JSON, the exit code 2 refusals, and the page in
// headless Chromium (screenshot in .rareflow/test-output; RAREFLOW_DOCS_SCREENSHOT=1 also writes docs/drift-report.png).

import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from '../../data/registry.js';
import { runCli } from '../support/cliProcess.js';
import { DRIFTED, FIXTURE_MODEL, STEADY, writeDriftFixture, type DriftFixture } from '../support/driftWindowFixture.js';
import { drawnShare, headlessBrowser, screenshot } from '../support/headlessScreenshot.js';

const EVENT_AT = new Date(DRIFTED.toMs).toISOString();
let home: string;
let fixture: DriftFixture;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'rareflow-monitor-report-'));
  fixture = await writeDriftFixture(home);
  const registry = await Registry.open(fixture.env.RAREFLOW_REGISTRY!);
  try {
    await registry.recordDriftEvent({
      modelName: FIXTURE_MODEL,
      at: EVENT_AT,
      source: 'driftMonitor',
      evidence: { reason: 'feature "amount" shifted', fromMs: DRIFTED.fromMs, toMs: DRIFTED.toMs, metrics: {} },
    });
    await registry.recordDriftEvent({
      modelName: FIXTURE_MODEL,
      at: '2023-11-14T00:00:00.000Z',
      source: 'cli',
      evidence: { reason: 'by hand' },
    });
  } finally {
    await registry.close();
  }
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

const report = (args: string[]) => runCli(['monitor', 'report', ...args], { cwd: home, env: fixture.env });

describe('rareflow monitor report', () => {
  it('writes report.html and report.json for the latest window, a given window and a drift event', async () => {
    const latest = await report(['--model', FIXTURE_MODEL, '--out', 'latest', '--json']);
    expect(latest.code, latest.stderr).toBe(0);
    expect(latest.json()).toMatchObject({
      command: 'monitor report',
      model: FIXTURE_MODEL,
      drifted: true,
      window: { fromMs: DRIFTED.fromMs },
    });
    const saved = JSON.parse(readFileSync(join(home, 'latest', 'report.json'), 'utf8')) as { report: { categoricalFeatures: unknown[] } };
    expect(saved.report.categoricalFeatures).toHaveLength(1);
    const html = readFileSync(join(home, 'latest', 'report.html'), 'utf8');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    expect(html).toContain('Verdict: <b>drift</b>');

    const steady = await report(['--model', FIXTURE_MODEL, '--window', `${STEADY.fromMs}-${STEADY.toMs}`, '--out', 'steady', '--json']);
    expect(steady.code, steady.stderr).toBe(0);
    expect(steady.json()).toMatchObject({ window: { fromMs: STEADY.fromMs, toMs: STEADY.toMs } });

    const event = await report(['--model', FIXTURE_MODEL, '--event', EVENT_AT, '--out', 'event', '--json']);
    expect(event.code, event.stderr).toBe(0);
    expect(event.json()).toMatchObject({ event: { at: EVENT_AT, source: 'driftMonitor' }, window: { fromMs: DRIFTED.fromMs } });
  });

  it('refuses with exit 2 and one line naming what exists, writing nothing', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--model', 'nobody', '--out', 'x'], /--model: no model "nobody" has a serving log under .*; models there: card-fraud/],
      [
        ['--model', FIXTURE_MODEL, '--window', '1000-2000', '--out', 'x'],
        /window 1000-2000 of model card-fraud: no champion rows were served in it; recorded windows: /,
      ],
      [['--model', FIXTURE_MODEL, '--window', 'last', '--out', 'x'], /--window: expected a window id FROM_MS-TO_MS/],
      [
        ['--model', FIXTURE_MODEL, '--event', '2020-01-01T00:00:00Z', '--out', 'x'],
        new RegExp(`its drift events: 2023-11-14T00:00:00.000Z, ${EVENT_AT.replace(/\./g, '\\.')}`),
      ],
      [['--model', FIXTURE_MODEL, '--event', '2023-11-14T00:00:00.000Z', '--out', 'x'], /came from cli, not from a monitor window/],
      [['--model', FIXTURE_MODEL], /--out is required/],
    ];
    for (const [args, message] of cases) {
      const r = await report(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
    expect(existsSync(join(home, 'x'))).toBe(false);
  });

  it.runIf(headlessBrowser !== undefined)('renders in headless Chromium with its charts', async () => {
    const r = await report(['--model', FIXTURE_MODEL, '--out', 'page']);
    expect(r.code, r.stderr).toBe(0);
    const outDir = join(process.cwd(), '.rareflow', 'test-output');
    mkdirSync(outDir, { recursive: true });
    const shot = join(outDir, 'drift-report.png');
    const run = screenshot(`file://${join(home, 'page', 'report.html')}`, shot, 2400);
    expect(run.status, run.stderr).toBe(0);
    const drawn = drawnShare(shot);
    expect(drawn.width).toBe(1280);
    // Text alone gives a few percent of dark pixels; the histograms add filled bars in the two series' colours.
    expect(drawn.nonWhiteShare).toBeGreaterThan(0.05);
    expect(drawn.colours).toBeGreaterThan(50);
    if (process.env.RAREFLOW_DOCS_SCREENSHOT === '1') {
      mkdirSync(join(process.cwd(), 'docs'), { recursive: true });
      copyFileSync(shot, join(process.cwd(), 'docs', 'drift-report.png'));
    }
  });

  it('leaves out a window record cut short, naming it in a warning, and still reports the latest window', async () => {
    const record = join(fixture.servingDir, FIXTURE_MODEL, 'monitor-windows', `${STEADY.fromMs}-${STEADY.toMs}.json`);
    const original = readFileSync(record, 'utf8');
    writeFileSync(record, original.slice(0, 50));
    try {
      const r = await report(['--model', FIXTURE_MODEL, '--out', 'damaged', '--json']);
      expect(r.code, r.stderr).toBe(0);
      const out = r.json<{ window: { fromMs: number }; warnings: string[] }>();
      expect(out.window.fromMs).toBe(DRIFTED.fromMs);
      expect(out.warnings).toEqual([
        expect.stringContaining(
          `1 monitor window record could not be read (cut short) and was left out of the choice of window: ${record}`,
        ),
      ]);
    } finally {
      writeFileSync(record, original);
    }
  });
});
