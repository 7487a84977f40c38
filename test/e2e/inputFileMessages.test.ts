// What a command says about an input file it cannot use: a missing absolute path names no working directory (only a
// relative one is resolved from it), and sampling a .arrow file says which commands read that format.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cliProcess.js';

describe('input file messages', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rareflow-inputmsg-'));
    writeFileSync(join(dir, 'small.arrow'), 'not read');
  });

  it('a missing file: the working directory only for a relative path', async () => {
    const relative = await runCli(['fit', '--input', 'nope.csv', '--label', 'label', '--out', 'm.json'], { cwd: dir });
    expect(relative.code).toBe(2);
    expect(relative.stderr).toContain(`input file nope.csv does not exist; check the path (it is resolved from ${dir})`);
    const absolute = join(dir, 'gone', 'nope.csv');
    const r = await runCli(['fit', '--input', absolute, '--label', 'label', '--out', 'm.json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`rareflow fit: input file ${absolute} does not exist; check the path`);
  });

  it('sampling a .arrow file names the commands that read it', async () => {
    const r = await runCli(['sample', '--input', 'small.arrow', '--label', 'label', '--target-size', '100', '--out', 's.csv'], {
      cwd: dir,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /inputs must be \.csv or \.parquet files, got small\.arrow: a \.arrow file is read by train, fit and evaluate, not sampled/,
    );
  });
});
