// The CLI's parsing layer without a process: declared flags become checked values, bad ones one-line InvalidInputErrors
// naming the flag; durations, cause chains and the failure-to-exit-code mapping.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkedFlagValues, generatedUsage, type CommandSpec } from '../../client/cliArgs.js';
import { parseCommandLine } from '../../client/cliProgram.js';
import { orchestratedCommands } from '../../client/commands/orchestratedCommandTable.js';
import { dataCommands } from '../../client/commands/dataCommandTable.js';
import { modelCommands } from '../../client/commands/modelCommandTable.js';
import { parseDurationMs } from '../../client/durationText.js';
import { EXIT_CODES, failureExit } from '../../client/exitCodes.js';
import { errorCauses } from '../../core/errorCauses.js';
import { InvalidInputError } from '../../core/invalidInputError.js';

const commands = [...dataCommands, ...modelCommands, ...orchestratedCommands];
const spec = (name: string) => commands.find((c) => c.name === name)!;
const parse = (name: string, args: string[]) => parseCommandLine(commands, spec(name), args);
const flagsOf = (name: string, args: string[]) => {
  const line = parse(name, args);
  if (line.kind !== 'run') throw new Error('expected a command to run');
  return line;
};

describe('flags declared once, checked on parse', () => {
  it('fills defaults, converts numbers, keeps negative numbers as values and collects repeated lists', () => {
    const { flags } = flagsOf('generate', [
      '--rows',
      '100',
      '--positive-rate',
      '0.1',
      '--features',
      '3',
      '--drift',
      '-0.5',
      '--out',
      'o.csv',
    ]);
    expect(flags).toMatchObject({
      rows: 100,
      'positive-rate': 0.1,
      features: 3,
      drift: -0.5,
      noise: 0,
      categorical: 0,
      seed: 1,
      out: 'o.csv',
      json: false,
    });
    const s = flagsOf('sample', [
      '--input',
      'a.csv',
      '--input',
      'b.csv,c.csv',
      '--label',
      'y',
      '--target-size',
      '10',
      '--out',
      'o.csv',
    ]).flags;
    expect(s.input).toEqual(['a.csv', 'b.csv', 'c.csv']);
    expect(s).toMatchObject({ method: 'adaptive', order: 'auto', shards: 1 });
    // Left unset so that one given where nothing reads it can be refused; the sampler takes 50 when it is.
    expect(s['positives-per-param']).toBeUndefined();
  });

  it('keeps a file name that holds a comma whole when the file exists, and splits one that does not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rareflow-comma-name-'));
    try {
      const named = join(dir, 'jan,feb.csv');
      writeFileSync(named, 'x,label\n1,0\n');
      const args = (input: string) => ['--input', input, '--label', 'y', '--target-size', '10', '--out', 'o.csv'];
      expect(flagsOf('sample', args(named)).flags.input).toEqual([named]);
      expect(flagsOf('sample', args(join(dir, 'a.csv,b.csv'))).flags.input).toEqual([join(dir, 'a.csv'), 'b.csv']);
      expect(flagsOf('drift', ['--model', 'm', '--reason', 'r', '--data', named]).flags.data).toEqual([named]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a list flag given with nothing in it, instead of reading it as left out', () => {
    expect(() => flagsOf('drift', ['--model', 'm', '--reason', 'r', '--data', ''])).toThrow(
      '--data: expected FILES (comma-separated), got an empty value',
    );
    expect(() => flagsOf('drift', ['--model', 'm', '--reason', 'r', '--data', ' , '])).toThrow(InvalidInputError);
    expect(flagsOf('drift', ['--model', 'm', '--reason', 'r']).flags.data).toBeUndefined();
  });

  it('reads --no-lineage and other booleans as given or not', () => {
    const base = ['--input', 'a.csv', '--label', 'y', '--out', 'o.csv'];
    expect(flagsOf('adasyn', [...base, '--no-lineage', '--exact']).flags).toMatchObject({
      'no-lineage': true,
      exact: true,
      'raw-distances': false,
    });
    expect(flagsOf('adasyn', base).flags).toMatchObject({ 'no-lineage': false, exact: false, neighbors: 'auto' });
  });

  it('takes positionals only where declared', () => {
    expect(flagsOf('monitor', ['start', '--model', 'm', '--window', '15m']).positionals).toEqual(['start']);
    expect(flagsOf('schedule', ['list']).positionals).toEqual(['list']);
    expect(() => parse('status', ['--model', 'm', 'extra'])).toThrow(/^unexpected argument "extra"; see rareflow status --help$/);
  });

  const bad: Array<[string, string[], RegExp]> = [
    ['sample', ['--frobnicate'], /^unknown flag '--frobnicate'; see rareflow sample --help$/],
    ['generate', ['--row', '3'], /^unknown flag '--row' \(did you mean --rows\?\); see rareflow generate --help$/],
    [
      'generate',
      ['--rows', '10', '--positive-rate', '0.1', '--features', '2'],
      /^--out is required \(output file \(\.parquet or \.csv\)\); see rareflow generate --help$/,
    ],
    [
      'generate',
      ['--rows', '-10', '--positive-rate', '0.1', '--features', '2', '--out', 'o'],
      /^--rows: expected an integer ≥ 1, got "-10"$/,
    ],
    [
      'generate',
      ['--rows', '10', '--positive-rate', '0.9', '--features', '2', '--out', 'o'],
      /^--positive-rate: expected a number from 0\.0001 to 0\.5, got "0\.9"$/,
    ],
    [
      'generate',
      ['--rows', '10', '--positive-rate', '0.1', '--features', '2', '--out'],
      /^--out: expected a value \(FILE\), got nothing; see rareflow generate --help$/,
    ],
    [
      'generate',
      ['--rows', '10', '--positive-rate', '0.1', '--features', '2', '--out', '--json'],
      /^--out: expected a value \(FILE\), got the flag "--json"/,
    ],
    [
      'sample',
      ['--input', 'a', '--label', 'y', '--target-size', '9', '--order', 'shuffled', '--out', 'o'],
      /^--order: expected auto, sequential or random-blocks, got "shuffled"$/,
    ],
    [
      'denoise',
      ['--input', 'a', '--label', 'y', '--neighbors', 'kd', '--out', 'o'],
      /^--neighbors: expected auto, exact, ivf or hnsw, got "kd"$/,
    ],
    [
      'denoise',
      ['--input', 'a', '--label', 'y', '--missing', 'mode', '--out', 'o'],
      /^--missing: expected reject, mean, median or constant, got "mode"$/,
    ],
    ['serve', ['--model', 'm', '--port', '70000'], /^--port: expected an integer from 0 to 65535, got "70000"$/],
    [
      'sample',
      ['--input', 'd/a.parquet', 'd/b.parquet', '--label', 'y', '--target-size', '9', '--out', 'o.csv'],
      /^unexpected argument "d\/b\.parquet" \(after --input d\/a\.parquet: if the shell expanded a glob, quote it, as --input 'data\/\*\.parquet', or give --input once per file\); see rareflow sample --help$/,
    ],
    [
      'fit',
      ['--input', 'a.csv', 'b.csv', '--label', 'y', '--out', 'm.json'],
      /^unexpected argument "b\.csv" \(after --input a\.csv: this command reads one file; if the shell expanded a glob, give one file\); see rareflow fit --help$/,
    ],
    [
      'fit',
      ['--input', 'a', '--label', 'y', '--seed', '9007199254740993', '--out', 'o'],
      /^--seed: expected an integer of at most 9007199254740991 in size, got "9007199254740993"$/,
    ],
    // Number() read these as 16, 3 and 7; no one means them on a command line.
    ['fit', ['--input', 'a', '--label', 'y', '--seed', '0x10', '--out', 'o'], /^--seed: expected an integer, got "0x10"$/],
    ['fit', ['--input', 'a', '--label', 'y', '--seed', '0b11', '--out', 'o'], /^--seed: expected an integer, got "0b11"$/],
    ['train', ['--input', 'a', '--label', 'y', '--kind', 'logreg', '--l2', ' 7', '--out', 'o'], /^--l2: expected a number.*, got " 7"$/],
  ];
  it('rejects rareflow monitor start --window 5 minutes before it reaches Temporal (--window is a duration for start, an id for report)', async () => {
    const line = flagsOf('monitor', ['start', '--model', 'm', '--window', '5 minutes']);
    const run = line.spec.run(line.flags, line.positionals, () => {});
    await expect(run).rejects.toThrow(InvalidInputError);
    await expect(run).rejects.toThrow(/^--window: expected a duration such as 500ms, 30s, 15m, 6h or 7d, got "5 minutes"$/);
  });
  for (const [name, args, message] of bad) {
    it(`rejects rareflow ${name} ${args.join(' ')}`, () => {
      expect(() => parse(name, args)).toThrow(InvalidInputError);
      expect(() => parse(name, args)).toThrow(message);
    });
  }

  it('takes the model kind as --kind on train and fit; --model KIND there points to --kind (exit 2)', () => {
    const base = ['--input', 'a.csv', '--label', 'y', '--out', 'm.json'];
    expect(flagsOf('train', [...base, '--kind', 'forest']).flags.kind).toBe('forest');
    expect(flagsOf('fit', [...base, '--kind', 'auto']).flags.kind).toBe('auto');
    for (const name of ['train', 'fit']) {
      let err: unknown;
      try {
        parse(name, [...base, '--model', 'forest']);
      } catch (e) {
        err = e;
      }
      expect(failureExit(err)).toEqual({
        exitCode: EXIT_CODES.badInput,
        message: `--model forest: rareflow ${name} takes the model kind as --kind (--model names a trained model: a file, NAME, NAME@ALIAS or NAME/VERSION); use --kind forest`,
      });
    }
    expect(generatedUsage(spec('fit'))).not.toMatch(/--model/);
  });

  it('generates usage from the declarations: required flags bare, the others in brackets', () => {
    expect(generatedUsage(spec('status'))).toBe('rareflow status --model NAME [--json]');
    const one: CommandSpec = {
      name: 'x',
      summary: '',
      flags: { k: { type: 'integer', help: 'k', default: 3 } },
      run: async () => ({ value: null }),
    };
    expect(checkedFlagValues(one, {}, new Set())).toEqual({ k: 3 });
  });
});

describe('one duration parser', () => {
  it('reads ms, s, m, h and d, and refuses anything else or zero', () => {
    expect([
      parseDurationMs('--x', '500ms'),
      parseDurationMs('--x', '30s'),
      parseDurationMs('--x', '1.5h'),
      parseDurationMs('--x', '7d'),
    ]).toEqual([500, 30_000, 5_400_000, 604_800_000]);
    expect(() => parseDurationMs('--every', '5x')).toThrow(/^--every: expected a duration such as 500ms, 30s, 15m, 6h or 7d, got "5x"$/);
    expect(() => parseDurationMs('--every', '0s')).toThrow(/^--every: expected a duration above 0, got "0s"$/);
    expect(parseDurationMs('--window', '3650d')).toBe(3650 * 86_400_000);
    expect(() => parseDurationMs('--window', '999999999d')).toThrow(
      /^--window: expected a duration of at most 3650d \(ten years\), got "999999999d"$/,
    );
  });
});

describe('failures to exit codes', () => {
  const nested = (inner: object) =>
    Object.assign(new Error('workflow failed'), { cause: Object.assign(new Error('activity failed'), { cause: inner }) });

  it('bad input anywhere in the cause chain is 2 with its message; a full disk is 3; anything else 3', () => {
    expect(failureExit(new InvalidInputError('--k', '--k: bad'))).toEqual({ exitCode: EXIT_CODES.badInput, message: '--k: bad' });
    expect(failureExit(nested({ type: 'InvalidInput', message: 'label column "y" not found' }))).toEqual({
      exitCode: 2,
      message: 'label column "y" not found',
    });
    expect(failureExit(nested({ type: 'DiskFull', message: 'disk full: x' }))).toEqual({ exitCode: 3, message: 'disk full: x' });
    expect(failureExit(nested(Object.assign(new Error('write failed'), { code: 'ENOSPC', path: '/d/f' }))).message).toMatch(
      /^disk full: no space left on the device writing \/d\/f;/,
    );
    expect(failureExit(new Error('connection refused'))).toEqual({ exitCode: EXIT_CODES.failed, message: 'connection refused' });
    // Any other failure through Temporal: the outer "workflow failed" and the innermost cause that says why.
    const workflowFailed = Object.assign(nested(new Error('short write to /a/b.tmp')), { name: 'WorkflowFailedError' });
    expect(failureExit(workflowFailed)).toEqual({
      exitCode: EXIT_CODES.failed,
      message: 'workflow failed: short write to /a/b.tmp',
    });
  });

  it('walks a cyclic chain a bounded number of links', () => {
    const a: { message: string; cause?: unknown } = { message: 'a' };
    a.cause = a;
    expect([...errorCauses(a)]).toHaveLength(8);
  });
});
