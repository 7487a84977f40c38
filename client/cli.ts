#!/usr/bin/env node
// The `rareflow` command line: stage commands run one step locally; orchestrated commands talk to Temporal.
// Exit codes are in exitCodes.ts: 0 success, 1 a verdict asked to fail on, 2 bad input, 3 any other failure.

import { parseCommandLine, printCommandHelp, printOverview } from './cliProgram.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import { INPUT_AS_GIVEN, type CommandSpec, type FlagValues, type Say } from './cliArgs.js';
import { orchestratedCommands } from './commands/orchestratedCommandTable.js';
import { registryCommands } from './commands/registryCommandTable.js';
import { registryMaintenanceCommands } from './commands/registryMaintenanceCommandTable.js';
import { dataCommands } from './commands/dataCommandTable.js';
import { modelCommands } from './commands/modelCommandTable.js';
import { EXIT_CODES, failureExit } from './exitCodes.js';
import { isClosedPipe, standardOutputFailure, watchStandardOutput } from './standardOutput.js';
import { rejectDirectoryOutput, rejectOutputOverInput } from './outputPaths.js';
import { valueText } from './valueText.js';

/** Commands that run one step in this process (they read local copies of s3:// inputs). */
const stageCommands: CommandSpec[] = [...dataCommands, ...modelCommands];
const commands: CommandSpec[] = [...stageCommands, ...orchestratedCommands, ...registryCommands, ...registryMaintenanceCommands];

function printValue(value: unknown, asJson: boolean): void {
  const text = asJson ? JSON.stringify(value) : valueText(value);
  if (text) process.stdout.write(`${text}\n`);
}

/**
 * A stage command's --input may name s3:// objects or globs: the step reads verified local copies of them, and
 * `named` puts their URIs back in its messages and results.
 */
async function withLocalInputs(flags: FlagValues): Promise<{ flags: FlagValues; named: (text: string) => string }> {
  const given = flags.input;
  const list = Array.isArray(given) ? given : typeof given === 'string' ? [given] : [];
  if (!list.some((p) => p.startsWith('s3://'))) return { flags, named: (text) => text };
  const { locateInputs, sourceNamer } = await import('../data/s3InputFiles.js');
  const located = await locateInputs(list, '--input');
  if (!Array.isArray(given) && located.length !== 1) {
    throw new InvalidInputError(
      '--input',
      `--input ${String(given)} matches ${located.length} objects; this command reads one file: name one object`,
    );
  }
  const local = located.map((l) => l.local);
  return {
    flags: { ...flags, input: Array.isArray(given) ? local : local[0], [INPUT_AS_GIVEN]: given },
    named: sourceNamer(located),
  };
}

/** `value` with every string passed through `named` (a result's file names). */
function renamed(value: unknown, named: (text: string) => string): unknown {
  if (typeof value === 'string') return named(value);
  if (Array.isArray(value)) return value.map((v) => renamed(v, named));
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renamed(v, named)]));
  return value;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? commands.find((c) => c.name === rest[0]) : undefined;
    if (topic) printCommandHelp(commands, topic);
    else printOverview(commands);
    return name ? EXIT_CODES.success : EXIT_CODES.badInput;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`rareflow: unknown command "${name}"; expected one of ${commands.map((c) => c.name).join(', ')}\n`);
    return EXIT_CODES.badInput;
  }
  try {
    const line = parseCommandLine(commands, command, rest);
    if (line.kind === 'help') return EXIT_CODES.success;
    const asJson = Boolean(line.flags.json);
    // With --json, stdout carries exactly one JSON object: progress goes to stderr.
    const say: Say = (text) => (asJson ? process.stderr : process.stdout).write(`${text}\n`);
    rejectOutputOverInput(line.flags, command.flags);
    rejectDirectoryOutput(line.flags, command.flags);
    const { flags, named } = stageCommands.includes(command)
      ? await withLocalInputs(line.flags)
      : { flags: line.flags, named: (text: string) => text };
    let result: Awaited<ReturnType<typeof command.run>>;
    try {
      result = await command.run(flags, line.positionals, (text) => say(named(text)));
    } catch (err) {
      throw flags === line.flags ? err : (await import('../data/s3InputFiles.js')).withSourceNames(err, named);
    }
    if (asJson || !result.shownToHuman) printValue(renamed(result.value, named), asJson);
    if (result.text) say(named(result.text));
    return result.exitCode ?? EXIT_CODES.success;
  } catch (err) {
    // `models get … | head -c 10`: the reader took what it wanted.
    if (isClosedPipe(err)) return EXIT_CODES.success;
    const { exitCode, message } = failureExit(err);
    process.stderr.write(`rareflow ${name}: ${message}\n`);
    if (exitCode === EXIT_CODES.failed && process.env.RAREFLOW_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    return exitCode;
  }
}

watchStandardOutput();
let exitCode = await main(process.argv.slice(2));
const outputFailure = await standardOutputFailure();
if (outputFailure && !isClosedPipe(outputFailure)) {
  process.stderr.write(`rareflow ${process.argv[2] ?? ''}: could not write the output to standard output: ${outputFailure.message}\n`);
  exitCode = EXIT_CODES.failed;
}
process.exit(exitCode);
