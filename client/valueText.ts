// A command's result as text (without --json): one `key: value` line each; a list of sentences (warnings, say) one
// to a line; a key given a block of its own (fit's model selection) rendered by it; other structures one line of JSON.
// A value that is not an object prints nothing (the command said what it had to).

/** A value on one line: a structure as JSON, anything else as its string. */
export const inlineValue = (v: unknown): string => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));

/** Renders the value of one key as an indented block of lines. */
export type ValueBlock = (value: unknown) => string;

export function valueText(value: unknown, blocks: Record<string, ValueBlock> = {}): string {
  if (!value || typeof value !== 'object') return '';
  const lines: string[] = [];
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const block = blocks[k];
    if (block && v !== undefined) lines.push(`${k}:`, block(v));
    else if (Array.isArray(v) && v.length > 0 && v.every((item) => typeof item === 'string')) {
      lines.push(`${k}:`, ...v.map((item) => `  - ${item}`));
    } else lines.push(`${k}: ${inlineValue(v)}`);
  }
  return lines.join('\n');
}
