// `denoise` and `adasyn` write their rows back from doubles: a column of whole numbers beyond 2⁵³ (a timestamp in
// nanoseconds) comes out rounded, and both commands say so by name, from CSV and Parquet input alike; so do fit and
// train, whose model learns the rounded values, and predict and evaluate, whose model scores them.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { withDuckDB } from '../../data/duckdbConnection.js';
import { runCli } from '../support/cliProcess.js';

describe('whole numbers a double cannot hold', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rareflow-wideints-'));
    // event_ns repeats 40 values (not an id), all beyond 2⁵³ and most not a multiple of the 256 a double steps by
    // there; count is a small whole number, exact as a double.
    const lines = ['a,count,event_ns,label'];
    for (let i = 0; i < 240; i++) {
      lines.push(`${((i * 13) % 17) / 3},${i % 9},${1700956267254836000n + BigInt((i * 7) % 40) * 7n},${i % 8 === 0 ? 1 : 0}`);
    }
    writeFileSync(join(dir, 'wide.csv'), `${lines.join('\n')}\n`);
    await withDuckDB(async (c) => {
      await c.run(`COPY (SELECT * FROM read_csv('${join(dir, 'wide.csv')}')) TO '${join(dir, 'wide.parquet')}' (FORMAT parquet)`);
    });
    writeFileSync(
      join(dir, 'small.csv'),
      `${lines.map((l, i) => (i === 0 ? l : l.replace(/,17009562672548\d+,/, ',9007199254740992,'))).join('\n')}\n`,
    );
  });

  const warningOf = async (args: string[]) => {
    const r = await runCli([...args, '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    return (r.json<{ warnings?: string[] }>().warnings ?? []).filter((w) => w.includes('beyond what a double holds exactly'));
  };

  for (const input of ['wide.csv', 'wide.parquet']) {
    it(`names the column and its first rounded value (${input})`, async () => {
      for (const command of ['denoise', 'adasyn']) {
        const found = await warningOf([command, '--input', input, '--label', 'label', '--out', `${command}-${input}.csv`]);
        expect(found, command).toHaveLength(1);
        expect(found[0]).toMatch(/^column "event_ns" holds whole numbers .* \(17009562672548\d{5} reads as 17009562672548\d{5}\)/);
        expect(found[0]).toMatch(/carry the rounded values/);
      }
    });
  }

  it('says nothing of whole numbers a double holds exactly (up to 2⁵³)', async () => {
    expect(await warningOf(['denoise', '--input', 'small.csv', '--label', 'label', '--out', 'den-small.csv'])).toEqual([]);
    expect(await warningOf(['fit', '--input', 'small.csv', '--label', 'label', '--kind', 'logreg', '--out', 'small.json'])).toEqual([]);
  });

  // Before, fit, train, predict and evaluate learnt and scored the rounded values without a word.
  for (const input of ['wide.csv', 'wide.parquet']) {
    it(`is said by fit and train (the model learns it) and by predict and evaluate (the model scores it) (${input})`, async () => {
      const model = `fit-${input}.json`;
      const runs: [string, string[], RegExp][] = [
        [
          'fit',
          ['fit', '--input', input, '--label', 'label', '--kind', 'logreg', '--out', model],
          /the model learns from the rounded values/,
        ],
        [
          'train',
          ['train', '--input', input, '--label', 'label', '--kind', 'logreg', '--out', `train-${input}.json`],
          /the model learns from/,
        ],
        ['predict', ['predict', '--model', model, '--input', input, '--out', `scores-${input}.csv`], /the model scores the rounded values/],
        ['evaluate', ['evaluate', '--model', model, '--input', input, '--label', 'label'], /the model scores the rounded values/],
      ];
      for (const [command, args, consequence] of runs) {
        const found = await warningOf(args);
        expect(found, command).toHaveLength(1);
        expect(found[0], command).toMatch(/^column "event_ns" holds whole numbers .* \(17009562672548\d{5} reads as 17009562672548\d{5}\)/);
        expect(found[0], command).toMatch(consequence);
      }
    });
  }

  it('is said of 20-digit whole numbers past 2⁶³ too, which a CSV types as DOUBLE (fit, predict)', async () => {
    const lines = ['a,txn,label'];
    for (let i = 0; i < 240; i++) lines.push(`${((i * 13) % 17) / 3},${12345678901234567890n + BigInt(i)},${i % 8 === 0 ? 1 : 0}`);
    writeFileSync(join(dir, 'twenty.csv'), `${lines.join('\n')}\n`);
    for (const args of [
      ['fit', '--input', 'twenty.csv', '--label', 'label', '--kind', 'logreg', '--out', 'twenty.json'],
      ['predict', '--model', 'twenty.json', '--input', 'twenty.csv', '--out', 'twenty-scores.csv'],
    ]) {
      const found = await warningOf(args);
      expect(found, args[0]).toHaveLength(1);
      expect(found[0], args[0]).toMatch(/^column "txn" holds whole numbers .* \(12345678901234567890 reads as 12345678901234567168\)/);
    }
  });
});
