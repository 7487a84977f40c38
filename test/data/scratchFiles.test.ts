// Scratch files beside an output carry their writer's process: one left by a process that is gone (a predict stopped
// by Ctrl-C, SIGTERM or kill -9) is removed by the next writer into that directory; a running writer's is kept.

import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scratchPathBeside, sweepScratchBeside } from '../../data/scratchFiles.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-scratch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scratch files beside an output', () => {
  it('are swept when their writer is gone, kept while it runs, and other hidden files are left alone', async () => {
    const host = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
    const gone = join(dir, `.old.csv.0123456789ab~${host}.999999.deadbeef~.duckdb`);
    const live = join(dir, `.old.csv.0123456789ab~${host}.${process.ppid}.deadbeef~.duckdb`);
    const mine = scratchPathBeside(join(dir, 'out.csv'), 'duckdb');
    for (const f of [gone, `${gone}.wal`, live, mine, join(dir, '.keep.duckdb')]) writeFileSync(f, 'x');
    await sweepScratchBeside(join(dir, 'out.csv'));
    expect(existsSync(gone)).toBe(false);
    expect(existsSync(`${gone}.wal`)).toBe(false);
    expect(readdirSync(dir).sort()).toEqual([live, mine, join(dir, '.keep.duckdb')].map((f) => f.slice(dir.length + 1)).sort());
  });
});
