// The reason a workflow or activity failed, as a person wants to read it: the innermost failure of the chain
// (ChildWorkflowFailure → ActivityFailure → ApplicationFailure), with its type.

/** `Type: message` of the innermost cause of `err`, e.g. `InvalidInput: column "f3" has a NaN at row 12`. */
export function innermostFailure(err: unknown): string {
  let current = err as { cause?: unknown; message?: string; type?: string } | undefined;
  while (current && typeof current === 'object' && current.cause && typeof current.cause === 'object') {
    current = current.cause as typeof current;
  }
  const message = current?.message ?? String(err);
  return current?.type ? `${current.type}: ${message}` : message;
}
