import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeArrowIpcFile, type ArrowColumnView, type ArrowFileField } from '../../data/arrowIpcFile.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rareflow-ipc-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const fields: ArrowFileField[] = [
  { name: 'x', type: 'float64' },
  { name: 'label', type: 'uint8' },
  { name: 'row', type: 'int32' },
];

/** Batch b holds rows [10b, 10b + batchRows[b]): x = row / 4, label = row % 2, row = row. */
function fillRows(batchRows: number[]) {
  return (batch: number, columns: ArrowColumnView[]) => {
    const first = batchRows.slice(0, batch).reduce((a, b) => a + b, 0);
    for (let i = 0; i < batchRows[batch]!; i++) {
      columns[0]![i] = (first + i) / 4;
      columns[1]![i] = (first + i) % 2;
      columns[2]![i] = first + i;
    }
  };
}

describe('writeArrowIpcFile', () => {
  test('apache-arrow reads the schema, metadata and every batch, in order', async () => {
    const path = join(dir, 'three.arrow');
    const batchRows = [5, 3, 7];
    await writeArrowIpcFile(path, {
      fields,
      metadata: [
        ['k', 'v'],
        ['é', '["a"]'],
      ],
      batchRows,
      fillBatch: fillRows(batchRows),
    });
    const bytes = await readFile(path);
    const table = tableFromIPC(bytes);
    expect(table.batches.map((b) => b.numRows)).toEqual(batchRows);
    expect(table.schema.fields.map((f) => [f.name, f.nullable])).toEqual([
      ['x', false],
      ['label', false],
      ['row', false],
    ]);
    expect(table.schema.fields.map((f) => String(f.type))).toEqual(['Float64', 'Uint8', 'Int32']);
    expect([...table.schema.metadata]).toEqual([
      ['k', 'v'],
      ['é', '["a"]'],
    ]);
    expect(table.numRows).toBe(15);
    expect(Array.from(table.getChild('x')!.toArray() as Float64Array)).toEqual(Array.from({ length: 15 }, (_, i) => i / 4));
    expect(Array.from(table.getChild('label')!.toArray() as Uint8Array)).toEqual(Array.from({ length: 15 }, (_, i) => i % 2));
    expect(Array.from(table.getChild('row')!.toArray() as Int32Array)).toEqual(Array.from({ length: 15 }, (_, i) => i));
    expect(bytes.subarray(0, 6).toString('latin1')).toBe('ARROW1');
    expect(bytes.subarray(bytes.length - 6).toString('latin1')).toBe('ARROW1');
  });

  test('one empty batch makes a file with the schema and no rows', async () => {
    const path = join(dir, 'empty.arrow');
    await writeArrowIpcFile(path, { fields, metadata: [], batchRows: [0], fillBatch: () => undefined });
    const table = tableFromIPC(await readFile(path));
    expect(table.numRows).toBe(0);
    expect(table.schema.fields.map((f) => f.name)).toEqual(['x', 'label', 'row']);
  });

  test('the same content gives the same bytes: padding is zeroed, not left from an earlier batch', async () => {
    const batchRows = [8, 3, 8, 1];
    const a = join(dir, 'a.arrow');
    const b = join(dir, 'b.arrow');
    await writeArrowIpcFile(a, { fields, metadata: [], batchRows, fillBatch: fillRows(batchRows) });
    await writeArrowIpcFile(b, { fields, metadata: [], batchRows, fillBatch: fillRows(batchRows) });
    expect((await readFile(a)).equals(await readFile(b))).toBe(true);
  });

  test('an error while filling a batch is passed on', async () => {
    const path = join(dir, 'fails.arrow');
    const write = writeArrowIpcFile(path, {
      fields,
      metadata: [],
      batchRows: [2, 2],
      fillBatch: (batch) => {
        if (batch === 1) throw new Error('fill failed');
      },
    });
    await expect(write).rejects.toThrow('fill failed');
  });
});
