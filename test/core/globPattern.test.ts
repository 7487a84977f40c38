// The one glob reading shared by s3:// listings and the output-over-input check, held to DuckDB's own expansion of
// the same globs over a real folder tree (an s3:// glob must take the files the same glob takes on a local path).

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { globPattern } from '../../core/globPattern.js';
import { withDuckDB } from '../../data/duckdbConnection.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-glob-'));
const FILES = ['t/a.csv', 't/ab.csv', 't/^x.csv', 't/x.parquet', 't/sub/b.csv', 't/sub/deep/c.csv', 't/sub2/d.csv', 't2/e.csv'];
for (const f of FILES) {
  mkdirSync(join(dir, f, '..'), { recursive: true });
  writeFileSync(join(dir, f), '');
}
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('globPattern', () => {
  it('takes the files DuckDB takes for the same glob', async () => {
    const globs = [
      't/*.csv',
      't/**/*.csv',
      't/**.csv',
      't/**',
      't/a**.csv',
      't/sub/**/c.csv',
      't/**/deep/*.csv',
      't/*/**/*.csv',
      't/**/sub/*.csv',
      't*/*.csv',
      't/?.csv',
      't/[ab]*.csv',
      't/[!a]*.csv',
      't/[^a]*.csv',
    ];
    await withDuckDB(async (c) => {
      for (const glob of globs) {
        const rows = (await c.runAndReadAll(`SELECT file FROM glob('${join(dir, glob)}') ORDER BY 1`)).getRowsJS();
        const duckdb = rows.map((r) => relative(dir, String(r[0]))).sort();
        const ours = FILES.filter((f) => globPattern(glob).test(f)).sort();
        expect(ours, glob).toEqual(duckdb);
      }
    });
  });

  it('reads the rest literally', () => {
    expect(globPattern('a.b(1)+.csv').test('a.b(1)+.csv')).toBe(true);
    expect(globPattern('a.b.csv').test('aXb.csv')).toBe(false);
  });
});
