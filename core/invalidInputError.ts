// The one error type for bad user input: its message names the file, column or parameter,
// what was expected and what was got. Activities turn it into a non-retryable ApplicationFailure.

export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
  /** The parameter, column or file the error is about, e.g. `--k`, `label column "is_fraud"`. */
  readonly subject: string;
  constructor(subject: string, message: string) {
    super(message);
    this.subject = subject;
  }
}
