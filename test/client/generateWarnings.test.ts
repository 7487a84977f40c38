// `rareflow generate` says when its file holds one class only, and when drift's prior increase hit its cap of ½: the
// file is written either way, and what it holds is not what the flags suggest.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCommand } from '../../client/generateCommand.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-generate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const args = { rows: 1000, positiveRate: 0.1, features: 2, categorical: 0, noise: 0, drift: 0, seed: 1 };

describe('generate', () => {
  it('warns when the file holds no positives', async () => {
    const r = await generateCommand({ ...args, rows: 10, positiveRate: 0.0001, out: join(dir, 'none.csv') });
    expect(r.positives).toBe(0);
    expect(r.warnings).toEqual([
      'the file holds no positives (10 rows at a positive rate of 0.0001): nothing can be learnt from one class; raise --rows or --positive-rate',
    ]);
  });

  it('warns when drift would raise the positive rate past its cap of 0.5, and not otherwise', async () => {
    const capped = await generateCommand({ ...args, drift: -10, out: join(dir, 'capped.csv') });
    expect(capped.warnings).toEqual([
      "--drift -10 raises the positive rate to 0.1 × (1 + 10) = 1.1, capped at 0.5: the file's positive rate is about 0.5",
    ]);
    expect(capped.positives / capped.rows).toBeGreaterThan(0.4);
    expect((await generateCommand({ ...args, drift: 0.5, out: join(dir, 'plain.csv') })).warnings).toBeUndefined();
  });
});
