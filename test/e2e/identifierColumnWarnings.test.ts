// The single-step commands say when a feature column is a row number or an id, as `fit` does: ADASYN and the noise
// filter would measure neighbours on it (and ADASYN write ids between two rows' ids), and a model would learn from it.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cliProcess.js';

describe('id columns in denoise, adasyn and train', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rareflow-idcols-'));
    const rows = (header: string, row: (i: number) => string) =>
      `${[header, ...Array.from({ length: 240 }, (_, i) => row(i))].join('\n')}\n`;
    // A counter, a shuffled id (7 is coprime with 240) and a measurement.
    writeFileSync(
      join(dir, 'ids.csv'),
      rows('row,id,a,label', (i) => `${i + 1},${5000 + ((i * 7) % 240)},${((i * 13) % 17) / 3},${i % 8 === 0 ? 1 : 0}`),
    );
    writeFileSync(
      join(dir, 'plain.csv'),
      rows('a,b,label', (i) => `${((i * 13) % 17) / 3},${(i % 5) + 0.5},${i % 8 === 0 ? 1 : 0}`),
    );
  });

  const commands = (input: string) => [
    ['denoise', '--input', input, '--label', 'label', '--out', `den-${input}`],
    ['adasyn', '--input', input, '--label', 'label', '--out', `ada-${input}`],
    ['train', '--input', input, '--label', 'label', '--kind', 'logreg', '--out', `${input}.json`],
  ];

  it('warn about a row counter and a shuffled id, saying how to leave them out', async () => {
    for (const args of commands('ids.csv')) {
      const r = await runCli([...args, '--json'], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      const warnings = r.json<{ warnings?: string[] }>().warnings ?? [];
      expect(warnings, args[0]).toEqual([
        expect.stringMatching(/^column "row" counts the rows .* leave it out of the file \(or start its name with "_"/),
        expect.stringMatching(/^column "id" holds a different whole number on every row, as an id does/),
      ]);
    }
  });

  it('say nothing of measurements', async () => {
    for (const args of commands('plain.csv')) {
      const r = await runCli([...args, '--json'], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      expect(r.json<{ warnings?: string[] }>().warnings ?? [], args[0]).toEqual([]);
    }
  });
});
