// What `rareflow sample` says about a sample that is not what it looks like: whole numbers past 2^53 in a feature
// column come out rounded (the sample writes features as doubles), and a target the positives fill leaves no
// negatives. Before, both were written with `warnings: []`.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleCommand, type SampleArgs } from '../../client/sampleCommand.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-sample-warnings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 4,000 rows, every 20th positive; `acct` holds whole numbers past 2^53 when `wide`. */
function file(name: string, wide: boolean): string {
  const lines = ['acct,f,label'];
  for (let i = 0; i < 4000; i++)
    lines.push(`${wide ? 3111621889842247201n + BigInt(i) : i},${Math.sin(i).toFixed(5)},${i % 20 === 0 ? 1 : 0}`);
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

const args = (input: string, extra: Partial<SampleArgs>): SampleArgs => ({
  inputs: [input],
  label: 'label',
  positive: '1',
  targetSize: 1000,
  positivesPerParameter: 50,
  shards: 1,
  method: 'adaptive',
  seed: 3,
  out: join(dir, `${Math.random().toString(36).slice(2)}.csv`),
  ...extra,
});

describe('rareflow sample warnings', () => {
  it('names a feature column whose whole numbers come out rounded', async () => {
    const r = await sampleCommand(args(file('wide.csv', true), {}));
    expect(r.warnings).toContain(
      'column "acct" holds whole numbers beyond what a double holds exactly (3111621889842247201 reads as 3111621889842247168); features are read as doubles, so the sampled rows carry the rounded values. If it is an id or a timestamp rather than a feature, leave it out of the file (or start its name with "_", which every rareflow command leaves out)',
    );
    const plain = await sampleCommand(args(file('plain.csv', false), {}));
    expect(plain.warnings.filter((w) => w.includes('double'))).toEqual([]);
  });

  it('says when the positives fill the whole target and no negative is left', async () => {
    const r = await sampleCommand(args(file('full.csv', false), { targetSize: 150, positiveTarget: 150 }));
    expect([r.positives, r.negatives]).toEqual([150, 0]);
    expect(r.warnings).toContain(
      "the sample holds 150 positives and no negatives: the positives' target filled all of --target-size 150; raise --target-size above it (or lower --params or --nr) to keep negatives",
    );
  });
});
