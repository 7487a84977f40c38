// The shape of a POST /score body: `{"requestId"?: string, "features": {column: value, ...}}`, checked before any
// model sees it. Feature values are checked against the model by its encoder (infra/requestFeatureEncoder.ts).

import { isPlainObject, MAX_REQUEST_ID } from './feedbackRequest.js';
import { duplicateKeyProblem, unknownFieldProblem } from './requestBodyShape.js';
import { describeValue } from './requestFeatureEncoder.js';

const SHAPE = '{"requestId"?: string, "features": {...}}';

export type ParsedScoreRequest = { requestId?: string; features: Record<string, unknown> } | { error: string };

/** The request's id and features, or the 400 text naming the first field that is wrong. */
export function parseScoreRequest(text: string): ParsedScoreRequest {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    return { error: `request body is not valid JSON (${(err as Error).message}); expected ${SHAPE}` };
  }
  if (!isPlainObject(body)) return { error: `request body: expected a JSON object ${SHAPE}, got ${describeValue(body)}` };
  const unknown = unknownFieldProblem(body, ['requestId', 'features'], 'request body: ');
  if (unknown) return { error: unknown };
  const rawId = body.requestId;
  if (rawId !== undefined && (typeof rawId !== 'string' || rawId.length === 0 || rawId.length > MAX_REQUEST_ID)) {
    return { error: `requestId: expected a non-empty string of at most ${MAX_REQUEST_ID} characters, got ${describeValue(rawId)}` };
  }
  const features = body.features;
  if (!isPlainObject(features)) {
    return { error: `features: expected an object of column → value, got ${features === undefined ? 'nothing' : describeValue(features)}` };
  }
  // A feature written twice would be scored with its last value only.
  const duplicate = duplicateKeyProblem(text, body);
  if (duplicate) return { error: duplicate };
  return { ...(rawId !== undefined ? { requestId: rawId } : {}), features };
}
