// A streamed query that fails part-way must throw, not end early (DuckDB's stream fetch ends both ways alike).

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { streamQuery } from '../../data/checkedStream.js';
import { sqlString, withDuckDB } from '../../data/duckdbConnection.js';
import { forEachChunk, nextChunk } from '../../data/resultChunks.js';

/** 60,000 rows of numbers with a text cell on data row 50,001: far past the 20,480 rows DuckDB types a column from. */
function lateTextCsv(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rareflow-stream-'));
  const lines = ['a,b'];
  for (let i = 0; i < 60_000; i++) lines.push(`${i === 50_000 ? 'abc' : (i % 7) + 0.5},${i % 3}`);
  const path = join(dir, 'late.csv');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

describe('streamQuery', () => {
  const path = lateTextCsv();
  const sql = `SELECT CAST(a AS DOUBLE), CAST(b AS DOUBLE) FROM read_csv(${sqlString(path)})`;

  it('throws the conversion error where the plain stream ends early without one', async () => {
    await withDuckDB(async (c) => {
      // The behaviour guarded against: the library's own stream gives some rows, then an end, and no error.
      const plain = await c.stream(sql);
      let plainRows = 0;
      for (let chunk = await nextChunk(plain); chunk !== null; chunk = await nextChunk(plain)) plainRows += chunk.rowCount;
      expect(plainRows).toBeLessThan(60_000);
    });
    await withDuckDB(async (c) => {
      let rows = 0;
      const read = forEachChunk(await streamQuery(c, sql), (chunk) => {
        rows += chunk.rowCount;
      });
      await expect(read).rejects.toThrow(/Could not convert string "abc"/);
      expect(rows).toBeLessThan(60_000);
      // The connection is usable afterwards.
      expect((await c.runAndReadAll('SELECT 41 + 1')).getRowsJS()[0]?.[0]).toBe(42);
    });
  });

  it('reads a whole good query, and a stream stopped early leaves the connection usable for the next', async () => {
    await withDuckDB(async (c) => {
      let rows = 0;
      await forEachChunk(await streamQuery(c, `SELECT b FROM read_csv(${sqlString(path)}, all_varchar = true)`), (chunk) => {
        rows += chunk.rowCount;
        return true;
      });
      expect(rows).toBeGreaterThan(0);
      rows = 0;
      const result = await streamQuery(c, `SELECT CAST(b AS DOUBLE) FROM read_csv(${sqlString(path)})`);
      for (let chunk = await nextChunk(result); chunk !== null; chunk = await nextChunk(result)) rows += chunk.rowCount;
      expect(rows).toBe(60_000);
    });
  });
});
