// Stage-command flags that contradict each other, or that the chosen method would ignore, are refused (one line on
// stderr, exit 2, no output file) instead of one of them silently winning; the flags alone still run.

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cliProcess.js';

let dir: string;
const run = (args: string[]) => runCli(args, { cwd: dir });
const on = (command: string, ...rest: string[]) => run([command, '--input', 'rows.csv', '--label', 'label', ...rest]);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-flag-conflicts-'));
  const lines = ['a,b,label'];
  for (let i = 0; i < 300; i++) {
    const positive = i % 10 === 0;
    lines.push(`${(positive ? 1.5 : 0) + ((i * 37) % 23) / 10},${(positive ? 1 : 0) + ((i * 11) % 7) / 5},${positive ? 1 : 0}`);
  }
  writeFileSync(join(dir, 'rows.csv'), `${lines.join('\n')}\n`);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('conflicting or ignored flags are refused', () => {
  const cases: Array<[string, string[], RegExp]> = [
    [
      'sample --params with --nr',
      ['sample', '--target-size', '200', '--params', '3', '--nr', '50', '--out', 'both.csv'],
      /^rareflow sample: --params 3 and --nr 50 both set Nr, the positives to keep \(--params M asks for 50·M, --nr for Nr itself\); pass one of them$/,
    ],
    [
      'adasyn --exact with --neighbors hnsw',
      ['adasyn', '--exact', '--neighbors', 'hnsw', '--out', 'exact-hnsw.csv'],
      /^rareflow adasyn: --exact and --neighbors hnsw both choose the neighbour search; pass one of them/,
    ],
    [
      'denoise --method tomek with --k',
      ['denoise', '--method', 'tomek', '--k', '7', '--out', 'tomek-k.csv'],
      /^rareflow denoise: --k 7: --method tomek reads no k \(Tomek links .*\); only --method enn and renn take --k/,
    ],
    [
      'denoise --method confident with --k',
      ['denoise', '--method', 'confident', '--k', '7', '--out', 'confident-k.csv'],
      /^rareflow denoise: --k 7: --method confident reads no k .*; only --method enn and renn take --k/,
    ],
  ];
  for (const [what, [command, ...rest], message] of cases) {
    it(`refuses ${what}`, async () => {
      const r = await on(command!, ...rest);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(message);
      expect(existsSync(join(dir, rest[rest.indexOf('--out') + 1]!))).toBe(false);
    });
  }
});

describe('each flag alone still runs', () => {
  it('adasyn --exact searches exactly', async () => {
    const r = await on('adasyn', '--exact', '--out', 'exact.csv', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json<{ neighbors: string }>().neighbors).toBe('exact');
  });

  it('denoise reports k only for the methods that read it', async () => {
    const renn = await on('denoise', '--method', 'renn', '--k', '7', '--out', 'renn.csv', '--json');
    expect(renn.code, renn.stderr).toBe(0);
    expect(renn.json<{ k?: number }>().k).toBe(7);
    const enn = await on('denoise', '--out', 'enn.csv', '--json');
    expect(enn.code, enn.stderr).toBe(0);
    expect(enn.json<{ k?: number }>().k).toBe(3);
    const tomek = await on('denoise', '--method', 'tomek', '--out', 'tomek.csv', '--json');
    expect(tomek.code, tomek.stderr).toBe(0);
    expect(tomek.json()).not.toHaveProperty('k');
  });
});

describe('a label of three values with --positive', () => {
  it('is refused by denoise and adasyn, whose output writes one value per class, before writing anything', async () => {
    const lines = ['a,b,label'];
    for (let i = 0; i < 120; i++) lines.push(`${(i * 37) % 23},${(i * 11) % 7},${['x', 'y', 'z'][i % 3]}`);
    writeFileSync(join(dir, 'three.csv'), `${lines.join('\n')}\n`);
    for (const command of ['denoise', 'adasyn']) {
      const r = await run([command, '--input', 'three.csv', '--label', 'label', '--positive', 'y', '--out', `three-${command}.csv`]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /label column "label" in three\.csv holds "x", "z", "y"; with --positive "y" the other 2 values are one negative class/,
      );
      expect(existsSync(join(dir, `three-${command}.csv`))).toBe(false);
    }
  });
});
