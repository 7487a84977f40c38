// predict --id copies the id column as the input spells it: an id spelt like a missing-value marker (NA, ?, NULL)
// is written as spelt, not empty; an empty id is written missing, not refused; whole-number ids keep their type; an
// id holding a comma or a line break is written quoted, however late in the file.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withDuckDB } from '../../data/duckdbConnection.js';
import { runCli } from '../support/cliProcess.js';

let dir: string;
const run = (args: string[]) => runCli(args, { cwd: dir });

/** The first column of a CSV, cell by cell as written. */
const firstCells = (path: string) =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(',')[0]);

async function parquetIds(path: string): Promise<{ type: string; ids: (string | null)[] }> {
  return withDuckDB(async (c) => {
    const rows = (await c.runAndReadAll(`SELECT typeof(id), CAST(id AS VARCHAR) FROM read_parquet('${path}')`)).getRowsJS();
    return { type: String(rows[0]![0]), ids: rows.map((r) => (r[1] === null ? null : String(r[1]))) };
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-predict-id-'));
  const train = ['x,label'];
  for (let i = 0; i < 300; i++) train.push(`${((i * 37) % 17) / 5 + (i % 10 === 0 ? 3 : 0)},${i % 10 === 0 ? 1 : 0}`);
  writeFileSync(join(dir, 'train.csv'), `${train.join('\n')}\n`);
  writeFileSync(join(dir, 'spelt.csv'), 'id,x\n1001,0.5\nNA,3.5\n?,1.0\nNULL,2.0\n,0.1\n1006,4.0\n');
  writeFileSync(join(dir, 'numbers.csv'), 'id,x\n1001,0.5\n,3.5\n1003,1.0\n');
  // 20-digit ids (past 2^63: DuckDB types them DOUBLE) and decimal ids: written as spelt, not as 1.2345678901234567e+19.
  writeFileSync(join(dir, 'wide.csv'), 'id,x\n12345678901234567890,0.5\n12345678901234567891,3.5\n12345678901234567892,1.0\n');
  writeFileSync(join(dir, 'decimals.csv'), 'id,x\n1.10,0.5\n1.100,3.5\n1000.00,1.0\n');
  // Ids with a comma or a line break inside (quoted) only past the rows a CSV sniffer samples.
  const late = ['id,x'];
  for (let i = 0; i < 30_000; i++) late.push(`${i === 25_000 ? '"ACME, Inc"' : i === 28_000 ? '"line1\nline2"' : `r${i}`},${(i % 23) / 4}`);
  writeFileSync(join(dir, 'late.csv'), `${late.join('\n')}\n`);
  for (const kind of ['logreg', 'forest']) {
    const f = await run(['fit', '--input', 'train.csv', '--label', 'label', '--kind', kind, '--out', `${kind}.json`]);
    expect(f.code, f.stderr).toBe(0);
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Logistic regression scores inside DuckDB, the forest in chunks: both ways copy the id.
describe.each(['logreg', 'forest'])('predict --id with a %s model', (kind) => {
  it('writes an id spelt like a missing-value marker as spelt, and an empty one empty', async () => {
    const p = await run(['predict', '--model', `${kind}.json`, '--input', 'spelt.csv', '--out', `${kind}-spelt.csv`, '--id', 'id']);
    expect(p.code, p.stderr).toBe(0);
    expect(firstCells(join(dir, `${kind}-spelt.csv`))).toEqual(['1001', 'NA', '?', 'NULL', '', '1006']);
    const q = await run(['predict', '--model', `${kind}.json`, '--input', 'spelt.csv', '--out', `${kind}-spelt.parquet`, '--id', 'id']);
    expect(q.code, q.stderr).toBe(0);
    expect(await parquetIds(join(dir, `${kind}-spelt.parquet`))).toEqual({
      type: 'VARCHAR',
      ids: ['1001', 'NA', '?', 'NULL', null, '1006'],
    });
  });

  it('writes a late id holding a comma or a line break quoted, and counts the positives of the file it wrote', async () => {
    const p = await run(['predict', '--model', `${kind}.json`, '--input', 'late.csv', '--out', `${kind}-late.csv`, '--id', 'id', '--json']);
    expect(p.code, p.stderr).toBe(0);
    const said = JSON.parse(p.stdout) as { rows: number; predictedPositive: number };
    const written = await withDuckDB(async (c) =>
      (
        await c.runAndReadAll(
          `SELECT count(*), count(*) FILTER (WHERE pred = '1'), count(*) FILTER (WHERE id = 'ACME, Inc' OR id = E'line1\\nline2') FROM read_csv('${join(dir, `${kind}-late.csv`)}', header = true, all_varchar = true, delim = ',', quote = '"', escape = '"')`,
        )
      )
        .getRowsJS()[0]!
        .map(Number),
    );
    expect(written).toEqual([30_000, said.predictedPositive, 2]);
    expect(said.rows).toBe(30_000);
  });

  it('keeps whole-number ids as numbers, an empty one missing', async () => {
    const p = await run(['predict', '--model', `${kind}.json`, '--input', 'numbers.csv', '--out', `${kind}-numbers.parquet`, '--id', 'id']);
    expect(p.code, p.stderr).toBe(0);
    expect(await parquetIds(join(dir, `${kind}-numbers.parquet`))).toEqual({ type: 'BIGINT', ids: ['1001', null, '1003'] });
  });

  it('writes ids a number type would not give back as spelt (20 digits, 1.10) as text', async () => {
    for (const [file, ids] of [
      ['wide', ['12345678901234567890', '12345678901234567891', '12345678901234567892']],
      ['decimals', ['1.10', '1.100', '1000.00']],
    ] as const) {
      const p = await run(['predict', '--model', `${kind}.json`, '--input', `${file}.csv`, '--out', `${kind}-${file}.csv`, '--id', 'id']);
      expect(p.code, p.stderr).toBe(0);
      expect(firstCells(join(dir, `${kind}-${file}.csv`))).toEqual(ids);
      const q = await run([
        'predict',
        '--model',
        `${kind}.json`,
        '--input',
        `${file}.csv`,
        '--out',
        `${kind}-${file}.parquet`,
        '--id',
        'id',
      ]);
      expect(q.code, q.stderr).toBe(0);
      expect(await parquetIds(join(dir, `${kind}-${file}.parquet`))).toEqual({ type: 'VARCHAR', ids: [...ids] });
    }
  });
});
