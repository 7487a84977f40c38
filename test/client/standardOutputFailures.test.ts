// Standard output that cannot be written: a full disk behind `> file` is a failure (exit 3, said on stderr), never
// exit 0 with an empty file (a reader that stopped reading, `| head`, is not a failure: client/standardOutput.ts).

import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../support/cliProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-stdout-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const generate = ['generate', '--rows', '200', '--positive-rate', '0.1', '--features', '2', '--seed', '1', '--out', 'g.csv', '--json'];

describe.runIf(existsSync('/dev/full'))('standard output on a full disk', () => {
  it('exits 3 and says the output could not be written', () => {
    const full = openSync('/dev/full', 'w');
    try {
      const r = spawnSync(process.execPath, [CLI, ...generate], { cwd: dir, stdio: ['ignore', full, 'pipe'], encoding: 'utf8' });
      expect(r.status).toBe(3);
      expect(r.stderr.trim()).toBe(
        'rareflow generate: could not write the output to standard output: ENOSPC: no space left on device, write',
      );
    } finally {
      closeSync(full);
    }
  });
});
