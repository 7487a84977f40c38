// A wide file's row checks and projections nest one term per column: DuckDB's default expression depth (1,000)
// failed `predict` of a model of 1,500 features with a parser error. Every session rareflow opens allows deeper ones.

import { describe, expect, it } from 'vitest';
import { withDuckDB } from '../../data/duckdbConnection.js';

describe('a DuckDB session', () => {
  it('evaluates an expression nested past the default depth of 1,000', async () => {
    const nested = Array.from({ length: 1500 }, (_, i) => `(x${i % 3} IS NULL OR `).join('') + 'false' + ')'.repeat(1500);
    const sql = `SELECT count(*) FILTER (WHERE ${nested}) AS n FROM (SELECT 1 AS x0, NULL AS x1, 3 AS x2)`;
    const n = await withDuckDB(async (c) => (await c.runAndReadAll(sql)).getRowsJS()[0]![0]);
    expect(Number(n)).toBe(1);
  });
});
