// A missing number scores as exactly the training fill the model holds. predict fills gaps in SQL; a fill spliced in
// with 17 plain digits was read by DuckDB as a DECIMAL whose cast to DOUBLE landed one unit in the last place away
// (0.05416213012808249 → 0.0541621301280825), and trees that split at that training value sent every filled row down
// the other branch: predict disagreed with evaluate and /score on the same rows, with no error.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fitCommand } from '../../client/fitCommand.js';
import { predictCommand } from '../../client/predictCommand.js';
import { sqlDouble, withDuckDB } from '../../data/duckdbConnection.js';
import { seededRandom } from '../../core/random.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-fill-exact-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A median that 17 plain digits do not carry into DuckDB exactly. */
const FILL = 0.05416213012808249;

describe('a gap scored by predict', () => {
  it('reads every double spliced into SQL exactly', async () => {
    const rng = seededRandom(3);
    const values = [FILL, 0.1, 1 / 3, -2.5e-300, 1e308, 5e-324];
    for (let i = 0; i < 2_000; i++) values.push((rng.next() - 0.5) * 10 ** Math.floor(rng.next() * 40 - 20));
    const read = await withDuckDB(async (c) => (await c.runAndReadAll(`SELECT ${values.map(sqlDouble).join(', ')}`)).getRowsJS()[0]);
    expect(read).toEqual(values);
    // The form it replaced misreads some of them, this one among them.
    const plain = await withDuckDB(async (c) => (await c.runAndReadAll(`SELECT CAST(${FILL.toPrecision(17)} AS DOUBLE)`)).getRowsJS()[0]);
    expect(plain![0]).not.toBe(FILL);
  });

  it('scores as the row filled by hand with the model fill, for gradient-boosted trees and forests', async () => {
    const rng = seededRandom(2);
    const normal = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
    const rows: Array<[number, number | undefined, number]> = [];
    for (let i = 0; i < 2_000; i++) {
      const x1 = normal();
      // One row in ten holds the fill value itself, so it is the median of x2 and a value trees split at.
      const x2 = i % 10 === 0 ? FILL : normal();
      const y = rng.next() < 1 / (1 + Math.exp(-(-2 + x1 + 1.5 * (x2 > FILL ? 1 : 0)))) ? 1 : 0;
      rows.push([x1, rng.next() < 0.2 ? undefined : x2, y]);
    }
    const train = join(dir, 'train.csv');
    writeFileSync(train, ['x1,x2,y', ...rows.map(([a, b, y]) => `${a},${b ?? ''},${y}`), ''].join('\n'));
    const gaps = rows.filter((r) => r[1] === undefined).slice(0, 200);
    const gapped = join(dir, 'gapped.csv');
    // A first row with a value keeps the column numbers (an empty one would be read as text, and scored as gaps).
    writeFileSync(gapped, ['x1,x2', '0,0.5', ...gaps.map(([a]) => `${a},`), ''].join('\n'));
    const filled = join(dir, 'filled.csv');
    writeFileSync(filled, ['x1,x2', '0,0.5', ...gaps.map(([a]) => `${a},${FILL}`), ''].join('\n'));

    for (const kind of ['gbdt', 'forest'] as const) {
      const model = join(dir, `${kind}.json`);
      await fitCommand({ input: train, label: 'y', out: model, model: kind, missingIndicators: 'off' });
      const artifact = JSON.parse(readFileSync(model, 'utf8')) as { missingValues?: { fillValues: number[] } };
      expect(artifact.missingValues?.fillValues[1]).toBe(FILL);
      const scores = async (input: string) => {
        const out = join(dir, `${kind}-${input.endsWith('gapped.csv') ? 'gapped' : 'filled'}.csv`);
        await predictCommand({ model, input, out });
        return readFileSync(out, 'utf8').trim().split('\n').slice(1);
      };
      expect(await scores(gapped), kind).toEqual(await scores(filled));
    }
  }, 120_000);
});

describe('an infinity written as text in a predict file', () => {
  it('is refused naming the value and its row (it named neither)', async () => {
    const train = join(dir, 'plain.csv');
    writeFileSync(
      train,
      ['x1,x2,y', ...Array.from({ length: 100 }, (_, i) => `${Math.sin(i)},${Math.cos(i)},${i % 5 === 0 ? 1 : 0}`), ''].join('\n'),
    );
    const model = join(dir, 'plain.json');
    await fitCommand({ input: train, label: 'y', out: model, model: 'logreg' });
    const input = join(dir, 'inf.csv');
    // First in the file, "-inf" makes DuckDB read the column as text (after a number, as a double: refused by row too).
    writeFileSync(input, 'x1,x2\n0.1,-inf\n0.5,0.1\n');
    await expect(predictCommand({ model, input, out: join(dir, 'inf-scores.csv') })).rejects.toThrow(
      `column "x2" in ${input} must be numeric for this model, but is VARCHAR (first value that is not a finite number "-inf" at data row 1)`,
    );
  });
});
