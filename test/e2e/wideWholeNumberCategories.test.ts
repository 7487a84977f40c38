// Categorical codes that are whole numbers past 2^53 (account ids of 19 digits): neighbouring ids share a double, so
// they must be matched by their digits. Before, `predict` and `evaluate` set every nearby id's one-hot feature at once
// on each row, and /score did the same for a JSON number, all without a word; codes read as decimals merged at `fit`.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fitCommand } from '../../client/fitCommand.js';
import { predictCommand } from '../../client/predictCommand.js';
import type { ModelArtifact } from '../../core/models/modelArtifact.js';
import { withDuckDB } from '../../data/duckdbConnection.js';
import { RequestFeatureEncoder } from '../../infra/requestFeatureEncoder.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-wide-ids-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ids = Array.from({ length: 6 }, (_, i) => `150000000000000000${i + 1}`);

/** Rows whose label depends on the id (ids 1–2 mostly positive) and on x; `code` spells id i. */
function rows(count: number, offset: number, code: (i: number) => string, labelled: boolean): string {
  const lines = [labelled ? 'x,acct,y' : 'x,acct'];
  for (let r = 0; r < count; r++) {
    const i = (r * 7 + offset) % ids.length;
    const x = Math.sin(r + offset).toFixed(4);
    const y = (i < 2 ? r % 3 !== 0 : r % 11 === 0) ? 1 : 0;
    lines.push(labelled ? `${x},${code(i)},${y}` : `${x},${code(i)}`);
  }
  return `${lines.join('\n')}\n`;
}

const scoresOf = (path: string) =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(',')[0]);

describe('categories that are whole numbers past 2^53', () => {
  it('are scored by predict and /score as the same rows with text codes are', async () => {
    const byId = (i: number) => ids[i]!;
    // Text codes in the same sorted order as the ids, so both models have the same features in the same order.
    const byText = (i: number) => `c${i + 1}`;
    writeFileSync(join(dir, 'ids.csv'), rows(600, 0, byId, true));
    writeFileSync(join(dir, 'text.csv'), rows(600, 0, byText, true));
    writeFileSync(join(dir, 'ids-new.csv'), rows(200, 3, byId, false));
    writeFileSync(join(dir, 'text-new.csv'), rows(200, 3, byText, false));
    await withDuckDB((c) =>
      c.run(`COPY (SELECT * FROM read_csv('${join(dir, 'ids-new.csv')}')) TO '${join(dir, 'ids-new.parquet')}' (FORMAT parquet)`),
    );
    const fit = (input: string, out: string) =>
      fitCommand({ input: join(dir, input), label: 'y', out: join(dir, out), model: 'logreg', categorical: ['acct'] });
    await fit('ids.csv', 'ids.json');
    await fit('text.csv', 'text.json');
    const model = JSON.parse(readFileSync(join(dir, 'ids.json'), 'utf8')) as ModelArtifact;
    expect(model.featureNames).toEqual(['x', ...ids.map((id) => `acct=${id}`)]);

    for (const [model, input] of [
      ['ids.json', 'ids-new.csv'],
      ['ids.json', 'ids-new.parquet'],
      ['text.json', 'text-new.csv'],
    ] as const)
      await predictCommand({ model: join(dir, model), input: join(dir, input), out: join(dir, `${input}.scores.csv`) });
    const expected = scoresOf(join(dir, 'text-new.csv.scores.csv'));
    expect(new Set(expected).size).toBeGreaterThan(2);
    expect(scoresOf(join(dir, 'ids-new.csv.scores.csv'))).toEqual(expected);
    expect(scoresOf(join(dir, 'ids-new.parquet.scores.csv'))).toEqual(expected);

    // /score: the id as a string sets its own feature only; as a JSON number it cannot say which id it is.
    const encoder = new RequestFeatureEncoder(model, 'ids.json');
    expect(encoder.encode({ x: 0, acct: ids[3] })).toBeNull();
    expect([...encoder.row]).toEqual([0, 0, 0, 0, 1, 0, 0]);
    expect(encoder.encode({ x: 0, acct: Number(ids[3]) })).toBe(
      `features.acct: the number ${String(Number(ids[3]))} is a whole number past 2^53, which a JSON number cannot carry exactly, and this model's categories of "acct" are such numbers; expected it as a string of its digits`,
    );
  });

  it('refuse a scoring file that reads such a column as decimals, and codes read as decimals at fit', async () => {
    // One decimal code among the rows: DuckDB reads the column as DOUBLE, where the ids are no longer distinct.
    writeFileSync(join(dir, 'decimal-new.csv'), `x,acct\n0.5,${ids[0]}\n0.1,2.5\n`);
    const out = join(dir, 'decimal.scores.csv');
    await expect(predictCommand({ model: join(dir, 'ids.json'), input: join(dir, 'decimal-new.csv'), out })).rejects.toThrow(
      `column "acct" in ${join(dir, 'decimal-new.csv')} is read as DOUBLE, but the model's categories of it are whole numbers past 2^53 (such as ${ids[0]}) that a decimal cannot tell apart; expected whole numbers only, or text, in that column`,
    );
    expect(existsSync(out)).toBe(false);

    // Ids above the 64-bit range: a CSV column of them is read as DOUBLE, and they would merge into one category.
    const wide = (i: number) => `980000000000000000${i}`;
    writeFileSync(join(dir, 'wide.csv'), rows(300, 0, wide, true));
    const model = join(dir, 'wide.json');
    await expect(
      fitCommand({ input: join(dir, 'wide.csv'), label: 'y', out: model, model: 'logreg', categorical: ['acct'] }),
    ).rejects.toThrow(/categorical column "acct" in .*wide\.csv is read as DOUBLE and holds whole numbers past 2\^53 \(first 9\.8e\+18\)/);
    expect(existsSync(model)).toBe(false);
  });
});
