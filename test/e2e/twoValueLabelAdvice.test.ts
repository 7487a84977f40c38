// denoise and adasyn write each row's label value back, so they take a label of two values only: their refusal of a
// third value advises what they accept (a label of two values), not a --positive they refuse next. A text label
// value "NaN" is a class, not a missing label, and the messages say which they take it for.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLabelledDataset } from '../../data/datasetReader.js';
import { runCli } from '../support/cliProcess.js';

let dir: string;

/** 200 rows of two features; label "yes" on 20, "no" on the rest, and the text "NaN" on 10 of those. */
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-two-values-'));
  const lines = ['f0,f1,label'];
  for (let i = 0; i < 200; i++) lines.push(`${i % 17},${(i * 7) % 23},${i % 10 === 0 ? 'yes' : i % 20 === 5 ? 'NaN' : 'no'}`);
  writeFileSync(join(dir, 'three.csv'), `${lines.join('\n')}\n`);
  writeFileSync(join(dir, 'gap.csv'), 'f0,label\n1,no\n2,\n3,yes\n4,no\n');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('denoise and adasyn on a label of three values', () => {
  for (const command of ['denoise', 'adasyn']) {
    it(`${command} advises a label of two values, not --positive, and says "NaN" is read as a class`, async () => {
      const r = await runCli([command, '--input', 'three.csv', '--label', 'label', '--out', `${command}.csv`], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toContain('pass --positive');
      expect(r.stderr.trim()).toBe(
        `rareflow ${command}: label column "label" in three.csv has 3 classes (NaN, no, yes), expected 2 ("NaN" is a class value here: in a text label only an empty cell or a marker such as "?" or "NA" is a missing value; if it marks rows without a label, drop those rows); this command writes each row's label value back, so it takes a label of two values only (--positive would make the others one class the output cannot write): rewrite the label with two values, one for the positive class and one for the rest, or drop the rows of the other values`,
      );
    });
  }

  it('fit, which takes --positive there, still advises it', async () => {
    const failed = await readLabelledDataset(join(dir, 'three.csv'), { label: 'label' }).catch((err: unknown) => err as Error);
    expect((failed as Error).message).toContain('expected 2 ("NaN" is a class value here');
    expect((failed as Error).message).toContain('pass --positive VALUE to choose the positive class (all others become negative)');
  });
});

describe('fit on a label of three values, one of them the text "NaN"', () => {
  it('learns it as a class, and warns that it is one', async () => {
    const r = await runCli(['fit', '--input', 'three.csv', '--label', 'label', '--kind', 'logreg', '--out', 'fit.json', '--json'], {
      cwd: dir,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json<{ warnings?: string[] }>().warnings).toContain(
      'label column "label" holds 3 classes ("NaN" is a class value here: in a text label only an empty cell or a marker such as "?" or "NA" is a missing value; if it marks rows without a label, drop those rows)',
    );
  });
});

describe('a missing text label', () => {
  it('is described without NaN, which a text label holds as a class', async () => {
    const failed = await readLabelledDataset(join(dir, 'gap.csv'), { label: 'label' }).catch((err: unknown) => err as Error);
    expect((failed as Error).message).toBe(
      `label column "label" in ${join(dir, 'gap.csv')} has a missing value (null, empty or a missing-value marker such as "?" or "NA") at data row 2; expected a class value on every row: fill or drop such rows`,
    );
  });
});
