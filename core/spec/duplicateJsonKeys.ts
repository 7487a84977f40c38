// A key written twice in one JSON object. JSON.parse keeps the last and drops the first without a word, so a spec
// or gate file with `"model"` twice would run with half of what its author wrote; the files people write are checked.

import { visit } from 'jsonc-parser';

export interface DuplicateJsonKey {
  key: string;
  /** Where the object holding it sits, as keys and list positions (empty at the top level). */
  path: (string | number)[];
  /** 1-based line and column of the second occurrence. */
  line: number;
  column: number;
}

/** The first key that appears twice in one object of `text` (valid JSON), or undefined. */
export function firstDuplicateJsonKey(text: string): DuplicateJsonKey | undefined {
  const open: Set<string>[] = [];
  let found: DuplicateJsonKey | undefined;
  visit(text, {
    onObjectBegin: () => {
      open.push(new Set());
      // Returning false skips the rest once a duplicate is known.
      return found === undefined;
    },
    onObjectEnd: () => {
      open.pop();
    },
    onObjectProperty: (key, _offset, _length, startLine, startCharacter, pathSupplier) => {
      const keys = open.at(-1);
      if (!keys || found) return;
      if (keys.has(key)) found = { key, path: pathSupplier(), line: startLine + 1, column: startCharacter + 1 };
      keys.add(key);
    },
  });
  return found;
}

/** `"a" in "b.c[2]"` style wording of where a duplicate is, for error messages. */
export function duplicateKeyText(d: DuplicateJsonKey): string {
  const where = d.path.reduce<string>(
    (text, part) => (typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${part}` : part),
    '',
  );
  return `key "${d.key}" appears twice${where ? ` in "${where}"` : ' at the top level'} (line ${d.line}, column ${d.column}); JSON keeps only the last, so remove or rename one`;
}
