// A logistic model of one feature scores a Parquet file as it scores the CSV copy. DuckDB refused the engine path's
// dot product over a list of one read from Parquet ("left argument can not contain NULL values"), so predict failed
// on a valid file, blaming it.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { withDuckDB } from '../../data/duckdbConnection.js';
import { runCli } from '../support/cliProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-one-feature-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const run = (args: string[]) => runCli(args, { cwd: dir, env: { RAREFLOW_HOME: join(dir, 'home') } });

describe('a one-feature logistic model', () => {
  it('scores the Parquet copy of a CSV file with the same scores', async () => {
    // Written by DuckDB from a range (a copy of a CSV file did not show the failure; this file did).
    const rows = `SELECT ((i * 37) % 101) / 25.0 AS x, CASE WHEN (i * 37) % 101 > 80 AND i % 3 <> 0 THEN 1 ELSE 0 END AS y FROM range(2000) t(i)`;
    await withDuckDB(async (c) => {
      await c.run(`COPY (${rows}) TO '${join(dir, 'one.parquet')}' (FORMAT parquet)`);
      await c.run(`COPY (${rows}) TO '${join(dir, 'one.csv')}' (FORMAT csv, HEADER true)`);
    });
    const fit = await run(['fit', '--input', 'one.csv', '--label', 'y', '--kind', 'logreg', '--out', 'm.json']);
    expect(fit.code, fit.stderr).toBe(0);
    const scores = async (input: string, out: string) => {
      const r = await run(['predict', '--model', 'm.json', '--input', input, '--out', out]);
      expect(r.code, r.stderr).toBe(0);
      return readFileSync(join(dir, out), 'utf8').trim().split('\n').slice(1);
    };
    const fromCsv = await scores('one.csv', 'pc.csv');
    expect(fromCsv).toHaveLength(2000);
    expect(await scores('one.parquet', 'pp.csv')).toEqual(fromCsv);
  });
});
