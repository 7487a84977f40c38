import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { seededRandom } from '../../core/random.js';
import { InvalidInputError } from '../../core/invalidInputError.js';
import { readDatasetArrow, writeDatasetArrow } from '../../data/arrowDataset.js';
import { readLabelledDataset } from '../../data/datasetReader.js';
import { writeLabelledTable } from '../../data/datasetWriter.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rareflow-arrow-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function randomData(rows: number, cols: number) {
  const random = seededRandom(11);
  const values = new Float64Array(rows * cols);
  for (let i = 0; i < values.length; i++) values[i] = (random.next() - 0.5) * 1e6;
  values[0] = -0;
  values[1] = Number.MAX_VALUE;
  values[2] = 5e-324;
  const y = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) y[i] = random.next() < 0.1 ? 1 : 0;
  y[0] = 1;
  y[1] = 0;
  return { x: { rows, cols, values }, y };
}

describe('Arrow dataset files', () => {
  test('round trip is exact, extra columns included, and leaves no temp file', async () => {
    const data = randomData(2500, 7);
    const origin = new Int32Array(2500).map((_, i) => 2500 - i);
    const weight = new Float64Array(2500).map((_, i) => i / 3);
    const path = join(dir, 'round.arrow');
    await writeDatasetArrow(path, {
      data,
      featureNames: ['a', 'b', 'c', 'd', 'e', 'f', 'g'],
      labelName: 'is_fraud',
      extra: { origin_row: origin, weight },
    });
    const back = await readDatasetArrow(path);
    expect(back.featureNames).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    expect(back.labelName).toBe('is_fraud');
    expect(back.data.x.rows).toBe(2500);
    expect(back.data.x.cols).toBe(7);
    expect(Object.is(back.data.x.values[0], -0)).toBe(true);
    expect(Buffer.from(back.data.x.values.buffer).equals(Buffer.from(data.x.values.buffer))).toBe(true);
    expect(back.data.y).toEqual(data.y);
    expect(back.extra.origin_row).toEqual(origin);
    expect(back.extra.weight).toEqual(weight);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('readLabelledDataset reads our Arrow files, projecting --features', async () => {
    const data = randomData(100, 3);
    const path = join(dir, 'labelled.arrow');
    await writeDatasetArrow(path, { data, featureNames: ['x0', 'x1', 'x2'], labelName: 'y' });
    const d = await readLabelledDataset(path, { label: 'y', features: ['x2', 'x0'] });
    expect(d.featureNames).toEqual(['x2', 'x0']);
    expect(d.data.x.values[0]).toBe(data.x.values[2]);
    expect(d.data.x.values[1]).toBe(data.x.values[0]);
    expect(d.data.y).toEqual(data.y);
  });
});

describe('writeLabelledTable', () => {
  test('Parquet, CSV and Arrow outputs read back to the same matrix', async () => {
    const data = randomData(300, 4);
    const names = ['f0', 'f1', 'f=2', 'f "3"'];
    for (const ext of ['parquet', 'csv', 'arrow']) {
      const path = join(dir, `table.${ext}`);
      await writeLabelledTable(path, { data, featureNames: names, labelName: 'label' });
      const back = await readLabelledDataset(path, { label: 'label' });
      expect(back.featureNames).toEqual(names);
      expect(back.data.y).toEqual(data.y);
      if (ext === 'csv') {
        back.data.x.values.forEach((v, i) => expect(v).toBeCloseTo(data.x.values[i]!, 6));
      } else {
        expect(back.data.x.values).toEqual(data.x.values);
      }
    }
  });

  test('label values are written as given', async () => {
    const data = randomData(50, 2);
    const path = join(dir, 'named.parquet');
    await writeLabelledTable(path, { data, featureNames: ['a', 'b'], labelName: 'status', labelValues: ['ok', 'fraud'] });
    const back = await readLabelledDataset(path, { label: 'status', positive: 'fraud' });
    expect(back.data.y).toEqual(data.y);
    expect(back.negativeLabel).toBe('ok');
  });

  test('a missing output directory is named in the error', async () => {
    const path = join(dir, 'no-such-dir', 'out.parquet');
    const err = await writeLabelledTable(path, { data: randomData(5, 1), featureNames: ['a'], labelName: 'y' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as Error).message).toContain(join(dir, 'no-such-dir'));
    expect((err as Error).message).toContain('does not exist');
  });
});
