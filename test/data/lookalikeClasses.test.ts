// One class written in several ways ("fraud" and "fraud ", "1" and "1.0", "Fraud" and "fraud") would be learned as
// separate classes, a positive of the other spelling counted as a negative: every reader refuses it. A label that is
// a continuous target or an id, taken as classes, would be hundreds of one-row classes: refused too.

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labelValuesInOrder } from '../../client/fitInputColumns.js';
import { InvalidInputError } from '../../core/invalidInputError.js';
import { readLabelledDataset } from '../../data/datasetReader.js';
import { rejectLookalikeClasses, rejectNonClassLabel } from '../../data/labelClasses.js';
import { runCli } from '../support/cliProcess.js';

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
    // fit reaches the same check through the reader; its own class listing leaves spellings to it.
    expect((await labelValuesInOrder(path, 'label')).classes).toEqual(['fraud', 'fraud ', 'ok']);
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
    // One truth value in two spellings (two tools' exports joined): a two-class label would be learned as four.
    expect(refuse(['false', 'true', '0', '1'])).toThrow(/spells one class in 2 ways \("false" × 1, "0" × 1\)/);
    expect(refuse(['yes', 'no', 'true'])).toThrow(/"yes" × 1, "true" × 1/);
    expect(refuse(['yes', 'no', 'maybe'])).not.toThrow();
  });

  it('refuses a single-row class that is the start of another, as a file cut off in its last row reads', () => {
    const refuse = (values: Array<[string, number]>) => () =>
      rejectLookalikeClasses(
        'y',
        'f.csv',
        values.map(([value, count]) => ({ value, count })),
      );
    expect(
      refuse([
        ['negative', 573],
        ['positive', 60],
        ['negat', 1],
      ]),
    ).toThrow(
      'label column "y" in f.csv holds "negat" on a single row, the start of "negative" (× 573): a file cut off in its last row reads so',
    );
    // Numbers are left alone (1 and 10 are classes), and so is a prefix class with rows of its own.
    expect(
      refuse([
        ['10', 40],
        ['1', 1],
        ['2', 30],
      ]),
    ).not.toThrow();
    expect(
      refuse([
        ['ab', 40],
        ['a', 3],
      ]),
    ).not.toThrow();
  });

  it('refuses a continuous or id-like label taken as classes, and keeps real multi-class labels', async () => {
    const refuse = (values: Array<[string, number]>) => () =>
      rejectNonClassLabel(
        'y',
        'f.csv',
        values.map(([value, count]) => ({ value, count })),
      );
    const continuous = Array.from({ length: 40 }, (_, i): [string, number] => [(i / 7).toFixed(4), 1]);
    expect(refuse(continuous)).toThrow(
      'label column "y" in f.csv has 40 distinct values (40 of them on a single row): that is a continuous target or an id, not classes',
    );
    expect(refuse(Array.from({ length: 101 }, (_, i): [string, number] => [`c${i}`, 5]))).toThrow(/has 101 distinct values/);
    expect(refuse(Array.from({ length: 18 }, (_, i): [string, number] => [`c${i}`, i === 0 ? 1 : 30]))).not.toThrow();
    // A measurement whose values repeat (two decimals over 1,500 rows) is still not classes; whole numbers can be.
    const measured = Array.from({ length: 12 }, (_, i): [string, number] => [(0.11 + i / 20).toFixed(2), 30]);
    expect(refuse(measured)).toThrow('label column "y" in f.csv has 12 distinct numbers, not all whole: that is a continuous target');
    expect(refuse(Array.from({ length: 12 }, (_, i): [string, number] => [String(i + 1), 30]))).not.toThrow();
    expect(refuse(Array.from({ length: 12 }, (_, i): [string, number] => [`${i + 1}.0`, 30]))).not.toThrow();
    expect(
      refuse([
        ['0', 40],
        ['0.5', 30],
        ['1', 20],
      ]),
    ).not.toThrow();
    const path = csv('target.csv', (i) => (i * 1.37).toFixed(2));
    await expect(labelValuesInOrder(path, 'label')).rejects.toThrow(/has 60 distinct values \(60 of them on a single row\)/);
    expect((await labelValuesInOrder(path, 'label', '1.37')).classes).toHaveLength(60);
  });
});

describe('a class value holding "|"', () => {
  it('is refused by the reader and by fit, naming the value, and fit writes no model', async () => {
    const path = csv('pipe.csv', (i) => (i % 6 === 0 ? 'd' : i % 2 === 0 ? 'a|b' : 'c'));
    const expected = `label column "label" in ${path} has the class value "a|b": a class value may not contain "|" (a model file lists the other classes joined by "|"); rename the class, e.g. "a/b"`;
    await expect(readLabelledDataset(path, { label: 'label', positive: 'd' })).rejects.toThrow(expected);
    const out = join(dir, 'pipe.json');
    const fit = await runCli(['fit', '--input', path, '--label', 'label', '--positive', 'd', '--kind', 'logreg', '--out', out], {
      cwd: dir,
    });
    expect(fit.code).toBe(2);
    expect(fit.stderr).toContain(expected);
    expect(existsSync(out)).toBe(false);
  });
});
