// A stored file whose bytes no longer hash to the sha256 it was recorded with: changed or damaged after it was
// written. Activities turn it into a non-retryable ApplicationFailure of type IntegrityError; the CLI exits 2.

import { InvalidInputError } from './invalidInputError.js';

export class IntegrityError extends InvalidInputError {
  /** The file that failed verification. */
  readonly path: string;
  readonly expectedSha256: string;
  readonly actualSha256: string;
  constructor(path: string, expectedSha256: string, actualSha256: string, what = 'artifact', message?: string) {
    super(
      `file ${path}`,
      message ??
        `${what} file failed verification: ${path} has sha256 ${actualSha256}, expected ${expectedSha256}; it was changed or damaged after it was written`,
    );
    Object.defineProperty(this, 'name', { value: 'IntegrityError' });
    this.path = path;
    this.expectedSha256 = expectedSha256;
    this.actualSha256 = actualSha256;
  }
}
