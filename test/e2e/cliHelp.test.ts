// Help as a user asks for it: `rareflow --help` lists every command, `rareflow COMMAND --help` prints its usage and
// flags and exits 0, and nothing on stderr.

import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cliProcess.js';

const COMMANDS = [
  'generate',
  'sample',
  'denoise',
  'adasyn',
  'train',
  'evaluate',
  'fit',
  'predict',
  'demo',
  'dev',
  'worker',
  'serve',
  'run',
  'drift',
  'monitor',
  'approve',
  'reject',
  'canary',
  'status',
  'schedule',
  'models',
  'runs',
  'ui',
];
const run = (args: string[]) => runCli(args, { cwd: tmpdir() });

describe('rareflow help', () => {
  it('--help lists every command and the exit codes', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    expect(r.stdout).toMatch(/^ {2}3 {2}any other failure \(disk full/m);
  });

  it('no command prints the overview and exits 2', async () => {
    const r = await run([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^Usage: rareflow COMMAND/);
  });

  for (const c of COMMANDS) {
    it(`${c} --help exits 0 with its usage and flags`, async () => {
      const r = await run([c, '--help']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(new RegExp(`^Usage: rareflow ${c}\\b`));
      expect(r.stdout).toMatch(/-h, --help/);
    });
  }

  it('generate --help offers only the output formats it writes', async () => {
    const r = await run(['generate', '--help']);
    expect(r.stdout).toMatch(/--out <FILE>\s+output file \(\.parquet or \.csv\)/);
    expect(r.stdout).not.toMatch(/\.arrow/);
  });
});
