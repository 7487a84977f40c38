// Extremely randomised trees through the CLI: `train --splitter random`, `fit` with `model.splitter`, and the
// refusals of a bad value from the flag and from the spec.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cliProcess.js';

let dir: string;
const run = (args: string[]) => runCli(args, { cwd: dir });
const yeast = join(process.cwd(), 'test/fixtures/yeast3.csv');
/** `rareflow train --kind forest` on yeast3 with `extra` flags. */
const trainForest = (...extra: string[]) => run(['train', '--input', yeast, '--label', 'label', '--kind', 'forest', ...extra]);
const modelOf = (file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8')).model as { options: Record<string, unknown> };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-splitter-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('forest splitter', () => {
  it('train --splitter random grows extremely randomised trees that predict scores', async () => {
    const train = (splitter: string, out: string) => trainForest('--trees', '20', '--splitter', splitter, '--out', out, '--json');
    const t = await train('random', 'et.json');
    expect(t.code, t.stderr).toBe(0);
    expect(t.json<{ note: string }>().note).toMatch(/^forest \(20 trees, balanced sampling, random cuts, mtry 2\)/);
    expect(modelOf('et.json').options).toMatchObject({ splitter: 'random', sampling: 'balanced', trees: 20 });
    const best = await train('best', 'best.json');
    expect(best.code, best.stderr).toBe(0);
    expect(best.json<{ note: string }>().note).toMatch(/^forest \(20 trees, balanced sampling, mtry 2\)/);
    const p = await run(['predict', '--model', 'et.json', '--input', yeast, '--out', 'pred.csv', '--json']);
    expect(p.code, p.stderr).toBe(0);
    expect(p.json().rows).toBe(1484);
  });

  it('fit takes model.splitter from the spec', async () => {
    writeFileSync(
      join(dir, 'et-spec.json'),
      JSON.stringify({ model: { kind: 'forest', threshold: 'prevalence', trees: 15, splitter: 'random' } }),
    );
    const f = await run(['fit', '--input', yeast, '--label', 'label', '--config', 'et-spec.json', '--out', 'fit-et.json', '--json']);
    expect(f.code, f.stderr).toBe(0);
    expect(modelOf('fit-et.json').options).toMatchObject({ splitter: 'random', trees: 15 });
  });

  it('refuses a bad splitter from the flag and from the spec, writing nothing', async () => {
    const flag = await trainForest('--splitter', 'smart', '--out', 'bad1.json');
    expect(flag.code).toBe(2);
    expect(flag.stderr.trim()).toBe('rareflow train: --splitter: expected best or random, got "smart"');
    expect(existsSync(join(dir, 'bad1.json'))).toBe(false);
    writeFileSync(join(dir, 'bad-spec.json'), JSON.stringify({ model: { kind: 'forest', threshold: 'prevalence', splitter: 'smart' } }));
    const spec = await run(['fit', '--input', yeast, '--label', 'label', '--config', 'bad-spec.json', '--out', 'bad2.json']);
    expect(spec.code).toBe(2);
    expect(spec.stderr).toMatch(/model\.splitter/);
    expect(spec.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, 'bad2.json'))).toBe(false);
  });
});
