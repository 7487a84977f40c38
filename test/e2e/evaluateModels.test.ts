// `rareflow evaluate` on every kind of model file `fit` and the pipeline write: categorical encodings from the
// model file, a `positiveWhen` model on a file without its label column, and a multi-class model's per-class table;
// `predict` writes the label's own class values ("fraud"/"ok") as pred.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
    const p = await run(['predict', '--model', 'channels.model.json', '--input', 'channels.csv', '--out', 'channels-pred.csv']);
    expect(p.code, p.stderr).toBe(0);
    expect(new Set(csvColumn(join(dir, 'channels-pred.csv'), 'pred'))).toEqual(new Set(['fraud', 'ok']));
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

  it('reports a multi-class model per class and refuses gates and unknown classes', async () => {
    const f = await run(['fit', '--input', ecoli, '--label', 'label', '--config', 'logreg.json', '--out', 'ecoli.model.json', '--json']);
    expect(f.code, f.stderr).toBe(0);
    const e = await run(['evaluate', '--model', 'ecoli.model.json', '--input', ecoli, '--label', 'label', '--json']);
    expect(e.code, e.stderr).toBe(0);
    const out = e.json<{
      rows: number;
      classes: string[];
      report: { classes: Array<{ class: string; support: number; recall: number | null }>; accuracy: number; macroGMean: number };
    }>();
    expect(out.rows).toBe(336);
    expect(out.report.classes.map((c) => c.class)).toEqual(out.classes);
    expect(out.report.classes.find((c) => c.class === 'cp')!.support).toBe(csvColumn(ecoli, 'label').filter((v) => v === 'cp').length);
    expect(out.report.accuracy).toBeGreaterThan(0.6);
    writeFileSync(join(dir, 'gates.json'), '{}');
    const gated = await run(['evaluate', '--model', 'ecoli.model.json', '--input', ecoli, '--label', 'label', '--gates', 'gates.json']);
    expect(gated.code).toBe(2);
    expect(gated.stderr).toMatch(/--gates: gate specs judge binary models; ecoli\.model\.json is a multi-class model/);
    const ecoliLines = readFileSync(ecoli, 'utf8').trim().split(/\r?\n/);
    writeFileSync(join(dir, 'ecoli-odd.csv'), `${[...ecoliLines, '0.5,0.5,0.48,0.5,0.5,0.5,0.5,zz'].join('\n')}\n`);
    const odd = await run(['evaluate', '--model', 'ecoli.model.json', '--input', 'ecoli-odd.csv', '--label', 'label']);
    expect(odd.code).toBe(2);
    expect(odd.stderr).toMatch(/label column "label" in ecoli-odd\.csv holds "zz" \(1 rows\), which is not a class of this model/);
  });
});
