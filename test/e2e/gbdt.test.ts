// `rareflow train --kind gbdt` then `predict` and `evaluate` as a user runs them on yeast3, `fit` with
// `model.kind: "gbdt"`, and the refusals of bad gradient-boosting flags and spec keys.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cliProcess.js';

let dir: string;
const run = (args: string[]) => runCli(args, { cwd: dir });
const yeast = join(process.cwd(), 'test/fixtures/yeast3.csv');

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-gbdt-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gradient-boosted trees through the CLI', () => {
  it('train --kind gbdt writes a sealed model that predict and evaluate score from raw rows', async () => {
    const t = await run([
      'train',
      '--input',
      yeast,
      '--label',
      'label',
      '--kind',
      'gbdt',
      '--max-iterations',
      '60',
      '--learning-rate',
      '0.2',
      '--max-leaf-nodes',
      '15',
      '--out',
      'gbdt.json',
      '--json',
    ]);
    expect(t.code, t.stderr).toBe(0);
    const trained = t.json<{ model: string; note: string; threshold: number; thresholdReason: string }>();
    expect(trained.model).toBe('gbdt');
    expect(trained.note).toMatch(/^gbdt \(60 trees, learning rate 0\.2, 15 leaves\); threshold 0\.5000/);
    // Balanced class weights: the scores are on a 1:1 scale, so the prevalence rule q* = π gives 1/2.
    expect(trained.threshold).toBe(0.5);
    const file = JSON.parse(readFileSync(join(dir, 'gbdt.json'), 'utf8')) as { model: Record<string, unknown>; contentSha256: string };
    expect(file.model).toMatchObject({ kind: 'gbdt', featureCount: 8, iterations: 60, fitPrevalence: 0.5 });
    expect(file.model.options).toMatchObject({ learningRate: 0.2, maxIterations: 60, maxLeafNodes: 15, classWeight: 'balanced' });
    expect(file.contentSha256).toMatch(/^[0-9a-f]{64}$/);

    const p = await run(['predict', '--model', 'gbdt.json', '--input', yeast, '--out', 'pred.csv', '--json']);
    expect(p.code, p.stderr).toBe(0);
    expect(p.json().rows).toBe(1484);
    const [header, ...lines] = readFileSync(join(dir, 'pred.csv'), 'utf8').trim().split('\n');
    const at = header!.split(',').indexOf('score');
    expect(lines.map((l) => Number(l.split(',')[at])).every((s) => s > 0 && s < 1)).toBe(true);

    const e = await run(['evaluate', '--model', 'gbdt.json', '--input', yeast, '--label', 'label', '--json']);
    expect(e.code, e.stderr).toBe(0);
    // Scored on its own training rows: a sanity check that the file scores as trained, not a quality claim.
    expect(e.json<{ report: { gMean: number } }>().report.gMean).toBeGreaterThan(0.9);

    const again = await run([
      'train',
      '--input',
      yeast,
      '--label',
      'label',
      '--kind',
      'gbdt',
      '--max-iterations',
      '60',
      '--learning-rate',
      '0.2',
      '--max-leaf-nodes',
      '15',
      '--out',
      'gbdt2.json',
      '--json',
    ]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'gbdt2.json'), 'utf8')).model).toEqual(file.model);
  });

  it('stops early on request (--early-stopping on) on a file below 10,000 rows', async () => {
    const t = await run([
      'train',
      '--input',
      yeast,
      '--label',
      'label',
      '--kind',
      'gbdt',
      '--early-stopping',
      'on',
      '--out',
      'early.json',
      '--json',
    ]);
    expect(t.code, t.stderr).toBe(0);
    expect(t.json<{ note: string }>().note).toMatch(/^gbdt \(\d+ trees, stopped early, learning rate 0\.1, 31 leaves\)/);
    const model = JSON.parse(readFileSync(join(dir, 'early.json'), 'utf8')).model as { iterations: number; earlyStopped: boolean };
    expect(model.earlyStopped).toBe(true);
    expect(model.iterations).toBeLessThan(200);
  });

  it('fit takes model.kind "gbdt" with its keys from the pipeline spec', async () => {
    writeFileSync(join(dir, 'gbdt-spec.json'), JSON.stringify({ model: { kind: 'gbdt', threshold: 'prevalence', maxIterations: 25 } }));
    const f = await run(['fit', '--input', yeast, '--label', 'label', '--config', 'gbdt-spec.json', '--out', 'fit-gbdt.json', '--json']);
    expect(f.code, f.stderr).toBe(0);
    const model = JSON.parse(readFileSync(join(dir, 'fit-gbdt.json'), 'utf8')).model as {
      kind: string;
      iterations: number;
      roots: number[];
    };
    expect(model.kind).toBe('gbdt');
    expect(model.iterations).toBe(25);
    expect(model.roots).toHaveLength(25);
  });
});

describe('bad gradient-boosting input: one line on stderr, exit 2, no output file', () => {
  const train = (...extra: string[]) => ['train', '--input', yeast, '--label', 'label', ...extra];
  const cases: Array<[string, string[], RegExp]> = [
    [
      'an unknown model kind',
      train('--kind', 'svm', '--out', 'b1.json'),
      /^rareflow train: --kind: expected "logreg", "forest" or "gbdt", got "svm"$/,
    ],
    [
      'a learning rate of 0',
      train('--kind', 'gbdt', '--learning-rate', '0', '--out', 'b2.json'),
      /^rareflow train: --learning-rate: expected a number in \(0, 1\], got 0$/,
    ],
    [
      'a learning rate above 1',
      train('--kind', 'gbdt', '--learning-rate', '2', '--out', 'b3.json'),
      /--learning-rate: expected a number from 0 to 1, got "2"/,
    ],
    [
      'one leaf per tree',
      train('--kind', 'gbdt', '--max-leaf-nodes', '1', '--out', 'b4.json'),
      /--max-leaf-nodes: expected an integer from 2 to 65536, got "1"/,
    ],
    [
      'zero iterations',
      train('--kind', 'gbdt', '--max-iterations', '0', '--out', 'b5.json'),
      /--max-iterations: expected an integer from 1 to 100000, got "0"/,
    ],
  ];
  for (const [what, args, message] of cases) {
    it(`rejects ${what}`, async () => {
      const r = await run(args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(message);
      expect(existsSync(join(dir, args[args.indexOf('--out') + 1]!))).toBe(false);
    });
  }

  it('rejects a spec key out of range, naming it', async () => {
    writeFileSync(join(dir, 'bad-gbdt.json'), JSON.stringify({ model: { kind: 'gbdt', learningRate: 0 } }));
    const r = await run(['fit', '--input', yeast, '--label', 'label', '--config', 'bad-gbdt.json', '--out', 'b6.json']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/model\.learningRate: expected a finite number/);
    expect(existsSync(join(dir, 'b6.json'))).toBe(false);
  });
});
