// A sampling shard's input must be the file the run described: one rewritten after the describe stage, or replaced
// while the scan reads it, is refused naming the file, never sampled under the old file's recorded sha256.

import { createHash } from 'node:crypto';
import { mkdtempSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
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

describe('the hash of an input file', () => {
  it('is computed again for a file rewritten in place with its size and modification time set back', async () => {
    const file = join(dir, 'same-size.csv');
    writeFileSync(file, 'a,label\n1,0\n2,1\n');
    // Whole seconds, so that setting the time back gives the very same value.
    const when = Math.floor(Date.now() / 1000) - 60;
    utimesSync(file, when, when);
    const first = await fileSha256(file);
    // Same byte count, other labels; the modification time put back as `touch -r` would.
    writeFileSync(file, 'a,label\n1,1\n2,0\n');
    utimesSync(file, when, when);
    expect(statSync(file).size).toBe(16);
    const second = await fileSha256(file);
    expect(second).not.toBe(first);
    expect(second).toBe(createHash('sha256').update('a,label\n1,1\n2,0\n').digest('hex'));
  });
});
