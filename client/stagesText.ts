// `fit`'s stages as text (without --json): one line per stage, its name first and its seconds last, and its note
// (what the stage did, in words) on the line under it, instead of one line of JSON for all of them.

import { inlineValue } from './valueText.js';

/** Figures too detailed for a line of text, which the stage's note sums up; `--json` carries them whole. */
const JSON_ONLY_FIGURES = new Set(['missingClassTests']);

/** The `stages` list under its `stages:` key; a value that is not a list of stages prints as one line of JSON. */
export function stagesText(value: unknown): string {
  if (!Array.isArray(value) || !value.every((s) => typeof s === 'object' && s !== null && typeof s.stage === 'string')) {
    return `  ${JSON.stringify(value)}`;
  }
  return (value as Record<string, unknown>[])
    .flatMap(({ stage, seconds, note, ...figures }) => {
      const parts = Object.entries(figures)
        .filter(([k]) => !JSON_ONLY_FIGURES.has(k))
        .map(([k, v]) => `${k} ${inlineValue(v)}`);
      if (typeof seconds === 'number') parts.push(`${seconds} s`);
      const line = `  - ${String(stage)}${parts.length ? `: ${parts.join(', ')}` : ''}`;
      return note === undefined ? [line] : [line, `      ${inlineValue(note)}`];
    })
    .join('\n');
}
