// Why the scoring service could not load a published model file, in the words /score and /healthz answer with:
// a file that fails its sha256 or content seal is named as such, never hidden behind "no champion".

export type ModelFileProblem = 'failed verification' | 'could not be read';

export class ModelFileError extends Error {
  override readonly name = 'ModelFileError';
  constructor(
    /** The arm the file was published for. */
    readonly arm: 'champion' | 'challenger',
    readonly problem: ModelFileProblem,
    readonly path: string,
    /** What was found, e.g. `its sha256 is …, the serving state says …`. */
    readonly detail: string,
  ) {
    super(`${arm} file ${problem}: ${path} (${detail})`);
  }
}
