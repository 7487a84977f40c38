// A categorical column learnt from numbers written 1.0/2.0/3.0 (as pandas writes an integer column that had a gap):
// /score matches a JSON number by value, as `rareflow predict` matches a numeric file column, so `"code": 1` scores
// as category "1.0" instead of as an unseen category; a string still matches its exact text only.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fitCommand } from '../../client/fitCommand.js';
import { predictCommand } from '../../client/predictCommand.js';
import type { ModelArtifact } from '../../core/models/modelArtifact.js';
import { RequestFeatureEncoder } from '../../infra/requestFeatureEncoder.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-numeric-category-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a category learnt as 1.0 in a /score request', () => {
  it('matches the JSON number 1 as predict matches a file of integer codes', async () => {
    const lines = ['x1,code,y'];
    for (let i = 0; i < 300; i++) lines.push(`${Math.sin(i)},${(i % 3) + 1}.0,${i % 3 === 0 && i % 2 === 0 ? 1 : 0}`);
    writeFileSync(join(dir, 'train.csv'), `${lines.join('\n')}\n`);
    const model = join(dir, 'm.json');
    await fitCommand({ input: join(dir, 'train.csv'), label: 'y', out: model, model: 'logreg', categorical: ['code'] });
    const artifact = JSON.parse(readFileSync(model, 'utf8')) as ModelArtifact;
    expect(artifact.featureNames).toEqual(['x1', 'code=1.0', 'code=2.0', 'code=3.0']);

    const encoder = new RequestFeatureEncoder(artifact, model);
    const encoded = (code: unknown) => {
      expect(encoder.encode({ x1: 0, code })).toBeNull();
      return { row: [...encoder.row], warnings: [...encoder.warnings] };
    };
    expect(encoded(1)).toEqual({ row: [0, 1, 0, 0], warnings: [] });
    expect(encoded('1.0')).toEqual({ row: [0, 1, 0, 0], warnings: [] });
    expect(encoded(3)).toEqual({ row: [0, 0, 0, 1], warnings: [] });
    // Categories spelt as a column of numbers spells them match a string by its value too, as predict matches a text
    // column ("1.50" in a Parquet file against a model fitted on the CSV's 1.5); a word is no number, and 4 is no category.
    expect(encoded('1')).toEqual({ row: [0, 1, 0, 0], warnings: [] });
    expect(encoded('1.00').row).toEqual([0, 1, 0, 0]);
    expect(encoded('one').row).toEqual([0, 0, 0, 0]);
    expect(encoded(4).warnings).toEqual(['features.code: number 4 is not a category the model learnt; scored as none of its categories']);

    // predict on a file of integer codes reads code 1 as category "1.0": scored as the file that spells it so, and
    // not as an unseen code.
    const one = await scoreOf(join(dir, 'one.csv'), model, 'x1,code\n0,1\n');
    expect(one).toBe(await scoreOf(join(dir, 'spelt.csv'), model, 'x1,code\n0,1.0\n'));
    expect(one).not.toBe(await scoreOf(join(dir, 'unseen.csv'), model, 'x1,code\n0,7\n'));

    // Categories learnt as "1" and "1.0" from a text column: the number 1 would match both, a row no training row was,
    // so it is refused naming them (predict refuses a column of numbers the same way); the strings match one each.
    const mixed = ['x1,code,y'];
    for (let i = 0; i < 300; i++) mixed.push(`${Math.sin(i)},${['1', '1.0', 'x'][i % 3]},${i % 4 === 0 ? 1 : 0}`);
    writeFileSync(join(dir, 'mixed.csv'), `${mixed.join('\n')}\n`);
    const mixedModel = join(dir, 'mixed.json');
    await fitCommand({ input: join(dir, 'mixed.csv'), label: 'y', out: mixedModel, model: 'logreg', categorical: ['code'] });
    const mixedArtifact = JSON.parse(readFileSync(mixedModel, 'utf8')) as ModelArtifact;
    expect(mixedArtifact.featureNames).toEqual(['x1', 'code=1', 'code=1.0', 'code=x']);
    const both = new RequestFeatureEncoder(mixedArtifact, mixedModel);
    const row = (code: unknown) => (both.encode({ x1: 0, code }), [...both.row]);
    expect(both.encode({ x1: 0, code: 1 })).toBe(
      'features.code: the number 1 matches the model\'s categories "1" and "1.0" alike; expected the category as a string, spelt as one of them',
    );
    expect([row('1'), row('1.0')]).toEqual([
      [0, 1, 0, 0],
      [0, 0, 1, 0],
    ]);
    const numbers = join(dir, 'numbers.csv');
    writeFileSync(numbers, 'x1,code\n0,1\n0,2\n');
    await expect(predictCommand({ model: mixedModel, input: numbers, out: `${numbers}.out.csv` })).rejects.toThrow(
      'the model\'s categories "1" and "1.0" of it are the same number, which a number cannot tell apart (it would set both); expected the column as text, as the training file held it',
    );
  });
});

async function scoreOf(path: string, model: string, text: string): Promise<string> {
  writeFileSync(path, text);
  const out = `${path}.out.csv`;
  await predictCommand({ model, input: path, out });
  return readFileSync(out, 'utf8').split('\n')[1]!.split(',')[0]!;
}
