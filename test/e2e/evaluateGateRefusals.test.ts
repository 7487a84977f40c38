// `rareflow evaluate --gates/--report` where the verdict could not mean anything or the report could not be written:
// an empty gate list and a --report that is a file are bad input (exit 2, nothing written); a gate file whose every
// gate is skipped gives insufficient-evidence and exit 1, never a pass.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cliProcess.js';

let dir: string;
const run = (args: string[]) => runCli(args, { cwd: dir });
const yeast = join(process.cwd(), 'test/fixtures/yeast3.csv');
const evaluate = (...more: string[]) => run(['evaluate', '--model', 'lr.json', '--input', yeast, '--label', 'label', ...more]);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-evaluate-gates-'));
  const t = await run(['train', '--input', yeast, '--label', 'label', '--kind', 'logreg', '--out', 'lr.json']);
  expect(t.code, t.stderr).toBe(0);
  writeFileSync(join(dir, 'empty.json'), '{"gates":[]}');
  writeFileSync(join(dir, 'champion-only.json'), '{"gates":[{"metric":"gMean","maxDropVsChampion":0.01}]}');
  writeFileSync(join(dir, 'floor.json'), '{"gates":[{"metric":"gMean","min":0.1},{"metric":"gMean","maxDropVsChampion":0.01}]}');
  writeFileSync(join(dir, 'e1.csv'), 'a,b\n1,2\n');
  writeFileSync(join(dir, 'bom.json'), '\uFEFF{"gates":[{"metric":"gMean","min":0.1}]}');
  // The same rows labelled 0 (the rare class, taken as positive) and 1.
  const zeroRare = readFileSync(yeast, 'utf8')
    .replace(/,positive$/gm, ',0')
    .replace(/,negative$/gm, ',1');
  writeFileSync(join(dir, 'zero-rare.csv'), zeroRare);
  writeFileSync(join(dir, 'class-1.json'), '{"gates":[{"metric":"recall","class":"1","min":0.1}]}');
  writeFileSync(join(dir, 'class-positive.json'), '{"gates":[{"metric":"recall","class":"positive","min":0.1}]}');
  const z = await run([
    'train',
    '--input',
    'zero-rare.csv',
    '--label',
    'label',
    '--positive',
    '0',
    '--kind',
    'logreg',
    '--out',
    'zero.json',
  ]);
  expect(z.code, z.stderr).toBe(0);
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('evaluate --gates', () => {
  it('refuses an empty gate list as bad input, naming the file, before writing the report', async () => {
    const r = await evaluate('--gates', 'empty.json', '--report', 'empty-report');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'rareflow evaluate: --gates empty.json: gates: expected at least one gate, such as {"metric": "recall", "class": "positive", "min": 0.5}, got an empty list\n',
    );
    expect(existsSync(join(dir, 'empty-report'))).toBe(false);
  });

  it('refuses a gate on class "1" when the label\'s value 1 is the negative class, instead of judging the positive class 0', async () => {
    const zero = (gates: string) =>
      run([
        'evaluate',
        '--model',
        'zero.json',
        '--input',
        'zero-rare.csv',
        '--label',
        'label',
        '--gates',
        gates,
        '--report',
        'zero-report',
      ]);
    const r = await zero('class-1.json');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'rareflow evaluate: class-1.json: gates[0].class: "1" is read as the positive class, which is "0" here, while the label\'s value "1" is on the negative side: write "positive" or "negative" instead of "1"\n',
    );
    expect(existsSync(join(dir, 'zero-report'))).toBe(false);
    expect((await zero('class-positive.json')).code).toBe(0);
    // Where the codes agree with the values (yeast's positive/negative labels), "1" is the positive class as before.
    expect((await evaluate('--gates', 'class-1.json')).code).toBe(0);
  });

  it('reads a gate file with a byte-order mark, as a spec is read', async () => {
    const r = await evaluate('--gates', 'bom.json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/pass/);
  });

  it('says insufficient-evidence and exits 1 when every gate was skipped (no champion), not pass', async () => {
    const r = await evaluate('--gates', 'champion-only.json');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain(
      'gates: insufficient-evidence (insufficient evidence: no gate was judged (the only gate was skipped), so nothing shows the model is good enough; gMean drop vs champion <= 0.01: skipped: no champion to compare against)',
    );
    expect(r.stdout).not.toContain('gates: pass');
    const j = await evaluate('--gates', 'champion-only.json', '--json');
    expect(j.code).toBe(1);
    expect(j.json<{ verdict: string }>().verdict).toBe('insufficient-evidence');
  });

  it('still passes (exit 0) when one gate was judged beside a skipped one', async () => {
    const r = await evaluate('--gates', 'floor.json', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json<{ verdict: string; reasons: string[] }>().reasons[0]).toBe('all 1 judged gates passed');
  });
});

describe('evaluate --report', () => {
  it('refuses an existing file as bad input naming --report, leaving the file as it was', async () => {
    const r = await evaluate('--report', 'e1.csv');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'rareflow evaluate: --report e1.csv: expected a directory for report.json and report.html, got an existing file\n',
    );
    expect(readFileSync(join(dir, 'e1.csv'), 'utf8')).toBe('a,b\n1,2\n');
  });

  it('refuses a directory to be made inside a file', async () => {
    const r = await evaluate('--report', 'e1.csv/sub');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^rareflow evaluate: --report e1\.csv\/sub: expected a directory for report\.json and report\.html, got a path inside the file .*e1\.csv\n$/,
    );
  });

  it('makes a directory that does not exist yet and writes both reports in it', async () => {
    const r = await evaluate('--report', 'new/dir');
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(dir, 'new/dir/report.json'))).toBe(true);
    expect(existsSync(join(dir, 'new/dir/report.html'))).toBe(true);
  });
});
