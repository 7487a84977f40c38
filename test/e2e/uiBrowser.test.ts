// `rareflow ui` over a filled registry: every page and every link on it answers 200 (no 404), values are escaped,
// unknown models and runs get a 404 page naming what exists, reports are served only from the allowed directories,
// and in headless Chromium every page renders with no console message. Screenshots go to
// .rareflow/test-output/ui/; with RAREFLOW_UI_DOCS=1 the README's docs/ui-*.png are written too.

import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUiServer, type UiServer } from '../../infra/ui/uiServer.js';
import { fillRegistry, WAITING_RUN } from '../support/filledRegistry.js';
import { decodePng } from '../support/pngPixels.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-ui-'));
const registryPath = join(dir, 'registry.duckdb');
const artifactRoot = join(dir, 'artifacts');
const shots = join(process.cwd(), '.rareflow', 'test-output', 'ui');
let ui: UiServer;

beforeAll(async () => {
  await fillRegistry(registryPath, artifactRoot);
  ui = await startUiServer({ registryPath, artifactRoot, reportRoots: [artifactRoot, dir], port: 0 });
});
afterAll(async () => {
  await ui?.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = async (path: string, base = ui.url) => {
  const res = await fetch(new URL(path, base));
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
};

function hrefsOf(body: string): string[] {
  return [...body.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
}

describe('rareflow ui pages', () => {
  it('answers every page and every link it shows with 200, never a 404', async () => {
    const seen = new Set<string>();
    const queue = ['/', '/runs', '/approvals'];
    while (queue.length > 0) {
      const path = queue.shift()!;
      if (seen.has(path)) continue;
      seen.add(path);
      const page = await get(path);
      expect(page.status, `${path} answered ${page.status}`).toBe(200);
      expect(page.type).toMatch(/^text\/html/);
      for (const h of hrefsOf(page.body)) {
        const url = new URL(h, ui.url);
        expect(url.origin, `${path} links outside the UI: ${h}`).toBe(new URL(ui.url).origin);
        queue.push(url.pathname + url.search);
      }
    }
    for (const expected of [
      '/models/card-fraud',
      '/models/churn',
      '/runs/run-1',
      '/runs/run-2',
      '/runs/run-3',
      `/runs/${WAITING_RUN}`,
      '/runs?model=card-fraud',
      '/reports/run-1',
      `/reports/${WAITING_RUN}`,
    ])
      expect(seen, expected).toContain(expected);
  });

  it('shows versions, aliases, canary windows, drift and the approve/reject commands', async () => {
    const model = (await get('/models/card-fraud')).body;
    expect(model).toContain('card-fraud/3');
    expect(model).toContain('positive recall fell 0.12 below the champion');
    expect(model).toContain('recall of positive held at weight 0.25');
    expect(model).toContain('140 labelled · recall+ 0.800 · recall− 0.950');
    expect(model).toContain('psi 0.31 on amount');
    expect(model).toMatch(/<svg[^>]*aria-label="drift and promotion timeline"/);
    const approvals = (await get('/approvals')).body;
    expect(approvals).toContain(`rareflow approve --model churn --run ${WAITING_RUN}`);
    expect(approvals).toContain(`rareflow reject --model churn --run ${WAITING_RUN} --why`);
    expect(approvals).toContain(`href="/reports/${WAITING_RUN}"`);
    expect((await get('/reports/run-1')).body).toContain('<h1>run run-1</h1>');
  });

  it("shows when each stage of a run ran, with a bar on the run's time axis", async () => {
    const run = (await get('/runs/run-2')).body;
    const section = run.slice(run.indexOf('<h2>Stage timings</h2>'), run.indexOf('<h2>Metrics per class'));
    expect(section).toContain('<td>adaptive sampling</td>');
    expect(section).toContain('<td>38 min 27 s</td>');
    const bars = [...section.matchAll(/aria-label="stage bar"[\s\S]*?<rect x="([\d.]+)" y="0" width="([\d.]+)"/g)].map((m) => [
      Number(m[1]),
      Number(m[2]),
    ]);
    expect(bars).toHaveLength(6);
    // The canary took most of the run: its bar starts near the left and spans nearly the whole axis.
    expect(bars[5]![1]).toBeGreaterThan(230);
    expect(bars[0]![0]).toBe(0);
    for (let i = 1; i < bars.length; i++) expect(bars[i]![0]).toBeGreaterThanOrEqual(bars[i - 1]![0]);
    expect((await get(`/runs/${WAITING_RUN}`)).body).toContain('none yet: recorded when the run finishes');
  });

  it('escapes every recorded value', async () => {
    const runs = (await get('/runs')).body;
    expect(runs).toContain('nightly &lt;retrain&gt; &amp; check');
    expect(runs).not.toContain('<retrain>');
  });

  it('answers an unknown model, run or page with a 404 page naming what exists', async () => {
    const model = await get('/models/no-such-model');
    expect(model.status).toBe(404);
    expect(model.body).toContain('No model named <code>no-such-model</code>');
    expect(model.body).toContain('href="/models/card-fraud"');
    expect(model.body).toContain('href="/models/churn"');
    expect((await get('/runs?model=no-such-model')).status).toBe(404);
    const run = await get('/runs/no-such-run');
    expect(run.status).toBe(404);
    expect(run.body).toContain(`href="/runs/${WAITING_RUN}"`);
    expect((await get('/nothing/here')).status).toBe(404);
    expect((await get('/reports/no-such-run')).status).toBe(404);
    expect((await fetch(new URL('/', ui.url), { method: 'POST' })).status).toBe(405);
  });

  it('says there is no registry yet, without creating one, and refuses a malformed address', async () => {
    const missing = join(dir, 'none', 'registry.duckdb');
    const empty = await startUiServer({ registryPath: missing, artifactRoot, reportRoots: [], port: 0 });
    try {
      const r = await get('/', empty.url);
      expect(r.status).toBe(503);
      expect(r.body).toContain('no registry at');
      expect(existsSync(missing)).toBe(false);
    } finally {
      await empty.close();
    }
    expect((await get('/models/%E0%A4%A')).status).toBe(400);
  });

  it('serves a run report only from inside the artifact and state directories', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'rareflow-ui-other-'));
    const strict = await startUiServer({ registryPath, artifactRoot, reportRoots: [elsewhere], port: 0 });
    try {
      expect((await get('/reports/run-1', strict.url)).status).toBe(404);
      const run = await get('/runs/run-1', strict.url);
      expect(run.status).toBe(200);
      expect(run.body).not.toContain('href="/reports/');
    } finally {
      await strict.close();
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('says a port in use is taken, naming the flag', async () => {
    await expect(startUiServer({ registryPath, artifactRoot, reportRoots: [], port: ui.port })).rejects.toThrow(
      `--port: port ${ui.port} on 127.0.0.1 is in use`,
    );
  });
});

const browser = ['chromium', 'chromium-browser', 'google-chrome'].find((n) => spawnSync('which', [n]).status === 0);

/** Chromium's console lines (`INFO:CONSOLE`) while it loads `url` and screenshots it to `png`. */
function screenshot(url: string, png: string, height = 1400): Promise<{ status: number | null; console: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      browser!,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--hide-scrollbars',
        '--enable-logging=stderr',
        '--v=0',
        `--screenshot=${png}`,
        `--window-size=1280,${height}`,
        url,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, console: stderr.split('\n').filter((l) => l.includes(':CONSOLE')) });
    });
  });
}

describe('rareflow ui in headless Chromium', () => {
  it.runIf(browser !== undefined)('notices a console message (the check below can fail)', async () => {
    mkdirSync(shots, { recursive: true });
    const r = await screenshot('data:text/html,<script>console.error("ui-test-probe")</script>', join(shots, 'probe.png'), 200);
    expect(r.console.join('\n')).toContain('ui-test-probe');
  });

  it.runIf(browser !== undefined)('renders every page with no console message and saves screenshots', async () => {
    mkdirSync(shots, { recursive: true });
    const pages: Array<[string, string, number]> = [
      ['/', 'models', 400],
      ['/models/card-fraud', 'model', 1500],
      ['/runs', 'runs', 500],
      ['/runs/run-2', 'run', 1600],
      ['/approvals', 'approval', 860],
      ['/models/no-such-model', 'model-not-found', 300],
    ];
    for (const [path, name, height] of pages) {
      const png = join(shots, `${name}.png`);
      const r = await screenshot(new URL(path, ui.url).href, png, height);
      expect(r.status, `${path}: chromium exited ${r.status}`).toBe(0);
      expect(r.console, `${path} logged to the console`).toEqual([]);
      const image = decodePng(readFileSync(png));
      expect(image.width).toBe(1280);
    }
    if (process.env.RAREFLOW_UI_DOCS === '1') {
      const docs = join(process.cwd(), 'docs');
      mkdirSync(docs, { recursive: true });
      for (const name of ['models', 'run', 'approval']) copyFileSync(join(shots, `${name}.png`), join(docs, `ui-${name}.png`));
    }
  });
});
