// Walks an error's `cause` chain (a Temporal failure nests ChildWorkflowFailure → ActivityFailure →
// ApplicationFailure; Node and DuckDB errors nest their own): the one walker the CLI and data/ share.

/** A link of a cause chain, as far as the walkers look into it. */
export interface ErrorCause {
  type?: string;
  code?: string;
  path?: string;
  message?: string;
  cause?: unknown;
}

/**
 * `err` and its causes, outermost first, as long as they are objects: at most `maxDepth` links, so a cyclic
 * chain (an error whose cause points back at itself) ends.
 */
export function* errorCauses(err: unknown, maxDepth = 8): Generator<ErrorCause> {
  let e = err;
  for (let depth = 0; e && typeof e === 'object' && depth < maxDepth; depth++) {
    yield e as ErrorCause;
    e = (e as ErrorCause).cause;
  }
}
