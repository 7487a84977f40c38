// The HTML run report in a real headless Chromium: `rareflow evaluate --report` writes it, the browser renders it
// with no network, and the screenshot must show the charts (many distinct colours, a sizeable non-white area).

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cliProcess.js';
import { drawnShare, headlessBrowser, screenshot } from '../support/headlessScreenshot.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the HTML run report', () => {
  it.runIf(headlessBrowser !== undefined)('renders its charts in headless Chromium', async () => {
    const yeast = join(process.cwd(), 'test/fixtures/yeast3.csv');
    expect((await runCli(['fit', '--input', yeast, '--label', 'label', '--out', 'm.json'], { cwd: dir })).code).toBe(0);
    const e = await runCli(['evaluate', '--model', 'm.json', '--input', yeast, '--label', 'label', '--report', 'report'], { cwd: dir });
    expect(e.code, e.stderr).toBe(0);
    const html = readFileSync(join(dir, 'report', 'report.html'), 'utf8');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    const shot = join(dir, 'report.png');
    const r = screenshot(`file://${join(dir, 'report', 'report.html')}`, shot, 2200);
    expect(r.status, r.stderr).toBe(0);
    const drawn = drawnShare(shot);
    expect(drawn.width).toBe(1280);
    // Text alone gives a few percent of dark pixels and greys; charts add filled areas and their colours.
    expect(drawn.nonWhiteShare).toBeGreaterThan(0.05);
    expect(drawn.colours).toBeGreaterThan(50);
  });

  it.runIf(headlessBrowser !== undefined)('renders the report of a multi-class model in headless Chromium', async () => {
    const ecoli = join(process.cwd(), 'test/fixtures/ecoli_multiclass.csv');
    expect((await runCli(['fit', '--input', ecoli, '--label', 'label', '--out', 'mc.json'], { cwd: dir })).code).toBe(0);
    const e = await runCli(['evaluate', '--model', 'mc.json', '--input', ecoli, '--label', 'label', '--report', 'mc-report'], { cwd: dir });
    expect(e.code, e.stderr).toBe(0);
    const shot = join(dir, 'mc-report.png');
    const r = screenshot(`file://${join(dir, 'mc-report', 'report.html')}`, shot, 1600);
    expect(r.status, r.stderr).toBe(0);
    const drawn = drawnShare(shot);
    expect(drawn.width).toBe(1280);
    // Tables of eight classes and the confusion matrix: more than a blank page with a title.
    expect(drawn.nonWhiteShare).toBeGreaterThan(0.02);
  });
});
