import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { LabelledData } from '../../core/dataset.js';
import { InvalidInputError } from '../../core/invalidInputError.js';
import { seededRandom } from '../../core/random.js';
import { readDatasetArrow, writeDatasetArrow, writeDatasetArrowParts } from '../../data/arrowDataset.js';
import { readLabelledDataset } from '../../data/datasetReader.js';
import { writeLabelledTable } from '../../data/datasetWriter.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rareflow-parts-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function randomData(rows: number, cols: number, seed: number): LabelledData {
  const random = seededRandom(seed);
  const values = new Float64Array(rows * cols);
  for (let i = 0; i < values.length; i++) values[i] = (random.next() - 0.5) * 1e3;
  const y = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) y[i] = random.next() < 0.2 ? 1 : 0;
  y[0] = 1;
  y[1] = 0;
  return { x: { rows, cols, values }, y };
}

/** `parts` joined into one matrix, as appendSynthetic used to build before writing. */
function appended(parts: LabelledData[]): LabelledData {
  const cols = parts[0]!.x.cols;
  const rows = parts.reduce((n, p) => n + p.x.rows, 0);
  const values = new Float64Array(rows * cols);
  const y = new Uint8Array(rows);
  let at = 0;
  for (const p of parts) {
    values.set(p.x.values.subarray(0, p.x.rows * cols), at * cols);
    y.set(p.y, at);
    at += p.x.rows;
  }
  return { x: { rows, cols, values }, y };
}

const names = ['a', 'b', 'c'];

describe('writing several row-major parts', () => {
  test('gives the Arrow content of the appended matrix, across many record batches', async () => {
    // Over 1 MiB of rows, so the parts are written as several batches each; the second part's values array is
    // longer than its rows, as adasyn's synthetic matrix may be.
    const input = randomData(50_000, 3, 1);
    const synthetic = randomData(40_000, 3, 2);
    const longer = new Float64Array(synthetic.x.values.length + 30);
    longer.set(synthetic.x.values);
    const syntheticPart: LabelledData = { x: { ...synthetic.x, values: longer }, y: synthetic.y };
    const extra = {
      origin_row: Int32Array.from({ length: 90_000 }, (_, i) => 90_000 - i),
      weight: Float64Array.from({ length: 90_000 }, (_, i) => i / 7),
    };

    const fromParts = join(dir, 'parts.arrow');
    const fromWhole = join(dir, 'whole.arrow');
    await writeDatasetArrowParts(fromParts, { parts: [input, syntheticPart], featureNames: names, labelName: 'label', extra });
    await writeDatasetArrow(fromWhole, { data: appended([input, synthetic]), featureNames: names, labelName: 'label', extra });

    const a = await readDatasetArrow(fromParts);
    const b = await readDatasetArrow(fromWhole);
    expect(a.data.x.rows).toBe(90_000);
    expect(Buffer.from(a.data.x.values.buffer).equals(Buffer.from(b.data.x.values.buffer))).toBe(true);
    expect(a.data.y).toEqual(b.data.y);
    expect(a.extra.origin_row).toEqual(extra.origin_row);
    expect(a.extra.weight).toEqual(extra.weight);
    expect(a.featureNames).toEqual(names);
    expect(tableFromIPC(await readFile(fromParts)).batches.length).toBeGreaterThan(2);
  });

  test('writeLabelledTable writes parts to Parquet, CSV and Arrow as the appended matrix', async () => {
    const parts = [randomData(300, 3, 3), randomData(1, 3, 4), randomData(200, 3, 5)];
    parts[1]!.y[0] = 1;
    const whole = appended(parts);
    for (const ext of ['parquet', 'csv', 'arrow']) {
      const path = join(dir, `labelled.${ext}`);
      await writeLabelledTable(path, { data: parts, featureNames: names, labelName: 'label', labelValues: ['ok', 'fraud'] });
      const back = await readLabelledDataset(path, ext === 'arrow' ? { label: 'label' } : { label: 'label', positive: 'fraud' });
      expect(back.rows).toBe(501);
      expect(back.data.y).toEqual(whole.y);
      if (ext === 'csv') back.data.x.values.forEach((v, i) => expect(v).toBeCloseTo(whole.x.values[i]!, 6));
      else expect(back.data.x.values).toEqual(whole.x.values);
    }
  });

  test('a part whose labels do not match its rows is refused, naming the part', async () => {
    const good = randomData(10, 3, 6);
    const bad: LabelledData = { x: randomData(5, 3, 7).x, y: new Uint8Array(4) };
    const err = await writeDatasetArrowParts(join(dir, 'bad.arrow'), { parts: [good, bad], featureNames: names, labelName: 'label' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as Error).message).toBe('expected 5 labels (one per matrix row of part 1), got 4');
  });
});
