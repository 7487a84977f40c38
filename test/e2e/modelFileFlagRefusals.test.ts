// `rareflow train` refuses flags that would silently do something other than asked, before writing any file: a flag
// given twice, --missing-indicators where missing values are rejected, and a model --out that is not .json; the usage
// of train and fit lists the --missing-indicators values they accept.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cliProcess.js';

let dir: string;
const run = (args: string[]) => runCli(args, { cwd: dir });
const yeast = join(process.cwd(), 'test/fixtures/yeast3.csv');
const train = (...more: string[]) => run(['train', '--input', yeast, '--label', 'label', '--kind', 'logreg', ...more]);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-model-flags-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('train refuses, writing nothing', () => {
  it('--out given twice, naming both paths', async () => {
    const r = await train('--out', 'A.json', '--out', 'B.json');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('rareflow train: --out: expected once, given 2 times ("A.json" and "B.json"); keep the one you mean\n');
    expect(existsSync(join(dir, 'A.json'))).toBe(false);
    expect(existsSync(join(dir, 'B.json'))).toBe(false);
  });

  it('--missing-indicators on or related when missing values are rejected by default, as --fill-value is', async () => {
    for (const value of ['on', 'related']) {
      const r = await train('--missing-indicators', value, '--out', 'ind.json');
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        `rareflow train: --missing-indicators ${value}: marks missing values that are filled, but without --missing they are refused (the default is --missing reject); pass --missing mean, median or constant, or drop --missing-indicators\n`,
      );
    }
    expect(existsSync(join(dir, 'ind.json'))).toBe(false);
    const off = await train('--missing-indicators', 'off', '--out', 'off.json');
    expect(off.code, off.stderr).toBe(0);
    const filled = await train('--missing', 'median', '--missing-indicators', 'on', '--out', 'filled.json');
    expect(filled.code, filled.stderr).toBe(0);
  }, 60_000);

  it('a model --out that is not .json (train)', async () => {
    for (const out of ['model.csv', 'model.json.bak', 'model']) {
      const t = await train('--out', out);
      expect(t.code).toBe(2);
      expect(t.stderr).toBe(`rareflow train: --out: expected a model file ending in .json, got ${out}\n`);
      expect(existsSync(join(dir, out))).toBe(false);
    }
  });
});

describe('--missing-indicators in usage and help', () => {
  for (const command of ['train', 'fit']) {
    it(`${command}: the usage shows the values the flag accepts, and a value outside them is refused listing the same`, async () => {
      const help = await run([command, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('[--missing-indicators on|related|off]');
      expect(help.stdout).not.toContain('--missing-indicators auto');
      expect(help.stdout).toMatch(/--missing-indicators <on\|related\|off>/);
      const r = await run([
        command,
        '--input',
        yeast,
        '--label',
        'label',
        '--kind',
        'logreg',
        '--missing-indicators',
        'auto',
        '--out',
        'm.json',
      ]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`rareflow ${command}: --missing-indicators: expected on, related or off, got "auto"\n`);
    });
  }
});
