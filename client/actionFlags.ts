// Commands with actions (models list|show|get, monitor start|stop|status|report, ...) share one flag table; each
// action declares the flags it reads (CommandSpec.actions). A flag typed for an action that does not read it is
// refused, exit 2, before any work: ignored, it let `models show --out FILE` print a table and write no file.

import { InvalidInputError } from '../core/invalidInputError.js';
import { oneOf, type CommandSpec } from './cliArgs.js';

/** Flags cli.ts reads for every action of a command that declares them. */
const EVERY_ACTION_FLAGS = ['json'];

/** The flags an action reads, as the refusal lists them: its own, then those every action reads. */
function flagsTaken(spec: CommandSpec, action: string): string[] {
  return [...spec.actions![action]!, ...EVERY_ACTION_FLAGS.filter((name) => name in spec.flags)];
}

/**
 * Refuses the flags typed on the command line (`typed`: given by the user, not filled from a default) that `action`
 * does not read. An action the command does not have is left to the command, which names the ones it has.
 */
export function refuseStrayFlags(spec: CommandSpec, action: string | undefined, typed: readonly string[]): void {
  if (spec.actions === undefined || action === undefined || !Object.hasOwn(spec.actions, action)) return;
  const taken = flagsTaken(spec, action);
  const stray = typed.filter((name) => !taken.includes(name));
  if (stray.length === 0) return;
  const named = stray.map((name) => {
    const note = spec.strayFlagNotes?.[`${action} --${name}`];
    return `--${name}${note !== undefined ? ` (${note})` : ''}`;
  });
  throw new InvalidInputError(
    `--${stray[0]}`,
    `${spec.name} ${action} does not take ${oneOf(named)}; it takes ${taken.length > 0 ? taken.map((name) => `--${name}`).join(', ') : 'no flags'}`,
  );
}
