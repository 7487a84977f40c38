// A sampling shard's input must be the file the run described: one rewritten after the describe stage, or replaced
// while the scan reads it, is refused naming the file, never sampled under the old file's recorded sha256.

import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../core/invalidInputError.js';
import { watchInputFiles } from '../../data/inputFileWatch.js';
import { fileSha256 } from '../../data/inputSources.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-file-watch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const rows = (n: number, every: number) =>
  ['a,label', ...Array.from({ length: n }, (_, i) => `${i},${i % every === 0 ? 1 : 0}`), ''].join('\n');

describe('the input files of a sampling shard', () => {
  it('pass when they are the files described, and are refused when rewritten before or replaced during the scan', async () => {
    const file = join(dir, 'live.csv');
    writeFileSync(file, rows(500, 100));
    const described = await fileSha256(file);
    await expect(watchInputFiles({ files: [file], fileSha256s: [described] }).check()).resolves.toBeUndefined();

    // Rewritten between the describe stage and the scan: its content is not the one recorded.
    writeFileSync(file, rows(501, 20));
    const before = watchInputFiles({ files: [file], fileSha256s: [described] });
    await expect(before.check()).rejects.toThrow(InvalidInputError);
    await expect(watchInputFiles({ files: [file], fileSha256s: [described] }).check()).rejects.toThrow(
      `${file} changed while the run read it (it is not the file the run described, sha256 ${described.slice(0, 12)})`,
    );

    // Replaced (renamed over) while the scan runs: its identity changed between the start and the end of the scan.
    const current = await fileSha256(file);
    const during = watchInputFiles({ segments: [{ file }], fileSha256s: [current] });
    const next = join(dir, 'next.csv');
    writeFileSync(next, rows(500, 20));
    renameSync(next, file);
    await expect(during.check()).rejects.toThrow(/changed while the run read it/);
  });
});
