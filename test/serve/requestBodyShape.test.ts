// The duplicate-key check on the scoring service's request path: a key written twice in one object is found
// wherever it is (top level, features, an item of a list), and a body without one passes by a count alone, also
// when a string value holds text like a key.

import { describe, expect, it } from 'vitest';
import { duplicateKeyProblem } from '../../infra/requestBodyShape.js';

const check = (text: string) => duplicateKeyProblem(text, JSON.parse(text));

describe('duplicate keys in a request body', () => {
  it('names the key and the object holding it', () => {
    expect(check('{"features": {"a": 1, "b": 2, "a": 9}}')).toBe(
      'request body: key "a" appears twice in "features"; JSON keeps only the last, so remove or rename one',
    );
    expect(check('{"requestId": "x", "label": "ok", "label": "fraud"}')).toMatch(
      /^request body: key "label" appears twice at the top level/,
    );
    expect(check('{"items": [{"requestId": "a", "label": 1}, {"requestId": "b", "requestId": "c"}]}')).toMatch(
      /^request body: key "requestId" appears twice in "items\[\]"/,
    );
    // The same key spelt with an escape, and a key with spaces before its colon.
    expect(check('{"features": {"a\\u0062": 1, "ab": 2}}')).toMatch(/^request body: key "ab" appears twice/);
    expect(check('{"features": {"s": "{[", "t": 1, "t" : 2}}')).toMatch(/^request body: key "t" appears twice/);
  });

  it('passes bodies without one, string values that look like keys included', () => {
    expect(check('{"features": {"s": "x\\": y", "t": 1}}')).toBeUndefined();
    expect(check('{"a": [1, {"b": 1}], "b": 2}')).toBeUndefined();
    expect(check('{"requestId": "r", "features": {"a": 1, "b": {"a": 2}}}')).toBeUndefined();
    expect(check('{"features": {}}')).toBeUndefined();
  });
});
