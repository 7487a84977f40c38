// Checks the single-step data commands (`denoise`, `adasyn`) make on their labels before any work: a `.arrow`
// output stores the label as 1 (positive) or 0, so a label whose values are not those would be rewritten without a
// word (with `--positive 0`, the classes swapped); and a positive class larger than the rest is worth a warning,
// since the noise filter then removes rows of the real rare class as "noisy negatives".

import { InvalidInputError } from '../core/invalidInputError.js';
import { sameNumber } from '../data/labelClasses.js';
import { largerPositiveWarning } from './fitReadWarnings.js';

/** Refuses a `.arrow` `out` whose 1/0 label would not be the values the rows hold (`negativeLabel` may join several with "|"). */
export function requireArrowKeepsLabels(out: string, label: string, positiveLabel: string, negativeLabel: string): void {
  if (!out.toLowerCase().endsWith('.arrow')) return;
  const negatives = negativeLabel.split('|');
  const rewritten = [...(sameNumber(positiveLabel, '1') ? [] : [positiveLabel]), ...negatives.filter((v) => !sameNumber(v, '0'))];
  if (rewritten.length === 0) return;
  throw new InvalidInputError(
    '--out',
    `--out ${out}: a .arrow file stores the label as 1 (positive) or 0 (any other class), but label column "${label}" holds ${[positiveLabel, ...negatives].map((v) => JSON.stringify(v)).join(', ')} with positive ${JSON.stringify(positiveLabel)}, so ${rewritten.map((v) => JSON.stringify(v)).join(', ')} would be rewritten; write .csv or .parquet, which keep each row's label value`,
  );
}

/** The warning when the positive class is the larger one (the noise filter would thin the real rare class). */
export function stageLabelWarnings(y: Uint8Array, positiveLabel: string, negativeLabel: string): string[] {
  return largerPositiveWarning(y, positiveLabel, negativeLabel);
}
