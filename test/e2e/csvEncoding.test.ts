// A CSV saved in another encoding than UTF-8 (Latin-1 from a spreadsheet, say) is refused by name and line, with how to
// convert it: DuckDB reads CSV as UTF-8 only, and its own message named neither the encoding nor a way out. A UTF-16
// file (pandas' encoding='utf-16') is told apart by its byte-order mark: converting it as Latin-1 would keep the mark
// and a zero byte beside every character.

import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cliProcess.js';

describe('a CSV that is not UTF-8', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rareflow-encoding-'));
    const rows = Array.from({ length: 100 }, (_, i) => `${i},${i % 2 ? 'Zürich' : 'Genève'},${i % 5 === 0 ? 1 : 0}`);
    writeFileSync(join(dir, 'latin1.csv'), Buffer.from(['x,city,label', ...rows, ''].join('\n'), 'latin1'));
    const text = ['x,city,label', ...rows, ''].join('\n');
    const le = Buffer.from(text, 'utf16le');
    writeFileSync(join(dir, 'utf16le.csv'), Buffer.concat([Buffer.from([0xff, 0xfe]), le]));
    // Big-endian: each pair of bytes swapped, behind the mark FE FF.
    writeFileSync(join(dir, 'utf16be.csv'), Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(le).swap16()]));
    writeFileSync(join(dir, 'utf8.csv'), text);
  });

  it('is refused by fit and train, naming the file and saying how to convert it', async () => {
    for (const args of [
      ['fit', '--input', 'latin1.csv', '--label', 'label', '--out', 'm.json'],
      ['train', '--input', 'latin1.csv', '--label', 'label', '--kind', 'logreg', '--categorical', 'city', '--out', 'm.json'],
    ]) {
      const r = await runCli(args, { cwd: dir });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/could not read latin1\.csv: it is not UTF-8 text \(line \d+ holds a byte that is not\); save it as UTF-8/);
      expect(existsSync(join(dir, 'm.json'))).toBe(false);
    }
  });

  for (const [file, mark] of [
    ['utf16le.csv', 'FF FE'],
    ['utf16be.csv', 'FE FF'],
  ] as const) {
    it(`is told to be converted from UTF-16, not Latin-1, when it starts with the mark ${mark}`, async () => {
      const r = await runCli(['fit', '--input', file, '--label', 'label', '--out', 'm.json'], { cwd: dir });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim()).toBe(
        `rareflow fit: could not read ${file}: it is UTF-16 text (it starts with the UTF-16 byte-order mark ${mark}), and CSV is read as UTF-8 only; save it as UTF-8, for example with iconv -f utf-16 -t utf-8`,
      );
    });
  }

  it('names the UTF-16 file among several inputs', async () => {
    const r = await runCli(
      ['sample', '--input', 'utf8.csv', '--input', 'utf16le.csv', '--label', 'label', '--target-size', '50', '--nr', '5', '--out', 's.csv'],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('could not read utf16le.csv (one of utf8.csv, utf16le.csv): it is UTF-16 text');
    expect(r.stderr).toContain('iconv -f utf-16 -t utf-8');
  });
});
