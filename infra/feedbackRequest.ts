// The shape of a POST /feedback body: one `{"requestId", "label"}` or `{"items": [...]}` of them. Labels are checked
// against the model's classes by the service (core/labels/labelVocabulary.ts), not here.

import { duplicateKeyProblem, unknownFieldProblem } from './requestBodyShape.js';
import { describeValue } from './requestFeatureEncoder.js';

/** A request id is an opaque string of at most this many characters. */
export const MAX_REQUEST_ID = 256;

export interface FeedbackItem {
  requestId: string;
  label: unknown;
}

export type ParsedFeedback = { items: FeedbackItem[]; where: (i: number) => string } | { error: string };

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The items of a feedback body, or the 400 text naming the first field that is wrong; `where(i)` prefixes item i's fields. */
export function parseFeedbackRequest(text: string): ParsedFeedback {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    return {
      error: `request body is not valid JSON (${(err as Error).message}); expected {"requestId": string, "label": ...} or {"items": [...]}`,
    };
  }
  if (!isPlainObject(body)) return { error: `request body: expected a JSON object, got ${describeValue(body)}` };
  // A label written twice would be counted with its last value only.
  const duplicate = duplicateKeyProblem(text, body);
  if (duplicate) return { error: duplicate };
  let items: unknown[];
  let where: (i: number) => string;
  if (body.items !== undefined) {
    // One shape or the other: a requestId or label beside items would be dropped without a word.
    const beside = ['requestId', 'label'].filter((k) => body[k] !== undefined);
    if (beside.length > 0) {
      return {
        error: `request body: expected either {"requestId", "label"} or {"items": [...]}, got ${beside.join(' and ')} beside items; put every label in items`,
      };
    }
    if (!Array.isArray(body.items))
      return { error: `items: expected an array of {"requestId", "label"}, got ${describeValue(body.items)}` };
    const unknown = unknownFieldProblem(body, ['items'], 'request body: ');
    if (unknown) return { error: unknown };
    items = body.items;
    where = (i) => `items[${i}].`;
  } else {
    items = [body];
    where = () => '';
  }
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (!isPlainObject(item)) return { error: `items[${i}]: expected an object {"requestId", "label"}, got ${describeValue(item)}` };
    const unknown = unknownFieldProblem(item, ['requestId', 'label'], body.items === undefined ? 'request body: ' : `items[${i}]: `);
    if (unknown) return { error: unknown };
    const id = item.requestId;
    if (typeof id !== 'string' || id.length === 0 || id.length > MAX_REQUEST_ID) {
      return {
        error: `${where(i)}requestId: expected a non-empty string of at most ${MAX_REQUEST_ID} characters, got ${id === undefined ? 'nothing' : describeValue(id)}`,
      };
    }
  }
  return { items: items as FeedbackItem[], where };
}
