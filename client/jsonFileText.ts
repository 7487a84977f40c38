// The text of a JSON file a user hands to the CLI (a pipeline spec, a gate spec, drift evidence): strict UTF-8,
// so a byte of another encoding (a Latin-1 "é") is refused by its offset instead of becoming U+FFFD inside a name,
// and without the byte-order mark some Windows editors write, which is not part of the JSON.

import { InvalidInputError } from '../core/invalidInputError.js';

/** The UTF-8 text of `bytes` without a leading byte-order mark; refused naming `subject` when it is not UTF-8. */
export function jsonFileText(bytes: Uint8Array, subject: string): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8Byte(bytes);
    throw new InvalidInputError(
      subject,
      `${subject}: is not UTF-8 text (byte ${at + 1} is 0x${bytes[at]!.toString(16).padStart(2, '0')}); save it as UTF-8`,
    );
  }
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const depth = nestingDepth(body);
  if (depth > MAX_JSON_DEPTH) {
    throw new InvalidInputError(
      subject,
      `${subject}: nests objects and arrays ${depth} deep; a spec, gate or evidence file nests at most ${MAX_JSON_DEPTH} deep`,
    );
  }
  return body;
}

/** Deeper than any spec, gate or evidence file is; a file nested thousands deep would exhaust the stack of every reader. */
const MAX_JSON_DEPTH = 64;

/** The deepest nesting of objects and arrays in JSON text (brackets inside strings not counted); malformed text too. */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

/** The offset of the first byte where `bytes` stops being valid UTF-8 (found by decoding growing prefixes). */
function firstInvalidUtf8Byte(bytes: Uint8Array): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let good = 0;
  for (let end = 1; end <= bytes.length; end++) {
    try {
      decoder.decode(bytes.subarray(good, end));
      good = end;
    } catch {
      // A sequence may still be incomplete: four bytes is the longest a character takes.
      if (end - good >= 4) return good;
    }
  }
  return good;
}
