// Checks shared by the scoring service's JSON bodies: a key written twice (JSON.parse would keep the last value and
// drop the first without a word) and a field the endpoint does not read (a misspelt "requestID" would be ignored,
// and its feedback could never be joined to the prediction).

/**
 * The 400 text for a key written twice in one object of `text`, whose parse is `parsed`, or undefined. On the request
 * path (a generic JSON visitor cost five times JSON.parse here), so first a count: every key written is one `"…":`
 * in the text (a string value may add more, never fewer), so as many of those as the parse has keys means none was
 * written twice; only otherwise is the text scanned, its keys compared as written (decoded where they hold an escape).
 */
export function duplicateKeyProblem(text: string, parsed: unknown): string | undefined {
  if ((text.match(/"\s*:/g)?.length ?? 0) === keyCount(parsed)) return undefined;
  return firstDuplicateKey(text);
}

/** Keys of every object in a parsed JSON value. */
function keyCount(v: unknown): number {
  if (typeof v !== 'object' || v === null) return 0;
  if (Array.isArray(v)) return v.reduce((n: number, item) => n + keyCount(item), 0);
  let n = 0;
  for (const key in v) n += 1 + keyCount((v as Record<string, unknown>)[key]);
  return n;
}

function firstDuplicateKey(text: string): string | undefined {
  const open: Array<Set<string> | null> = [];
  const path: string[] = [];
  let lastKey = '';
  // Native scans between the characters that matter: braces, brackets and the quotes that open strings.
  const token = /[{}[\]"]/g;
  for (let m = token.exec(text); m !== null; m = token.exec(text)) {
    const c = m[0];
    if (c === '{') {
      // An object inside a list is named by the list and [] (items[]).
      path.push(open.length > 0 && open.at(-1) === null ? '[]' : lastKey);
      open.push(new Set());
    } else if (c === '[') {
      open.push(null);
      path.push(lastKey);
    } else if (c === '}' || c === ']') {
      open.pop();
      path.pop();
    } else {
      const start = m.index + 1;
      let end = text.indexOf('"', start);
      while (end > 0 && isEscaped(text, end)) end = text.indexOf('"', end + 1);
      token.lastIndex = end + 1;
      const keys = open.at(-1);
      if (!keys || !/^\s*:/.test(text.slice(end + 1, end + 8))) continue;
      const raw = text.slice(start, end);
      const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
      if (keys.has(key)) {
        const named = path.slice(1).reduce((t, part) => (part === '[]' ? `${t}[]` : t ? `${t}.${part}` : part), '');
        return `request body: key "${key}" appears twice${named ? ` in "${named}"` : ' at the top level'}; JSON keeps only the last, so remove or rename one`;
      }
      keys.add(key);
      lastKey = key;
    }
  }
  return undefined;
}

/** Whether the quote at `at` is escaped: preceded by an odd number of backslashes. */
function isEscaped(text: string, at: number): boolean {
  let n = 0;
  for (let i = at - 1; i >= 0 && text[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

/** The 400 text for the first key of `body` not in `allowed` (with the allowed key it is a case away from), or undefined. */
export function unknownFieldProblem(body: Record<string, unknown>, allowed: readonly string[], where: string): string | undefined {
  const unknown = Object.keys(body).find((k) => !allowed.includes(k));
  if (unknown === undefined) return undefined;
  const near = allowed.find((k) => k.toLowerCase() === unknown.toLowerCase().replace(/[_-]/g, ''));
  const expected = allowed.map((k) => JSON.stringify(k)).join(' and ');
  return `${where}unknown field ${JSON.stringify(unknown)}: expected only ${expected}${near ? `; did you mean ${JSON.stringify(near)}?` : ''}`;
}
