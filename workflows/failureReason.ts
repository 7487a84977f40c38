// The reason a workflow or activity failed, as a person wants to read it: the innermost failure of the chain
// (ChildWorkflowFailure → ActivityFailure → ApplicationFailure), with its type.

import { errorCauses, type ErrorCause } from '../core/errorCauses.js';
import { FailureType } from '../core/pipelineTypes.js';

/** `Type: message` of the innermost cause of `err`, e.g. `InvalidInput: column "f3" has a NaN at row 12`. */
export function innermostFailure(err: unknown): string {
  let innermost: ErrorCause | undefined;
  for (const cause of errorCauses(err, 32)) innermost = cause;
  const message = innermost?.message ?? String(err);
  return innermost?.type ? `${innermost.type}: ${message}` : message;
}

/** Whether `err` is a refusal of bad input (a non-retryable InvalidInput failure anywhere in its chain). */
export function isInputRefusal(err: unknown): boolean {
  for (const cause of errorCauses(err, 32)) if (cause.type === FailureType.invalidInput) return true;
  return false;
}
