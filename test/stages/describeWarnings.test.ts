// What the describe stage tells a retrain's sampling note: a yes/no label whose rarer value "no" was taken as the
// positive class (the spec named none), and the columns it leaves out.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeStage } from '../../stages/describe.js';

let dir: string;
let path: string;

/** 400 rows, 40 of them "no" (the rarer value), and a `_note` column. */
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-describe-'));
  path = join(dir, 'renewed.csv');
  const lines = ['tenure,spend,_note,renewed'];
  for (let i = 0; i < 400; i++) lines.push(`${i % 37},${(i * 7) % 101},x,${i % 10 === 0 ? 'no' : 'yes'}`);
  writeFileSync(path, `${lines.join('\n')}\n`);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const run = (input: { positive?: string; positiveWhen?: string }) =>
  describeStage({ input: { paths: [path], label: 'renewed', ...input }, sampling: {} });

describe('describe stage warnings', () => {
  it('says when the rarer value "no" became the positive class, naming the spec key to change it', async () => {
    const described = await run({});
    expect(described.positiveLabel).toBe('no');
    expect(described.warnings).toContain(
      'the positive class is "no", the rarer value of the label: scores are the probability of "no" and pred names "no" as the positive; if you meant "yes", set "positive": "yes" in the spec\'s input block',
    );
    // The `_` column is left out, and said so.
    expect(described.featureNames).toEqual(['tenure', 'spend']);
    expect(described.warnings.some((w) => w.startsWith('ignored columns _note:'))).toBe(true);
  });

  it('says nothing of the kind when the spec named the positive class', async () => {
    const described = await run({ positive: 'no' });
    expect(described.positiveLabel).toBe('no');
    expect(described.warnings.filter((w) => w.includes('rarer value'))).toEqual([]);
  });
});
