// A `--positive-when` (or `input.positiveWhen`) that is not a condition, a number or a text, is refused with its
// type, where a cast once read every non-zero value as a positive; and a condition that makes the positive class the
// larger one gets the warning `--positive` on a common value gets, with the condition to write instead.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failingOnBadInput } from '../../activities/activityRuntime.js';
import { describeStage } from '../../stages/describe.js';
import { runCli } from '../support/cliProcess.js';

let dir: string;

/** 300 rows: `code` an integer 0..4, `amount` a number, `name` a text, `x` from -3 to 3, and a 0/1 label. */
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-predicate-type-'));
  const lines = ['code,amount,name,x,label'];
  for (let i = 0; i < 300; i++) lines.push(`${i % 5},${i * 13},n${i % 3},${((i % 61) - 30) / 10},${i % 10 === 0 ? 1 : 0}`);
  writeFileSync(join(dir, 'rows.csv'), `${lines.join('\n')}\n`);
  writeFileSync(
    join(dir, 'numbers.csv'),
    `${lines
      .map((l) => l.replace(/,n\d,/, ','))
      .join('\n')
      .replace('name,', '')}\n`,
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sample = (predicate: string, input = 'numbers.csv') =>
  runCli(
    ['sample', '--input', input, '--label', 'big', '--positive-when', predicate, '--target-size', '200', '--nr', '20'].concat([
      '--out',
      'out.csv',
      '--json',
    ]),
    { cwd: dir },
  );

describe('sample --positive-when that is not a condition', () => {
  for (const [predicate, type, example] of [
    ['code', 'BIGINT', '"code = 1" or "code > 0"'],
    ['amount/1000', 'DOUBLE', '"(amount/1000) = 1" or "(amount/1000) > 0"'],
  ] as const) {
    it(`refuses "${predicate}" (${type}), naming the flag, the expression and its type`, async () => {
      const r = await sample(predicate);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(
        `--positive-when "${predicate}" gives values of type ${type} on numbers.csv, where a condition (true or false on each row) is expected: a number or a text is not taken as true or false; write the comparison that makes a row positive, such as ${example}`,
      );
    });
  }

  it('takes the comparison it advises', async () => {
    const r = await sample('code = 1');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json().positives).toBe(20);
  });
});

describe('input.positiveWhen that is not a condition', () => {
  it('is refused by the pipeline in the spec key’s words', async () => {
    const failed = await failingOnBadInput(() =>
      describeStage({
        input: { paths: [join(dir, 'rows.csv')], label: 'big', positiveWhen: 'name', exclude: ['label', 'name'] },
        sampling: {},
      }),
    ).catch((err: unknown) => err);
    expect((failed as Error).message).toMatch(
      /^input\.positiveWhen "name" gives values of type VARCHAR on .*rows\.csv, where a condition \(true or false on each row\) is expected: .* such as "name = 'yes'"$/,
    );
  });
});

describe('sample --positive-when that makes the positive class the larger one', () => {
  it('warns, as --positive on a common value does, and says to invert the condition', async () => {
    const r = await sample('x > -2');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json<{ warnings: string[] }>().warnings).toContain(
      'the positive class (the rows where --positive-when "x > -2" holds) is the larger class (245 of 300 rows): adaptive sampling keeps positives as the rare class; if the rare class is the rows where it does not hold, invert the condition: --positive-when "NOT (x > -2)"',
    );
  });

  it('says nothing of the kind for a condition of the rare rows', async () => {
    const r = await sample('x > 2');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json<{ warnings: string[] }>().warnings.filter((w) => w.includes('larger class'))).toEqual([]);
  });
});
