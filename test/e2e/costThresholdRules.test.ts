// The cost threshold rule (`cost:L0,L1`) as fit applies it: q = L0/(L0+L1) holds for probabilities at the data's
// positive share, and a model fitted at another share (a balanced forest at 1/2) takes it moved to its own scale
// (before, q went on the 1:1 scale as it was, and the "cost-optimal" forest cost twice the optimum); under `auto` the
// given cost rule is the winner's rule (before, it lost to the prevalence rule on G-mean and was dropped without a
// word); and a label of three or more classes refuses it (every class took the same threshold, so the costs changed
// nothing).

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fitCommand } from '../../client/fitCommand.js';
import type { ModelArtifact } from '../../core/models/modelArtifact.js';
import { seededRandom } from '../../core/random.js';
import { runCli } from '../support/cliProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-cost-rule-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `n` rows, about 6% positive (class `classes - 1` rare when three), two informative features. */
function rows(name: string, n: number, classes = 2): string {
  const random = seededRandom(7);
  const lines = ['f0,f1,f2,y'];
  for (let i = 0; i < n; i++) {
    const u = random.next();
    const y = classes === 2 ? (u < 0.06 ? 1 : 0) : u < 0.06 ? 2 : u < 0.3 ? 1 : 0;
    lines.push(`${(random.next() * 2 + 1.5 * y).toFixed(4)},${(random.next() * 2 + y).toFixed(4)},${random.next().toFixed(4)},${y}`);
  }
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

const config = (name: string, model: Record<string, unknown>) => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ model }));
  return path;
};

const logit = (p: number) => Math.log(p / (1 - p));
/** The cost:1,9 threshold on the scale of a model fitted at `fitted` for data at `data`. */
const moved = (fitted: number, data: number) => 1 / (1 + Math.exp(-(Math.log(1 / 9) + logit(fitted) - logit(data))));

describe('the cost threshold rule', () => {
  const input = rows('two.csv', 2000);
  const share = (() => {
    const ys = readFileSync(input, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => Number(l.split(',')[3]));
    return ys.filter((y) => y === 1).length / ys.length;
  })();
  /** `fit` of the two-class file with `model` as its config's model block; the model file it writes. */
  const fitted = async (name: string, model: Record<string, unknown>, extra: { budgetSeconds?: number } = {}) => {
    const out = join(dir, `${name}.json`);
    await fitCommand({ input, label: 'y', out, config: config(`${name}.cfg.json`, model), ...extra });
    return JSON.parse(readFileSync(out, 'utf8')) as ModelArtifact;
  };

  it("is moved to a balanced forest's 1:1 scale from the data's positive share", async () => {
    const m = await fitted('forest', { kind: 'forest', sampling: 'balanced', threshold: 'cost:1,9' });
    expect(m.training.fitPrevalence).toBe(0.5);
    expect(m.threshold).toBeCloseTo(moved(0.5, share), 12);
    expect(m.threshold).toBeGreaterThan(0.5);
  });

  it('is moved from the share of the input, not of the rows ADASYN or the noise filter left', async () => {
    for (const [name, stages] of [
      ['adasyn', { adasyn: { enabled: true } }],
      ['enn', { denoise: { method: 'enn' } }],
    ] as const) {
      const out = join(dir, `${name}-cost.json`);
      const path = join(dir, `${name}-cost.cfg.json`);
      writeFileSync(path, JSON.stringify({ ...stages, model: { kind: 'logreg', threshold: 'cost:1,9' } }));
      await fitCommand({ input, label: 'y', out, config: path });
      const m = JSON.parse(readFileSync(out, 'utf8')) as ModelArtifact;
      // Before, ADASYN's share of about 1/2 was taken for the data's, and q = 0.1 went unmoved on a 1:1 model.
      expect(m.threshold, name).toBeCloseTo(moved(m.training.fitPrevalence, share), 12);
    }
  });

  it("is moved from the share of an adasyn output file's real rows, not of its synthetic ones (fit and train)", async () => {
    const oversampled = join(dir, 'oversampled.csv');
    const a = await runCli(['adasyn', '--input', input, '--label', 'y', '--out', oversampled], { cwd: dir });
    expect(a.code, a.stderr).toBe(0);
    const t = await runCli(
      [
        'train',
        '--input',
        oversampled,
        '--label',
        'y',
        '--kind',
        'logreg',
        '--threshold',
        'cost:1,9',
        '--out',
        join(dir, 'oversampled-train.json'),
      ],
      { cwd: dir },
    );
    expect(t.code, t.stderr).toBe(0);
    const path = join(dir, 'oversampled.cfg.json');
    writeFileSync(path, JSON.stringify({ model: { kind: 'logreg', threshold: 'cost:1,9' } }));
    await fitCommand({ input: oversampled, label: 'y', out: join(dir, 'oversampled-fit.json'), config: path });
    for (const command of ['train', 'fit']) {
      const m = JSON.parse(readFileSync(join(dir, `oversampled-${command}.json`), 'utf8')) as ModelArtifact;
      // The model learnt at about 1/2; before, that share was taken for the data's and q = 0.1 went unmoved.
      expect(m.training.fitPrevalence, command).toBeGreaterThan(0.4);
      expect(m.threshold, command).toBeCloseTo(moved(m.training.fitPrevalence, share), 12);
    }
  });

  it('is the rule of the model auto chooses', async () => {
    const m = await fitted('auto', { kind: 'auto', threshold: 'cost:1,9' }, { budgetSeconds: 20 });
    expect(m.thresholdPolicy).toEqual({ kind: 'cost', lossFalsePositive: 1, lossFalseNegative: 9 });
    if (m.model.kind !== 'vote') expect(m.threshold).toBeCloseTo(moved(m.training.fitPrevalence, share), 12);
  });

  it('is refused for a label of three classes, and nothing is written', async () => {
    const out = join(dir, 'three.json');
    await expect(
      fitCommand({
        input: rows('three.csv', 1500, 3),
        label: 'y',
        out,
        config: config('three.cfg.json', { kind: 'logreg', threshold: 'cost:1,9' }),
      }),
    ).rejects.toThrow(
      /model\.threshold: "cost:1,9" weighs the errors of one positive class against the rest, but label column "y" of .*three\.csv has 3 classes/,
    );
    expect(existsSync(out)).toBe(false);
  });
});
