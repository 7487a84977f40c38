// `rareflow train`'s number flags take the upper bounds of the pipeline spec's model keys, from the same constants: a
// value past one is refused, exit 2, naming the flag, the bound and the value, before any work (it once ran out of
// memory on --max-leaf-nodes 1e9 and ran for ever on --max-iterations 1e9); the spec refuses the same value.

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolvePipelineSpec } from '../../client/pipelineSpec.js';
import { MAX_BOOSTING_ITERATIONS, MAX_L2, MAX_LEAF_NODES, MAX_TREES } from '../../core/spec/modelKeyBounds.js';
import { runCli } from '../support/cliProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-train-bounds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const data = join(dir, 'd.csv');
writeFileSync(
  data,
  [
    'f0,f1,label',
    ...Array.from({ length: 200 }, (_, i) => `${(i % 17) / 4 + (i < 20 ? 2 : 0)},${(i % 13) / 3},${i < 20 ? 1 : 0}`),
    '',
  ].join('\n'),
);
const train = (kind: string, flags: string[], out: string) =>
  runCli(['train', '--input', data, '--label', 'label', '--kind', kind, ...flags, '--out', out], { cwd: dir, timeoutMs: 30_000 });

// Each value once broke or slipped past train: 1e9 leaves failed for want of memory (exit 3), 1e9 iterations ran for
// ever, and the others were accepted though the spec refuses them.
const pastTheBound: Array<[string, string, string, string]> = [
  ['gbdt', 'max-leaf-nodes', '1e9', `expected an integer from 2 to ${MAX_LEAF_NODES}`],
  ['gbdt', 'max-leaf-nodes', String(MAX_LEAF_NODES + 1), `expected an integer from 2 to ${MAX_LEAF_NODES}`],
  ['gbdt', 'max-iterations', '1e9', `expected an integer from 1 to ${MAX_BOOSTING_ITERATIONS}`],
  ['forest', 'trees', String(MAX_TREES + 1), `expected an integer from 1 to ${MAX_TREES}`],
  ['logreg', 'l2', '1e7', `expected a number from 0 to ${MAX_L2}`],
];

describe('train number flags past the spec bounds', () => {
  for (const [kind, flag, value, expected] of pastTheBound) {
    it(`are refused, naming the flag, the bound and the value; no model is written: --kind ${kind} --${flag} ${value}`, async () => {
      const out = join(dir, `${kind}-${flag}-${value}.json`);
      const r = await train(kind, [`--${flag}`, value], out);
      expect(r.code, `--${flag} ${value}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toBe(`rareflow train: --${flag}: ${expected}, got "${value}"\n`);
      expect(existsSync(out), `--${flag} ${value} wrote ${out}`).toBe(false);
    });
  }

  it('are the bounds the spec refuses past', () => {
    const spec = (model: Record<string, unknown>) => ({ modelName: 'm', input: { paths: ['x.csv'], label: 'label' }, model });
    expect(() => resolvePipelineSpec(spec({ kind: 'gbdt', maxLeafNodes: MAX_LEAF_NODES + 1 }), 's.json')).toThrow('model.maxLeafNodes');
    expect(() => resolvePipelineSpec(spec({ kind: 'gbdt', maxIterations: MAX_BOOSTING_ITERATIONS + 1 }), 's.json')).toThrow(
      'model.maxIterations',
    );
    expect(() => resolvePipelineSpec(spec({ kind: 'forest', trees: MAX_TREES + 1 }), 's.json')).toThrow('model.trees');
    expect(() => resolvePipelineSpec(spec({ kind: 'logreg', l2: MAX_L2 * 10 }), 's.json')).toThrow('model.l2');
    expect(resolvePipelineSpec(spec({ kind: 'gbdt', maxLeafNodes: MAX_LEAF_NODES }), 's.json').model.kind).toBe('gbdt');
  });

  it('accept the bound itself', async () => {
    const out = join(dir, 'at-the-bound.json');
    const r = await train('gbdt', ['--max-leaf-nodes', String(MAX_LEAF_NODES), '--max-iterations', '2', '--json'], out);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(out)).toBe(true);
  });
});
