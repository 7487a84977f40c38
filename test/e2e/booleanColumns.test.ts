// Boolean-like columns as a user meets them: `rareflow fit` on a CSV with a Yes/No and a True/False column, then
// `rareflow predict` and `/score` with the same inputs give the same score; `evaluate` refuses labels that are not
// the model's classes (exit 2, naming the allowed values, nothing written).

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelArtifact } from '../../core/models/modelArtifact.js';
import { ArtifactStore } from '../../data/artifactStore.js';
import { startScoringService } from '../../infra/scoringService.js';
import { runCli } from '../support/cliProcess.js';
import { MODEL_NAME, publish } from '../serve/servingFixtures.js';

let dir: string;
const run = (args: string[]) => runCli(args, { cwd: dir });

/** Rows whose label leans on both boolean-like columns; the spellings vary in case as exported files do. */
function rowsCsv(n: number, withLabel: boolean): string {
  const lines = [withLabel ? 'amount,member,verified,outcome' : 'amount,member,verified'];
  for (let i = 0; i < n; i++) {
    const positive = i % 5 === 0;
    const member = positive ? i % 3 !== 0 : i % 4 === 0;
    const verified = positive ? i % 7 === 0 : i % 2 === 0;
    const amount = (((i * 37) % 23) / 10 + (positive ? 1 : 0)).toFixed(2);
    const cells = [amount, member ? (i % 2 ? 'Yes' : 'yes') : i % 2 ? 'No' : 'NO', verified ? 'True' : 'FALSE'];
    lines.push([...cells, ...(withLabel ? [positive ? 'fraud' : 'ok'] : [])].join(','));
  }
  return `${lines.join('\n')}\n`;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-booleans-'));
  writeFileSync(join(dir, 'train.csv'), rowsCsv(300, true));
  writeFileSync(join(dir, 'score.csv'), rowsCsv(12, false));
  writeFileSync(join(dir, 'eval-unknown.csv'), `${rowsCsv(20, true).trimEnd()}\n1.5,Yes,True,chargeback\n`);
  writeFileSync(join(dir, 'eval-case.csv'), rowsCsv(20, true).replace(/,fraud$/gm, ',Fraud'));
  writeFileSync(join(dir, 'score-two.csv'), 'amount,member,verified\n1.0,1,0\n0.5,2,1\n');
  writeFileSync(join(dir, 'score-yn.csv'), 'amount,member,verified\n1.0,y,true\n0.5,n,false\n');
  writeFileSync(join(dir, 'eval-half.csv'), 'amount,member,verified,outcome\n1.0,1,0.5,fraud\n0.5,0,1,ok\n');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('boolean-like columns', () => {
  it('fit marks them, and predict and /score give the same score for Yes/No and True/False inputs', async () => {
    const fit = await run(['fit', '--input', 'train.csv', '--label', 'outcome', '--out', 'model.json', '--json']);
    expect(fit.code, fit.stderr).toBe(0);
    const model = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as ModelArtifact;
    expect(model.inputColumns).toEqual([
      { name: 'amount', kind: 'numeric' },
      { name: 'member', kind: 'numeric', boolean: true },
      { name: 'verified', kind: 'numeric', boolean: true },
    ]);
    expect([model.positiveLabel, model.negativeLabel]).toEqual(['fraud', 'ok']);

    const predicted = await run(['predict', '--model', 'model.json', '--input', 'score.csv', '--out', 'scores.csv', '--json']);
    expect(predicted.code, predicted.stderr).toBe(0);
    const batch = readFileSync(join(dir, 'scores.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => Number(l.split(',')[0]));
    expect(batch).toHaveLength(12);

    const servingDir = join(dir, 'serving');
    const ref = await new ArtifactStore(join(dir, 'artifacts')).putBytes(readFileSync(join(dir, 'model.json')), 'model', 'json');
    await publish(servingDir, 1, {
      sha256: ref.sha256,
      uri: ref.uri,
      kind: model.model.kind,
      threshold: model.threshold,
      runId: model.training.runId,
    });
    const s = await startScoringService({ servingDir, modelName: MODEL_NAME, port: 0, pollMs: 60_000, log: () => undefined });
    try {
      const rows = readFileSync(join(dir, 'score.csv'), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(','));
      for (const [i, [amount, member, verified]] of rows.entries()) {
        const asBoolean = (v: string) => ['yes', 'true'].includes(v!.toLowerCase());
        // The file's own text, JSON booleans, and 0/1: one score, the one predict wrote.
        for (const features of [
          { amount: Number(amount), member, verified },
          { amount: Number(amount), member: asBoolean(member!), verified: asBoolean(verified!) },
          { amount: Number(amount), member: asBoolean(member!) ? 1 : 0, verified: asBoolean(verified!) ? 1 : 0 },
        ]) {
          const res = await fetch(`${s.url}/score`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ features }),
          });
          const body = (await res.json()) as { score: number; error?: string };
          expect(res.status, body.error).toBe(200);
          expect(body.score).toBeCloseTo(batch[i]!, 12);
        }
      }
    } finally {
      await s.close();
    }
  });

  it("evaluate refuses a label value that is not one of the model's classes, and predict and evaluate a non-0/1 boolean value, with exit 2 and nothing written", async () => {
    if (!existsSync(join(dir, 'model.json')))
      expect((await run(['fit', '--input', 'train.csv', '--label', 'outcome', '--out', 'model.json'])).code).toBe(0);
    // Labels outside the model's classes, and a boolean-like column given other numbers: exit 2, nothing written.
    const refusals = [
      {
        args: ['evaluate', '--model', 'model.json', '--input', 'eval-unknown.csv', '--label', 'outcome', '--report', 'report-unknown'],
        written: 'report-unknown',
        message:
          'label column "outcome" in eval-unknown.csv holds "chargeback" (1 rows), which is not a class of this model; expected "fraud" (positive) or "ok"',
      },
      {
        args: ['evaluate', '--model', 'model.json', '--input', 'eval-case.csv', '--label', 'outcome', '--report', 'report-case'],
        written: 'report-case',
        message: 'holds "Fraud" (4 rows), which is not a class of this model; expected "fraud" (positive) or "ok"',
      },
      {
        args: ['predict', '--model', 'model.json', '--input', 'score-two.csv', '--out', 'scores-two.csv'],
        written: 'scores-two.csv',
        message:
          'column "member" in score-two.csv holds 2 at data row 2; this model read it as a boolean-like column, so it expects true/false, yes/no or 1/0',
      },
      {
        // y/n is text to the reader: named as the boolean the model learnt, not as a number it should be.
        args: ['predict', '--model', 'model.json', '--input', 'score-yn.csv', '--out', 'scores-yn.csv'],
        written: 'scores-yn.csv',
        message:
          'column "member" in score-yn.csv must be true/false, yes/no, t/f or 1/0 for this model (it learnt the column as a boolean), but is VARCHAR',
      },
      {
        args: ['evaluate', '--model', 'model.json', '--input', 'eval-half.csv', '--label', 'outcome', '--report', 'report-half'],
        written: 'report-half',
        message: 'column "verified" in eval-half.csv holds 0.5 at data row 1; this model read it as a boolean-like column',
      },
    ];
    for (const c of refusals) {
      const r = await run(c.args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(c.message);
      expect(existsSync(join(dir, c.written))).toBe(false);
    }
    const fine = await run(['evaluate', '--model', 'model.json', '--input', 'train.csv', '--label', 'outcome', '--json']);
    expect(fine.code, fine.stderr).toBe(0);
    expect(fine.json<{ rows: number }>().rows).toBe(300);
  });
});
