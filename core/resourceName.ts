// The one rule for the names a user gives rareflow (model names, schedule ids): they become directory names in the
// serving root, workflow ids and registry keys, so every component checks them here. Free of Node APIs, so the
// workflow bundle may import it.

import { InvalidInputError } from './invalidInputError.js';

/** Longest name accepted. */
export const MAX_NAME_LENGTH = 100;

/**
 * Letters, digits, '.', '_' and '-'; starts and ends with a letter or digit; no two dots in a row (`..` would leave
 * the serving directory); at most 100 characters.
 */
export const RESOURCE_NAME_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9_-]|\.(?!\.)){0,99}(?<=[A-Za-z0-9])$/;

export const RESOURCE_NAME_RULE = `1–${MAX_NAME_LENGTH} letters, digits, '.', '_' or '-', starting and ending with a letter or digit, without '..'`;

export function isResourceName(name: unknown): name is string {
  return typeof name === 'string' && RESOURCE_NAME_PATTERN.test(name);
}

/** Returns `name` when it follows the rule; otherwise an InvalidInputError naming `subject` (`--model`, `modelName`). */
export function checkResourceName(name: unknown, subject: string): string {
  if (isResourceName(name)) return name;
  throw new InvalidInputError(subject, `${subject}: expected ${RESOURCE_NAME_RULE}, got ${JSON.stringify(name) ?? 'nothing'}`);
}
