// `fit --kind` over a config: the config's model keys still apply to the kind the flag sets, and a key or flag
// that kind would ignore is refused (exit 2, nothing written) instead of being dropped in silence.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cliProcess.js';

let dir: string;
const run = (args: string[]) => runCli(args, { cwd: dir });
const yeast = join(process.cwd(), 'test/fixtures/yeast3.csv');
const fit = (...extra: string[]) => run(['fit', '--input', yeast, '--label', 'label', ...extra]);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-kindflag-'));
  writeFileSync(join(dir, 'trees.json'), JSON.stringify({ model: { trees: 30 } }));
  writeFileSync(join(dir, 'forest.json'), JSON.stringify({ model: { kind: 'forest', trees: 30, sampling: 'bootstrap' } }));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fit --kind over a config', () => {
  it("keeps the config's model keys for the kind the flag sets", async () => {
    const f = await fit('--config', 'trees.json', '--kind', 'forest', '--out', 'f.json', '--json');
    expect(f.code, f.stderr).toBe(0);
    const model = JSON.parse(readFileSync(join(dir, 'f.json'), 'utf8')).model as { options: { trees: number; sampling: string } };
    expect(model.options).toMatchObject({ trees: 30, sampling: 'balanced' });
  });

  it('refuses a config key the flag kind would ignore, --budget off auto and a budget over a day, writing nothing', async () => {
    const key = await fit('--config', 'forest.json', '--kind', 'gbdt', '--out', 'g.json');
    expect(key.code).toBe(2);
    expect(key.stderr.trim()).toBe(
      'rareflow fit: forest.json: model.trees: applies to model.kind "forest" or "auto", but model.kind is "gbdt" (set by --kind), which would ignore it; remove the key or set model.kind to "forest" or "auto"',
    );
    const budget = await fit('--kind', 'forest', '--budget', '5s', '--out', 'b.json');
    expect(budget.code).toBe(2);
    expect(budget.stderr.trim()).toBe(
      'rareflow fit: --budget: applies when the model is chosen (kind auto), but the model kind is "forest", which would ignore it; drop --budget or use --kind auto',
    );
    const long = await fit('--budget', '2d', '--out', 'l.json');
    expect(long.code).toBe(2);
    expect(long.stderr.trim()).toBe(
      "rareflow fit: --budget: expected a duration above 0 and at most 24h (the spec's model.budgetSeconds allows the same), got 172800 s",
    );
    const flag = await run(['train', '--input', yeast, '--label', 'label', '--kind', 'logreg', '--trees', '5', '--out', 't.json']);
    expect(flag.code).toBe(2);
    expect(flag.stderr.trim()).toBe(
      'rareflow train: --trees: applies to --kind forest, but --kind is logreg, which would ignore it; drop --trees or use --kind forest',
    );
    for (const file of ['g.json', 'b.json', 'l.json', 't.json']) expect(existsSync(join(dir, file))).toBe(false);
  });
});
