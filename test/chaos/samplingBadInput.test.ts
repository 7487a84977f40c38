// Bad sampling parameters through `rareflow sample`: exit 2, one line on stderr naming the parameter and what was
// expected, and the working directory byte-for-byte unchanged (no sample file written).

import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cliProcess.js';

let dir: string;
const run = (args: string[]) => runCli(args, { cwd: dir });

function snapshot(): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir).map((f) => [
      f,
      createHash('sha256')
        .update(readFileSync(join(dir, f)))
        .digest('hex'),
    ]),
  );
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-sample-bad-'));
  const g = await run(['generate', '--rows', '5000', '--positive-rate', '0.05', '--features', '3', '--seed', '4', '--out', 'raw.parquet']);
  expect(g.code, g.stderr).toBe(0);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = ['sample', '--input', 'raw.parquet', '--label', 'label', '--out', 'sample.parquet'];
const cases: Array<{ what: string; args: string[]; message: RegExp }> = [
  {
    what: 'a target size no sample can hold (1e15)',
    args: ['--target-size', '1e15'],
    message:
      /^rareflow sample: target size \(sampling\.targetSize\) must be at most 2147483647, the most rows a sample can hold; got 1000000000000000\.$/,
  },
  {
    what: 'an unknown row order',
    args: ['--target-size', '1000', '--order', 'shuffled'],
    message: /^rareflow sample: --order: expected auto, sequential or random-blocks, got "shuffled"$/,
  },
  { what: 'a zero Nr', args: ['--target-size', '1000', '--nr', '0'], message: /^rareflow sample: --nr: expected an integer ≥ 1, got "0"/ },
  {
    what: 'positives per parameter so large that Nr exceeds the sample',
    args: ['--target-size', '1000', '--positives-per-param', '1e12'],
    message:
      /^rareflow sample: --target-size 1000 is below Nr = 4000000000000 positives \(1000000000000 × M = 4\); raise --target-size or lower --params$/,
  },
  {
    what: 'positives per parameter beside --nr, which sets Nr itself',
    args: ['--target-size', '1000', '--nr', '40', '--positives-per-param', '10'],
    message:
      /^rareflow sample: --positives-per-param 10 sets Nr through --params M, but --nr sets Nr itself, so it would be ignored; drop --positives-per-param$/,
  },
  {
    what: 'positives per parameter with the uniform baseline, which keeps no quota',
    args: ['--target-size', '1000', '--method', 'uniform', '--positives-per-param', '10'],
    message: /^rareflow sample: --positives-per-param 10 sets Nr through --params M, but --method uniform keeps no positive quota/,
  },
  {
    what: 'positives per parameter beyond the integers a double holds exactly',
    args: ['--target-size', '1000', '--positives-per-param', '1e20'],
    message: /^rareflow sample: --positives-per-param: expected an integer ≥ 1 of at most 9007199254740991 in size, got "1e20"$/,
  },
];

describe('bad sampling parameters: exit 2, one line naming the parameter, nothing written', () => {
  for (const c of cases) {
    it(`rejects ${c.what}`, async () => {
      const before = snapshot();
      const r = await run([...base, ...c.args]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(c.message);
      expect(snapshot()).toEqual(before);
    });
  }
});

describe('a positive value spelt another way than the label', () => {
  it('is refused naming the spelling in the data, not sampled as zero positives', async () => {
    const rows = Array.from({ length: 200 }, (_, i) => `${i % 7},${i % 10 === 0 ? 'Fraud' : 'ok'}`);
    writeFileSync(join(dir, 'text-label.csv'), ['amount,label', ...rows].join('\n'));
    const before = snapshot();
    const args = ['sample', '--input', 'text-label.csv', '--label', 'label', '--target-size', '100', '--out', 'spelt.parquet'];
    const r = await run([...args, '--positive', 'fraud']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim()).toBe(
      'rareflow sample: --positive "fraud" is not a value of label column "label" in text-label.csv, but "Fraud" is: the sample would have no positives; pass --positive "Fraud"',
    );
    expect(snapshot()).toEqual(before);
    // The spelling in the data samples its positives.
    const ok = await run([...args, '--positive', 'Fraud', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.json<{ positives: number }>().positives).toBe(20);
  });

  it('is refused on a true/false label given as 1, naming true, not sampled as zero positives', async () => {
    const rows = Array.from({ length: 200 }, (_, i) => `${i % 7},${i % 10 === 0}`);
    writeFileSync(join(dir, 'truth-label.csv'), ['amount,label', ...rows].join('\n'));
    const before = snapshot();
    const args = ['sample', '--input', 'truth-label.csv', '--label', 'label', '--target-size', '100', '--out', 'truth.parquet'];
    const r = await run([...args, '--positive', '1']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim()).toMatch(
      /^rareflow sample: --positive "1" is not a value of label column "label" in truth-label\.csv, but "true" is/,
    );
    expect(snapshot()).toEqual(before);
  });
});

describe('a uniform sample', () => {
  it('is not bounded by the positive quota it does not keep (Nr = 50 × 4 above a 100-row target)', async () => {
    const r = await run([...base, '--target-size', '100', '--method', 'uniform', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = r.json<{ positives: number; negatives: number }>();
    expect(out.positives + out.negatives).toBe(100);
  });
});

describe('one reading of 1e200 in a feature', () => {
  it('is sampled through the row-order check, not stopped by an overflowing variance', async () => {
    const rows = Array.from({ length: 600 }, (_, i) => `${i === 10 ? '1e200' : (i * 37) % 101},${(i * 13) % 7},${i % 9 === 0 ? 1 : 0}`);
    writeFileSync(join(dir, 'huge-reading.csv'), ['a,b,label', ...rows].join('\n'));
    const r = await run([
      'sample',
      '--input',
      'huge-reading.csv',
      '--label',
      'label',
      '--target-size',
      '300',
      '--nr',
      '30',
      '--json',
      '--out',
      'huge.csv',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json<{ positives: number }>().positives).toBe(30);
  });
});
