// A `sample_weight` column is the rows' weight, never a feature: naming it as a feature or a categorical column too
// is refused by the key that names it (fit read it as the weight without a word), in fit and in the pipeline's
// input profile alike, and nothing is written.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profileLabelledInput } from '../../data/inputProfile.js';
import { runCli } from '../support/cliProcess.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-weight-feature-'));
  const lines = ['x1,x2,sample_weight,y'];
  for (let i = 0; i < 200; i++) lines.push(`${Math.sin(i)},${Math.cos(i * 1.3)},${1 + (i % 3)},${i % 10 === 0 ? 1 : 0}`);
  writeFileSync(join(dir, 'w.csv'), `${lines.join('\n')}\n`);
  writeFileSync(join(dir, 'cfg.json'), JSON.stringify({ input: { features: ['x1', 'x2', 'sample_weight'] } }));
  writeFileSync(join(dir, 'unweighted.json'), JSON.stringify({ input: { exclude: ['sample_weight'] } }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the sample_weight column named as a feature', () => {
  it('is refused by fit, naming the key, and no model is written', async () => {
    const cases: Array<[string[], string]> = [
      [['--config', 'cfg.json'], 'input.features'],
      [['--categorical', 'sample_weight'], '--categorical (or input.categorical)'],
    ];
    for (const [extra, key] of cases) {
      const r = await runCli(['fit', '--input', 'w.csv', '--label', 'y', '--kind', 'logreg', '--out', 'm.json', ...extra], { cwd: dir });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toBe(
        `rareflow fit: column "sample_weight" in w.csv holds per-row sample weights, so it cannot also be a feature; remove it from ${key} (or rename the column to use it as a feature, or list it under input.exclude to train unweighted)\n`,
      );
      expect(existsSync(join(dir, 'm.json'))).toBe(false);
    }
    // Excluded, it is neither weight nor feature; alone, it is the weight.
    const excluded = await runCli(
      ['fit', '--input', 'w.csv', '--label', 'y', '--kind', 'logreg', '--config', 'unweighted.json', '--out', 'm.json', '--json'],
      { cwd: dir },
    );
    expect(excluded.code, excluded.stderr).toBe(0);
  });

  it('is refused by the pipeline for input.categorical as for input.features', async () => {
    const path = join(dir, 'w.csv');
    for (const [key, opts] of [
      ['input.features', { features: ['x1', 'sample_weight'] }],
      ['input.categorical', { categorical: ['sample_weight'] }],
    ] as const) {
      await expect(profileLabelledInput([path], { label: 'y', positive: '1', weightColumn: 'sample_weight', ...opts })).rejects.toThrow(
        `remove it from ${key} (or rename`,
      );
    }
  });

  it('spelt otherwise (Sample_Weight) is a feature, and fit says so', async () => {
    writeFileSync(join(dir, 'cased.csv'), readFileSync(join(dir, 'w.csv'), 'utf8').replace('sample_weight', 'Sample_Weight'));
    const r = await runCli(['fit', '--input', 'cased.csv', '--label', 'y', '--kind', 'logreg', '--out', 'cased.json', '--json'], {
      cwd: dir,
    });
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { warnings: string[] }).warnings).toContain(
      'column "Sample_Weight" of cased.csv is learnt as a feature, not used as row weights: only a column named exactly "sample_weight" weighs rows',
    );
  });
});
