// Screenshots of a page in the headless Chromium the tests use, and how much of a screenshot is drawn: reports and
// pages must show their charts, not only text.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { decodePng } from './pngPixels.js';

/** The first Chromium-like browser on PATH, or undefined (the browser tests are then skipped). */
export const headlessBrowser = ['chromium', 'chromium-browser', 'google-chrome'].find((n) => spawnSync('which', [n]).status === 0);

/** Renders `url` at 1280 × `height` into the PNG file `shot`; the browser's exit status and stderr. */
export function screenshot(url: string, shot: string, height: number): { status: number | null; stderr: string } {
  const run = spawnSync(
    headlessBrowser!,
    ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', `--screenshot=${shot}`, `--window-size=1280,${height}`, url],
    { encoding: 'utf8', timeout: 120_000 },
  );
  return { status: run.status, stderr: run.stderr };
}

/** Width, the share of pixels that are not white, and the number of distinct colours of a PNG screenshot. */
export function drawnShare(shot: string): { width: number; nonWhiteShare: number; colours: number } {
  const png = decodePng(readFileSync(shot));
  let nonWhite = 0;
  const colours = new Set<number>();
  for (let i = 0; i < png.width * png.height; i++) {
    const o = i * png.channels;
    const [red, green, blue] = [png.data[o]!, png.data[o + 1]!, png.data[o + 2]!];
    if (red < 245 || green < 245 || blue < 245) nonWhite++;
    colours.add((red << 16) | (green << 8) | blue);
  }
  return { width: png.width, nonWhiteShare: nonWhite / (png.width * png.height), colours: colours.size };
}
