// A CSV file's dialect is sniffed once per process (when the file is first checked) and every later read spells it
// out with auto-detection off: the reads must give exactly what auto-detection gives, and a file changed since must
// be sniffed again rather than read with stale columns.

import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { readLabelledDataset } from '../../data/datasetReader.js';
import { withDuckDB } from '../../data/duckdbConnection.js';
import { describeColumns, requireFile, tableSource } from '../../data/inputSources.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-csv-dialect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every row as text, and the DuckDB types, of a read_csv source. */
async function readAll(source: string): Promise<{ types: string[]; rows: string[] }> {
  return withDuckDB(async (c) => {
    const types = (await c.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`))
      .getRowObjectsJS()
      .map((r) => `${r.column_name} ${r.column_type}`);
    const rows = (await c.runAndReadAll(`SELECT * FROM ${source}`))
      .getRowsJS()
      .map((r) => JSON.stringify(r, (_, v) => (typeof v === 'bigint' ? `${v}` : v)));
    return { types, rows };
  });
}

const files: Record<string, string> = {
  'semicolons.csv': 'id;"name; full";when;score;label\n1;"a; b";2024-01-05;2.5;yes\n2;"c ""q""";2024-02-06;?;no\n3;d;2024-03-07;NA;no\n',
  'tabs.csv': 'x\ty\tlabel\n1.5\t2\t0\n2.5\t\t1\n3.5\t4\t0\n',
  'crlf.csv': 'x,label\r\n0.1,1\r\n0.2,0\r\n0.3,0\r\n',
  'iso-dates.csv': 'day,amount,label\n2024-01-05,3,1\n2024-02-06,4,0\n2024-03-07,5,0\n',
};

describe('a sniffed CSV dialect', () => {
  it('reads every file as auto-detection does', async () => {
    for (const [name, text] of Object.entries(files)) {
      const path = join(dir, name);
      writeFileSync(path, text);
      const auto = await readAll(tableSource('csv', [path]));
      expect(auto.types.length).toBeGreaterThan(1);
      await requireFile(path);
      const explicit = tableSource('csv', [path]);
      expect(explicit, name).toContain('auto_detect = false');
      expect(await readAll(explicit), name).toEqual(auto);
    }
    const gz = join(dir, 'gzipped.csv.gz');
    writeFileSync(gz, gzipSync(files['semicolons.csv']!));
    const auto = await readAll(tableSource('csv', [gz]));
    await requireFile(gz);
    expect(tableSource('csv', [gz])).toContain('auto_detect = false');
    expect(await readAll(tableSource('csv', [gz]))).toEqual(auto);
  });

  it('reads dates written day or month first as spelt, where the order would be guessed per file', async () => {
    // Days up to 12 only: DuckDB took 01/07/2024 as 1 July here and as 7 January in a file that also held 01/13/2024.
    for (const [name, extra] of [
      ['guessed.csv', ''],
      ['settled.csv', '01/13/2024,6,0\n'],
    ] as const) {
      const path = join(dir, name);
      writeFileSync(path, `day,amount,label\n01/05/2024,3,1\n01/07/2024,4,0\n${extra}`);
      await requireFile(path);
      const read = await readAll(tableSource('csv', [path]));
      expect(read.types[0], name).toBe('day VARCHAR');
      expect(
        read.rows.slice(0, 2).map((r) => (JSON.parse(r) as unknown[])[0]),
        name,
      ).toEqual(['01/05/2024', '01/07/2024']);
    }
  });

  it('is sniffed again when the file changes, so its new columns are read', async () => {
    const path = join(dir, 'changing.csv');
    writeFileSync(path, 'a,label\n1,0\n2,1\n');
    await requireFile(path);
    expect((await describeColumns(path)).map((c) => c.name)).toEqual(['a', 'label']);
    writeFileSync(path, 'a,b,label\n1,x,0\n2,y,1\n3,z,0\n');
    utimesSync(path, new Date(), new Date(Date.now() + 5000));
    expect(tableSource('csv', [path])).not.toContain('auto_detect');
    expect((await describeColumns(path)).map((c) => `${c.name} ${c.type}`)).toEqual(['a BIGINT', 'b VARCHAR', 'label BIGINT']);
    const loaded = await readLabelledDataset(path, { label: 'label', categorical: ['b'] });
    expect(loaded.featureNames).toEqual(['a', 'b=x', 'b=y', 'b=z']);
    expect(Array.from(loaded.data.y)).toEqual([0, 1, 0]);
  });

  it('still names a bad cell past the rows it typed the column from', async () => {
    const path = join(dir, 'late-text.csv');
    const rows = Array.from({ length: 30_000 }, (_, i) => `${i},${i % 50 === 0 ? 1 : 0}`);
    rows[25_000] = 'oops,0';
    writeFileSync(path, `x,label\n${rows.join('\n')}\n`);
    await expect(readLabelledDataset(path, { label: 'label' })).rejects.toThrow(/column "x" holds "oops" on line 25002/);
    expect(tableSource('csv', [path])).toContain('auto_detect = false');
  });

  it('reads a wide file (lines over 4 KiB, dialect found on its first MiB) as auto-detection does, a late quoted field too', async () => {
    // 800 columns of about 6 bytes: 4.8 KiB lines, 400 of them; the quoted field is on line 300, past the first MiB.
    const header = [...Array.from({ length: 799 }, (_, j) => `f${j}`), 'name', 'label'].join(';');
    const lines = Array.from({ length: 400 }, (_, i) => {
      const name = i === 300 ? '"late; quoted"' : `n${i % 7}`;
      return [...Array.from({ length: 799 }, (_, j) => (((i * 31 + j * 17) % 997) / 10).toFixed(1)), name, i % 9 === 0 ? 1 : 0].join(';');
    });
    const path = join(dir, 'wide.csv');
    writeFileSync(path, `${header}\n${lines.join('\n')}\n`);
    const auto = await readAll(tableSource('csv', [path]));
    expect(auto.rows[300]).toContain('late; quoted');
    await requireFile(path);
    const explicit = tableSource('csv', [path]);
    expect(explicit).toContain('auto_detect = false');
    expect(explicit).toContain(`delim = ';'`);
    expect(await readAll(explicit)).toEqual(auto);
  });

  it('reads quotes that start past the rows it sniffed as quotes (two exports joined)', async () => {
    // 25,000 rows written without quotes, then 100 with every text quoted, one holding the delimiter.
    const lines = ['x,shop,label'];
    for (let i = 0; i < 25_100; i++) {
      const label = i % 20 === 0 ? 'fraud' : 'ok';
      const shop = i === 25_050 ? 'Dyn, Inc' : `s${i % 3}`;
      lines.push(i < 25_000 ? `${(i % 97) / 10},${shop},${label}` : `${(i % 97) / 10},"${shop}","${label}"`);
    }
    const path = join(dir, 'late-quotes.csv');
    writeFileSync(path, `${lines.join('\n')}\n`);
    await requireFile(path);
    const d = await readLabelledDataset(path, { label: 'label', positive: 'fraud', categorical: ['shop'] });
    expect([d.negativeLabel, d.positiveLabel]).toEqual(['ok', 'fraud']);
    expect(d.data.y.reduce((n, v) => n + v, 0)).toBe(1255);
    expect(d.categorical.shop).toEqual(['Dyn, Inc', 's0', 's1', 's2']);
  });

  it('types a column empty on the rows it sniffed by what follows: numbers as DOUBLE, text as text', async () => {
    // Both columns start on row 22,000 (a field collected from some date on): one with numbers, one with words.
    const lines = ['late_number,late_word,x,label'];
    for (let i = 0; i < 22_500; i++) {
      const later = i >= 22_000;
      lines.push(`${later ? ((i * 7) % 13) / 4 : ''},${later ? ['a', 'b'][i % 2] : ''},${i % 5},${i % 9 === 0 ? 1 : 0}`);
    }
    const path = join(dir, 'late-columns.csv');
    writeFileSync(path, `${lines.join('\n')}\n`);
    await requireFile(path);
    const types = (await readAll(tableSource('csv', [path]))).types;
    expect(types).toEqual(['late_number DOUBLE', 'late_word VARCHAR', 'x BIGINT', 'label BIGINT']);
  });

  it('keeps rows whose first value starts with # (an Excel error, an id), and still skips a comment block above the header', async () => {
    // DuckDB's sniffer took `#` as a comment character here, and every row of `#VALUE!` was dropped without a word.
    const lines = ['x,y,label'];
    for (let i = 0; i < 300; i++) lines.push(`${i % 25 === 0 ? '#VALUE!' : (i % 97) / 10},${i % 13},${i % 7 === 0 ? 1 : 0}`);
    const excel = join(dir, 'excel-errors.csv');
    writeFileSync(excel, `${lines.join('\n')}\n`);
    await requireFile(excel);
    const read = await readAll(tableSource('csv', [excel]));
    expect(read.rows).toHaveLength(300);
    expect(read.types[0]).toBe('x VARCHAR');
    const commented = join(dir, 'comment-block.csv');
    writeFileSync(
      commented,
      `# exported by a tool\n# on a day\n${lines
        .slice(0, 41)
        .join('\n')
        .replace(/#VALUE!/g, '1')}\n`,
    );
    await requireFile(commented);
    const block = await readAll(tableSource('csv', [commented]));
    expect(block.rows).toHaveLength(40);
    expect(block.types).toEqual(['x DOUBLE', 'y BIGINT', 'label BIGINT']);
  });
});
