// The HTML run report in a real headless Chromium: `rareflow evaluate --report` writes it, the browser renders it
// with no network, and the screenshot must show the charts (many distinct colours, a sizeable non-white area).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cliProcess.js';
import { decodePng } from '../support/pngPixels.js';

const browser = ['chromium', 'chromium-browser', 'google-chrome'].find((n) => spawnSync('which', [n]).status === 0);
const dir = mkdtempSync(join(tmpdir(), 'rareflow-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the HTML run report', () => {
  it.runIf(browser !== undefined)('renders its charts in headless Chromium', async () => {
    const yeast = join(process.cwd(), 'test/fixtures/yeast3.csv');
    expect((await runCli(['fit', '--input', yeast, '--label', 'label', '--out', 'm.json'], { cwd: dir })).code).toBe(0);
    const e = await runCli(['evaluate', '--model', 'm.json', '--input', yeast, '--label', 'label', '--report', 'report'], { cwd: dir });
    expect(e.code, e.stderr).toBe(0);
    const html = readFileSync(join(dir, 'report', 'report.html'), 'utf8');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    const shot = join(dir, 'report.png');
    const r = spawnSync(
      browser!,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--hide-scrollbars',
        `--screenshot=${shot}`,
        '--window-size=1280,2200',
        `file://${join(dir, 'report', 'report.html')}`,
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const png = decodePng(readFileSync(shot));
    expect(png.width).toBe(1280);
    let nonWhite = 0;
    const colours = new Set<number>();
    for (let i = 0; i < png.width * png.height; i++) {
      const o = i * png.channels;
      const [red, green, blue] = [png.data[o]!, png.data[o + 1]!, png.data[o + 2]!];
      if (red < 245 || green < 245 || blue < 245) nonWhite++;
      colours.add((red << 16) | (green << 8) | blue);
    }
    // Text alone gives a few percent of dark pixels and greys; charts add filled areas and their colours.
    expect(nonWhite / (png.width * png.height)).toBeGreaterThan(0.05);
    expect(colours.size).toBeGreaterThan(50);
  });
});
