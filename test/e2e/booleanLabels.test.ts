// A label written yes/no (or True/False) in a CSV, as exported files often have it: DuckDB would read the column as
// BOOLEAN, and the classes became "true" and "false" — `--positive yes` was refused as "not a value", predictions
// were written true/false, and `sample --positive yes` found no positive at all. The label keeps the file's words
// in fit, predict, evaluate and sample; a yes/no feature column stays a 0/1 feature.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelArtifact } from '../../core/models/modelArtifact.js';
import { runCli } from '../support/cliProcess.js';

let dir: string;
const run = (args: string[]) => runCli(args, { cwd: dir });
/** A command on the yes/no file with `--positive yes`. */
const onYesNo = (command: string, ...rest: string[]) =>
  run([command, '--input', 'yesno.csv', '--label', 'outcome', '--positive', 'yes', ...rest]);

/** 200 rows, 20 positives; `member` is a yes/no feature that leans positive. */
function rowsCsv(positive: string, negative: string): string {
  const lines = ['amount,member,outcome'];
  for (let i = 0; i < 200; i++) {
    const p = i % 10 === 0;
    const amount = (((i * 37) % 23) / 10 + (p ? 1.5 : 0)).toFixed(2);
    lines.push(`${amount},${p || i % 7 === 0 ? 'yes' : 'no'},${p ? positive : negative}`);
  }
  return `${lines.join('\n')}\n`;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-boolean-labels-'));
  writeFileSync(join(dir, 'yesno.csv'), rowsCsv('yes', 'no'));
  writeFileSync(join(dir, 'python.csv'), rowsCsv('True', 'False'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a yes/no label in a CSV', () => {
  it('keeps its words in fit, predict and evaluate, and --positive yes is the positive class', async () => {
    const fit = await onYesNo('fit', '--kind', 'logreg', '--out', 'm.json', '--json');
    expect(fit.code, fit.stderr).toBe(0);
    const model = JSON.parse(readFileSync(join(dir, 'm.json'), 'utf8')) as ModelArtifact;
    expect([model.positiveLabel, model.negativeLabel]).toEqual(['yes', 'no']);
    expect(model.inputColumns).toContainEqual({ name: 'member', kind: 'numeric', boolean: true });

    const predicted = await run(['predict', '--model', 'm.json', '--input', 'yesno.csv', '--out', 'p.csv']);
    expect(predicted.code, predicted.stderr).toBe(0);
    const preds = readFileSync(join(dir, 'p.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',')[1]);
    expect(new Set(preds)).toEqual(new Set(['yes', 'no']));

    const evaluated = await run(['evaluate', '--model', 'm.json', '--input', 'yesno.csv', '--label', 'outcome', '--json']);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const report = evaluated.json<{ labels: { positive: string; negative: string }; report: { support: { positive: number } } }>();
    expect(report.labels).toEqual({ positive: 'yes', negative: 'no' });
    expect(report.report.support.positive).toBe(20);
  });

  it('is the minority class without --positive, and True/False keep their capitals', async () => {
    const fit = await run(['fit', '--input', 'python.csv', '--label', 'outcome', '--kind', 'logreg', '--out', 't.json', '--json']);
    expect(fit.code, fit.stderr).toBe(0);
    const model = JSON.parse(readFileSync(join(dir, 't.json'), 'utf8')) as ModelArtifact;
    expect([model.positiveLabel, model.negativeLabel]).toEqual(['True', 'False']);
    // The old spelling is refused, naming the file's.
    const lower = await run([
      'fit',
      '--input',
      'python.csv',
      '--label',
      'outcome',
      '--positive',
      'true',
      '--kind',
      'logreg',
      '--out',
      'l.json',
    ]);
    expect(lower.code).toBe(2);
    expect(lower.stderr.trim()).toBe(
      'rareflow fit: --positive "true" is not a value of label column "outcome", but "True" is: pass --positive "True"; its values are: "False", "True"',
    );
  });

  it('sample --positive yes finds every positive', async () => {
    const s = await onYesNo('sample', '--target-size', '150', '--params', '1', '--out', 's.parquet', '--json');
    expect(s.code, s.stderr).toBe(0);
    expect(s.json<{ positives: number; scannedRows: number }>()).toMatchObject({ positives: 20, scannedRows: 200 });
  });

  it('still names a label column the file does not have', async () => {
    const r = await run(['fit', '--input', 'yesno.csv', '--label', 'outcom', '--out', 'x.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/label column "outcom" not found in yesno\.csv/);
  });
});
