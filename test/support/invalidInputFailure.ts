// The InvalidInputError a promise rejects with, failing the test when it resolves or rejects with anything else.

import { expect } from 'vitest';
import { InvalidInputError } from '../../core/invalidInputError.js';

export async function failure(p: Promise<unknown>): Promise<InvalidInputError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InvalidInputError);
  return err as InvalidInputError;
}
