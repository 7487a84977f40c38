// A flag the command would ignore is refused by name, exit 2: an Nr for the uniform sampler, which keeps no positive
// quota, and a worker queue listed twice. The help of a command without flags shows its name once.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cliProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-ignored-flags-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const data = join(dir, 'data.csv');
writeFileSync(data, ['a,label', ...Array.from({ length: 100 }, (_, i) => `${i},${i % 10 === 0 ? 1 : 0}`), ''].join('\n'));

describe('flags a command would ignore', () => {
  it('refuses --nr and --params with --method uniform, and a queue given twice', async () => {
    for (const flag of ['--nr', '--params']) {
      const args = ['sample', '--input', data, '--label', 'label', '--method', 'uniform', flag, '5', '--target-size', '50'];
      const r = await runCli([...args, '--out', join(dir, 's.csv')], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        `rareflow sample: ${flag} sets Nr, the positives to keep, which --method uniform does not read (it samples every row alike); drop ${flag} or use another method\n`,
      );
    }
    const w = await runCli(['worker', '--queues', 'compute,compute'], { cwd: dir });
    expect(w.code).toBe(2);
    expect(w.stderr).toBe('rareflow worker: --queues: "compute" is listed twice; list each queue once\n');
  });

  it('shows a command without flags once in its usage line', async () => {
    const r = await runCli(['dev', '--help'], { cwd: dir });
    expect(r.stdout.split('\n')[0]).toBe('Usage: rareflow dev [options]');
  });
});
