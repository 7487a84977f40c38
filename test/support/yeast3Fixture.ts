// The yeast3 fixture (a real imbalanced dataset, test/fixtures/yeast3.csv) as labelled rows: numeric features, then
// a `positive`/`negative` label column.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LabelledData } from '../../core/dataset.js';

export function parseYeast3(text: string): { data: LabelledData; names: string[] } {
  const lines = text.trim().split('\n');
  const header = lines[0]!.split(',');
  const cols = header.length - 1;
  const values = new Float64Array((lines.length - 1) * cols);
  const y = new Uint8Array(lines.length - 1);
  lines.slice(1).forEach((line, r) => {
    const cells = line.split(',');
    for (let c = 0; c < cols; c++) values[r * cols + c] = Number(cells[c]);
    y[r] = cells[cols]!.trim() === 'positive' ? 1 : 0;
  });
  return { data: { x: { rows: y.length, cols, values }, y }, names: header.slice(0, cols) };
}

export async function readYeast3(): Promise<{ data: LabelledData; names: string[] }> {
  return parseYeast3(await readFile(join(process.cwd(), 'test/fixtures/yeast3.csv'), 'utf8'));
}
