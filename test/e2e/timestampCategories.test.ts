// A categorical column of timestamps with a time zone: DuckDB rewrote the test `CAST(ts AS VARCHAR) <> ''` into a
// comparison of timestamps, where '' is none, so it was NULL on every row: fit learnt no category (and warned that
// every cell was empty, or said nothing under --missing reject), and a batch of values the model never saw scored
// as none of its categories without the warning.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ModelArtifact } from '../../core/models/modelArtifact.js';
import { withDuckDB } from '../../data/duckdbConnection.js';
import { runCli } from '../support/cliProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-tz-categories-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const run = (args: string[]) => runCli(args, { cwd: dir, env: { RAREFLOW_HOME: join(dir, 'home') } });

describe('a categorical column of timestamps with a time zone', () => {
  it('learns its values as categories, and a batch of other values is said to hold unseen ones', async () => {
    const rows = (base: string) =>
      `SELECT ((i * 37) % 101) / 25.0 AS x, TIMESTAMPTZ '${base}' + INTERVAL (i % 3) HOUR AS ts, CASE WHEN (i * 37) % 101 > 70 AND i % 3 = 1 THEN 1 ELSE 0 END AS y FROM range(600) t(i)`;
    await withDuckDB(async (c) => {
      await c.run(`COPY (${rows('2023-01-01 10:00:00+00')}) TO '${join(dir, 'train.parquet')}' (FORMAT parquet)`);
      await c.run(`COPY (${rows('2024-05-01 10:00:00+00')}) TO '${join(dir, 'later.parquet')}' (FORMAT parquet)`);
    });
    for (const missing of [[], ['--missing', 'reject']]) {
      const fit = await run([
        'fit',
        '--input',
        'train.parquet',
        '--label',
        'y',
        '--kind',
        'logreg',
        '--categorical',
        'ts',
        ...missing,
        '--out',
        'm.json',
        '--json',
      ]);
      expect(fit.code, fit.stderr).toBe(0);
      expect(fit.stdout).not.toContain('no category');
      const model = JSON.parse(readFileSync(join(dir, 'm.json'), 'utf8')) as ModelArtifact;
      expect(model.inputColumns?.find((c) => c.name === 'ts')).toMatchObject({
        kind: 'categorical',
        categories: ['2023-01-01 10:00:00+00', '2023-01-01 11:00:00+00', '2023-01-01 12:00:00+00'],
      });
    }
    const later = await run(['predict', '--model', 'm.json', '--input', 'later.parquet', '--out', 'p.csv', '--json']);
    expect(later.code, later.stderr).toBe(0);
    expect(later.json<{ warnings?: string[] }>().warnings?.join('\n')).toContain('600 of 600 rows hold a value the model never saw');
  });
});
