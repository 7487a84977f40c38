// A CSV row of another width than the header: DuckDB then reads the whole file as one column named after the
// header line, and every message would blame a column that seems to be there. The reader names the row instead.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../core/invalidInputError.js';
import { firstRowOfOtherWidth } from '../../data/csvFieldCounts.js';
import { readLabelledDataset } from '../../data/datasetReader.js';
import { describeColumns } from '../../data/inputSources.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-ragged-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rows = Array.from({ length: 300 }, (_, i) => `${i % 7}.5,${i % 3},${i % 10 === 0 ? 1 : 0}`);
function file(name: string, text: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('CSV rows of another width than the header', () => {
  it('names the first short row instead of a missing label column', async () => {
    const path = file('short.csv', ['a,b,label', ...rows, '1.0,2.0', ''].join('\n'));
    const read = readLabelledDataset(path, { label: 'label' });
    await expect(read).rejects.toBeInstanceOf(InvalidInputError);
    await expect(read).rejects.toThrow(`${path}: data row 301 has 2 fields where the header has 3 (delimiter ",")`);
    await expect(describeColumns(path)).rejects.toThrow(/data row 301 has 2 fields/);
  });

  it('counts fields outside quotes, across CRLF, semicolons and gzip', async () => {
    const quoted = file('quoted.csv', ['a;b;label', '"1;5";2;0', 'x;y;z;w', ''].join('\r\n'));
    expect(await firstRowOfOtherWidth(quoted, ';')).toEqual({ row: 2, fields: 4, header: 3 });
    const gz = file('long.csv.gz', gzipSync(['a,b,label', ...rows.slice(0, 20), '1,2,3,4', ''].join('\n')));
    expect(await firstRowOfOtherWidth(gz, ',')).toEqual({ row: 21, fields: 4, header: 3 });
  });

  it('leaves well-formed files and a real one-column file alone', async () => {
    const good = file('good.csv', ['a,b,label', ...rows, ''].join('\n'));
    expect((await describeColumns(good)).map((c) => c.name)).toEqual(['a', 'b', 'label']);
    expect(await firstRowOfOtherWidth(good, ',')).toBeUndefined();
    const one = file('one.csv', ['"a,b"', '1', '2', ''].join('\n'));
    expect((await describeColumns(one)).map((c) => c.name)).toEqual(['a,b']);
  });
});
