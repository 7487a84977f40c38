// One class written in several ways ("fraud" and "fraud ", "1" and "1.0", "Fraud" and "fraud") would be learned as
// separate classes, a positive of the other spelling counted as a negative: every reader refuses it.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labelValuesInOrder } from '../../client/fitInputColumns.js';
import { InvalidInputError } from '../../core/invalidInputError.js';
import { readLabelledDataset } from '../../data/datasetReader.js';
import { rejectLookalikeClasses } from '../../data/labelClasses.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-lookalike-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function csv(name: string, labels: (i: number) => string): string {
  const path = join(dir, name);
  writeFileSync(path, ['a,label', ...Array.from({ length: 60 }, (_, i) => `${i / 7},${labels(i)}`), ''].join('\n'));
  return path;
}

describe('one class in several spellings', () => {
  it('is refused by the dataset reader and by fit, naming both spellings and their counts', async () => {
    const path = csv('spaces.csv', (i) => (i % 6 === 0 ? (i % 12 === 0 ? '"fraud "' : 'fraud') : 'ok'));
    const read = readLabelledDataset(path, { label: 'label', positive: 'fraud' });
    await expect(read).rejects.toBeInstanceOf(InvalidInputError);
    await expect(read).rejects.toThrow(`label column "label" in ${path} spells one class in 2 ways ("fraud" × 5, "fraud " × 5)`);
    await expect(labelValuesInOrder(path, 'label')).rejects.toThrow(/spells one class in 2 ways/);
  });

  it('catches case and number formatting, and leaves distinct classes alone', () => {
    const refuse = (values: string[]) => () =>
      rejectLookalikeClasses(
        'y',
        'f.csv',
        values.map((value) => ({ value, count: 1 })),
      );
    expect(refuse(['Fraud', 'fraud', 'ok'])).toThrow(/"Fraud" × 1, "fraud" × 1/);
    expect(refuse(['1', '1.0', '0'])).toThrow(/"1" × 1, "1.0" × 1/);
    expect(refuse(['0', '1', '2', 'ten', 'eleven'])).not.toThrow();
    expect(refuse(['fraud', 'fraud-2'])).not.toThrow();
  });
});
