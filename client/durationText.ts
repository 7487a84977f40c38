// The one parser of the durations a user types (`--window 15m`, `--every 24h`, `--jitter 500ms`).

import { InvalidInputError } from '../core/invalidInputError.js';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const MAX_DURATION_MS = 3650 * UNIT_MS.d;

/** `text` such as 500ms, 30s, 1.5h, 15m, 6h or 7d in milliseconds; bad input naming `flag` when it is not one above 0. */
export function parseDurationMs(flag: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  if (!m) throw new InvalidInputError(flag, `${flag}: expected a duration such as 500ms, 30s, 15m, 6h or 7d, got "${text}"`);
  const ms = Math.round(Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS]);
  if (ms <= 0) throw new InvalidInputError(flag, `${flag}: expected a duration above 0, got "${text}"`);
  // Ten years: anything longer is a typo, and past 2^53 ms the times it adds up to are no longer exact.
  if (ms > MAX_DURATION_MS) throw new InvalidInputError(flag, `${flag}: expected a duration of at most 3650d (ten years), got "${text}"`);
  return ms;
}
