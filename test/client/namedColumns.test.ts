// Column names a user gives (input.exclude, --categorical / input.categorical, input.features) must be columns of the
// input: a misspelt exclusion would otherwise exclude nothing, in silence. fit honours input.features.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chooseColumns } from '../../client/fitInputColumns.js';
import { InvalidInputError } from '../../core/invalidInputError.js';
import { profileLabelledInput } from '../../data/inputProfile.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-named-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const path = join(dir, 'rows.csv');
writeFileSync(
  path,
  [
    'amount,channel,leak,label',
    ...Array.from({ length: 60 }, (_, i) => `${i / 3},${['a', 'b'][i % 2]},${i % 6 === 0 ? 1 : 0},${i % 6 === 0 ? 1 : 0}`),
  ].join('\n'),
);

describe('named columns', () => {
  it('fit refuses an exclusion, a categorical or a feature that is not a column, suggesting the near one', async () => {
    const refused = async (declared: string[], exclude: string[], selected?: string[]) => {
      const e = await chooseColumns(path, 'label', declared, exclude, selected).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(InvalidInputError);
      return (e as Error).message;
    };
    expect(await refused([], ['laek'])).toBe(
      `input.exclude names "laek", which is not a column of ${path}; did you mean "leak"? Its columns are amount, channel, leak, label`,
    );
    expect(await refused(['chanel'], [])).toMatch(
      /^--categorical \(or input\.categorical\) names "chanel", which is not a column of .*; did you mean "channel"\?/,
    );
    expect(await refused(['label'], [])).toMatch(/names "label", which is the label column of .*; it cannot also be a feature$/);
    expect(await refused([], [], ['amount', 'zzz'])).toMatch(
      /^input\.features names "zzz", which is not a column of .*rows\.csv\. Its columns are/,
    );
  });

  it('fit reads only input.features when given, and still drops an exclusion', async () => {
    expect((await chooseColumns(path, 'label', [], [], ['amount', 'channel'])).features).toEqual(['amount', 'channel']);
    expect((await chooseColumns(path, 'label', [], ['leak'])).features).toEqual(['amount', 'channel']);
    expect((await chooseColumns(path, 'label', [], ['leak'], ['amount', 'leak'])).features).toEqual(['amount']);
  });

  it("the pipeline's input profile refuses an exclusion that is not a column", async () => {
    await expect(profileLabelledInput([path], { label: 'label', exclude: ['laek'], hashFiles: false })).rejects.toThrow(
      /input\.exclude names "laek", which is not a column of .*; did you mean "leak"\?/,
    );
    const profile = await profileLabelledInput([path], { label: 'label', exclude: ['leak', 'channel'], hashFiles: false });
    expect(profile.featureNames).toEqual(['amount']);
  });
});
