// `rareflow fit --kind auto` as a user runs it: the choice and its evidence in the JSON and the model file, the same
// for a seed, the budget fallback, and the default fit unchanged (no selection) without the flag.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
/** The selection as the model file holds it: the JSON's without its seconds. */
const asInFile = ({ seconds: _s, ...s }: ModelSelection) => ({ ...s, candidates: s.candidates.map(({ seconds: _c, ...c }) => c) });

describe('fit --kind auto', () => {
  it('prints the choice with each candidate’s evidence and seconds, writes it into the model, and repeats for a seed byte for byte', async () => {
    const args = ['fit', '--input', 'events.csv', '--label', 'label', '--config', 'small-forest.json', '--kind', 'auto', '--budget', '10m'];
    mkdirSync(join(dir, 'one'));
    mkdirSync(join(dir, 'two'));
    const a = await run([...args, '--out', 'one/a.json', '--json']);
    expect(a.code, a.stderr).toBe(0);
    const fit = a.json<FitJson>();
    expect(fit.model).toBe('auto');
    const s = fit.selection!;
    // The seven candidates, then the soft vote of the best two finalists of different kinds.
    expect(s.candidates.filter((c) => !c.name.startsWith('vote('))).toHaveLength(7);
    expect(s.candidates.find((c) => c.name === s.chosen)!.gMean!.folds).toBe(s.folds * s.repeats);
    expect(s.reason.length).toBeGreaterThan(0);
    expect(s.seconds).toBeGreaterThan(0);
    expect(s.candidates.every((c) => typeof c.seconds === 'number')).toBe(true);
    const file = readFileSync(join(dir, 'one', 'a.json'), 'utf8');
    expect(JSON.parse(file).selection).toEqual(asInFile(s));
    const b = await run([...args, '--out', 'two/a.json', '--json']);
    expect(untimed(b.json<FitJson>().selection!)).toEqual(untimed(s));
    expect(b.json<FitJson>().threshold).toBe(fit.threshold);
    // The same data and seed give the same model file: no run-specific seconds inside it.
    expect(readFileSync(join(dir, 'two', 'a.json'), 'utf8')).toBe(file);
    expect(b.json<{ sha256: string }>().sha256).toBe(a.json<{ sha256: string }>().sha256);
    // Without --json the selection reads as a table: what was chosen and why, then a row per candidate.
    const text = await run([...args, '--out', 'two/text.json']);
    expect(text.code, text.stderr).toBe(0);
    const lines = text.stdout.split('\n');
    const at = lines.indexOf('selection:');
    expect(lines[at + 1]).toBe(`  chosen: ${s.chosen} (threshold policy ${s.thresholdPolicy})`);
    expect(lines[at + 2]).toBe(`  why: ${s.reason}`);
    expect(lines[at + 4]).toMatch(/^ {4}candidate +G-mean ± s\.e\. +PR-AUC ± s\.e\. +threshold +seconds +outcome$/);
    for (const [i, c] of s.candidates.entries()) {
      const row = lines[at + 5 + i]!;
      expect(row.startsWith(`    ${c.name} `)).toBe(true);
      if (c.gMean) expect(row).toContain(`${c.gMean.mean.toFixed(4)} ± ${c.gMean.standardError.toFixed(4)}`);
      expect(row.endsWith(c.name === s.chosen ? 'chosen' : (c.dropped ?? 'finalist'))).toBe(true);
    }
    expect(text.stdout).not.toContain('"candidates"');
    // The stages read a line each, the training's note under its line.
    const stagesAt = lines.indexOf('stages:');
    expect(lines[stagesAt + 1]).toMatch(/^ {2}- read: rowsIn \d+, rowsOut \d+, .* s$/);
    expect(lines[stagesAt + 2]).toMatch(/^ {2}- train: rows \d+, .* s$/);
    expect(lines[stagesAt + 3]).toBe(`      ${a.json<{ stages: { note?: string }[] }>().stages[1]!.note!}`);
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

  it('chooses one recipe for every class of a multi-class file by the macro G-mean of the combined prediction', async () => {
    const args = ['fit', '--input', 'trees.csv', '--label', 'kind', '--config', 'small-forest.json', '--budget', '10m', '--json'];
    const f = await run([...args, '--out', 'mc.json']);
    expect(f.code, f.stderr).toBe(0);
    const fit = f.json<FitJson & { classes: string[] }>();
    expect(fit.classes).toEqual(['ash', 'elm', 'oak']);
    const selection = fit.selection!;
    expect(selection.scoring).toMatch(/macro G-mean/);
    expect(selection.candidates).toHaveLength(7);
    const scored = selection.candidates.filter((c) => c.gMean);
    // The winner has the best mean macro G-mean, or is within one standard error of it (the tie rule).
    const best = Math.max(...scored.map((c) => c.gMean!.mean));
    const winner = scored.find((c) => c.name === selection.chosen)!;
    expect(winner.gMean!.mean).toBeGreaterThanOrEqual(best - Math.max(...scored.map((c) => c.gMean!.standardError)) - 1e-9);
    expect(JSON.parse(readFileSync(join(dir, 'mc.json'), 'utf8')).selection).toEqual(asInFile(selection));
    // The same seed gives the same choice.
    const again = await run([...args, '--out', 'mc2.json']);
    expect(untimed(again.json<FitJson>().selection!)).toEqual(untimed(selection));
    const p = await run(['predict', '--model', 'mc.json', '--input', 'trees.csv', '--out', 'mc-pred.csv', '--json']);
    expect(p.code, p.stderr).toBe(0);
  });

  it('chooses by default, and keeps the balanced forest with no selection when a kind is asked for', async () => {
    const d = await run(['fit', '--input', 'events.csv', '--label', 'label', '--config', 'small-forest.json', '--out', 'd.json', '--json']);
    expect(d.code, d.stderr).toBe(0);
    expect(d.json<FitJson>().model).toBe('auto');
    expect(d.json<FitJson>().selection?.candidates.length).toBeGreaterThan(1);
    const f = await run(['fit', '--input', 'events.csv', '--label', 'label', '--kind', 'forest', '--out', 'f.json', '--json']);
    expect(f.code, f.stderr).toBe(0);
    expect(f.json<FitJson>().model).toBe('forest');
    expect(f.json<FitJson>().selection).toBeUndefined();
    // The forest asked for by name is the former fixed default: 100 trees on balanced samples (a 1:1 mix).
    const forest = JSON.parse(readFileSync(join(dir, 'f.json'), 'utf8')) as { model: { roots: unknown[]; fitPrevalence: number } };
    expect(forest.model.roots).toHaveLength(100);
    expect(forest.model.fitPrevalence).toBe(0.5);
  });

  it('refuses --kind auto behind ADASYN with one line, and writes nothing', async () => {
    writeFileSync(
      join(dir, 'adasyn.json'),
      JSON.stringify({ modelName: 'm', input: { paths: 'x', label: 'x' }, adasyn: { enabled: true } }),
    );
    const f = await run([
      'fit',
      '--input',
      'events.csv',
      '--label',
      'label',
      '--config',
      'adasyn.json',
      '--kind',
      'auto',
      '--out',
      'g.json',
    ]);
    expect(f.code).toBe(2);
    expect(f.stderr).toMatch(/^rareflow fit: --kind: "auto" cannot follow ADASYN/);
    expect(existsSync(join(dir, 'g.json'))).toBe(false);
  });

  it('rejects an unknown --kind with one line', async () => {
    const f = await run(['fit', '--input', 'events.csv', '--label', 'label', '--kind', 'svm', '--out', 'e.json']);
    expect(f.code).toBe(2);
    expect(f.stderr.trim()).toBe('rareflow fit: --kind: expected auto, forest, logreg or gbdt, got "svm"');
  });
});
