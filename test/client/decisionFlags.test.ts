// A recorded reason that is empty would record nothing: `--why ""` is refused as `--by ""` is, before anything is
// sent to Temporal.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cliProcess.js';

const home = mkdtempSync(join(tmpdir(), 'rareflow-decision-flags-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('decision flags', () => {
  it('refuses an empty --why on canary abort and reject, exit 2, naming the flag', async () => {
    for (const args of [
      ['canary', 'abort', '--model', 'm', '--why', ''],
      ['reject', '--model', 'm', '--run', 'r', '--why', '  '],
    ]) {
      const r = await runCli(args, { cwd: home, env: { RAREFLOW_HOME: home } });
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`rareflow ${args[0]}: --why: expected a reason, got an empty string\n`);
    }
  });
});
