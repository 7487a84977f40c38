// The numbers of a `rareflow drift --evidence` file, checked before they are sent with the signal: top-level numbers
// (other top-level values are metadata and left alone) and every value under "metrics", which must be numbers.

import { readFileSync } from 'node:fs';
import { InvalidInputError } from '../core/invalidInputError.js';
import { duplicateKeyText, firstDuplicateJsonKey } from '../core/spec/duplicateJsonKeys.js';
import { jsonFileText } from './jsonFileText.js';

/** Numbers of an `--evidence` JSON file (top-level numbers, and those under "metrics"), checked before sending. */
export function readEvidenceFile(path: string): Record<string, number> {
  let json: unknown;
  let text: string;
  try {
    text = jsonFileText(readFileSync(path), `--evidence ${path}`);
    json = JSON.parse(text);
  } catch (err) {
    if (err instanceof InvalidInputError) throw err;
    const what =
      (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file does not exist' : `it is not valid JSON (${(err as Error).message})`;
    throw new InvalidInputError(
      '--evidence',
      `--evidence ${path}: ${what}; expected a JSON object such as {"psi": 0.31, "metrics": {"recall": 0.4}}`,
    );
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new InvalidInputError('--evidence', `--evidence ${path}: expected a JSON object`);
  const duplicate = firstDuplicateJsonKey(text);
  if (duplicate) throw new InvalidInputError('--evidence', `--evidence ${path}: ${duplicateKeyText(duplicate)}`);
  const metrics: Record<string, number> = {};
  // A number too large for a double (1e400) reads as Infinity; a value under "metrics" that is not a number (null
  // included) is a mistake, not metadata. Either would otherwise be dropped without a word.
  const take = (o: Record<string, unknown>, where: string) => {
    for (const [k, v] of Object.entries(o)) {
      if (typeof v === 'number' && !Number.isFinite(v))
        throw new InvalidInputError(
          '--evidence',
          `--evidence ${path}: ${where}${k} is too large to be a number here; expected a finite number`,
        );
      if (typeof v === 'number') {
        // One name at the top level and under "metrics" would send only one of the two numbers.
        if (Object.hasOwn(metrics, k))
          throw new InvalidInputError(
            '--evidence',
            `--evidence ${path}: ${k} is given both at the top level (${metrics[k]}) and under "metrics" (${v}); keep one`,
          );
        metrics[k] = v;
      } else if (where !== '')
        throw new InvalidInputError('--evidence', `--evidence ${path}: ${where}${k} must be a number, got ${JSON.stringify(v)}`);
    }
  };
  take(json as Record<string, unknown>, '');
  const nested = (json as Record<string, unknown>).metrics;
  if (nested !== undefined && (typeof nested !== 'object' || nested === null || Array.isArray(nested)))
    throw new InvalidInputError('--evidence', `--evidence ${path}: metrics must be an object of numbers, got ${JSON.stringify(nested)}`);
  if (nested !== undefined) take(nested as Record<string, unknown>, 'metrics.');
  if (Object.keys(metrics).length > 200)
    throw new InvalidInputError(
      '--evidence',
      `--evidence ${path}: at most 200 numbers are sent with a signal, got ${Object.keys(metrics).length}`,
    );
  return metrics;
}
