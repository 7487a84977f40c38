// A CSV of a header alone reads as text columns: predict says the file has no rows instead of blaming a column's
// type, exits 2 and writes nothing. A Parquet file of a schema alone (numeric columns) is refused the same way, by
// either scorer (before, it wrote a file of a header alone and exited 0).

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fitCommand } from '../../client/fitCommand.js';
import { withDuckDB } from '../../data/duckdbConnection.js';
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

  // Logistic regression scores inside DuckDB, a forest in chunks.
  it.each(['logreg', 'forest'] as const)('refuses a Parquet file with no rows (%s), writing nothing', async (kind) => {
    const train = join(dir, 'train-numbers.csv');
    writeFileSync(
      train,
      ['a,b,label', ...Array.from({ length: 120 }, (_, i) => `${i % 13},${(i * 7) % 5},${i % 6 === 0 ? 1 : 0}`), ''].join('\n'),
    );
    const model = join(dir, `${kind}.json`);
    await fitCommand({ input: train, label: 'label', out: model, model: kind });
    const empty = join(dir, 'empty.parquet');
    await withDuckDB((c) => c.run(`COPY (SELECT 1.5::DOUBLE AS a, 2.5::DOUBLE AS b LIMIT 0) TO '${empty}' (FORMAT parquet)`));
    const out = join(dir, `${kind}-scores.csv`);
    const r = await runCli(['predict', '--model', model, '--input', empty, '--out', out], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`rareflow predict: ${empty} has no data rows; expected at least one row to score\n`);
    expect(existsSync(out)).toBe(false);
  });
});
