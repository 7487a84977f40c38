// The pipeline's input profile refuses two input files of the same content (a copy under another name, a glob that
// matches both): before, every row was read twice and the copies landed in both the training and the test split,
// where they flattered the reported figures without a word. Two names of one file (a symbolic or hard link beside it)
// are one input: read once, with a warning naming both, where `sample` (which hashes no file) read its rows twice.

import { copyFileSync, linkSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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

  it('are one input when they are one file under two names, read once and said so, with or without hashing', async () => {
    const sub = mkdtempSync(join(dir, 'links-'));
    const rows = ['x,label', ...Array.from({ length: 50 }, (_, i) => `${Math.cos(i)},${i % 10 === 0 ? 1 : 0}`)].join('\n') + '\n';
    const a = join(sub, 'a.csv');
    writeFileSync(a, rows);
    symlinkSync(a, join(sub, 'link_to_a.csv'));
    linkSync(a, join(sub, 'hard_a.csv'));
    for (const hashFiles of [false, true]) {
      const profile = await profileLabelledInput([a, join(sub, 'link_to_a.csv'), join(sub, 'hard_a.csv'), a], {
        label: 'label',
        positive: '1',
        hashFiles,
      });
      expect(profile.rows).toBe(50);
      expect(profile.files).toEqual([a]);
      expect(profile.warnings).toEqual([
        `--input: ${join(sub, 'link_to_a.csv')} is the same file as ${a} (a symbolic link to it); its rows are read once, not twice`,
        `--input: ${join(sub, 'hard_a.csv')} is the same file as ${a} (a hard link to it); its rows are read once, not twice`,
      ]);
    }
    // The link first: the target is the one dropped, and said so.
    const linkFirst = await profileLabelledInput([join(sub, 'link_to_a.csv'), a], { label: 'label', positive: '1', hashFiles: false });
    expect(linkFirst.rows).toBe(50);
    expect(linkFirst.warnings).toEqual([
      `--input: ${a} is the same file as ${join(sub, 'link_to_a.csv')} (the target of its symbolic link); its rows are read once, not twice`,
    ]);
  });
});
