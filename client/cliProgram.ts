// The command tables as a commander program: flags, usage and --help generated from the declarations; commander
// never prints an error or exits itself, its errors become one-line InvalidInputErrors (exit 2).

import { Command, CommanderError, Option } from 'commander';
import { InvalidInputError } from '../core/invalidInputError.js';
import { refuseStrayFlags } from './actionFlags.js';
import { checkedFlagValues, flagDescription, generatedUsage, type CommandSpec, type FlagValues } from './cliArgs.js';
import { EXIT_CODE_LINES } from './exitCodes.js';

/** What the command line asks for: help (already printed) or a command to run with checked flags. */
export type CommandLine = { kind: 'help' } | { kind: 'run'; spec: CommandSpec; flags: FlagValues; positionals: string[] };

const HELP_FOOTER = [
  '',
  'Exit codes:',
  ...EXIT_CODE_LINES.map((l) => `  ${l}`),
  '',
  'Temporal: TEMPORAL_ADDRESS (+ TEMPORAL_NAMESPACE, TEMPORAL_TLS_CERT/KEY/CA, TEMPORAL_API_KEY) or the embedded dev server.',
].join('\n');

/** A negative number is a value (`--drift -0.5`), not a flag; the same test commander applies. */
const NEGATIVE_NUMBER = /^-(\d+|\d*\.\d+)(e[+-]?\d+)?$/;

/** Settings every command shares: help and errors go through us, commander writes no error and never exits. */
function quiet(cmd: Command): Command {
  return cmd
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: () => {}, outputError: () => {} })
    .allowExcessArguments(true)
    .showSuggestionAfterError(true);
}

/** The `rareflow` program with one subcommand per table entry; each records the flags it was given in `picked`. */
function program(commands: CommandSpec[], picked: { cmd?: Command; spec?: CommandSpec }): Command {
  const root = quiet(new Command('rareflow'))
    .description('rareflow: durable retraining for rare-event classifiers')
    .usage('COMMAND [flags]   (rareflow COMMAND --help for its flags)')
    .helpCommand(false)
    .configureHelp({ subcommandTerm: (cmd) => cmd.name() })
    .addHelpText('after', HELP_FOOTER);
  for (const spec of commands) {
    const cmd = quiet(root.command(spec.name))
      .description(spec.summary)
      .usage((spec.usage ?? generatedUsage(spec)).slice(`rareflow ${spec.name}`.length).trimStart());
    if (spec.positionals) cmd.argument('[action]', spec.positionals);
    for (const [name, f] of Object.entries(spec.flags)) {
      const option =
        f.type === 'boolean'
          ? new Option(`--${name}`, flagDescription(f))
          : new Option(`--${name} <${f.placeholder ?? 'VALUE'}>`, flagDescription(f));
      // Every occurrence is kept: a list flag takes them all, any other flag given twice is refused (checkedFlagValues).
      if (f.type !== 'boolean') option.argParser((v: string, previous: string[] | undefined) => [...(previous ?? []), v]);
      if (f.refused !== undefined) option.hideHelp();
      cmd.addOption(option);
    }
    cmd.action(() => {
      picked.cmd = cmd;
      picked.spec = spec;
    });
  }
  return root;
}

/**
 * A value flag at the end of the line, or followed by another flag, is missing its value: said here, naming the
 * flag, before commander would take the next flag as the value.
 */
function checkValuesGiven(spec: CommandSpec, args: string[]): void {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--') return;
    const name = /^--([^=]+)$/.exec(args[i]!)?.[1];
    const f = name === undefined ? undefined : spec.flags[name];
    if (!f || f.type === 'boolean') continue;
    const next = args[i + 1];
    const expected = `--${name}: expected a value (${f.placeholder ?? 'VALUE'})`;
    if (next === undefined) throw new InvalidInputError(`--${name}`, `${expected}, got nothing; see rareflow ${spec.name} --help`);
    if (next.length > 1 && next.startsWith('-') && !NEGATIVE_NUMBER.test(next)) {
      throw new InvalidInputError(
        `--${name}`,
        `${expected}, got the flag "${next}"; a value that starts with a dash is written --${name}=${next}`,
      );
    }
    i++;
  }
}

/** A boolean flag given twice (`--json --json`): refused as any other repeated non-list flag is (checkedFlagValues). */
function checkBooleansOnce(spec: CommandSpec, args: string[]): void {
  const end = args.indexOf('--');
  const counts = new Map<string, number>();
  for (const arg of end === -1 ? args : args.slice(0, end)) {
    const name = /^--([^=]+)$/.exec(arg)?.[1];
    if (name !== undefined && spec.flags[name]?.type === 'boolean') counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  for (const [name, n] of counts) {
    if (n > 1) throw new InvalidInputError(`--${name}`, `--${name}: expected once, given ${n} times; give it once`);
  }
}

/** One line for a commander parse error, naming the flag. */
function commanderErrorLine(err: CommanderError, name: string): string {
  const text = err.message.replace(/^error: /, '');
  if (err.code === 'commander.unknownOption') {
    const flag = /'([^']+)'/.exec(text)?.[1] ?? text;
    const suggestion = /\(Did you mean (.+)\?\)/.exec(text)?.[1];
    return `unknown flag '${flag}'${suggestion ? ` (did you mean ${suggestion}?)` : ''}; see rareflow ${name} --help`;
  }
  return `${text.replace(/\s*\n\s*/g, ' ')}; see rareflow ${name} --help`;
}

/** The `rareflow` overview: every command with its summary, the exit codes and the Temporal settings. */
export function printOverview(commands: CommandSpec[]): void {
  program(commands, {}).outputHelp();
}

/**
 * Parses `argv` (after the command name's check) against the tables. --help prints the command's help and gives
 * `{ kind: 'help' }`; bad flags and values throw InvalidInputError.
 */
export function parseCommandLine(commands: CommandSpec[], spec: CommandSpec, args: string[]): CommandLine {
  const picked: { cmd?: Command; spec?: CommandSpec } = {};
  const root = program(commands, picked);
  if (!args.includes('--help') && !args.includes('-h')) {
    checkValuesGiven(spec, args);
    checkBooleansOnce(spec, args);
  }
  try {
    root.parse([spec.name, ...args], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help') return { kind: 'help' };
      throw new InvalidInputError(`rareflow ${spec.name}`, commanderErrorLine(err, spec.name));
    }
    throw err;
  }
  const cmd = picked.cmd!;
  const positionals = cmd.args;
  if (!spec.positionals && positionals.length > 0) {
    // A flag value followed by more paths of its kind: a glob the shell expanded before rareflow saw it.
    const i = args.indexOf(positionals[0]!);
    const flag = i > 1 && args[i - 2]!.startsWith('--') ? args[i - 2] : undefined;
    const expanded =
      flag !== undefined && /\.(csv|csv\.gz|parquet|arrow)$/i.test(positionals[0]!) && /\.(csv|csv\.gz|parquet|arrow)$/i.test(args[i - 1]!)
        ? spec.flags[flag.slice(2)]?.type === 'list'
          ? ` (after ${flag} ${args[i - 1]}: if the shell expanded a glob, quote it, as ${flag} 'data/*.parquet', or give ${flag} once per file)`
          : ` (after ${flag} ${args[i - 1]}: this command reads one file; if the shell expanded a glob, give one file)`
        : '';
    throw new InvalidInputError(
      `rareflow ${spec.name}`,
      `unexpected argument "${positionals[0]}"${expanded}; see rareflow ${spec.name} --help`,
    );
  }
  const given: Record<string, string[] | undefined> = {};
  const present = new Set<string>();
  for (const option of cmd.options) {
    const name = option.long!.slice(2);
    if (!(name in spec.flags)) continue;
    const attribute = option.attributeName();
    if (spec.flags[name]!.type === 'boolean') {
      if (cmd.getOptionValueSource(attribute) === 'cli') present.add(name);
    } else {
      given[name] = cmd.getOptionValue(attribute) as string[] | undefined;
    }
  }
  // Typed flags only: a flag's default is filled in by checkedFlagValues, after this check.
  const typed = Object.keys(spec.flags).filter((name) => given[name] !== undefined || present.has(name));
  refuseStrayFlags(spec, positionals[0], typed);
  return { kind: 'run', spec, flags: checkedFlagValues(spec, given, present), positionals };
}

/** Prints a command's --help (for `rareflow help COMMAND`). */
export function printCommandHelp(commands: CommandSpec[], spec: CommandSpec): void {
  parseCommandLine(commands, spec, ['--help']);
}
