// A flag given twice on any command is refused naming the flag and both values (booleans: how many times), instead of
// the last one silently winning; a `list` flag still collects every occurrence.

import { describe, expect, it } from 'vitest';
import type { CommandSpec } from '../../client/cliArgs.js';
import { parseCommandLine } from '../../client/cliProgram.js';
import { dataCommands } from '../../client/commands/dataCommandTable.js';
import { modelCommands } from '../../client/commands/modelCommandTable.js';
import { orchestratedCommands } from '../../client/commands/orchestratedCommandTable.js';
import { registryCommands } from '../../client/commands/registryCommandTable.js';
import { registryMaintenanceCommands } from '../../client/commands/registryMaintenanceCommandTable.js';
import { InvalidInputError } from '../../core/invalidInputError.js';

const commands: CommandSpec[] = [
  ...dataCommands,
  ...modelCommands,
  ...orchestratedCommands,
  ...registryCommands,
  ...registryMaintenanceCommands,
];
const spec = (name: string) => commands.find((c) => c.name === name)!;

/** The InvalidInputError parsing `args` throws (the test fails when it throws nothing or something else). */
function refusal(command: CommandSpec, args: string[]): InvalidInputError {
  try {
    parseCommandLine(commands, command, args);
  } catch (err) {
    if (err instanceof InvalidInputError) return err;
    throw err;
  }
  throw new Error(`rareflow ${command.name} ${args.join(' ')} was accepted`);
}

/** Every (command, flag) pair of one kind of flag, refused flags (`train --model`) left out. */
function flagsWhere(test: (type: string) => boolean): Array<[string, string]> {
  return commands.flatMap((c) =>
    Object.entries(c.flags)
      .filter(([, f]) => f.refused === undefined && test(f.type))
      .map(([name]): [string, string] => [c.name, name]),
  );
}

describe('a flag given twice', () => {
  const valueFlags = flagsWhere((t) => t !== 'list' && t !== 'boolean');
  const booleanFlags = flagsWhere((t) => t === 'boolean');

  it('covers every value and boolean flag of every command', () => {
    expect(valueFlags.length).toBeGreaterThan(50);
    expect(valueFlags).toContainEqual(['train', 'out']);
    expect(valueFlags).toContainEqual(['evaluate', 'label']);
    expect(valueFlags).toContainEqual(['predict', 'model']);
    expect(booleanFlags).toContainEqual(['train', 'json']);
  });

  it.each(valueFlags)('rareflow %s: --%s given twice is refused naming the flag and both values', (command, flag) => {
    const err = refusal(spec(command), [`--${flag}`, 'first', `--${flag}`, 'second']);
    expect(err.message).toBe(`--${flag}: expected once, given 2 times ("first" and "second"); keep the one you mean`);
  });

  it.each(booleanFlags)('rareflow %s: --%s given twice is refused naming the flag', (command, flag) => {
    const err = refusal(spec(command), [`--${flag}`, `--${flag}`]);
    expect(err.message).toBe(`--${flag}: expected once, given 2 times; give it once`);
  });

  it('is refused the same way written --flag=VALUE, and before a missing required flag is reported', () => {
    expect(refusal(spec('train'), ['--out=A.json', '--out=B.json']).message).toBe(
      '--out: expected once, given 2 times ("A.json" and "B.json"); keep the one you mean',
    );
    expect(refusal(spec('evaluate'), ['--label', 'x0', '--label', 'label']).message).toMatch(/^--label: .*"x0" and "label"/);
  });

  it('is still fine for a list flag, which collects every occurrence', () => {
    const line = parseCommandLine(commands, spec('train'), [
      '--input',
      'a.csv',
      '--label',
      'y',
      '--kind',
      'logreg',
      '--categorical',
      'c1',
      '--categorical',
      'c2,c3',
      '--out',
      'm.json',
    ]);
    expect(line.kind === 'run' && line.flags.categorical).toEqual(['c1', 'c2', 'c3']);
  });
});
