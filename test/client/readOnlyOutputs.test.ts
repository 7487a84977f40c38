// An output in a directory that cannot be written (a read-only file system) is refused before any work, naming the
// flag and the directory, instead of failing at the end with the name of a hidden temporary file (exit 3).
// The read-only directory is a tmpfs mounted read-only, which needs root: where mounting is not allowed the test says
// so and is skipped.

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cliProcess.js';
import { mountReadOnly, unmountReadOnly } from '../support/readOnlyMount.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-read-only-'));
const ro = join(dir, 'ro');
const mounted = mountReadOnly(ro);
afterAll(() => {
  if (mounted) unmountReadOnly(ro);
  rmSync(dir, { recursive: true, force: true });
});
const data = join(dir, 'data.csv');
writeFileSync(data, ['a,b,label', ...Array.from({ length: 60 }, (_, i) => `${i},${(i * 7) % 11},${i % 6 === 0 ? 1 : 0}`), ''].join('\n'));

describe.skipIf(!mounted)('an output on a read-only file system (needs mount, as root)', () => {
  it('is refused before any work by each writing command, naming the flag and the directory', async () => {
    for (const [args, flag] of [
      [['fit', '--input', data, '--label', 'label', '--kind', 'logreg', '--out', join(ro, 'm.json')], '--out'],
      [['adasyn', '--input', data, '--label', 'label', '--out', join(ro, 'a.csv')], '--out'],
      [['evaluate', '--model', join(ro, 'm.json'), '--input', data, '--label', 'label', '--report', join(ro, 'rep')], '--report'],
    ] as const) {
      const r = await runCli([...args], { cwd: dir });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`${flag} ${join(ro, '')}`);
      expect(r.stderr).toContain(`cannot write in ${ro} (it is on a read-only file system)`);
    }
  });

  it('denoise refuses a --removed there before writing its --out', async () => {
    const out = join(dir, 'clean.csv');
    const r = await runCli(['denoise', '--input', data, '--label', 'label', '--out', out, '--removed', join(ro, 'removed.csv')], {
      cwd: dir,
    });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`--removed ${join(ro, 'removed.csv')}: cannot write in ${ro} (it is on a read-only file system)`);
    expect(existsSync(out)).toBe(false);
  });
});
