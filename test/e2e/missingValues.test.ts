// The declared missing-value policy end to end, as a user runs it: the single-step commands reject a CSV with empty
// cells by default, fit fills them with the training median and says so; --missing imputes with values fitted on the
// learning rows, reports them, and the model scores with them.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { featureMatrix } from '../../core/dataset.js';
import { withMissingIndicators } from '../../core/features/missingIndicators.js';
import { parseModelArtifact, scoreModel } from '../../core/models/modelArtifact.js';
import { runCli } from '../support/cliProcess.js';

let dir: string;
const run = (args: string[]) => runCli(args, { cwd: dir });
/** `rareflow fit` on gaps.csv with these flags. */
const fitGaps = (flags: string[]) => run(['fit', '--input', 'gaps.csv', '--label', 'label', ...flags]);

function csvRows(path: string): string[][] {
  return readFileSync(path, 'utf8')
    .trim()
    .split(/\r?\n/)
    .map((l) => l.split(','));
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-missing-e2e-'));
  // 300 rows, 10% positive; column a is empty on 12 rows, column b on 9 (never both on one row).
  const lines = ['a,b,label'];
  const filledLines = ['a,b'];
  for (let i = 0; i < 300; i++) {
    const positive = i % 10 === 0;
    const a = ((positive ? 2 : 0) + ((i * 37) % 17) / 8).toFixed(3);
    const b = ((positive ? -1 : 0) + ((i * 53) % 19) / 9).toFixed(3);
    const gapA = i % 25 === 3;
    const gapB = i % 33 === 7;
    lines.push(`${gapA ? '' : a},${gapB ? '' : b},${positive ? 1 : 0}`);
    filledLines.push(`${gapA ? 'A' : a},${gapB ? 'B' : b}`);
  }
  writeFileSync(join(dir, 'gaps.csv'), `${lines.join('\n')}\n`);
  writeFileSync(join(dir, 'gaps-template.csv'), `${filledLines.join('\n')}\n`);
  writeFileSync(join(dir, 'gaps-unlabelled.csv'), `${lines.map((l) => l.replace(/,[^,]*$/, '')).join('\n')}\n`);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The unlabelled rows with each empty cell replaced by the model's fill value of its column. */
function filledCopy(name: string, fills: { a: number; b: number }): string {
  const text = readFileSync(join(dir, 'gaps-template.csv'), 'utf8').replaceAll('A', String(fills.a)).replaceAll('B', String(fills.b));
  writeFileSync(join(dir, name), text);
  return name;
}

describe('--missing', () => {
  it('keeps rejecting empty cells by default, with the same message, in every single-step command (and fit told to)', async () => {
    for (const args of [
      ['denoise', '--out', 'd.csv'],
      ['adasyn', '--out', 'a.csv'],
      ['train', '--kind', 'logreg', '--out', 't.json'],
      ['fit', '--missing', 'reject', '--out', 'f.json'],
    ]) {
      const r = await run([...args, '--input', 'gaps.csv', '--label', 'label', '--json']);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(
        /feature column "a" in gaps\.csv has an empty or null value at data row 4; expected a finite number on every row: fill or drop such rows first/,
      );
    }
  });

  it('denoise and adasyn impute with the declared statistic, write the filled values and report the fills', async () => {
    const d = await run(['denoise', '--input', 'gaps.csv', '--label', 'label', '--missing', 'median', '--out', 'denoised.csv', '--json']);
    expect(d.code, d.stderr).toBe(0);
    const dj = d.json<{
      missingValues: { policy: string; filled: number; columns: Record<string, { filled: number; fillValue: number }> };
    }>();
    expect(dj.missingValues.policy).toBe('median');
    expect(dj.missingValues.filled).toBe(21);
    expect(dj.missingValues.columns.a!.filled).toBe(12);
    expect(dj.missingValues.columns.b!.filled).toBe(9);
    const out = csvRows(join(dir, 'denoised.csv'));
    expect(out.slice(1).every((row) => row.every((cell) => cell !== '' && Number.isFinite(Number(cell))))).toBe(true);

    const a = await run([
      'adasyn',
      '--input',
      'gaps.csv',
      '--label',
      'label',
      '--missing',
      'constant',
      '--fill-value',
      '-2.5',
      '--out',
      'augmented.csv',
      '--json',
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(a.json<{ missingValues: unknown }>().missingValues).toEqual({
      policy: 'constant',
      filled: 21,
      columns: { a: { filled: 12, fillValue: -2.5 }, b: { filled: 9, fillValue: -2.5 } },
    });
    const rows = csvRows(join(dir, 'augmented.csv'));
    // Row 4 of the input (data row 4, a empty) holds the constant.
    expect(Number(rows[4]![0])).toBe(-2.5);
    // Features and label are all filled; lineage's `_gap` is empty (null) on real rows by design.
    expect(rows.slice(1).every((row) => row.every((cell, c) => rows[0]![c]!.startsWith('_') || cell !== ''))).toBe(true);
  });

  it('fit with no policy fills with the training median, warns, and gives the model --missing median gives', async () => {
    const byDefault = await run(['fit', '--input', 'gaps.csv', '--label', 'label', '--kind', 'logreg', '--out', 'default.json', '--json']);
    expect(byDefault.code, byDefault.stderr).toBe(0);
    const j = byDefault.json<{ warnings: string[]; missingValues: { policy: string; filled: number } }>();
    expect(j.missingValues.policy).toBe('median');
    expect(j.missingValues.filled).toBe(12 + 9);
    expect(j.warnings).toContain(
      '21 missing numeric values (in a, b) filled with the median of the training rows (the model also reads a=missing, b=missing, 1 where the value was missing), also when the model scores; pass --missing reject to refuse them, or --missing mean or constant',
    );
    // Without --json the warnings read one to a line.
    const text = await run(['fit', '--input', 'gaps.csv', '--label', 'label', '--kind', 'logreg', '--out', 'text.json']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('\nwarnings:\n  - 21 missing numeric values (in a, b) filled with the median of the training rows');
    const declared = await run([
      'fit',
      '--input',
      'gaps.csv',
      '--label',
      'label',
      '--kind',
      'logreg',
      '--missing',
      'median',
      '--out',
      'declared.json',
    ]);
    expect(declared.code, declared.stderr).toBe(0);
    // The same model but for its name (taken from the file name) and the seal over it.
    const body = (file: string) => {
      const {
        modelName: _name,
        contentSha256: _seal,
        ...rest
      } = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;
      return rest;
    };
    expect(body('default.json')).toEqual(body('declared.json'));
    writeFileSync(
      join(dir, 'whole.csv'),
      `${readFileSync(join(dir, 'gaps.csv'), 'utf8')
        .split('\n')
        .filter((l) => !/(^,|,,)/.test(l))
        .join('\n')}`,
    );
    const whole = await run(['fit', '--input', 'whole.csv', '--label', 'label', '--kind', 'logreg', '--out', 'whole.json', '--json']);
    expect(whole.json()).not.toHaveProperty('missingValues');
    expect(readFileSync(join(dir, 'whole.json'), 'utf8')).not.toMatch(/fillValues/);
  });

  it('fit records the fill in the model, and predict and evaluate score a missing cell as that fill (indicators off)', async () => {
    for (const [model, extra] of [
      ['forest', []],
      ['logreg', ['--config', 'logreg-spec.json']],
    ] as const) {
      writeFileSync(join(dir, 'logreg-spec.json'), JSON.stringify({ model: { kind: 'logreg', threshold: 'prevalence' } }));
      const fit = await run([
        'fit',
        '--input',
        'gaps.csv',
        '--label',
        'label',
        '--missing',
        'median',
        '--missing-indicators',
        'off',
        ...extra,
        '--out',
        `${model}.json`,
        '--json',
      ]);
      expect(fit.code, fit.stderr).toBe(0);
      const summary = fit.json<{ missingValues: { columns: Record<string, { filled: number; fillValue: number }> } }>().missingValues;
      const artifact = JSON.parse(readFileSync(join(dir, `${model}.json`), 'utf8')) as {
        missingValues: { policy: string; fillValues: number[] };
      };
      expect(artifact.missingValues.policy).toBe('median');
      expect(artifact.missingValues.fillValues).toEqual([summary.columns.a!.fillValue, summary.columns.b!.fillValue]);

      const [fa, fb] = artifact.missingValues.fillValues as [number, number];
      const gapped = await run([
        'predict',
        '--model',
        `${model}.json`,
        '--input',
        'gaps-unlabelled.csv',
        '--out',
        `${model}-gapped.csv`,
        '--json',
      ]);
      expect(gapped.code, gapped.stderr).toBe(0);
      const filled = await run([
        'predict',
        '--model',
        `${model}.json`,
        '--input',
        filledCopy(`${model}-filled-in.csv`, { a: fa, b: fb }),
        '--out',
        `${model}-filled.csv`,
        '--json',
      ]);
      expect(filled.code, filled.stderr).toBe(0);
      expect(readFileSync(join(dir, `${model}-gapped.csv`), 'utf8')).toBe(readFileSync(join(dir, `${model}-filled.csv`), 'utf8'));

      const evaluated = await run(['evaluate', '--model', `${model}.json`, '--input', 'gaps.csv', '--label', 'label', '--json']);
      expect(evaluated.code, evaluated.stderr).toBe(0);
      expect(evaluated.json<{ rows: number }>().rows).toBe(300);
    }
  });

  it('fit adds a 0/1 column=missing feature beside each gapped column (on); predict, evaluate and the model file agree on it', async () => {
    writeFileSync(join(dir, 'logreg-spec.json'), JSON.stringify({ model: { kind: 'logreg', threshold: 'prevalence' } }));
    const fit = await fitGaps(['--missing-indicators', 'on', '--config', 'logreg-spec.json', '--out', 'ind.json', '--json']);
    expect(fit.code, fit.stderr).toBe(0);
    const j = fit.json<{ stages: Array<{ stage: string; missingIndicators?: string[] }> }>();
    expect(j.stages.find((st) => st.stage === 'read')!.missingIndicators).toEqual(['a', 'b']);
    const artifact = JSON.parse(readFileSync(join(dir, 'ind.json'), 'utf8')) as {
      featureNames: string[];
      inputColumns: unknown[];
      missingValues: { fillValues: number[] };
      model: { weights: number[] };
    };
    expect(artifact.featureNames).toEqual(['a', 'a=missing', 'b', 'b=missing']);
    expect(artifact.inputColumns).toEqual([
      { name: 'a', kind: 'numeric', missingIndicator: true },
      { name: 'b', kind: 'numeric', missingIndicator: true },
    ]);
    expect(artifact.model.weights).toHaveLength(4);
    const [fa, , fb] = artifact.missingValues.fillValues as [number, number, number, number];
    const gapped = await run(['predict', '--model', 'ind.json', '--input', 'gaps-unlabelled.csv', '--out', 'ind-gapped.csv']);
    expect(gapped.code, gapped.stderr).toBe(0);
    const filled = await run([
      'predict',
      '--model',
      'ind.json',
      '--input',
      filledCopy('ind-filled-in.csv', { a: fa, b: fb }),
      '--out',
      'ind-filled.csv',
    ]);
    expect(filled.code, filled.stderr).toBe(0);
    // A filled-in value is not a missing one: the scores differ on exactly the 21 gapped rows.
    const g = csvRows(join(dir, 'ind-gapped.csv')).slice(1);
    const f = csvRows(join(dir, 'ind-filled.csv')).slice(1);
    const template = csvRows(join(dir, 'gaps-template.csv')).slice(1);
    const differs = g.map((row, i) => row[0] !== f[i]![0]);
    expect(differs).toEqual(template.map((row) => row.includes('A') || row.includes('B')));
    // evaluate encodes the file as the model file says (indicators included), as predict does.
    const evaluated = await run(['evaluate', '--model', 'ind.json', '--input', 'gaps.csv', '--label', 'label', '--json']);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    expect(evaluated.json<{ rows: number }>().rows).toBe(300);
    // predict's SQL (the engine path for logistic regression, the chunk path for a forest) scores what the model
    // scores in memory on the same rows with the indicators built from the NaNs.
    const rawRows = csvRows(join(dir, 'gaps-unlabelled.csv')).slice(1);
    const x = featureMatrix(
      rawRows.length,
      2,
      Float64Array.from(rawRows.flat(), (v) => (v === '' ? Number.NaN : Number(v))),
    );
    const encoded = withMissingIndicators(x, ['a', 'b'], [0, 1]).x;
    const forestFit = await fitGaps(['--missing-indicators', 'on', '--kind', 'forest', '--out', 'ind-forest.json']);
    expect(forestFit.code, forestFit.stderr).toBe(0);
    for (const model of ['ind', 'ind-forest']) {
      const loaded = parseModelArtifact(JSON.parse(readFileSync(join(dir, `${model}.json`), 'utf8')), model);
      const p = await run(['predict', '--model', `${model}.json`, '--input', 'gaps-unlabelled.csv', '--out', `${model}-scores.csv`]);
      expect(p.code, p.stderr).toBe(0);
      const predicted = csvRows(join(dir, `${model}-scores.csv`))
        .slice(1)
        .map((row) => Number(row[0]));
      const inMemory = Array.from(scoreModel(loaded, encoded));
      predicted.forEach((v, i) => expect(v, `${model} row ${i}`).toBeCloseTo(inMemory[i]!, 12));
    }
    const off = await fitGaps(['--missing-indicators', 'off', '--out', 'noind.json', '--json']);
    expect(off.code, off.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'noind.json'), 'utf8')).featureNames).toEqual(['a', 'b']);
    const refused = await fitGaps(['--missing', 'reject', '--missing-indicators', 'on', '--out', 'refused.json']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--missing-indicators on: marks missing values that are filled, but --missing reject refuses them/);
    expect(existsSync(join(dir, 'refused.json'))).toBe(false);
    const refusedRelated = await fitGaps(['--missing', 'reject', '--missing-indicators', 'related', '--out', 'refused.json']);
    expect(refusedRelated.code).toBe(2);
    expect(refusedRelated.stderr).toMatch(
      /--missing-indicators related: marks missing values that are filled, but --missing reject refuses them/,
    );
    expect(existsSync(join(dir, 'refused.json'))).toBe(false);
  });

  it('--missing-indicators related adds an indicator only where the gaps are related to the class, and says why', async () => {
    // gaps.csv: a and b are missing on 21 rows, one of them positive, as chance would spread them.
    const unrelated = await fitGaps(['--missing-indicators', 'related', '--kind', 'logreg', '--out', 'auto-ind.json', '--json']);
    expect(unrelated.code, unrelated.stderr).toBe(0);
    const read = unrelated
      .json<{ stages: Array<{ stage: string; missingIndicators?: string[]; missingClassTests?: unknown }> }>()
      .stages.find((st) => st.stage === 'read')!;
    expect(read.missingIndicators).toBeUndefined();
    expect(read.missingClassTests).toEqual([
      { column: 'a', missing: 12, missingByClass: { '0': 12, '1': 0 }, pValue: 0.617, indicator: false },
      { column: 'b', missing: 9, missingByClass: { '0': 8, '1': 1 }, pValue: 1, indicator: false },
    ]);
    expect(unrelated.json<{ warnings: string[] }>().warnings.join('\n')).toMatch(
      /\(no missing-value feature for a, b: their gaps are not related to the class\)/,
    );
    expect(JSON.parse(readFileSync(join(dir, 'auto-ind.json'), 'utf8')).featureNames).toEqual(['a', 'b']);

    // c is missing on 1 positive and 81 negatives (a test not ordered for most healthy rows): it gets one, b not.
    const lines = ['b,c,label'];
    for (let i = 0; i < 300; i++) {
      const positive = i % 10 === 0;
      const gapC = positive ? i === 0 : i % 10 <= 3;
      lines.push(
        `${i % 25 === 3 ? '' : ((i * 53) % 19) / 9},${gapC ? '' : ((positive ? 2 : 0) + ((i * 37) % 17) / 8).toFixed(3)},${positive ? 1 : 0}`,
      );
    }
    writeFileSync(join(dir, 'class-gaps.csv'), `${lines.join('\n')}\n`);
    const fitRelated = (flags: string[]) =>
      run(['fit', '--input', 'class-gaps.csv', '--label', 'label', '--missing-indicators', 'related', '--kind', 'logreg', ...flags]);
    const related = await fitRelated(['--out', 'related.json', '--json']);
    expect(related.code, related.stderr).toBe(0);
    const relatedRead = related
      .json<{
        stages: Array<{
          stage: string;
          note?: string;
          missingIndicators?: string[];
          missingClassTests?: Array<{ column: string; pValue: number }>;
        }>;
      }>()
      .stages.find((st) => st.stage === 'read')!;
    expect(relatedRead.missingIndicators).toEqual(['c']);
    expect(relatedRead.missingClassTests!.map((t) => t.column)).toEqual(['b', 'c']);
    expect(relatedRead.missingClassTests![1]!.pValue).toBeLessThan(0.001);
    expect(relatedRead.note).toMatch(
      /^c=missing \(p = [0-9.e-]+\) added: gaps related to the class; no missing-value feature for b \(p = [0-9.]+\): gaps not related to the class$/,
    );
    expect(JSON.parse(readFileSync(join(dir, 'related.json'), 'utf8')).featureNames).toEqual(['b', 'c', 'c=missing']);
    const text = await fitRelated(['--out', 'related-text.json']);
    expect(text.stdout + text.stderr).toMatch(
      /the model also reads c=missing, 1 where the value was missing; no missing-value feature for b: its gaps are not related to the class\)/,
    );
  });

  it('train with a G-mean threshold fits the fill on the rows the model learns from; a model without a fill still rejects missing cells', async () => {
    const t = await run([
      'train',
      '--input',
      'gaps.csv',
      '--label',
      'label',
      '--kind',
      'logreg',
      '--threshold',
      'gmean',
      '--missing',
      'mean',
      '--out',
      'gm.json',
      '--json',
    ]);
    expect(t.code, t.stderr).toBe(0);
    expect(t.json<{ missingValues: { filled: number } }>().missingValues.filled).toBe(21);
    const artifact = JSON.parse(readFileSync(join(dir, 'gm.json'), 'utf8')) as { missingValues: { fillValues: number[] } };
    // Fitted on the 75% training part: a mean of that part, not of all 288 present values of a.
    const allA = csvRows(join(dir, 'gaps.csv'))
      .slice(1)
      .map((r) => r[0]!)
      .filter((v) => v !== '')
      .map(Number);
    expect(artifact.missingValues.fillValues[0]).not.toBeCloseTo(allA.reduce((s, v) => s + v, 0) / allA.length, 12);

    writeFileSync(
      join(dir, 'complete.csv'),
      csvRows(join(dir, 'gaps.csv'))
        .filter((r) => !r.includes(''))
        .map((r) => r.join(','))
        .join('\n') + '\n',
    );
    const plain = await run(['fit', '--input', 'complete.csv', '--label', 'label', '--out', 'plain.json', '--json']);
    expect(plain.code, plain.stderr).toBe(0);
    expect('missingValues' in JSON.parse(readFileSync(join(dir, 'plain.json'), 'utf8'))).toBe(false);
    const p = await run(['predict', '--model', 'plain.json', '--input', 'gaps-unlabelled.csv', '--out', 'never.csv']);
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(/feature column "a" in gaps-unlabelled\.csv has an empty or null value at data row 4/);
  });

  it("fit takes the policy from a config's features block", async () => {
    writeFileSync(
      join(dir, 'median.json'),
      JSON.stringify({ modelName: 'gaps', input: { paths: ['gaps.csv'], label: 'label' }, features: { missing: 'median' } }),
    );
    const fit = await run([
      'fit',
      '--input',
      'gaps.csv',
      '--label',
      'label',
      '--config',
      'median.json',
      '--out',
      'configured.json',
      '--json',
    ]);
    expect(fit.code, fit.stderr).toBe(0);
    expect(fit.json<{ missingValues: { policy: string; filled: number } }>().missingValues).toMatchObject({ policy: 'median', filled: 21 });
  });

  it('rejects a bad --missing or --fill-value with exit 2, naming the flag and what it expects', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--missing', 'mode'], /--missing: expected reject, mean, median or constant, got "mode"/],
      [
        ['--missing', 'median', '--fill-value', '3'],
        /--fill-value is the fill of --missing constant; pass --missing constant, or drop --fill-value/,
      ],
      [['--fill-value', '3'], /--fill-value is the fill of --missing constant/],
      [['--missing', 'constant', '--fill-value', 'zero'], /--fill-value: expected a number, got "zero"/],
    ];
    for (const command of ['denoise', 'adasyn', 'train', 'fit']) {
      for (const [flags, message] of cases) {
        const extra = command === 'train' ? ['--kind', 'logreg'] : [];
        const r = await run([command, '--input', 'gaps.csv', '--label', 'label', ...extra, ...flags, '--out', 'x.json']);
        expect(r.code, `${command} ${flags.join(' ')}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toMatch(message);
      }
    }
  });
});
