// Checks shared by the scoring service's JSON bodies: a key written twice (JSON.parse would keep the last value and
// drop the first without a word) and a field the endpoint does not read (a misspelt "requestID" would be ignored,
// and its feedback could never be joined to the prediction).

import { duplicateKeyText, firstDuplicateJsonKey } from '../core/spec/duplicateJsonKeys.js';

/** The 400 text for a key written twice in one object of `text` (valid JSON), or undefined. */
export function duplicateKeyProblem(text: string): string | undefined {
  const duplicate = firstDuplicateJsonKey(text);
  return duplicate ? `request body: ${duplicateKeyText(duplicate)}` : undefined;
}

/** The 400 text for the first key of `body` not in `allowed` (with the allowed key it is a case away from), or undefined. */
export function unknownFieldProblem(body: Record<string, unknown>, allowed: readonly string[], where: string): string | undefined {
  const unknown = Object.keys(body).find((k) => !allowed.includes(k));
  if (unknown === undefined) return undefined;
  const near = allowed.find((k) => k.toLowerCase() === unknown.toLowerCase().replace(/[_-]/g, ''));
  const expected = allowed.map((k) => JSON.stringify(k)).join(' and ');
  return `${where}unknown field ${JSON.stringify(unknown)}: expected only ${expected}${near ? `; did you mean ${JSON.stringify(near)}?` : ''}`;
}
