// `evaluate` counts every row once, as the pipeline's validation does: a sample_weight column in its input is said to
// be unread, never taken in silence as if the figures were weighted.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cliProcess.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-evaluate-weights-'));
  const lines = (weighted: boolean) => [
    weighted ? 'a,b,sample_weight,label' : 'a,b,label',
    ...Array.from({ length: 200 }, (_, i) => {
      const positive = i % 8 === 0;
      const a = ((i * 37) % 101) / 100 + (positive ? 0.8 : 0);
      return `${a},${((i * 13) % 7) / 7},${weighted ? `${positive ? 100 : 1},` : ''}${positive ? 1 : 0}`;
    }),
  ];
  writeFileSync(join(dir, 'train.csv'), `${lines(false).join('\n')}\n`);
  writeFileSync(join(dir, 'weighted.csv'), `${lines(true).join('\n')}\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('evaluate on a file with a sample_weight column', () => {
  it('says the column is not read, and its figures are those of the rows counted once', async () => {
    const t = await runCli(['train', '--input', 'train.csv', '--label', 'label', '--kind', 'logreg', '--out', 'm.json'], { cwd: dir });
    expect(t.code, t.stderr).toBe(0);
    const plain = await runCli(['evaluate', '--model', 'm.json', '--input', 'train.csv', '--label', 'label', '--json'], { cwd: dir });
    const weighted = await runCli(['evaluate', '--model', 'm.json', '--input', 'weighted.csv', '--label', 'label', '--json'], { cwd: dir });
    expect(weighted.code, weighted.stderr).toBe(0);
    const w = weighted.json<{ warnings?: string[]; report: unknown }>();
    expect(w.warnings).toContain(
      'weighted.csv has a sample_weight column, which evaluate does not read: every row counts once in these figures and gates',
    );
    expect(w.report).toEqual(plain.json<{ report: unknown }>().report);
  });
});
