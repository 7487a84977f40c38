// The pipeline's input profile refuses two input files of the same content (a copy under another name, a glob that
// matches both): before, every row was read twice and the copies landed in both the training and the test split,
// where they flattered the reported figures without a word.

import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { profileLabelledInput } from '../../data/inputProfile.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-repeated-inputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('input files of the same content', () => {
  it('are refused naming both, and distinct files are read', async () => {
    const rows = (offset: number) =>
      ['x,label', ...Array.from({ length: 50 }, (_, i) => `${Math.sin(i + offset)},${i % 10 === 0 ? 1 : 0}`)].join('\n') + '\n';
    const a = join(dir, 'a.csv');
    writeFileSync(a, rows(0));
    copyFileSync(a, join(dir, 'a_copy.csv'));
    writeFileSync(join(dir, 'b.csv'), rows(100));
    await expect(profileLabelledInput([a, join(dir, 'a_copy.csv')], { label: 'label', positive: '1' })).rejects.toThrow(
      `input.paths: ${a} and ${join(dir, 'a_copy.csv')} have the same content (sha256 `,
    );
    // A glob matching both is refused the same way.
    await expect(profileLabelledInput([join(dir, 'a*.csv')], { label: 'label', positive: '1' })).rejects.toThrow('have the same content');
    const distinct = await profileLabelledInput([a, join(dir, 'b.csv')], { label: 'label', positive: '1' });
    expect(distinct.rows).toBe(100);
    expect(new Set(distinct.fileSha256s).size).toBe(2);
  });
});
