// `rareflow generate` writes its rows as parts in a hidden folder beside the output. A generate stopped with kill -9
// left that folder for good (8 GB after a long run); it is tagged with its writer now, and the next command that
// writes into the directory removes it. A size that cannot fit the disk is refused before anything is written.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../support/cliProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-generate-parts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hidden = () => readdirSync(dir).filter((n) => n.startsWith('.'));

describe('generate scratch parts', () => {
  it('a folder of parts left by a killed generate is removed by the next generate', async () => {
    const child = spawn(
      process.execPath,
      [CLI, 'generate', '--rows', '50000000', '--positive-rate', '0.01', '--features', '5', '--out', join(dir, 'big.csv')],
      {
        cwd: dir,
        stdio: 'ignore',
      },
    );
    const closed = new Promise((r) => child.once('close', r));
    // Killed once its first part is on disk.
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && !hidden().some((n) => n.endsWith('.parts') && readdirSync(join(dir, n)).length > 0)) {
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGKILL');
    await closed;
    const left = hidden().filter((n) => n.endsWith('.parts'));
    expect(left).toHaveLength(1);

    const r = await runCli(['generate', '--rows', '1000', '--positive-rate', '0.01', '--features', '3', '--out', join(dir, 'small.csv')], {
      cwd: dir,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(dir, left[0]!))).toBe(false);
    expect(existsSync(join(dir, 'big.csv'))).toBe(false);
  });

  it('refuses rows that cannot fit the free space, naming --rows, and writes nothing', async () => {
    const r = await runCli(
      ['generate', '--rows', '1000000000000', '--positive-rate', '0.01', '--features', '20', '--out', join(dir, 'huge.parquet')],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(
      /--rows 1000000000000: writing \S+huge\.parquet takes at least \d+ GB in \S+ \(the file and the parts it is written from\), but only [\d.]+ GB is free there/,
    );
    expect(existsSync(join(dir, 'huge.parquet'))).toBe(false);
    expect(hidden().filter((n) => n.includes('huge'))).toEqual([]);
  });
});
