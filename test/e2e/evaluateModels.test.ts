// `rareflow evaluate` on every kind of model file `fit` and the pipeline write: categorical encodings from the
// model file, a `positiveWhen` model on a file without its label column, and a multi-class model's per-class table,
// per-class gates and HTML report;
// `predict` writes the label's own class values ("fraud"/"ok") as pred.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { featureMatrix } from '../../core/dataset.js';
import { fitModelArtifact } from '../../stages/train.js';
import { runCli } from '../support/cliProcess.js';

let dir: string;
const run = (args: string[]) => runCli(args, { cwd: dir });
const ecoli = join(process.cwd(), 'test/fixtures/ecoli_multiclass.csv');

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-evaluate-'));
  const lines = ['amount,channel,verified,label'];
  for (let i = 0; i < 400; i++) {
    const positive = i % 10 === 0;
    const channel = positive ? (i % 20 === 0 ? 'web' : 'app') : ['web', 'app', 'shop'][i % 3];
    lines.push(`${(positive ? 2 : 0) + ((i * 37) % 17) / 10},${channel},${i % 7 === 0 ? 'true' : 'false'},${positive ? 'fraud' : 'ok'}`);
  }
  writeFileSync(join(dir, 'channels.csv'), `${lines.join('\n')}\n`);
  writeFileSync(join(dir, 'logreg.json'), JSON.stringify({ model: { kind: 'logreg', threshold: 'prevalence' } }));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function csvColumn(path: string, column: string): string[] {
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split(/\r?\n/);
  const at = header!.split(',').indexOf(column);
  return lines.map((l) => l.split(',')[at]!);
}

describe('evaluate any model file', () => {
  it('scores a fit model with a categorical column through its own encoding; predict writes "fraud"/"ok"', async () => {
    const f = await run(['fit', '--input', 'channels.csv', '--label', 'label', '--out', 'channels.model.json', '--json']);
    expect(f.code, f.stderr).toBe(0);
    const e = await run(['evaluate', '--model', 'channels.model.json', '--input', 'channels.csv', '--label', 'label', '--json']);
    expect(e.code, e.stderr).toBe(0);
    const out = e.json<{ rows: number; labels: { positive: string; negative: string }; report: { gMean: number; confusion: unknown } }>();
    expect(out.rows).toBe(400);
    expect(out.labels).toEqual({ positive: 'fraud', negative: 'ok' });
    expect(out.report.gMean).toBeGreaterThan(0.8);
    // The very file it was trained on: its figures are in-sample, and evaluate says so (in the table too).
    const trainedOn = /channels\.csv holds exactly the rows this model was trained on: .* overstate how it does on new rows/;
    expect(e.json<{ warnings?: string[] }>().warnings?.some((w) => trainedOn.test(w))).toBe(true);
    const table = await run(['evaluate', '--model', 'channels.model.json', '--input', 'channels.csv', '--label', 'label']);
    expect(table.stdout).toMatch(trainedOn);
    // Other rows (the same file less its last row) are not flagged.
    writeFileSync(join(dir, 'channels-less.csv'), readFileSync(join(dir, 'channels.csv'), 'utf8').replace(/[^\n]*\n$/, ''));
    const other = await run(['evaluate', '--model', 'channels.model.json', '--input', 'channels-less.csv', '--label', 'label', '--json']);
    expect(other.code, other.stderr).toBe(0);
    expect(other.json<{ rows: number; warnings?: string[] }>().rows).toBe(399);
    expect(other.json<{ warnings?: string[] }>().warnings?.some((w) => trainedOn.test(w)) ?? false).toBe(false);
    const p = await run(['predict', '--model', 'channels.model.json', '--input', 'channels.csv', '--out', 'channels-pred.csv']);
    expect(p.code, p.stderr).toBe(0);
    expect(new Set(csvColumn(join(dir, 'channels-pred.csv'), 'pred'))).toEqual(new Set(['fraud', 'ok']));
  });

  it("says when the model's positive class is the larger one in the rows it judges (a label the other way round)", async () => {
    const f = await run(['fit', '--input', 'channels.csv', '--label', 'label', '--kind', 'logreg', '--out', 'flip.model.json']);
    expect(f.code, f.stderr).toBe(0);
    const [header, ...rows] = readFileSync(join(dir, 'channels.csv'), 'utf8').trim().split('\n');
    const swapped = rows.map((r) => r.replace(/,(fraud|ok)$/, (_, v: string) => (v === 'fraud' ? ',ok' : ',fraud')));
    writeFileSync(join(dir, 'flipped.csv'), `${[header, ...swapped].join('\n')}\n`);
    const e = await run(['evaluate', '--model', 'flip.model.json', '--input', 'flipped.csv', '--label', 'label', '--json']);
    expect(e.json<{ warnings?: string[] }>().warnings).toContain(
      'the model\'s positive class "fraud" is the larger class in flipped.csv (360 of 400 rows), though the model learnt it as the rare one: check that the label "label" means the same here as in the training rows',
    );
    const same = await run(['evaluate', '--model', 'flip.model.json', '--input', 'channels.csv', '--label', 'label', '--json']);
    expect((same.json<{ warnings?: string[] }>().warnings ?? []).filter((w) => w.includes('larger class'))).toEqual([]);
  });

  it("labels a file without the label column by the model's positiveWhen predicate", async () => {
    // A pipeline model with input.positiveWhen: "amount > 2", labelled true/false.
    const rows = 200;
    const x = new Float64Array(rows);
    const y = new Uint8Array(rows);
    const lines = ['amount'];
    for (let i = 0; i < rows; i++) {
      x[i] = ((i * 37) % 41) / 10;
      y[i] = x[i]! > 2 ? 1 : 0;
      lines.push(String(x[i]));
    }
    const { artifact } = await fitModelArtifact(
      { x: featureMatrix(rows, 1, x), y },
      {
        model: { kind: 'logreg', threshold: 'prevalence' },
        featureNames: ['amount'],
        labelName: 'big',
        labels: { positive: 'true', negative: 'false', positiveWhen: 'amount > 2' },
        modelName: 'big',
        seed: 1,
        runId: 'run-when',
        datasetSha256: 'test',
      },
    );
    expect(artifact.positiveWhen).toBe('amount > 2');
    writeFileSync(join(dir, 'when.model.json'), JSON.stringify(artifact));
    writeFileSync(join(dir, 'when.csv'), `${lines.join('\n')}\n`);
    const e = await run(['evaluate', '--model', 'when.model.json', '--input', 'when.csv', '--label', 'big', '--json']);
    expect(e.code, e.stderr).toBe(0);
    const out = e.json<{ labels: { positiveWhen: string }; report: { support: { positive: number } } }>();
    expect(out.labels.positiveWhen).toBe('amount > 2');
    expect(out.report.support.positive).toBe(y.reduce((a, b) => a + b, 0));
    // pred of a true/false label is a boolean.
    const p = await run(['predict', '--model', 'when.model.json', '--input', 'when.csv', '--out', 'when-pred.csv']);
    expect(p.code, p.stderr).toBe(0);
    expect(new Set(csvColumn(join(dir, 'when-pred.csv'), 'pred'))).toEqual(new Set(['true', 'false']));
  });

  it('reports a multi-class model per class, judges it by per-class gates, writes its HTML report, refuses unknown classes', async () => {
    const f = await run(['fit', '--input', ecoli, '--label', 'label', '--config', 'logreg.json', '--out', 'ecoli.model.json', '--json']);
    expect(f.code, f.stderr).toBe(0);
    const e = await run(['evaluate', '--model', 'ecoli.model.json', '--input', ecoli, '--label', 'label', '--json']);
    expect(e.code, e.stderr).toBe(0);
    const out = e.json<{
      rows: number;
      classes: string[];
      report: {
        classes: Array<{ class: string; support: number; recall: number | null }>;
        recallIntervals: Array<[number, number] | null>;
        accuracy: number;
        macroGMean: number;
      };
      verdict: string;
    }>();
    expect(out.rows).toBe(336);
    expect(out.report.classes.map((c) => c.class)).toEqual(out.classes);
    expect(out.report.classes.find((c) => c.class === 'cp')!.support).toBe(csvColumn(ecoli, 'label').filter((v) => v === 'cp').length);
    expect(out.report.accuracy).toBeGreaterThan(0.6);
    // Each class's recall lies inside its interval.
    out.report.classes.forEach((c, i) => {
      const [lo, hi] = out.report.recallIntervals[i]!;
      expect(c.recall! >= lo - 1e-12 && c.recall! <= hi + 1e-12, c.class).toBe(true);
    });
    // The default gates need 20 rows of each class: ecoli's rarest classes have 2, so no verdict is reached.
    expect(out.verdict).toBe('insufficient-evidence');

    // A gate file: recall of every class (class "positive" applies to each) and the macro G-mean; some classes fail.
    const cpRecall = out.report.classes.find((c) => c.class === 'cp')!.recall!;
    writeFileSync(
      join(dir, 'mc-gates.json'),
      JSON.stringify({
        minPositiveSupport: 1,
        minNegativeSupport: 1,
        gates: [
          { metric: 'recall', class: 'positive', min: 0.8 },
          { metric: 'gMean', min: 0.01 },
        ],
      }),
    );
    const gated = await run([
      'evaluate',
      '--model',
      'ecoli.model.json',
      '--input',
      ecoli,
      '--label',
      'label',
      '--gates',
      'mc-gates.json',
      '--report',
      'mc-report',
    ]);
    expect(gated.code, gated.stderr).toBe(1);
    const lines = gated.stdout.split('\n');
    expect(lines[1]).toMatch(/^ {2}class +support +recall +recall 95% +precision +F1$/);
    expect(lines.find((l) => l.startsWith('  cp '))).toMatch(new RegExp(`^  cp +143 +${cpRecall.toFixed(3)} +0\\.\\d{3}–[01]\\.\\d{3} `));
    const failing = out.report.classes.filter((c) => c.recall !== null && c.recall < 0.8).map((c) => c.class);
    expect(failing.length).toBeGreaterThan(0);
    expect(gated.stdout).toContain(`gates: fail (recall[${failing[0]}] >= 0.8: failed: recall[${failing[0]}] `);
    const json = JSON.parse(readFileSync(join(dir, 'mc-report', 'report.json'), 'utf8')) as {
      evaluation: { verdict: string; checks: Array<{ name: string; passed: boolean | null }> };
    };
    expect(json.evaluation.verdict).toBe('fail');
    expect(json.evaluation.checks.map((c) => c.name)).toEqual([...out.classes.map((c) => `recall[${c}] >= 0.8`), 'macro gMean >= 0.01']);
    expect(json.evaluation.checks.filter((c) => c.passed === false).map((c) => c.name)).toEqual(failing.map((c) => `recall[${c}] >= 0.8`));
    const html = readFileSync(join(dir, 'mc-report', 'report.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    for (const c of out.classes) expect(html).toContain(`<td>${c}</td>`);
    expect(html).toContain('Confusion matrix');
    expect(html).toContain(`recall[${failing[0]}] &gt;= 0.8`);

    // Binary gate keys with no multi-class meaning are refused, naming the key.
    for (const [gate, key, what] of [
      [{ metric: 'prAuc', min: 0.5 }, 'gates[0].metric', '"prAuc" is a two-class metric'],
      [{ metric: 'recall', class: 'negative', min: 0.5 }, 'gates[0].class', '"negative" names the rest of a two-class label'],
      [{ metric: 'gMean', min: 0.5, use: 'lower95' }, 'gates[0].use', '"lower95" on gMean needs the two-class bootstrap interval'],
    ] as const) {
      writeFileSync(join(dir, 'bad-gates.json'), JSON.stringify({ gates: [gate] }));
      const bad = await run(['evaluate', '--model', 'ecoli.model.json', '--input', ecoli, '--label', 'label', '--gates', 'bad-gates.json']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toBe(
        `rareflow evaluate: --gates bad-gates.json: ${key}: ${what}, but ecoli.model.json is a multi-class model (classes ${out.classes.join(', ')}); a multi-class model is gated on recall, precision, f1, gMean (a gate on class "positive" applies to every class; gMean is the macro G-mean)\n`,
      );
      expect(bad.stdout).toBe('');
    }
    const ecoliLines = readFileSync(ecoli, 'utf8').trim().split(/\r?\n/);
    writeFileSync(join(dir, 'ecoli-odd.csv'), `${[...ecoliLines, '0.5,0.5,0.48,0.5,0.5,0.5,0.5,zz'].join('\n')}\n`);
    const odd = await run(['evaluate', '--model', 'ecoli.model.json', '--input', 'ecoli-odd.csv', '--label', 'label']);
    expect(odd.code).toBe(2);
    expect(odd.stderr).toMatch(/label column "label" in ecoli-odd\.csv holds "zz" \(1 rows\), which is not a class of this model/);
    // Rows of one class alone: its recall would read as a macro G-mean, with no false alarm to count. Refused.
    const firstClass = ecoliLines[1]!.split(',').at(-1)!;
    const one = ecoliLines.filter((l, i) => i === 0 || l.endsWith(`,${firstClass}`));
    writeFileSync(join(dir, 'ecoli-one.csv'), `${one.join('\n')}\n`);
    const single = await run([
      'evaluate',
      '--model',
      'ecoli.model.json',
      '--input',
      'ecoli-one.csv',
      '--label',
      'label',
      '--report',
      'one-report',
    ]);
    expect(single.code).toBe(2);
    expect(single.stderr).toBe(
      `rareflow evaluate: --input ecoli-one.csv: label column "label" holds only the class "${firstClass}" (${one.length - 1} rows); a multi-class model is evaluated on rows of at least two of its classes\n`,
    );
    expect(existsSync(join(dir, 'one-report'))).toBe(false);
    // Rows of two classes: judged, and the macro figures are said to cover those two of the model's classes.
    const secondClass = ecoliLines
      .slice(1)
      .find((l) => !l.endsWith(`,${firstClass}`))!
      .split(',')
      .at(-1)!;
    const two = ecoliLines.filter((l, i) => i === 0 || l.endsWith(`,${firstClass}`) || l.endsWith(`,${secondClass}`));
    writeFileSync(join(dir, 'ecoli-two.csv'), `${two.join('\n')}\n`);
    const pair = await run(['evaluate', '--model', 'ecoli.model.json', '--input', 'ecoli-two.csv', '--label', 'label', '--json']);
    expect(pair.code, pair.stderr).toBe(0);
    const judged = pair.json<{ classes: string[]; warnings?: string[] }>();
    expect(judged.warnings?.[0]).toMatch(
      new RegExp(
        `^the macro G-mean and accuracy cover 2 of the model's ${judged.classes.length} classes: .* have no rows in ecoli-two\\.csv`,
      ),
    );
  });
});
