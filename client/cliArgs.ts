// What a command's flags are, declared once (type, range, choices, default, help), and how their raw text becomes
// checked values, with errors that name the flag, what was expected and what was given.

import { existsSync } from 'node:fs';
import { InvalidInputError } from '../core/invalidInputError.js';
import { parseDurationMs } from './durationText.js';

/**
 * One flag. `string` is free text checked by the command; `integer` and `number` are checked against `min`/`max`;
 * `choice` against `choices`; `duration` (500ms, 30s, 15m, 6h, 7d) becomes milliseconds; `list` may be repeated
 * and comma-separated; any other flag is given at most once.
 */
export interface FlagSpec {
  type: 'boolean' | 'string' | 'integer' | 'number' | 'choice' | 'duration' | 'list';
  /** One line for --help. When it does not mention its default, ` (default X)` is added from `default`. */
  help: string;
  required?: boolean;
  /** Shown in --help and usage. @default 'VALUE' */
  placeholder?: string;
  min?: number;
  max?: number;
  choices?: readonly string[];
  /** Value when the flag is absent: a number for integer and number flags, milliseconds for durations. */
  default?: string | number;
  /**
   * A flag this command no longer takes in this meaning (`train --model KIND`, now `--kind`): left out of --help and
   * usage; given, it fails before any other check, saying why and which flag to use with the value given.
   */
  refused?: { why: string; use: string };
  /**
   * A list of files: a value naming a file that exists is one item even when it holds a comma (`a,b.csv` was split
   * into `a` and `b.csv` and refused as a file of no known format).
   */
  files?: boolean;
}

/** The checked value of every flag: booleans are false when absent, other flags undefined unless they have a default. */
export type FlagValues = Record<string, string | number | boolean | string[] | undefined>;

/**
 * Not a flag: where a stage command's `--input` was read from as the user gave it (its `s3://` URI) while `input` names
 * the verified local copy the step reads; files a command writes (an evaluation report) name the input by it.
 */
export const INPUT_AS_GIVEN = 'input as given';

/** What a command returns. `shownToHuman`: the command printed its own tables, so the value is printed only with --json. */
export interface CommandResult {
  value: unknown;
  exitCode?: number;
  text?: string;
  shownToHuman?: boolean;
}

/** Prints one progress line (on stderr under --json, so stdout carries exactly one JSON object). */
export type Say = (line: string) => void;

export interface CommandSpec {
  name: string;
  summary: string;
  /** Usage after `rareflow NAME`, when the one generated from the flags cannot say it (alternatives, sub-actions). */
  usage?: string;
  flags: Record<string, FlagSpec>;
  /** The positional arguments allowed, for --help (e.g. `start|stop|status`); without it, none are. */
  positionals?: string;
  /**
   * A command whose actions share one flag table: the flags each action reads (--json, read for every action, is not
   * listed). A flag typed for an action that does not read it is refused before any work (actionFlags.ts).
   */
  actions?: Record<string, readonly string[]>;
  /** Why an action does not take a flag, keyed `ACTION --FLAG`, where the refusal alone would leave one guessing. */
  strayFlagNotes?: Record<string, string>;
  run(flags: FlagValues, positionals: string[], say: Say): Promise<CommandResult>;
}

/** `a, b or c`. */
export function oneOf(items: readonly string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

/** The --help line of a flag: its help, its default when the help does not say it, and whether it is required. */
export function flagDescription(f: FlagSpec): string {
  const shownDefault = f.default !== undefined && !/default/i.test(f.help) ? ` (default ${f.default})` : '';
  return `${f.help}${shownDefault}${f.required ? ' (required)' : ''}`;
}

/** Usage from the flags: required ones bare, the others in brackets. */
export function generatedUsage(spec: CommandSpec): string {
  const parts = Object.entries(spec.flags)
    .filter(([, f]) => f.refused === undefined)
    .map(([name, f]) => {
      const text = f.type === 'boolean' ? `--${name}` : `--${name} ${f.placeholder ?? 'VALUE'}`;
      return f.required ? text : `[${text}]`;
    });
  return [`rareflow ${spec.name}`, ...(spec.positionals ? [spec.positionals] : []), ...parts].join(' ');
}

/**
 * A number written in decimals, an exponent allowed (`--target-size 1e6`): `Number()` also reads `0x10` as 16, `0b11`
 * as 3 and `" 7"` as 7, which no one means on a command line.
 */
const DECIMAL_NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

function numberValue(name: string, f: FlagSpec, text: string): number {
  const v = Number(text);
  const kind = f.type === 'integer' ? 'an integer' : 'a number';
  const range = f.min !== undefined && f.max !== undefined ? ` from ${f.min} to ${f.max}` : f.min !== undefined ? ` ≥ ${f.min}` : '';
  if (
    !DECIMAL_NUMBER.test(text) ||
    !Number.isFinite(v) ||
    (f.type === 'integer' && !Number.isInteger(v)) ||
    (f.min !== undefined && v < f.min) ||
    (f.max !== undefined && v > f.max)
  ) {
    throw new InvalidInputError(`--${name}`, `--${name}: expected ${kind}${range}, got "${text}"`);
  }
  // Past 2^53 a double cannot hold every integer: "9007199254740993" would silently become ...992.
  if (f.type === 'integer' && !Number.isSafeInteger(v)) {
    throw new InvalidInputError(
      `--${name}`,
      `--${name}: expected ${kind}${range} of at most ${Number.MAX_SAFE_INTEGER} in size, got "${text}"`,
    );
  }
  return v;
}

/** One flag's checked value from its occurrences on the command line (none: its default; more than one: a list). */
function flagValue(name: string, f: FlagSpec, given: string[] | undefined): FlagValues[string] {
  if (given === undefined || given.length === 0) return f.default;
  const text = given[0]!;
  switch (f.type) {
    case 'integer':
    case 'number':
      return numberValue(name, f, text);
    case 'choice':
      if (!f.choices!.includes(text)) throw new InvalidInputError(`--${name}`, `--${name}: expected ${oneOf(f.choices!)}, got "${text}"`);
      return text;
    case 'duration':
      return parseDurationMs(`--${name}`, text);
    case 'list': {
      const items = given
        .flatMap((s) => (f.files && s.includes(',') && existsSync(s) ? [s] : s.split(',')))
        .map((s) => s.trim())
        .filter(Boolean);
      // Given but empty (`--data ''`) is not the flag left out: refused rather than read as no list at all.
      if (items.length === 0)
        throw new InvalidInputError(`--${name}`, `--${name}: expected ${f.placeholder ?? 'VALUES'} (comma-separated), got an empty value`);
      return items;
    }
    default:
      return text;
  }
}

/**
 * The checked values of a command's flags: first no refused flag is given, then no flag but a `list` is given twice,
 * then every required flag is present, then each value is checked in the order the flags are declared. `given` holds
 * each value flag's occurrences, `present` the booleans passed.
 */
export function checkedFlagValues(spec: CommandSpec, given: Record<string, string[] | undefined>, present: Set<string>): FlagValues {
  for (const [name, f] of Object.entries(spec.flags)) {
    const value = given[name]?.at(-1);
    if (f.refused !== undefined && (value !== undefined || present.has(name))) {
      throw new InvalidInputError(
        `--${name}`,
        `--${name} ${value ?? ''}: ${f.refused.why}; use --${f.refused.use} ${value ?? ''}`.replace(/ +;/, ';').trimEnd(),
      );
    }
  }
  for (const [name, f] of Object.entries(spec.flags)) {
    const values = given[name] ?? [];
    if (f.type !== 'list' && f.type !== 'boolean' && values.length > 1) {
      throw new InvalidInputError(
        `--${name}`,
        `--${name}: expected once, given ${values.length} times (${values.map((v) => `"${v}"`).join(' and ')}); keep the one you mean`,
      );
    }
  }
  for (const [name, f] of Object.entries(spec.flags)) {
    const missing =
      f.type !== 'boolean' && (given[name] === undefined || ((f.type === 'string' || f.type === 'list') && given[name]!.at(-1) === ''));
    if (f.required && missing) {
      throw new InvalidInputError(`--${name}`, `--${name} is required (${f.help}); see rareflow ${spec.name} --help`);
    }
  }
  const values: FlagValues = {};
  for (const [name, f] of Object.entries(spec.flags)) {
    values[name] = f.type === 'boolean' ? present.has(name) : flagValue(name, f, given[name]);
    const text = values[name];
    // A URL taken as a path wrote under a local folder named "s3:" and said nothing.
    if (OUTPUT_FLAGS.has(name) && typeof text === 'string' && /^[a-z][a-z0-9+.-]*:\/\//i.test(text))
      throw new InvalidInputError(
        `--${name}`,
        `--${name} ${text}: expected a local path; rareflow writes its outputs to local files (write it here, then copy it to object storage)`,
      );
  }
  return values;
}

/** Flags that name a file or folder rareflow writes. */
const OUTPUT_FLAGS = new Set(['out', 'report', 'removed']);

export function stringFlag(flags: FlagValues, name: string): string | undefined {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
}

/** A required string flag (checked present and non-empty before the command runs). */
export function requiredString(flags: FlagValues, name: string): string {
  const v = stringFlag(flags, name);
  if (v === undefined || v === '') throw new InvalidInputError(`--${name}`, `--${name} is required`);
  return v;
}

export function numberFlag(flags: FlagValues, name: string): number | undefined {
  const v = flags[name];
  return typeof v === 'number' ? v : undefined;
}

export function listFlag(flags: FlagValues, name: string): string[] | undefined {
  const v = flags[name];
  return Array.isArray(v) ? v : undefined;
}
