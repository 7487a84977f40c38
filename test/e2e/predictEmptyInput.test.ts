// A CSV of a header alone reads as text columns: predict says the file has no rows instead of blaming a column's
// type, exits 2 and writes nothing.

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fitCommand } from '../../client/fitCommand.js';
import { runCli } from '../support/cliProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-empty-predict-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('predict on a header-only CSV', () => {
  it('names the missing rows, exits 2 and writes no output', async () => {
    const train = join(dir, 'train.csv');
    writeFileSync(
      train,
      ['a,b,label', ...Array.from({ length: 120 }, (_, i) => `${i % 13},${(i * 7) % 5},${i % 6 === 0 ? 1 : 0}`), ''].join('\n'),
    );
    const model = join(dir, 'model.json');
    await fitCommand({ input: train, label: 'label', out: model, model: 'logreg' });
    const empty = join(dir, 'empty.csv');
    writeFileSync(empty, 'a,b,label\n');
    const out = join(dir, 'scores.csv');
    const r = await runCli(['predict', '--model', model, '--input', empty, '--out', out], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`rareflow predict: ${empty} has no data rows (only a header: a, b, label); expected at least one row to score\n`);
    expect(existsSync(out)).toBe(false);
  });
});
