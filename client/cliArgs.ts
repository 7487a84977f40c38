// Parses one command's flags against its declared options, with errors that name the flag and the fix.

import { parseArgs } from 'node:util';
import { InvalidInputError } from '../core/invalidInputError.js';

export interface FlagSpec {
  type: 'string' | 'boolean';
  /** One line for --help. */
  help: string;
  required?: boolean;
  multiple?: boolean;
  /** Shown in --help. */
  placeholder?: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  flags: Record<string, FlagSpec>;
  /** Positional arguments allowed (e.g. `schedule create`). */
  positionals?: string;
}

export type ParsedFlags = Record<string, string | boolean | string[] | undefined>;

export function parseCommandFlags(spec: CommandSpec, argv: string[]): { flags: ParsedFlags; positionals: string[] } {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = { help: { type: 'boolean' } };
  for (const [name, f] of Object.entries(spec.flags)) options[name] = { type: f.type, ...(f.multiple ? { multiple: true } : {}) };
  // A negative number after a value flag is its value (`--drift -0.5`, `--target-size -5`), not another flag:
  // node's parser would call it ambiguous, so it is passed on as `--flag=-5` for the flag's own check.
  const args = [...argv];
  for (let i = 0; i + 1 < args.length; i++) {
    const name = /^--([^=]+)$/.exec(args[i]!)?.[1];
    if (name && options[name]?.type === 'string' && /^-(\d|\.\d)/.test(args[i + 1]!)) {
      args.splice(i, 2, `--${name}=${args[i + 1]}`);
    }
  }
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    const message = (err as Error).message
      .replace(/^Unknown option/, 'unknown flag')
      .replace(/\. To specify a positional argument.*$/s, '')
      .replace(/\s*\n\s*/g, ' ');
    throw new InvalidInputError(`rareflow ${spec.name}`, `${message}; see rareflow ${spec.name} --help`);
  }
  const flags = parsed.values as ParsedFlags;
  if (flags.help) return { flags, positionals: parsed.positionals };
  if (!spec.positionals && parsed.positionals.length > 0) {
    throw new InvalidInputError(`rareflow ${spec.name}`, `unexpected argument "${parsed.positionals[0]}"; see rareflow ${spec.name} --help`);
  }
  for (const [name, f] of Object.entries(spec.flags)) {
    if (f.required && flags[name] === undefined) {
      throw new InvalidInputError(`--${name}`, `--${name} is required (${f.help}); see rareflow ${spec.name} --help`);
    }
  }
  return { flags, positionals: parsed.positionals };
}

export function helpText(spec: CommandSpec): string {
  const lines = [`rareflow ${spec.name}: ${spec.summary}`, '', `usage: ${spec.usage}`, '', 'flags:'];
  const width = Math.max(...Object.entries(spec.flags).map(([n, f]) => n.length + (f.type === 'string' ? (f.placeholder ?? 'VALUE').length + 1 : 0)), 4) + 4;
  for (const [name, f] of Object.entries(spec.flags)) {
    const left = `--${name}${f.type === 'string' ? ` ${f.placeholder ?? 'VALUE'}` : ''}`;
    lines.push(`  ${left.padEnd(width)} ${f.help}${f.required ? ' (required)' : ''}`);
  }
  lines.push(`  ${'--help'.padEnd(width)} this text`);
  return lines.join('\n');
}

export function stringFlag(flags: ParsedFlags, name: string): string | undefined {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
}

export function requiredString(flags: ParsedFlags, name: string): string {
  const v = stringFlag(flags, name);
  if (v === undefined || v === '') throw new InvalidInputError(`--${name}`, `--${name} is required`);
  return v;
}

export function numberFlag(flags: ParsedFlags, name: string, opts: { integer?: boolean; min?: number; max?: number; default?: number } = {}): number | undefined {
  const text = stringFlag(flags, name);
  if (text === undefined) return opts.default;
  const v = Number(text);
  const kind = opts.integer ? 'an integer' : 'a number';
  const range = opts.min !== undefined && opts.max !== undefined ? ` from ${opts.min} to ${opts.max}` : opts.min !== undefined ? ` ≥ ${opts.min}` : '';
  if (text.trim() === '' || !Number.isFinite(v) || (opts.integer && !Number.isInteger(v)) || (opts.min !== undefined && v < opts.min) || (opts.max !== undefined && v > opts.max)) {
    throw new InvalidInputError(`--${name}`, `--${name}: expected ${kind}${range}, got "${text}"`);
  }
  return v;
}

export function listFlag(flags: ParsedFlags, name: string): string[] | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  const items = (Array.isArray(v) ? v : [String(v)]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  return items.length > 0 ? items : undefined;
}

/** A duration flag such as 500ms, 30s, 15m, 6h or 7d, in milliseconds; `default` when the flag is absent. */
export function durationFlagMs(flags: ParsedFlags, name: string, fallback?: number): number | undefined {
  const v = stringFlag(flags, name);
  if (v === undefined) return fallback;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(v.trim());
  if (!m) throw new InvalidInputError(`--${name}`, `--${name}: expected a duration such as 500ms, 30s, 15m, 6h or 7d, got "${v}"`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  const ms = Math.round(Number(m[1]) * unit);
  if (ms <= 0) throw new InvalidInputError(`--${name}`, `--${name}: expected a duration above 0, got "${v}"`);
  return ms;
}
