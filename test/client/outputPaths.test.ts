// Output paths checked before any work: one that is a command's own input would replace the user's data or model
// (the input stays untouched), one that is a directory would fail only after the work.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rejectDirectoryOutput, rejectOutputOverInput } from '../../client/outputPaths.js';
import { InvalidInputError } from '../../core/invalidInputError.js';
import { runCli } from '../support/cliProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-overwrite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const data = join(dir, 'data.csv');
const text = ['a,label', ...Array.from({ length: 40 }, (_, i) => `${i},${i % 5 === 0 ? 1 : 0}`), ''].join('\n');
writeFileSync(data, text);

describe('an output over an input', () => {
  it('is refused for the same file by another spelling or through a symlink, naming both flags', () => {
    const link = join(dir, 'link.csv');
    symlinkSync(data, link);
    for (const out of [data, join(dir, '.', 'data.csv'), link]) {
      expect(() => rejectOutputOverInput({ input: data, out })).toThrow(InvalidInputError);
    }
    expect(() => rejectOutputOverInput({ input: [join(dir, 'x.csv'), data], removed: data })).toThrow(
      `--removed ${data} is the file given to --input; writing it would replace that input: choose another path for --removed`,
    );
    expect(() => rejectOutputOverInput({ model: data, out: data })).toThrow(/is the file given to --model/);
    expect(() => rejectOutputOverInput({ input: data, out: join(dir, 'other.csv') })).not.toThrow();
    expect(() => rejectOutputOverInput({ input: 's3://b/k.csv', out: 's3://b/k.csv' })).not.toThrow();
  });

  it('is refused for a report directory that would receive the model or gate file as report.json', async () => {
    const reports = join(dir, 'reports');
    mkdirSync(reports);
    const model = join(reports, 'report.json');
    writeFileSync(model, '{"not":"a report"}');
    const specs = { report: { type: 'string' as const, help: 'directory', placeholder: 'DIR' } };
    expect(() => rejectOutputOverInput({ model, input: data, report: reports }, specs)).toThrow(
      `--report ${reports} would receive report.json, which is the file given to --model; writing it would replace that input: choose another directory for --report`,
    );
    expect(() => rejectOutputOverInput({ model: data, gates: model, report: reports }, specs)).toThrow(/the file given to --gates/);
    expect(() => rejectOutputOverInput({ model: data, input: data, report: reports }, specs)).not.toThrow();
    const r = await runCli(['evaluate', '--model', model, '--input', data, '--label', 'label', '--report', reports], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is the file given to --model');
    expect(readFileSync(model, 'utf8')).toBe('{"not":"a report"}');
    expect(existsSync(join(reports, 'report.html'))).toBe(false);
  });

  it('refuses monitor report --out naming an existing file before reading anything', async () => {
    const r = await runCli(['monitor', 'report', '--model', 'm', '--out', data], { cwd: dir, env: { RAREFLOW_HOME: join(dir, 'home') } });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`rareflow monitor: --out ${data}: expected a directory for report.json and report.html, got an existing file\n`);
    expect(readFileSync(data, 'utf8')).toBe(text);
    expect(existsSync(join(dir, 'home'))).toBe(false);
  });

  it('leaves the input as it was when fit is pointed at it (exit 2)', async () => {
    const r = await runCli(['fit', '--input', data, '--label', 'label', '--out', data], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out .*data\.csv is the file given to --input/);
    expect(readFileSync(data, 'utf8')).toBe(text);
  });

  it('refuses a directory where a file is to be written, but not for a DIR flag', () => {
    const folder = join(dir, 'scores.csv');
    mkdirSync(folder);
    expect(() => rejectDirectoryOutput({ out: folder }, { out: { type: 'string', help: 'file', placeholder: 'FILE' } })).toThrow(
      `--out ${folder} is a directory; expected the path of a file to write`,
    );
    expect(() => rejectDirectoryOutput({ out: folder }, { out: { type: 'string', help: 'report', placeholder: 'DIR' } })).not.toThrow();
    expect(() => rejectDirectoryOutput({ out: join(dir, 'new.csv') }, {})).not.toThrow();
  });

  it('refuses a path under a file (exit 2, not the system error) and a path ending with a slash (it wrote a file)', async () => {
    const under = await runCli(['fit', '--input', data, '--label', 'label', '--out', `${data}/model.json`], { cwd: dir });
    expect(under.code).toBe(2);
    expect(under.stderr).toBe(
      `rareflow fit: --out ${data}/model.json: a part of the path before the file name is a file, not a directory; choose a path inside a directory\n`,
    );
    const slash = await runCli(['fit', '--input', data, '--label', 'label', '--out', 'slashed.json/'], { cwd: dir });
    expect(slash.code).toBe(2);
    expect(slash.stderr).toBe(
      'rareflow fit: --out slashed.json/ ends with a slash, which names a directory; expected the path of a file to write\n',
    );
    expect(existsSync(join(dir, 'slashed.json'))).toBe(false);
  });
});

describe('an output given as a URL', () => {
  it('is refused, naming the flag, and nothing is written under a folder named after the scheme', async () => {
    const model = join(dir, 'model.json');
    expect((await runCli(['fit', '--input', data, '--label', 'label', '--kind', 'logreg', '--out', model], { cwd: dir })).code).toBe(0);
    for (const args of [
      ['evaluate', '--model', model, '--input', data, '--label', 'label', '--report', 's3://bucket/reports/r1'],
      ['predict', '--model', model, '--input', data, '--out', 's3://bucket/scores.csv'],
      ['denoise', '--input', data, '--label', 'label', '--out', join(dir, 'clean.csv'), '--removed', 'S3://bucket/removed.csv'],
    ]) {
      const r = await runCli(args, { cwd: dir });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(
        /--(report|out|removed) [sS]3:\/\/bucket\/\S+: expected a local path; rareflow writes its outputs to local files/,
      );
    }
    expect(existsSync(join(dir, 's3:'))).toBe(false);
    expect(existsSync(join(dir, 'clean.csv'))).toBe(false);
  });
});
