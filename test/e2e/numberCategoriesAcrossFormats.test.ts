// A categorical column of numbers scores alike from a CSV (read as numbers: categories "1.5", "2.0") and from a
// Parquet file that holds the same values as text ("1.50", "2.00"): the Parquet batch was all unseen categories to a
// model fitted on the CSV. Codes written "01" in a batch match a model's categories learnt from the numbers 1, 2, 3.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ModelArtifact } from '../../core/models/modelArtifact.js';
import { withDuckDB } from '../../data/duckdbConnection.js';
import { runCli } from '../support/cliProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-number-categories-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const run = (args: string[]) => runCli(args, { cwd: dir, env: { RAREFLOW_HOME: join(dir, 'home') } });

async function predicted(model: string, input: string): Promise<{ scores: string[]; warnings: string }> {
  const out = `${input}.scores.csv`;
  const r = await run(['predict', '--model', model, '--input', input, '--out', out, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return {
    scores: readFileSync(join(dir, out), 'utf8').trim().split('\n').slice(1),
    warnings: (r.json<{ warnings?: string[] }>().warnings ?? []).join('\n'),
  };
}

describe('a categorical column of numbers', () => {
  it('a model fitted on the CSV scores the Parquet text copy, and text codes, by value', async () => {
    const rates = ['1.50', '2.00', '2.25', '3.00'];
    const lines = ['x,rate,code,y'];
    for (let i = 0; i < 800; i++) {
      const x = ((i * 37) % 101) / 25;
      lines.push(`${x.toFixed(3)},${rates[i % 4]},${(i % 3) + 1},${x > 2.6 && i % 4 === 0 ? 1 : 0}`);
    }
    writeFileSync(join(dir, 'train.csv'), `${lines.join('\n')}\n`);
    writeFileSync(join(dir, 'batch.csv'), `${lines.slice(0, 101).join('\n')}\n`);
    await withDuckDB((c) =>
      c.run(
        `COPY (SELECT CAST(x AS DOUBLE) AS x, CAST(rate AS VARCHAR) AS rate, lpad(CAST(code AS VARCHAR), 2, '0') AS code FROM read_csv('${join(dir, 'batch.csv')}', header = true, all_varchar = true)) TO '${join(dir, 'batch.parquet')}' (FORMAT parquet)`,
      ),
    );
    const fit = await run([
      'fit',
      '--input',
      'train.csv',
      '--label',
      'y',
      '--kind',
      'logreg',
      '--categorical',
      'rate,code',
      '--out',
      'm.json',
    ]);
    expect(fit.code, fit.stderr).toBe(0);
    const model = JSON.parse(readFileSync(join(dir, 'm.json'), 'utf8')) as ModelArtifact;
    expect(model.inputColumns?.find((c) => c.name === 'rate')).toMatchObject({ categories: ['1.5', '2.0', '2.25', '3.0'] });
    const fromCsv = await predicted('m.json', 'batch.csv');
    const fromParquet = await predicted('m.json', 'batch.parquet');
    expect(fromParquet.warnings).not.toContain('never saw');
    expect(fromParquet.scores).toEqual(fromCsv.scores);
  });
});
