// What `rareflow fit` says about input it can still learn from but should not be trusted on: numbers written as
// text (decimal commas, thousands separators) left out, a class of a handful of rows; and the input it cannot
// learn from at all (no feature column left), refused naming the columns.

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../core/invalidInputError.js';
import { chooseColumns } from '../../client/fitInputColumns.js';
import { fitCommand } from '../../client/fitCommand.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-fitwarn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function csv(name: string, header: string, row: (i: number) => string, n = 240): string {
  const path = join(dir, name);
  writeFileSync(path, [header, ...Array.from({ length: n }, (_, i) => row(i)), ''].join('\n'));
  return path;
}

describe('fit warnings', () => {
  it('warns about a column of numbers with thousands separators, left out as text', async () => {
    const path = csv(
      'thousands.csv',
      'amount,b,label',
      (i) => `"${1 + (i % 9)},${String(100 + i).padStart(3, '0')}",${i % 5},${i % 8 === 0 ? 1 : 0}`,
    );
    const cols = await chooseColumns(path, 'label', [], []);
    expect(cols.features).toEqual(['b']);
    expect(cols.warnings).toHaveLength(1);
    expect(cols.warnings[0]).toMatch(
      /^column "amount" of .*thousands\.csv is left out: it reads as text \(240 distinct values, such as "\d,\d{3}"\)/,
    );
  });

  it('says which stray cells turned a column of numbers into text: left out when wide, categories when narrow', async () => {
    const stray = (i: number, value: string) => (i === 7 || i === 91 ? (i === 7 ? 'n.a.' : 'inf') : value);
    const path = csv(
      'stray.csv',
      'amount,count,label',
      (i) => `${stray(i, String(i / 7))},${stray(i, String(i % 20))},${i % 8 === 0 ? 1 : 0}`,
    );
    const cols = await chooseColumns(path, 'label', [], []);
    expect(cols.features).toEqual(['count']);
    expect(cols.categorical).toEqual(['count']);
    expect(cols.warnings).toEqual([
      expect.stringMatching(
        /^column "amount" of .*stray\.csv is left out: it reads as text because 2 of its 240 values are not finite numbers \(such as "(n\.a\.|inf)"\); fix those cells, or leave them empty/,
      ),
      expect.stringMatching(
        /^column "count" of .*stray\.csv reads as text because 2 of its 240 values are not finite numbers \(such as "(n\.a\.|inf)"\), so its 22 values are encoded as categories/,
      ),
    ]);
    // A text column with many words among its numbers is a text column: no such warning.
    const words = csv('words.csv', 'code,label', (i) => `${i % 3 === 0 ? `x${i % 5}` : String(i % 4)},${i % 8 === 0 ? 1 : 0}`);
    expect((await chooseColumns(words, 'label', [], [])).warnings).toEqual([]);
    // Words for missing numbers on 11% of a wide column's rows name the words, not a decimal point the numbers have.
    const noneWords = (i: number) => `${i % 9 === 0 ? (i % 2 ? 'None' : '-') : String(i / 7)}`;
    const none = csv('none-words.csv', 'amount,x,label', (i) => `${noneWords(i)},${i % 5},${i % 8 === 0 ? 1 : 0}`);
    expect((await chooseColumns(none, 'label', [], [])).warnings).toEqual([
      expect.stringMatching(
        /^column "amount" of .*none-words\.csv is left out: it reads as text because 27 of its 240 values are not finite numbers \(such as "(None|-)"\); fix those cells/,
      ),
    ]);
    // Alone in its file, the refusal names the same cause.
    const alone = csv('none-alone.csv', 'amount,label', (i) => `${noneWords(i)},${i % 8 === 0 ? 1 : 0}`);
    await expect(chooseColumns(alone, 'label', [], [])).rejects.toThrow(
      /expected numeric columns \(column "amount" .* 27 of its 240 values are not finite numbers/,
    );
  });

  it('warns about a few decimal-comma values made categories, and refuses a file of nothing else', async () => {
    // Few distinct values: such a column would be encoded as categories "0,5" and "1,5" instead of read as numbers.
    const mixed = csv('narrow.csv', 'a;b;label', (i) => `${i % 2 === 0 ? '0,5' : '1,5'};${i % 9};${i % 8 === 0 ? 1 : 0}`);
    expect((await chooseColumns(mixed, 'label', [], [])).warnings).toEqual([
      expect.stringMatching(
        /^column "a" of .*narrow\.csv reads as text \(2 distinct values, such as "[01],5"\), so its values are encoded as categories/,
      ),
    ]);
    const european = csv('european.csv', 'a;b;label', (i) => `${i % 2 === 0 ? '0,5' : '1,5'};${i % 3},25;${i % 8 === 0 ? 1 : 0}`);
    const refused = chooseColumns(european, 'label', [], []);
    await expect(refused).rejects.toBeInstanceOf(InvalidInputError);
    await expect(refused).rejects.toThrow(
      /has no column read as numbers, and every other column holds numbers written with a decimal comma/,
    );
  });

  it('names the type of a left-out column that is not text (a date)', async () => {
    const path = csv(
      'dates.csv',
      'day,b,label',
      (i) => `2020-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')},${i % 5},${i % 8 === 0 ? 1 : 0}`,
    );
    const cols = await chooseColumns(path, 'label', [], []);
    expect(cols.features).toEqual(['b']);
    expect(cols.leftOut).toEqual([expect.stringMatching(/^day \(DATE with \d+ distinct values\)$/)]);
  });

  it('refuses a file whose only non-label columns are such text, naming them', async () => {
    const path = csv('commas.csv', 'a;b;label', (i) => `${i},${i % 10};${i % 7},${i};${i % 8 === 0 ? 1 : 0}`);
    const refused = chooseColumns(path, 'label', [], []);
    await expect(refused).rejects.toBeInstanceOf(InvalidInputError);
    await expect(refused).rejects.toThrow(
      /has no feature column to learn from: .*a \(text with 240 distinct values\).*write them with a decimal point and without thousands separators/,
    );
  });

  it('leaves out, with a warning, a column with no value on any row (empty, NaN or a missing-value marker)', async () => {
    const path = csv('hollow.csv', 'a,blank,nan,marks,label', (i) => `${(i % 17) / 3},,nan,?,${i % 8 === 0 ? 1 : 0}`);
    const cols = await chooseColumns(path, 'label', [], []);
    expect(cols.features).toEqual(['a']);
    expect(cols.leftOut).toEqual(['blank (empty on every row)', 'nan (empty on every row)', 'marks (empty on every row)']);
    expect(cols.warnings).toEqual(
      ['blank', 'nan', 'marks'].map((c) =>
        expect.stringMatching(
          new RegExp(`^column "${c}" of .*hollow\\.csv is left out: it is empty, NaN or a missing-value marker on every row$`),
        ),
      ),
    );
  });

  it('reads a numeric column with "?" cells as numbers, fills them and says so', async () => {
    const path = csv(
      'uci.csv',
      'a,tsh,label',
      // One negative row reads like the positives, so tsh does not separate the classes alone (no leak warning).
      (i) => `${(i % 17) / 3},${i % 9 === 0 ? '?' : (i % 8 === 0 || i === 1 ? 5 : 1) + (i % 3) / 10},${i % 8 === 0 ? 1 : 0}`,
    );
    const result = await fitCommand({ input: path, label: 'label', out: join(dir, 'uci.json'), model: 'logreg' });
    expect(result.warnings).toEqual([
      expect.stringMatching(/^27 missing numeric values \(in tsh\) filled with the median of the training rows/),
    ]);
  });

  it('warns when a class has fewer than 10 rows, and still writes the model', async () => {
    const path = csv('few.csv', 'a,b,label', (i) => `${(i % 17) / 3},${i % 5},${i < 4 ? 1 : 0}`);
    const out = join(dir, 'few.json');
    const result = await fitCommand({ input: path, label: 'label', out, model: 'logreg' });
    expect(result.warnings).toEqual([
      'class "1" has only 4 rows: the model and its threshold rest on too few examples to be trusted; gather more rows of it',
    ]);
    const plenty = csv('plenty.csv', 'a,b,label', (i) => `${(i % 17) / 3},${i % 5},${i % 8 === 0 ? 1 : 0}`);
    expect((await fitCommand({ input: plenty, label: 'label', out, model: 'logreg' })).warnings).toBeUndefined();
  });

  it('warns about a column of one value, refuses a file where no column varies, and writes nothing then', async () => {
    const path = csv('constant.csv', 'a,k,label', (i) => `${(i % 17) / 3},7,${i % 8 === 0 ? 1 : 0}`);
    const result = await fitCommand({ input: path, label: 'label', out: join(dir, 'constant.json'), model: 'logreg' });
    expect(result.warnings).toEqual([expect.stringMatching(/^column "k" holds one value on every row \(missing values aside\)/)]);
    const flat = csv('flat.csv', 'a,k,label', (i) => `1.0,7,${i % 8 === 0 ? 1 : 0}`);
    const out = join(dir, 'flat.json');
    await expect(fitCommand({ input: flat, label: 'label', out })).rejects.toThrow(
      `${flat}: every feature column holds one value on every row (a, k); expected at least one column whose values vary`,
    );
    await expect(fitCommand({ input: flat, label: 'label', out })).rejects.toBeInstanceOf(InvalidInputError);
    expect(existsSync(out)).toBe(false);
  });

  it('says so when the rarer value of a yes/no label, the positive class, is "no"', async () => {
    const path = csv('yesno.csv', 'a,b,label', (i) => `${(i % 17) / 3},${i % 5},${i % 8 === 0 ? 'no' : 'yes'}`);
    const result = await fitCommand({ input: path, label: 'label', out: join(dir, 'yesno.json'), model: 'logreg' });
    expect(result.warnings).toEqual([
      'the positive class is "no", the rarer value of the label: scores are the probability of "no" and pred names "no" as the positive; if you meant "yes", pass --positive "yes"',
    ]);
    const usual = csv('noyes.csv', 'a,b,label', (i) => `${(i % 17) / 3},${i % 5},${i % 8 === 0 ? 'yes' : 'no'}`);
    expect((await fitCommand({ input: usual, label: 'label', out: join(dir, 'noyes.json'), model: 'logreg' })).warnings).toBeUndefined();
    // The rarer value of a positive/negative label being "negative" is said the same way.
    const swapped = csv('swapped.csv', 'a,b,label', (i) => `${(i % 17) / 3},${i % 5},${i % 8 === 0 ? 'negative' : 'positive'}`);
    expect((await fitCommand({ input: swapped, label: 'label', out: join(dir, 'swapped.json'), model: 'logreg' })).warnings).toEqual([
      'the positive class is "negative", the rarer value of the label: scores are the probability of "negative" and pred names "negative" as the positive; if you meant "positive", pass --positive "positive"',
    ]);
    // "no" named with --positive is not called the rarer value (here it is the larger class, which is said instead).
    const named = await fitCommand({ input: usual, label: 'label', positive: 'no', out: join(dir, 'named.json'), model: 'logreg' });
    expect(named.warnings?.some((w) => w.includes('rarer value'))).toBe(false);
    expect(named.warnings?.some((w) => w.includes('is the larger class'))).toBe(true);
  });

  it('says so when categories and classes are spelt with spaces around them (a file written with ", ")', async () => {
    const path = csv(
      'spaced.csv',
      'a, colour, label',
      (i) => `${(i % 17) / 3}, ${['red', 'blue'][i % 2]}, ${i % 8 === 0 ? '>50K' : '<=50K'}`,
    );
    const result = await fitCommand({ input: path, label: 'label', out: join(dir, 'spaced.json'), model: 'logreg' });
    expect(result.warnings).toEqual([
      expect.stringMatching(
        /^categorical column "colour" has 2 values with spaces around it \(such as " blue"\): values are read as spelt/,
      ),
      expect.stringMatching(/^the label has 2 values with spaces around it \(such as " <=50K"\)/),
    ]);
  });

  it('refuses a file whose header row repeats inside it (files joined with their headers), saying so', async () => {
    const joined = csv('joined.csv', 'a,b,label', (i) =>
      i === 120 ? 'a,b,label' : `${(i % 17) / 3},${(i * 7) % 11},${i % 8 === 0 ? 1 : 0}`,
    );
    await expect(fitCommand({ input: joined, label: 'label', out: join(dir, 'joined.json') })).rejects.toThrow(
      `${joined}: a row repeats the header inside the file (column "a" holds the value "a"), as files joined with their header rows do; expected one header row: remove the repeated ones`,
    );
  });

  it('does not take a category spelt like its column, beside a column read as numbers, for a repeated header', async () => {
    const own = csv(
      'own-name.csv',
      'amount,kind,label',
      (i) => `${(i % 17) / 3},${i === 30 ? 'kind' : ['a', 'b'][i % 2]},${i % 8 === 0 ? 1 : 0}`,
    );
    await fitCommand({ input: own, label: 'label', out: join(dir, 'own-name.json'), model: 'logreg' });
    expect(existsSync(join(dir, 'own-name.json'))).toBe(true);
  });

  it('does not call a column a leak when a class of a handful of rows is all it separates', async () => {
    const one = csv('one.csv', 'a,b,label', (i) => `${(i % 17) / 3},${i % 5},${i === 16 ? 1 : 0}`);
    const result = await fitCommand({ input: one, label: 'label', out: join(dir, 'one.json'), model: 'logreg' });
    expect(result.warnings).toEqual([expect.stringMatching(/^class "1" has only 1 row:/)]);
  });

  it('warns about a column that counts the rows (a saved row number)', async () => {
    const path = csv('indexed.csv', 'row,a,label', (i) => `${i},${(i % 17) / 3},${i % 8 === 0 ? 1 : 0}`);
    const result = await fitCommand({ input: path, label: 'label', out: join(dir, 'indexed.json'), model: 'logreg' });
    expect(result.warnings).toEqual([
      expect.stringMatching(/^column "row" counts the rows \(each value one more than the last\): a row number or id/),
    ]);
  });

  it('warns about a column that alone separates the classes (a copy of the label), and not about one that nearly does', async () => {
    const leak = csv('leak.csv', 'a,outcome,label', (i) => `${(i % 17) / 3},${i % 8 === 0 ? 2.5 : (i % 5) / 10},${i % 8 === 0 ? 1 : 0}`);
    const result = await fitCommand({ input: leak, label: 'label', out: join(dir, 'leak.json'), model: 'logreg' });
    expect(result.warnings).toEqual([expect.stringMatching(/^column "outcome" alone separates the two classes on every row/)]);
    // One negative on the positives' side: a strong feature, not a copy of the label.
    const strong = csv(
      'strong.csv',
      'a,outcome,label',
      (i) => `${(i % 17) / 3},${i % 8 === 0 || i === 3 ? 2.5 : (i % 5) / 10},${i % 8 === 0 ? 1 : 0}`,
    );
    const kept = await fitCommand({ input: strong, label: 'label', out: join(dir, 'strong.json'), model: 'logreg' });
    expect(kept.warnings ?? []).toEqual([]);
  });

  it('warns about a categorical column whose categories each hold one class (a label copied as several words)', async () => {
    // Two words for the positives, three for the rest: no one-hot feature separates the classes, the column does.
    const word = (i: number) =>
      i % 8 === 0 ? ['chargeback', 'disputed'][i % 16 === 0 ? 0 : 1] : ['settled', 'pending', 'approved'][i % 3];
    const leak = csv('status.csv', 'a,status,label', (i) => `${(i % 17) / 3},${word(i)},${i % 8 === 0 ? 1 : 0}`);
    const result = await fitCommand({
      input: leak,
      label: 'label',
      out: join(dir, 'status.json'),
      model: 'logreg',
      categorical: ['status'],
    });
    expect(result.warnings).toEqual([
      expect.stringMatching(
        /^categorical column "status" alone separates the two classes on every row \(each of its categories holds rows of one class only\)/,
      ),
    ]);
    // One negative row with a positive's word: a strong feature, not a copy of the label.
    const mixed = csv('mixed.csv', 'a,status,label', (i) => `${(i % 17) / 3},${i === 3 ? 'disputed' : word(i)},${i % 8 === 0 ? 1 : 0}`);
    const kept = await fitCommand({ input: mixed, label: 'label', out: join(dir, 'mixed.json'), model: 'logreg', categorical: ['status'] });
    expect(kept.warnings ?? []).toEqual([]);
  });

  it('says which value makes a column of numbers read as text (a plus sign, spaces, leading zeros)', async () => {
    for (const [name, odd] of [
      ['plus', '+3'],
      ['spaced', ' 12 '],
      ['zeros', '0012'],
    ]) {
      const path = csv(
        `${name}.csv`,
        'a,b,label',
        (i) => `${i === 7 ? odd : ((i * 37) % 101) / 7},${i % 8 === 0 ? 3 + (i % 5) : i % 5},${i % 8 === 0 ? 1 : 0}`,
      );
      const result = await fitCommand({ input: path, label: 'label', out: join(dir, `${name}.json`), model: 'logreg' });
      // Before: "write them with a decimal point", about a column that had one, with an example that was not the cause.
      expect(result.warnings, name).toEqual([
        `column "a" of ${path} is left out: it reads as text, though every value in it reads as a number, because some are not written as plain numbers (such as ${JSON.stringify(odd)}: a plus sign, spaces around it or leading zeros); write them as plain numbers (3, -1.5) to keep it a number, or leave them as they are if it is a code`,
      ]);
    }
  });

  it('says what it makes of a column of dates: left out with many days, categories with a few', async () => {
    const day = (i: number, days: number) => `2024-01-${String(1 + (i % days)).padStart(2, '0')}`;
    const few = csv('few-days.csv', 'day,a,label', (i) => `${day(i, 20)},${(i % 17) / 3},${i % 8 === 0 ? 1 : 0}`);
    const encoded = await fitCommand({ input: few, label: 'label', out: join(dir, 'few-days.json'), model: 'logreg' });
    expect(encoded.warnings).toEqual([
      `column "day" of ${few} holds dates or times (DATE) and is encoded as 20 categories, one a value: a date the training rows do not hold scores as none of them; derive numbers from it (a day of the week, days since an event) as columns of their own`,
    ]);
    const dated = (i: number) => new Date(Date.UTC(2024, 0, 1 + (i % 90))).toISOString().slice(0, 10);
    const many = csv('many-days.csv', 'day,a,label', (i) => `${dated(i)},${(i % 17) / 3},${i % 8 === 0 ? 1 : 0}`);
    // Before, left out with a note in the read stage only.
    const left = await fitCommand({ input: many, label: 'label', out: join(dir, 'many-days.json'), model: 'logreg' });
    expect(left.warnings).toEqual([
      `column "day" of ${many} is left out: it holds dates or times (DATE), which fit does not learn from as such; derive numbers from it (a day of the week, days since an event) as columns of their own`,
    ]);
    // Day first (read as spelt: the order is not guessed), with many days and with a few: said as dates all the same.
    const dayFirst = (i: number, days: number) => `${String(1 + (i % days)).padStart(2, '0')}/03/2024`;
    const fewText = csv('few-text-days.csv', 'day,a,label', (i) => `${dayFirst(i, 12)},${(i % 17) / 3},${i % 8 === 0 ? 1 : 0}`);
    expect((await fitCommand({ input: fewText, label: 'label', out: join(dir, 'few-text.json'), model: 'logreg' })).warnings).toEqual([
      expect.stringMatching(
        /^column "day" of .*few-text-days\.csv holds dates or times \(such as "\d\d\/03\/2024"\) and is encoded as 12 categories/,
      ),
    ]);
    const manyText = csv(
      'many-text-days.csv',
      'day,a,label',
      (i) => `${dated(i).split('-').reverse().join('.')},${(i % 17) / 3},${i % 8 === 0 ? 1 : 0}`,
    );
    expect((await fitCommand({ input: manyText, label: 'label', out: join(dir, 'many-text.json'), model: 'logreg' })).warnings).toEqual([
      expect.stringMatching(/^column "day" of .*many-text-days\.csv is left out: it holds dates or times \(such as "\d\d\.\d\d\.2024"\)/),
    ]);
  });

  it('warns about a model that gives every row the same score (before, written without a word)', async () => {
    const data = csv('flat.csv', 'a,b,label', (i) => `${(i % 17) / 3},${i % 5},${i % 8 === 0 ? 1 : 0}`);
    const config = join(dir, 'flat.cfg.json');
    writeFileSync(config, JSON.stringify({ model: { kind: 'gbdt', learningRate: 1e-300 } }));
    const flat = await fitCommand({ input: data, label: 'label', out: join(dir, 'flat.json'), config });
    expect(flat.warnings).toEqual([
      expect.stringMatching(
        /^the model gives every training row the same score \(0\.5\), so it predicts "[01]" for every row and cannot tell the classes apart; check its settings \(a learning rate or a penalty far from the usual\) and the features$/,
      ),
    ]);
    const usual = await fitCommand({ input: data, label: 'label', out: join(dir, 'usual.json'), model: 'logreg' });
    expect(usual.warnings ?? []).toEqual([]);
  });

  it('warns when the positive class is the larger one, and names the other as the likely rare class', async () => {
    const flipped = csv('flipped.csv', 'a,b,label', (i) => `${(i % 17) / 3},${i % 5},${i % 8 === 0 ? 0 : 1}`);
    const result = await fitCommand({ input: flipped, label: 'label', out: join(dir, 'flipped.json'), model: 'logreg' });
    expect(result.warnings).toEqual([
      expect.stringMatching(/^the positive class "1" is the larger class \(210 of 240 rows\).*pass --positive "0"$/),
    ]);
    const chosen = await fitCommand({ input: flipped, label: 'label', positive: '0', out: join(dir, 'flipped0.json'), model: 'logreg' });
    expect(chosen.warnings ?? []).toEqual([]);
  });

  it('warns about a column of whole numbers different on every row (a shuffled id), and not about a measurement', async () => {
    // 240 distinct ids in shuffled order (7 is coprime with 240): not a counter, still an id.
    const ids = csv('ids.csv', 'id,a,label', (i) => `${1000 + ((i * 7) % 240)},${(i % 17) / 3},${i % 8 === 0 ? 1 : 0}`);
    const result = await fitCommand({ input: ids, label: 'label', out: join(dir, 'ids.json'), model: 'logreg' });
    expect(result.warnings).toEqual([expect.stringMatching(/^column "id" holds a different whole number on every row, as an id does/)]);
    // A column named v also once broke the label count (its SQL grouped by an alias v, which the column shadowed).
    const measured = csv('measured.csv', 'v,a,label', (i) => `${1000 + ((i * 7) % 240) + 0.5},${(i % 17) / 3},${i % 8 === 0 ? 1 : 0}`);
    const kept = await fitCommand({ input: measured, label: 'label', out: join(dir, 'measured.json'), model: 'logreg' });
    expect(kept.warnings ?? []).toEqual([]);
  });

  it('says when --positive leaves two or more other values to be learned as one negative class', async () => {
    const three = csv('three.csv', 'a,b,label', (i) => `${(i % 17) / 3},${i % 5},${i % 8 === 0 ? 1 : i % 3 === 0 ? 2 : 0}`);
    const result = await fitCommand({ input: three, label: 'label', positive: '1', out: join(dir, 'three.json'), model: 'logreg' });
    expect(result.warnings).toEqual([
      'label column "label" holds 3 values: "0", "2" are learned as one negative class against "1", and predict writes that class as "0|2"; leave out --positive to learn every class',
    ]);
  });
});
