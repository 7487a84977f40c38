// A CSV saved in another encoding than UTF-8 (Latin-1 from a spreadsheet, say) is refused by name and line, with how to
// convert it: DuckDB reads CSV as UTF-8 only, and its own message named neither the encoding nor a way out.

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
});
