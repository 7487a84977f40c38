// `rareflow train` writes a model that `predict` scores on the raw file it was trained on: the model file lists the
// raw columns (categories to one-hot encode, missing-value indicators), as `fit` and the pipeline write them.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cliProcess.js';

let dir: string;
const run = (args: string[]) => runCli(args, { cwd: dir });
/** `rareflow train` on train.csv (channel categorical) with these flags. */
const train = (flags: string[]) => run(['train', '--input', 'train.csv', '--label', 'label', '--categorical', 'channel', ...flags]);
const modelFile = (name: string) =>
  JSON.parse(readFileSync(join(dir, name), 'utf8')) as { featureNames: string[]; inputColumns?: unknown[] };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-train-encodings-'));
  // 300 rows, 30 positive; channel is text; c is missing on 1 positive and 81 negatives (related to the class),
  // b on 12 negatives (as chance would spread them).
  const lines = ['b,c,channel,label'];
  for (let i = 0; i < 300; i++) {
    const positive = i % 10 === 0;
    const gapC = positive ? i === 0 : i % 10 <= 3;
    const b = i % 25 === 3 ? '' : (((i * 53) % 19) / 9).toFixed(3);
    const c = gapC ? '' : ((positive ? 2 : 0) + ((i * 37) % 17) / 8).toFixed(3);
    lines.push(`${b},${c},${positive || i % 3 === 0 ? 'app' : 'web'},${positive ? 1 : 0}`);
  }
  writeFileSync(join(dir, 'train.csv'), `${lines.join('\n')}\n`);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('train', () => {
  it('a model trained with --categorical scores the raw text column in predict, for every kind', async () => {
    for (const kind of ['logreg', 'forest', 'gbdt']) {
      const t = await train(['--missing', 'median', '--missing-indicators', 'off', '--kind', kind, '--out', `${kind}.json`]);
      expect(t.code, t.stderr).toBe(0);
      expect(modelFile(`${kind}.json`).inputColumns).toEqual([
        { name: 'b', kind: 'numeric' },
        { name: 'c', kind: 'numeric' },
        { name: 'channel', kind: 'categorical', categories: ['app', 'web'] },
      ]);
      const p = await run(['predict', '--model', `${kind}.json`, '--input', 'train.csv', '--out', `${kind}.csv`, '--json']);
      expect(p.code, p.stderr).toBe(0);
      expect(p.json<{ rows: number }>().rows).toBe(300);
    }
  });

  it('under --missing, adds column=missing beside every gapped column (on, the default), or where the gaps are related to the class (related)', async () => {
    const auto = await train([
      '--missing',
      'median',
      '--missing-indicators',
      'related',
      '--kind',
      'logreg',
      '--out',
      'auto.json',
      '--json',
    ]);
    expect(auto.code, auto.stderr).toBe(0);
    const j = auto.json<{ missingIndicators?: string[]; missingClassTests: Array<{ column: string; indicator: boolean }> }>();
    expect(j.missingIndicators).toEqual(['c']);
    expect(j.missingClassTests.map((t) => [t.column, t.indicator])).toEqual([
      ['b', false],
      ['c', true],
    ]);
    expect(modelFile('auto.json').featureNames).toEqual(['b', 'c', 'c=missing', 'channel=app', 'channel=web']);
    expect(modelFile('auto.json').inputColumns).toContainEqual({ name: 'c', kind: 'numeric', missingIndicator: true });
    const on = await train(['--missing', 'median', '--kind', 'forest', '--out', 'on.json', '--json']);
    expect(on.code, on.stderr).toBe(0);
    expect(modelFile('on.json').featureNames).toEqual(['b', 'b=missing', 'c', 'c=missing', 'channel=app', 'channel=web']);
    for (const model of ['auto', 'on']) {
      const p = await run(['predict', '--model', `${model}.json`, '--input', 'train.csv', '--out', `${model}.csv`, '--json']);
      expect(p.code, p.stderr).toBe(0);
    }
    // Without a fill there is nothing to mark: refused, nothing written.
    const refused = await run([
      'train',
      '--input',
      'train.csv',
      '--label',
      'label',
      '--missing-indicators',
      'on',
      '--missing',
      'reject',
      '--kind',
      'logreg',
      '--out',
      'refused.json',
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--missing-indicators on: marks missing values that are filled, but --missing reject refuses them/);
    expect(existsSync(join(dir, 'refused.json'))).toBe(false);
  });
});
