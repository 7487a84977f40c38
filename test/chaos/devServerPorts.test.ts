// The embedded Temporal dev server and ports held by other programs: a busy default Web UI port (the Temporal port
// + 1000) moves the UI to a free port instead of failing the start, and a port the user asked for that is in use is
// refused at once with its number, not started again.

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../infra/rareflowConfig.js';
import { freePort, startDevServer } from '../../infra/temporalServer.js';

let dir: string;
const held: Server[] = [];

/** A port held open on loopback by this test, as another program would. */
async function holdPort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port + 1000 > 65535) continue;
    const srv = createServer();
    const ok = await new Promise<boolean>((done) => {
      srv.once('error', () => done(false));
      srv.listen(port + 1000, '127.0.0.1', () => done(true));
    });
    if (ok) {
      held.push(srv);
      return port;
    }
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-dev-ports-'));
});

afterAll(async () => {
  for (const srv of held) await new Promise((r) => srv.close(r));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the embedded Temporal server and busy ports', () => {
  it('puts the Web UI on a free port when the Temporal port + 1000 is taken, and says so', async () => {
    const port = await holdPort();
    const said: string[] = [];
    const server = await startDevServer({ stateDir: join(dir, 'moved'), toolRoot: packageRoot(), port, log: (l) => said.push(l) });
    try {
      expect(server.owned).toBe(true);
      const uiPort = Number(new URL(server.target.uiAddress!).port);
      expect(uiPort).not.toBe(port + 1000);
      expect(said.join('\n')).toContain(`port ${port + 1000} is in use, so the Temporal Web UI is on port ${uiPort}`);
      const page = await fetch(server.target.uiAddress!);
      expect(page.status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it('refuses a Web UI port asked for that another program holds, naming it, without starting again', async () => {
    const port = await holdPort();
    const said: string[] = [];
    const start = startDevServer({
      stateDir: join(dir, 'asked'),
      toolRoot: packageRoot(),
      port,
      uiPort: port + 1000,
      log: (l) => said.push(l),
    });
    await expect(start).rejects.toThrow(`the Web UI port ${port + 1000} is in use by another program`);
    expect(said.filter((l) => l.startsWith('starting the Temporal dev server'))).toHaveLength(1);
  });
});
