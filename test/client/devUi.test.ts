// The registry browser inside `rareflow dev`: it reads through the registry handle the in-process worker holds, and
// when port 8090 is taken it listens on a free port and says so.

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_UI_PORT, startDevUi } from '../../client/uiCommand.js';
import { Registry } from '../../data/registry.js';
import { fillRegistry } from '../support/filledRegistry.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-dev-ui-'));
let registry: Registry;
let blocker: Server | undefined;

beforeAll(async () => {
  await fillRegistry(join(dir, 'registry.duckdb'));
  registry = await Registry.open(join(dir, 'registry.duckdb'));
  // Take port 8090 ourselves; if another process already has it, it is taken all the same.
  const server = createServer();
  await new Promise<void>((resolve) => {
    server.once('error', () => resolve());
    server.listen(DEFAULT_UI_PORT, '127.0.0.1', () => {
      blocker = server;
      resolve();
    });
  });
});
afterAll(async () => {
  await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
  await registry?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('takes a free port when 8090 is taken, says which, and reads the worker-held registry', async () => {
  const lines: string[] = [];
  const ui = await startDevUi(registry, (l) => lines.push(l));
  try {
    expect(ui.port).not.toBe(DEFAULT_UI_PORT);
    expect(lines).toEqual([`rareflow UI (registry browser) at http://127.0.0.1:${ui.port}/ (port 8090 is taken)`]);
    const res = await fetch(new URL('/models/card-fraud', ui.url));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('card-fraud/3');
  } finally {
    await ui.close();
  }
});
