// The Arrow writer's boolean columns and validity bitmaps, read back by apache-arrow and by rareflow's own reader.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeArrowIpcFile, type ArrowColumnView } from '../../data/arrowIpcFile.js';
import { readDatasetArrow, writeDatasetArrowParts } from '../../data/arrowDataset.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rareflow-ipc-bool-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Arrow booleans and nulls', () => {
  test('bool bits and a nullable float64 across batches whose lengths are not multiples of 8', async () => {
    const path = join(dir, 'bits.arrow');
    const batchRows = [13, 3, 9];
    const flag = (row: number) => row % 3 === 0;
    const isNull = (row: number) => row % 4 === 1;
    await writeArrowIpcFile(path, {
      fields: [
        { name: 'flag', type: 'bool' },
        { name: 'value', type: 'float64', nullable: true },
      ],
      metadata: [],
      batchRows,
      fillBatch(batch, columns: ArrowColumnView[], validity) {
        const first = batchRows.slice(0, batch).reduce((a, b) => a + b, 0);
        expect(validity[0]).toBeUndefined();
        for (let i = 0; i < batchRows[batch]!; i++) {
          if (flag(first + i)) columns[0]![i >> 3] |= 1 << (i & 7);
          columns[1]![i] = first + i;
          if (isNull(first + i)) validity[1]![i >> 3] &= ~(1 << (i & 7));
        }
      },
    });
    const table = tableFromIPC(await readFile(path));
    expect(table.schema.fields.map((f) => [f.name, String(f.type), f.nullable])).toEqual([
      ['flag', 'Bool', false],
      ['value', 'Float64', true],
    ]);
    expect(table.getChild('value')!.nullCount).toBe(Array.from({ length: 25 }, (_, r) => r).filter(isNull).length);
    expect(table.toArray().map((r) => r.toJSON())).toEqual(
      Array.from({ length: 25 }, (_, r) => ({ flag: flag(r), value: isNull(r) ? null : r })),
    );
  });

  test('a dataset part list with Uint8Array (bool) and NaN (null) extra columns reads back through readDatasetArrow', async () => {
    const path = join(dir, 'dataset.arrow');
    const part = (rows: number, at: number) => ({
      x: { rows, cols: 1, values: Float64Array.from({ length: rows }, (_, i) => at + i) },
      y: new Uint8Array(rows).fill(at > 0 ? 1 : 0),
    });
    await writeDatasetArrowParts(path, {
      parts: [part(5, 0), part(3, 5)],
      featureNames: ['v'],
      labelName: 'label',
      extra: { _synthetic: Uint8Array.from([0, 0, 0, 0, 0, 1, 1, 1]), _gap: Float64Array.from([NaN, NaN, NaN, NaN, NaN, 0.25, 0.5, 0]) },
    });
    const d = await readDatasetArrow(path);
    expect(Array.from(d.extra._synthetic!)).toEqual([0, 0, 0, 0, 0, 1, 1, 1]);
    expect(Array.from(d.extra._gap!)).toEqual([NaN, NaN, NaN, NaN, NaN, 0.25, 0.5, 0]);
    expect(Array.from(d.data.y)).toEqual([0, 0, 0, 0, 0, 1, 1, 1]);
  });
});
