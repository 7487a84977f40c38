// `rareflow fit --kind auto` as a user runs it: the choice and its evidence in the JSON and the model file, the same
// for a seed, the budget fallback, and the default fit unchanged (no selection) without the flag.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelSelection } from '../../core/models/modelSelection.js';
import { runCli } from '../support/cliProcess.js';

let dir: string;
const run = (args: string[]) => runCli(args, { cwd: dir });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-auto-'));
  const lines = ['amount,score,channel,label'];
  for (let i = 0; i < 300; i++) {
    const positive = i % 8 === 0;
    lines.push(
      `${(positive ? 1.2 : 0) + ((i * 37) % 17) / 8},${((i * 53) % 29) / 10},${['web', 'app', 'shop'][i % 3]},${positive ? 1 : 0}`,
    );
  }
  writeFileSync(join(dir, 'events.csv'), `${lines.join('\n')}\n`);
  const kinds = ['leaf,width,kind'];
  for (let i = 0; i < 150; i++) {
    const kind = ['oak', 'ash', 'elm'][i % 3]!;
    kinds.push(`${(i % 3) + ((i * 37) % 17) / 10},${((i * 53) % 29) / 10},${kind}`);
  }
  writeFileSync(join(dir, 'trees.csv'), `${kinds.join('\n')}\n`);
  writeFileSync(
    join(dir, 'small-forest.json'),
    JSON.stringify({ modelName: 'm', input: { paths: 'x', label: 'x' }, model: { trees: 10 } }),
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

type FitJson = { model: string; threshold: number; selection?: ModelSelection };
const untimed = (s: ModelSelection) => ({ ...s, seconds: 0, candidates: s.candidates.map((c) => ({ ...c, seconds: 0 })) });

describe('fit --kind auto', () => {
  it('prints the choice with each candidate’s evidence, writes it into the model, and repeats for a seed', async () => {
    const args = ['fit', '--input', 'events.csv', '--label', 'label', '--config', 'small-forest.json', '--kind', 'auto', '--budget', '10m'];
    const a = await run([...args, '--out', 'a.json', '--json']);
    expect(a.code, a.stderr).toBe(0);
    const fit = a.json<FitJson>();
    expect(fit.model).toBe('auto');
    const s = fit.selection!;
    expect(s.candidates).toHaveLength(7);
    expect(s.candidates.find((c) => c.name === s.chosen)!.gMean!.folds).toBe(6);
    expect(s.reason.length).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8')).selection).toEqual(s);
    const b = await run([...args, '--out', 'b.json', '--json']);
    expect(untimed(b.json<FitJson>().selection!)).toEqual(untimed(s));
    expect(b.json<FitJson>().threshold).toBe(fit.threshold);
  });

  it('keeps the balanced forest with a warning when the budget is below one candidate', async () => {
    const f = await run([
      'fit',
      '--input',
      'events.csv',
      '--label',
      'label',
      '--kind',
      'auto',
      '--budget',
      '1ms',
      '--out',
      'c.json',
      '--json',
    ]);
    expect(f.code, f.stderr).toBe(0);
    const s = f.json<FitJson>().selection!;
    expect(s.chosen).toBe('balanced-forest');
    expect(s.warnings![0]).toMatch(/^the budget of 0\.001s is below what one candidate needs/);
  });

  it('shows every class’s choice of a multi-class file, one one-vs-rest choice each', async () => {
    const f = await run([
      'fit',
      '--input',
      'trees.csv',
      '--label',
      'kind',
      '--config',
      'small-forest.json',
      '--kind',
      'auto',
      '--budget',
      '10m',
      '--out',
      'mc.json',
      '--json',
    ]);
    expect(f.code, f.stderr).toBe(0);
    const fit = f.json<FitJson & { classes: string[]; selections: Array<{ class: string; selection: ModelSelection }> }>();
    expect(fit.selections.map((s) => s.class)).toEqual(fit.classes);
    for (const { selection } of fit.selections) expect(selection.candidates).toHaveLength(7);
    // The file's top-level selection would hold the first class's choice only.
    expect(fit.selection).toBeUndefined();
    expect(JSON.parse(readFileSync(join(dir, 'mc.json'), 'utf8')).selection).toBeUndefined();
  });

  it('leaves the default fit as it was: no selection without --kind auto', async () => {
    const f = await run(['fit', '--input', 'events.csv', '--label', 'label', '--config', 'small-forest.json', '--out', 'd.json', '--json']);
    expect(f.code, f.stderr).toBe(0);
    expect(f.json<FitJson>().model).toBe('forest');
    expect(f.json<FitJson>().selection).toBeUndefined();
  });

  it('rejects an unknown --kind with one line', async () => {
    const f = await run(['fit', '--input', 'events.csv', '--label', 'label', '--kind', 'svm', '--out', 'e.json']);
    expect(f.code).toBe(2);
    expect(f.stderr.trim()).toBe('rareflow fit: --kind: expected auto, forest, logreg or gbdt, got "svm"');
  });
});
